"""pytest plugin (`-p bench.calltimes`): the call phase's duration of every test, written as JSON
to $BENCH_CALLTIMES by the controller (under xdist the workers' reports arrive there too)."""

from __future__ import annotations

import json
import os

_DURATIONS: dict[str, float] = {}


def pytest_runtest_logreport(report) -> None:
    if report.when == "call":
        _DURATIONS[report.nodeid] = report.duration


def pytest_sessionfinish(session) -> None:
    path = os.getenv("BENCH_CALLTIMES")
    if path and not hasattr(session.config, "workerinput"):
        with open(path, "w") as out:
            json.dump(_DURATIONS, out)
