"""Peak memory does not grow with the run's length: each exchange's 2 MiB body is judged and then
kept as its head, its length and its hash (issue 12, probe 8: 300 answers of 50 MB)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent


def peak_mb(count: int) -> int:
    done = subprocess.run(
        [sys.executable, "-m", "tests.memory_probe", str(count)], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return int(done.stdout.split()[-1])


def test_peak_rss_is_flat_as_the_number_of_capped_exchanges_grows():
    few, many = peak_mb(30), peak_mb(300)
    assert many < 300, f"300 answers of 50 MB: {many} MB at peak"
    assert many - few < 40, f"30 exchanges: {few} MB; 300 exchanges: {many} MB"


def measured_in_child(parent_mb: int, child_mb: int) -> int:
    """`own_peak_mb` of a child that holds child_mb, started by a parent that holds parent_mb."""
    child = (
        f"from tests.memory_probe import own_peak_mb; held = bytearray({child_mb} * 2**20); "
        "held[::4096] = b'x' * len(held[::4096]); print(own_peak_mb())"
    )
    parent = (
        f"import subprocess, sys; held = bytearray({parent_mb} * 2**20); held[::4096] = b'x' * len(held[::4096]); "
        f"print(subprocess.run([sys.executable, '-c', {child!r}], capture_output=True, text=True, "
        "check=True).stdout)"
    )
    done = subprocess.run(
        [sys.executable, "-c", parent], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True
    )
    return int(done.stdout.split()[-1])


def test_the_probe_counts_its_own_memory_not_its_parents():
    # What the 301-312 MB peaks under `make test` were: ru_maxrss inherited from the xdist worker.
    assert measured_in_child(parent_mb=400, child_mb=0) < 100
    # And it does see what it holds itself: a suite that kept what it read would show.
    assert measured_in_child(parent_mb=0, child_mb=200) >= 200


def test_a_body_broken_in_120000_ways_lists_the_first_hundred():
    """Issue 21: listing and sorting every violation took 3 s and tens of MB per answer."""
    from conformance.contract import endpoint

    doc = {
        "IsRunning": True,
        "StatusMessage": "x",
        "Interval": "00:15:00",
        "TableRight": {"Mask": "Read", "Reason": ""},
        "FieldProperties": {f"F{i}": 1 for i in range(120_000)},
    }
    found = endpoint.violations(doc, "ErpSyncEngineStatus")
    assert len(found) == endpoint.VIOLATIONS_KEPT
    assert all(line.startswith("$.FieldProperties.F") and "is not of type 'object'" in line for line in found)
    small = dict(doc, FieldProperties={"F1": 1, "F2": 2})
    assert len(endpoint.violations(small, "ErpSyncEngineStatus")) == 2  # a few: all of them, no "more" line


def test_answers_alike_share_one_reading_and_one_validation():
    """The same 2 MB body in every answer is parsed and validated once, while any exchange holds it."""
    import json

    from conformance.wire.exchange import Exchange, Received, SentRequest

    body = json.dumps({"IsRunning": True, "FieldProperties": {f"F{i}": 1 for i in range(1000)}}).encode()
    sent = SentRequest("POST", "http://127.0.0.1/x", (), 0)
    first, second = (
        Exchange(label, sent, Received(200, "OK", (("Content-Type", "application/json"),), body, 1.0))
        for label in ("one", "two")
    )
    assert first.decoded is second.decoded
    assert first.violations("ErpSyncEngineStatus") == second.violations("ErpSyncEngineStatus")
    other = Exchange("three", sent, Received(200, "OK", (("Content-Type", "application/json"),), body + b" ", 1.0))
    assert other.decoded is not first.decoded
