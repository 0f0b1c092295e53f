"""Watching a run (conformance.plugin.progress): one live line on a terminal, a periodic plain line in a
log, nothing under -q; the suite's tests print no progress characters of their own; -q shows the
verdict and only the requirements that failed or were not judged."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time
from types import SimpleNamespace

from conformance.plugin import progress

LINE = re.compile(
    r"erpsync-conformance: (\d+) of (\d+) requests, (\d+) of (\d+) tests(?:, (\d+) requirements? judged)?"
)


class Screen:
    """A stand-in for pytest's terminal reporter: what was rewritten in place, and whole lines."""

    def __init__(self, width: int = 200) -> None:
        self.rewrites: list[str] = []
        self.lines: list[str] = []
        self.config = SimpleNamespace(get_terminal_writer=lambda: SimpleNamespace(fullwidth=width))

    def rewrite(self, line: str, erase: bool = False) -> None:
        self.rewrites.append(line)

    def write(self, text: str) -> None:
        self.lines.append(text)

    def write_line(self, line: str) -> None:
        self.lines.append(line)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_line_says_requests_of_the_budget_tests_done_judged_and_time_left():
    clock = Clock()
    watcher = progress.Progress(Screen(), 300, "live", clock)
    watcher.total = 40
    assert watcher.line() == "erpsync-conformance: 0 of 300 requests, 0 of 40 tests, 0 requirements judged, 0 s elapsed"
    clock.now += 75
    watcher.done = {f"t{i}" for i in range(10)}
    watcher.sent = {"gw0": 60, "gw1": 30}  # each process's newest figure, added
    watcher.judged = {"AUTH-01", "SELECT-01"}
    # 10 of 40 tests in 75 s: 30 more at that pace.
    assert watcher.line() == (
        "erpsync-conformance: 90 of 300 requests, 10 of 40 tests, 2 requirements judged, "
        "1 min 15 s elapsed, about 3 min 45 s left"
    )
    watcher.done = {f"t{i}" for i in range(40)}
    assert "left" not in watcher.line()  # nothing is left to estimate


def test_no_estimate_before_a_twentieth_of_the_tests_is_done():
    clock = Clock()
    watcher = progress.Progress(Screen(), None, "live", clock)
    watcher.total, watcher.done = 200, {f"t{i}" for i in range(9)}
    clock.now += 30
    assert watcher.line() == "erpsync-conformance: 0 requests, 9 of 200 tests, 0 requirements judged, 30 s elapsed"


def test_a_narrow_terminal_loses_whole_parts_never_half_a_word():
    clock = Clock()
    watcher = progress.Progress(Screen(), 300, "live", clock)
    watcher.total, watcher.done, watcher.judged = 40, {f"t{i}" for i in range(10)}, {"AUTH-01"}
    clock.now += 75
    full = watcher.line()
    assert watcher.line(len(full)) == full
    assert watcher.line(len(full) - 1) == (
        "erpsync-conformance: 0 of 300 requests, 10 of 40 tests, 1 requirement judged, about 3 min 45 s left"
    )
    assert watcher.line(80) == "erpsync-conformance: 0 of 300 requests, 10 of 40 tests, about 3 min 45 s left"
    assert watcher.line(60) == "erpsync-conformance: 0 of 300 requests, 10 of 40 tests"


def test_live_rewrites_at_most_every_quarter_second_and_ends_on_a_line_of_its_own():
    clock, screen = Clock(), Screen(width=60)
    watcher = progress.Progress(screen, 300, "live", clock)
    watcher.total = 3
    watcher.show()
    watcher.show()  # no time passed: not rewritten again
    clock.now += progress.LIVE_EVERY
    watcher.show()
    assert len(screen.rewrites) == 2 and all(len(r) < 60 for r in screen.rewrites), screen.rewrites
    watcher.show(final=True)
    assert len(screen.rewrites) == 3 and screen.lines == ["\n"]


def test_a_log_gets_a_plain_line_every_plain_every_seconds_and_the_last_state():
    clock, screen = Clock(), Screen()
    watcher = progress.Progress(screen, 300, "plain", clock)
    watcher.total = 3
    watcher.show()
    assert screen.lines == []  # a run shorter than PLAIN_EVERY needs no line but the last
    clock.now += progress.PLAIN_EVERY
    watcher.show()
    clock.now += progress.PLAIN_EVERY / 2
    watcher.show()
    clock.now += progress.PLAIN_EVERY / 2
    watcher.show()
    watcher.show(final=True)
    assert len(screen.lines) == 3 and screen.rewrites == [], screen.lines
    assert all(line.startswith("erpsync-conformance: 0 of 300 requests") for line in screen.lines)


def test_quiet_shows_nothing():
    clock, screen = Clock(), Screen()
    watcher = progress.Progress(screen, 300, "none", clock)
    clock.now += 1000
    watcher.show()
    watcher.show(final=True)
    assert screen.lines == [] and screen.rewrites == []


# --- whole runs ---------------------------------------------------------------------------------


def _on_a_terminal(args: list[str], cwd) -> tuple[int, str]:
    """The CLI run on a pseudo-terminal 120 columns wide; what the terminal received."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    env = {**os.environ, "COLUMNS": "120"}
    child = subprocess.Popen(
        [sys.executable, "-m", "conformance", *args],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        cwd=cwd,
        close_fds=True,
        env=env,
    )
    os.close(slave)
    received, deadline = b"", time.monotonic() + 300
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 1)
            if ready:
                try:
                    data = os.read(master, 65536)
                except OSError:  # the child closed its end
                    break
                if not data:
                    break
                received += data
            elif child.poll() is not None:
                break
    finally:
        os.close(master)
        if child.poll() is None:
            child.kill()
    return child.wait(timeout=30), received.decode(errors="replace")


def test_on_a_terminal_the_line_is_rewritten_in_place_and_no_test_prints_a_dot(tmp_path):
    rc, screen = _on_a_terminal(["-k", "test_select or test_an_authorised_post", "--no-reports"], tmp_path)
    assert rc == 0, screen[-3000:]
    shown = [LINE.search(part) for part in screen.split("\r") if LINE.search(part)]
    assert len(shown) >= 2, screen[-3000:]
    last = shown[-1]
    assert last.group(3) == last.group(4) and int(last.group(1)) > 0 and int(last.group(5)) > 0, last.group()
    assert last.group(2) == "100000"  # the bundled server's budget, as the header says
    assert "\rerpsync-conformance: " in screen  # rewritten in place, not a new line each time
    assert not re.search(r"test_\w+\.py \.", screen) and "[100%]" not in screen, screen[-3000:]


def test_quiet_prints_no_progress_and_only_the_red_rows(tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "conformance",
            "-q",
            "--reference-fault",
            "select-ignored",
            "--no-reports",
            "-k",
            "test_select or test_an_authorised_post",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1, done.stdout[-3000:]
    out = done.stdout
    assert "requirements that failed or were not judged" in out, out
    rows = re.findall(r"^([A-Z]+-\d\d) +(MUST|SHOULD|INFO) +(\S+)", out, re.MULTILINE)
    assert rows and {outcome for _, _, outcome in rows} <= {"fail", "non-strict", "untested"}, rows
    assert "SELECT-03" in {rid for rid, _, _ in rows}
    assert not any(rid.startswith("AUTH") for rid, _, _ in rows)  # not selected, so not listed as untested
    assert not LINE.search(out) and not re.search(r"^[.FEsx]+\s*(\[\s*\d+%\])?$", out, re.MULTILINE), out
    assert "Traceback" not in out and "SKIPPED" not in out and "FAILED " not in out, out
    assert "verdict: does not conform (exit 1)" in out


def test_a_log_ends_with_the_plain_line(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "conformance", "--no-reports", "-k", "test_an_authorised_post"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:]
    lines = [line for line in done.stdout.splitlines() if LINE.match(line)]
    # A line every PLAIN_EVERY s (none of them on a quick run, more on a busy machine), always the last.
    assert lines and "\r" not in done.stdout, done.stdout
    assert LINE.match(lines[-1]).group(3) == LINE.match(lines[-1]).group(4)
