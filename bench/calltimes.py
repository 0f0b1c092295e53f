"""pytest plugin (`-p bench.calltimes`): the call phase's duration of every test, written as JSON
to $BENCH_CALLTIMES by the controller (under xdist the workers' reports arrive there too), and
the span from the first call phase's start to the last one's end (under xdist, over all workers:
the part of a run that parallel workers can share) to $BENCH_CALLTIMES.span."""

from __future__ import annotations

import json
import os

_DURATIONS: dict[str, float] = {}
_SPAN: list[float] = []


def pytest_runtest_logreport(report) -> None:
    if report.when == "call":
        _DURATIONS[report.nodeid] = report.duration
        _SPAN[:] = [min([report.start, *_SPAN[:1]]), max([report.stop, *_SPAN[1:]])]


def pytest_sessionfinish(session) -> None:
    path = os.getenv("BENCH_CALLTIMES")
    if path and not hasattr(session.config, "workerinput"):
        with open(path, "w") as out:
            json.dump(_DURATIONS, out)
        with open(path + ".span", "w") as out:
            json.dump(_SPAN[1] - _SPAN[0] if _SPAN else None, out)
