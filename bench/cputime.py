"""pytest plugin (`-p bench.cputime`): per test, its wall time and the CPU it cost the machine,
its own process's (user + system) and its finished child processes' (a CLI run, a wheel build,
mypy), one JSON line per test to $BENCH_CPUTIME/<worker>.jsonl: what bench/test_time.py sums.
Under -n 2 the wall time of a test includes waiting for a core the other worker holds; its CPU
does not, so the CPU is what a change to the test run saves."""

from __future__ import annotations

import json
import os
import resource
import time
from pathlib import Path

import pytest


def _cpu() -> tuple[float, float]:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    folder = os.environ.get("BENCH_CPUTIME")
    wall, (own, children) = time.perf_counter(), _cpu()
    yield
    if not folder:
        return
    own_after, children_after = _cpu()
    line = {
        "nodeid": item.nodeid,
        "wall": round(time.perf_counter() - wall, 3),
        "cpu": round(own_after - own, 3),
        "children": round(children_after - children, 3),
    }
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    with (Path(folder) / f"{worker}.jsonl").open("a") as out:
        out.write(json.dumps(line) + "\n")
