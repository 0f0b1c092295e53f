"""Where a run is, while it runs (issue 23: at 3 requests/s, 25 s in, pytest's dots said "27%").

On a terminal one live line, rewritten in place: the requests sent of the budget, the tests done
of those selected, the requirements judged so far, the time elapsed and an estimate of what is
left. When the output is not a terminal (a CI log), the same as a plain line every PLAIN_EVERY
seconds. Under -q nothing at all. On a narrow terminal whole parts of the line are left out
(Progress.line). In every case the suite's tests print no pytest progress
characters of their own (the line says more, and the verdict table says which failed); pytest -v
keeps its lines. The last state stays on screen as a line of its own.

Requests are counted where they are sent: each test report carries how many its process had sent
by then (REQUESTS_ATTRIBUTE, which xdist ships with the report), the controller adds the newest
figure of each process.
"""

from __future__ import annotations

import time
from typing import Any, Callable

import pytest

from conformance.plugin.state import state

REQUESTS_ATTRIBUTE = "erpsync_requests"
LIVE_EVERY = 0.25
"""Seconds between two rewrites of the live line at most."""
PLAIN_EVERY = 15.0
"""Seconds between two plain progress lines when the output is no terminal."""


def judged(config: pytest.Config) -> set[str]:
    """The requirements judged so far: an outcome other than untested, of one the run selected."""
    collector = state(config).collector
    if collector is None:
        return set()
    return {rid for rid, found in collector.in_scope().items() if any(o.get("status") != "untested" for o in found)}


def stamp(item: pytest.Item, report: pytest.TestReport) -> None:
    """On the report, the requests this process has sent so far (a worker's or the serial run's)."""
    run = state(item.config).run
    if run is not None:
        setattr(report, REQUESTS_ATTRIBUTE, run.client.budget.used)


class Progress:
    """The controller's (or serial run's) progress line. `budget`: the run's request budget;
    `mode`: "live" (a terminal), "plain" (a log, or pytest -v) or "none" (-q)."""

    def __init__(
        self,
        reporter: Any,
        budget: int | None,
        mode: str,
        clock: Callable[[], float] = time.monotonic,
        judged_now: Callable[[], set[str]] = set,
    ):
        """`judged_now`: the requirements judged so far (judged)."""
        self.reporter, self.budget, self.mode, self.clock = reporter, budget, mode, clock
        self.judged_now = judged_now
        self.live = mode == "live"
        self.started = clock()
        self.shown_at: float | None = None
        self.total = 0
        self.done: set[str] = set()
        self.sent: dict[str, int] = {}
        self.judged: set[str] = set()
        self.showing = False

    # --- what pytest tells ---

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.total = max(self.total, len(session.items))

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: Any, ids: list[str]) -> None:
        self.total = max(self.total, len(ids))

    @pytest.hookimpl(wrapper=True)
    def pytest_report_teststatus(self, report: pytest.TestReport, config: pytest.Config) -> Any:
        """The suite's tests print no progress character (the line stands for them); the category
        and word are pytest's own, so its counts and summary stay as they are."""
        status = yield
        if config.get_verbosity() > 0 or not status:
            return status
        category, _letter, word = status
        return category, "", word

    @pytest.hookimpl(trylast=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        sent = getattr(report, REQUESTS_ATTRIBUTE, None)
        if sent is not None:
            node = getattr(getattr(getattr(report, "node", None), "gateway", None), "id", "main")
            self.sent[node] = max(self.sent.get(node, 0), int(sent))
        if report.when == "teardown":
            self.done.add(report.nodeid)
        self.show()

    def _judged(self) -> None:
        """Counted when the line is shown (at most every LIVE_EVERY s), not on every report."""
        self.judged = self.judged_now() or self.judged

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtestloop(self, session: pytest.Session) -> Any:
        try:
            return (yield)
        finally:
            self.show(final=True)

    # --- what the user sees ---

    def line(self, width: int | None = None) -> str:
        """The line; within `width` characters (a terminal's row, where a line rewritten in place
        must not wrap) whole parts are left out, the elapsed time first, then the requirements
        judged, then the estimate: never a part cut in the middle."""
        elapsed = self.clock() - self.started
        sent = sum(self.sent.values())
        left = self.left(elapsed)
        parts = {
            "requests": f"{sent} of {self.budget} requests" if self.budget else f"{sent} requests",
            "tests": f"{len(self.done)} of {self.total} tests" if self.total else f"{len(self.done)} tests",
            "judged": f"{len(self.judged)} requirement{'' if len(self.judged) == 1 else 's'} judged",
            "elapsed": f"{_seconds(elapsed)} elapsed",
            "left": f"about {_seconds(left)} left" if left is not None else "",
        }
        for dropped in (None, "elapsed", "judged", "left"):  # first whole, then losing whole parts
            if dropped:
                parts.pop(dropped)
            text = "erpsync-conformance: " + ", ".join(part for part in parts.values() if part)
            if width is None or len(text) <= width:
                break
        return text

    def left(self, elapsed: float) -> float | None:
        """What is left at the pace so far, once a twentieth of the tests is done; None before."""
        done = len(self.done)
        if not self.total or done < max(1, self.total // 20) or done >= self.total:
            return None
        return elapsed * (self.total - done) / done

    def show(self, final: bool = False) -> None:
        if self.mode == "none":
            return
        now = self.clock()
        every = LIVE_EVERY if self.live else PLAIN_EVERY
        if not final and self.shown_at is not None and now - self.shown_at < every:
            return
        if not final and self.shown_at is None and not self.live and now - self.started < every:
            return  # a short run in a log needs no line but the last
        self.shown_at = now
        self._judged()
        if self.live:
            width = self.reporter.config.get_terminal_writer().fullwidth - 1
            self.reporter.rewrite(self.line(width)[:width], erase=True)
            self.showing = True
            if final:
                self.reporter.write("\n")
                self.showing = False
        else:
            self.reporter.write_line(self.line())


def _seconds(value: float) -> str:
    whole = int(value)
    return f"{whole // 60} min {whole % 60:02d} s" if whole >= 60 else f"{whole} s"
