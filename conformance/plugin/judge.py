"""The Judge of one test item: it judges requirements through the run, records each outcome on the
item (in its stash, and on its report's user_properties, which carry them to the controller under
pytest-xdist), and at the end of the test turns the worst outcome into the test's result.

A test's result follows the worst outcome it recorded that no waiver covers: fail for a broken
MUST (and, under the strict option, a broken SHOULD); a pass carrying a `finding` property for a
broken SHOULD otherwise; xfail for a waived outcome (reported as waived, never as passed); skip for
untested and not-applicable.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Iterable

import pytest

from conformance.checks.outcome import Outcome, Status, outcome, worst
from conformance.plugin.state import state
from conformance.text.sinks import json_text, shown
from conformance.verdict import waivers as waiver_files

OUTCOME_KEY = "erpsync_outcome"
FINDING_KEY = "finding"
"""The user_properties key under which an outcome travels (JSON) from a test to the collector."""


@dataclass
class Record:
    outcome: Outcome
    prop: tuple[str, str]
    tag: str | None


RECORDS = pytest.StashKey[list[Record]]()
JUDGE = pytest.StashKey["Judge"]()


def strict_mode(config: pytest.Config) -> bool:
    """SHOULD failures fail the run: the suite's own option (or ERPSYNC_STRICT), independent of
    pytest's own --strict."""
    return state(config).settings.strict_should


class Judge:
    def __init__(self, run: Any, item: pytest.Item) -> None:
        self.run, self.item = run, item
        item.stash.setdefault(RECORDS, [])

    @classmethod
    def of(cls, run: Any, item: pytest.Item) -> "Judge":
        """The item's Judge, kept across the cases a generated test runs (a function-scoped fixture
        would trip Hypothesis's health check inside @given)."""
        if JUDGE not in item.stash:
            item.stash[JUDGE] = cls(run, item)
        return item.stash[JUDGE]

    @property
    def records(self) -> list[Record]:
        return self.item.stash[RECORDS]

    def outcomes(self) -> list[Outcome]:
        return [r.outcome for r in self.records]

    def __call__(self, rid: str, exchanges: dict, **case: Any) -> Outcome:
        return self.record(self.run.judge(rid, exchanges, **case))

    def relate(self, rid: str, probe, reference, **kwargs: Any) -> Outcome:
        return self.record(self.run.relate(rid, probe, reference, **kwargs))

    def require(self, rids: str | Iterable[str], ok: bool, reason: str, status: Status = Status.UNTESTED) -> None:
        """An explicit precondition: when it does not hold, the requirements are recorded as
        untested (or not-applicable) with the reason, and the test ends as skipped."""
        if ok:
            return
        for rid in (rids,) if isinstance(rids, str) else rids:
            self.record(outcome(rid, status, reason))
        pytest.skip(f"{status}: {reason}")

    def _redacted(self, text: str) -> str:
        redactor = getattr(getattr(self.run, "client", None), "redactor", None)
        return redactor.text(text) if redactor else text

    def redact(self, text: str) -> str:
        """Redacted and `shown` (conformance.text.sinks): what a test hands pytest quotes the server."""
        return shown(self._redacted(text), lines=True)

    def record(self, result: Outcome, tag: str | None = None) -> Outcome:
        result = result.slim()
        # as_dict's texts are shown already, and json_text escapes what is left: only redacted here.
        prop = (OUTCOME_KEY, self._redacted(json_text(result.as_dict())))
        self.item.user_properties.append(prop)
        self.records.append(Record(result, prop, tag))
        return result

    def record_final(self, tag: str, outcomes: Iterable[Outcome], withdraw_all: bool = False) -> None:
        """Outcomes that replace those recorded earlier under the same tag (or, with withdraw_all,
        every earlier one): for generated cases, where only the last failing (shrunk) example is
        to be reported, and for a test stopped short."""
        gone = [r for r in self.records if withdraw_all or r.tag == tag]
        gone_props = {id(r.prop) for r in gone}
        self.item.user_properties[:] = [p for p in self.item.user_properties if id(p) not in gone_props]
        self.records[:] = [r for r in self.records if not any(r is g for g in gone)]
        for result in outcomes:
            self.record(result, tag)

    def conclude(self) -> None:
        """Call at the end of a test: its result follows the worst outcome it recorded that no
        waiver covers; a waived one makes it xfail (reported as waived, never as passed)."""
        outcomes = self.outcomes()
        if not outcomes:
            raise AssertionError("the test judged no requirement")
        waivers, today = state(self.item.config).waivers, dt.date.today()
        waived = [
            o
            for o in outcomes
            if o.requirement in waivers
            and str(o.status) in waiver_files.WAIVABLE
            and not waivers[o.requirement].expired(today)
        ]
        result = worst([o for o in outcomes if not any(o is w for w in waived)])
        strict = strict_mode(self.item.config)
        if result is not None and (result.status is Status.FAIL or (result.status is Status.NON_STRICT and strict)):
            pytest.fail(self.redact(result.message()), pytrace=False)
        if waived:
            first = worst(waived)
            pytest.xfail(
                self.redact(f"waived: {first.requirement} {first.status}: {waivers[first.requirement].reason}")
            )
        if result.status is Status.NON_STRICT:
            # A finding, not a skip: the test passes (dashboards count findings as skipped
            # otherwise) and carries it as a `finding` property, which JUnit shows (collect.py).
            self.item.user_properties.append(
                (FINDING_KEY, self.redact(f"{result.requirement} SHOULD not met: {result.reason}")[:500])
            )
            return
        if result.status in (Status.UNTESTED, Status.NOT_APPLICABLE):
            pytest.skip(self.redact(f"{result.requirement} {result.status}: {result.reason}"))
