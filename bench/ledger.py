"""pytest plugin (`-p bench.ledger`): per test of a serial run, the requests it sent to the server
(answers reused from an identical earlier request not counted), whether it failed, and for a
covering row its Row.id (conformance.run.covering), written as
JSON to $BENCH_LEDGER at the end of the session: what bench/yield_order.py weighs each test by."""

from __future__ import annotations

import json
import os
from collections import Counter

from conformance.wire.transport import client

_SENT: Counter[str] = Counter()
_FAILED: set[str] = set()
_ORDER: list[str] = []
_ROWS: dict[str, str] = {}
_current = ""


def _counting(sent):
    def sent_and_counted(self, *args, **kwargs):
        _SENT[_current] += 1
        return sent(self, *args, **kwargs)

    return sent_and_counted


client.Client._sent = _counting(client.Client._sent)  # type: ignore[method-assign]


def pytest_collection_finish(session) -> None:
    for item in session.items:
        row = getattr(getattr(item, "callspec", None), "params", {}).get("row")
        if row is not None:
            _ROWS[item.nodeid] = row.id


def pytest_runtest_logstart(nodeid: str, location) -> None:
    global _current
    _current = nodeid
    _ORDER.append(nodeid)


def pytest_runtest_logreport(report) -> None:
    if report.failed:
        _FAILED.add(report.nodeid)


def pytest_sessionfinish(session) -> None:
    path = os.getenv("BENCH_LEDGER")
    if path:
        tests = [{"test": t, "row": _ROWS.get(t), "requests": _SENT.get(t, 0), "failed": t in _FAILED} for t in _ORDER]
        with open(path, "w") as out:
            json.dump({"tests": tests, "outside_tests": _SENT.get("", 0)}, out)
