"""Properties: every drawn combination of scheme, Accept, language headers and $select is
answered as the oracle predicts (conformance.strategies draws; conformance.oracle predicts).

A combination's answer is judged by the same checks as the example tests; a failing relation is
re-checked against fresh requests first. Hypothesis shrinks a failure to its smallest example,
and that example's outcomes are what the run reports.

One test per authentication scheme, so that pytest-xdist can spread them over its workers: the
profile's max_examples are shared out among the schemes the target declares (the same number of
drawn combinations, and requests, in all), and a derandomized profile seeds each scheme's test
with a seed of its own, so that the tests draw different combinations rather than the same ones.
"""

from __future__ import annotations

import hashlib
import math

import pytest
from hypothesis import event, given, note, seed, settings
from hypothesis import strategies as st
from hypothesis.errors import FlakyFailure

from conformance import strategies
from conformance.client import BudgetExhausted
from conformance.contract import MEDIA_TYPES
from conformance.oracle import predict_media, predict_select
from conformance.outcome import BUDGET_CUT, Outcome, passed, untested, violated
from conformance.profile import Profile

pytestmark = pytest.mark.generated

JUDGED = ("ACCEPT-01", "ACCEPT-04", "ACCEPT-05", "ACCEPT-06", "ACCEPT-07", "SELECT-01", "SELECT-02", "SELECT-03", "SELECT-04",
          "SELECT-05", "SELECT-06", "SELECT-07", "SELECT-09", "LANG-06", "LANG-07", "HTTP-03")
REQUESTS_PER_EXAMPLE = 8  # a probe, a baseline, and a relation's re-check at most
SCHEME_REQUIREMENT = {"basic": "AUTH-01", "soticket": "AUTH-02", "bearer": "AUTH-04", "session": "AUTH-07"}


def expected_statuses(hs: strategies.HeaderSet, profile: Profile) -> dict[int, str]:
    """The statuses a conformant server may answer, each with the requirement it rests on."""
    errors: dict[int, str] = {}
    if predict_select(hs.select, profile).status == 400:
        errors[400] = select_requirement(hs.select)
    if hs.unknown_locale() and profile.unknown_locale == "reject":
        errors.setdefault(400, "LANG-07")
    media = predict_media(hs.accept, profile)
    if 406 in media.statuses:
        errors[406] = accept_requirement(hs.accept, profile)
    if errors and 200 in media.statuses and not (400 in errors):
        errors[200] = ""  # the server may read the Accept header either way
    return errors or {200: ""}


def accept_requirement(accept: str | None, profile: Profile) -> str:
    """The requirement a negotiation outcome rests on, by what the Accept header exercises."""
    if accept is None or accept.strip() == "*/*":
        return "ACCEPT-05"
    if accept.strip() in MEDIA_TYPES:
        return "ACCEPT-01"
    named = predict_media(",".join(item.split(";")[0] for item in accept.split(",")), Profile())
    if not named.allowed:
        return "ACCEPT-06"  # no documented type is named at all, at any q
    if accept != accept.lower() or "charset" in accept.lower():
        return "ACCEPT-07"
    return "ACCEPT-04"


def select_requirement(clause: str | None, kind: str = "nulled") -> str:
    """The requirement a $select outcome rests on, by the most specific feature of the clause."""
    raw = [n for n in (clause or "").split(",") if n.strip()]
    names = [n.strip() for n in raw]
    canonical = {p.lower(): p for p in strategies.PROPERTIES + strategies.NESTED_NAMES}
    known = [n for n in names if n.lower() in canonical]
    if not names:
        return "SELECT-01"
    if any("/" in n for n in known):
        return "SELECT-07"
    if any(canonical[n.lower()] != n for n in known):
        return "SELECT-04"
    if any(r != r.strip() for r in raw) or len(set(map(str.lower, names))) < len(names):
        return "SELECT-05"
    if not known:
        return "SELECT-09"
    if len(known) < len(names):
        return "SELECT-06"
    return "SELECT-02" if kind == "changed" else "SELECT-03"


def judge_combination(run, hs: strategies.HeaderSet) -> list[Outcome]:
    profile = run.target.profile
    probe = run.send(hs.describe(), scheme=hs.scheme, headers=hs.headers(), select=hs.select)
    allowed = expected_statuses(hs, profile)
    shown = " or ".join(map(str, allowed))
    if probe.status is not None and probe.status >= 500:
        return [violated("HTTP-03", "a drawn combination got a server error", expected=shown,
                         actual=probe.summary(), evidence=[probe])]
    if probe.status not in allowed:
        if probe.status in (401, 403):
            rid = SCHEME_REQUIREMENT[hs.scheme]
        elif probe.status == 400 and hs.select is not None:
            rid = select_requirement(hs.select)
        elif probe.status == 400 and hs.unknown_locale():
            rid = "LANG-07"
        elif probe.status == 400 and hs.so_timezone:
            rid = "LANG-06"
        else:
            rid = allowed.get(406) or accept_requirement(hs.accept, profile)
        return [violated(rid, "a drawn combination got another status than predicted", expected=shown,
                         actual=probe.summary(), evidence=[probe])]
    if probe.status != 200:
        return [passed(allowed[probe.status], f"{hs.describe()}: {probe.status} as predicted", [probe])]
    outcomes = [run.judge(accept_requirement(hs.accept, profile), {"probe": probe}, accept=hs.accept)]
    if hs.unknown_locale():
        outcomes.append(passed("LANG-07", f"unknown {', '.join(hs.unknown_locale())} ignored", [probe]))
    elif hs.so_timezone:
        outcomes.append(passed("LANG-06", f"SO-TimeZone: {hs.so_timezone} accepted", [probe]))
    if probe.decoded.kind != "json" or probe.body is None:
        return outcomes  # XML's $select is SELECT-08's and ACCEPT-03's business; bodies are SCHEMA's
    for kind, check in (("changed", "SELECT-02"), ("nulled", "SELECT-03")):
        rid = select_requirement(hs.select, kind)
        outcome = _retagged(run.judge(check, {"probe": probe, "baseline": _baseline(run, hs, False)},
                                      select=hs.select), rid)
        if outcome.status in ("fail", "non-strict"):
            outcome = _retagged(run.relate(
                check, lambda: {"probe": run.send(hs.describe(), scheme=hs.scheme, headers=hs.headers(),
                                                  select=hs.select)},
                lambda fresh: _baseline(run, hs, fresh), reference_role="baseline", select=hs.select), rid)
        outcomes.append(outcome)
    return outcomes


def _retagged(outcome: Outcome, rid: str) -> Outcome:
    """The same finding, filed under the requirement the drawn clause exercises."""
    if outcome.requirement == rid:
        return outcome
    if outcome.status in ("fail", "non-strict"):
        return violated(rid, outcome.reason, expected=outcome.expected, actual=outcome.actual,
                        evidence=outcome.evidence)
    return Outcome(rid, "pass" if outcome.status == "pass" else outcome.status, outcome.reason,
                   evidence=outcome.evidence)


def _baseline(run, hs: strategies.HeaderSet, fresh: bool):
    """Same principal and headers (Accept included), no $select."""
    return run.baseline(scheme=hs.scheme, headers={"Accept": hs.accept or "application/json",
                                                   **hs.locale_headers()}, fresh=fresh)


def examples_per_scheme(max_examples: int, schemes: int) -> int:
    """The profile's examples shared out among the schemes' tests (rounded up; at least one)."""
    return max(1, math.ceil(max_examples / max(1, schemes)))


def scheme_seed(scheme: str) -> int:
    """A derandomized profile's seed for one scheme's test: stable, and different per scheme."""
    return int.from_bytes(hashlib.sha256(f"erpsync-properties-{scheme}".encode()).digest()[:8], "big")


@pytest.mark.requirement(*JUDGED)
@pytest.mark.parametrize("scheme", list(SCHEME_REQUIREMENT))
def test_every_combination_is_answered_as_predicted(conformance_run, judge, scheme):
    run = conformance_run
    judge.require(JUDGED, not run.client.dry_run, "dry run: drawn combinations are not listed")
    judge.require(JUDGED, scheme in run.target.schemes, f"the target declares no [{scheme}] credentials")
    findings: dict[str, Outcome] = {}
    judged: dict[str, int] = {}
    last_failure: list[Outcome] = []

    cut: list[str] = []
    profile = settings.default
    share = settings(max_examples=examples_per_scheme(profile.max_examples, len(run.target.schemes)))

    @share
    @given(data=st.data())
    def combinations(data):
        # Draw first, whatever the budget: an example that draws less on a replay is a flaky
        # strategy to Hypothesis. What the budget keeps from being sent is untested, not passed.
        hs = data.draw(strategies.header_sets(st.just(scheme)), label="request")
        note(hs.describe())
        if run.client.budget.remaining < REQUESTS_PER_EXAMPLE:
            event("not sent: the request budget is nearly spent")
            cut[:] = [f"{BUDGET_CUT} (fewer than {REQUESTS_PER_EXAMPLE} requests of "
                      f"{run.client.budget.limit} left for a drawn combination)"]
            return
        try:
            outcomes = judge_combination(run, hs)
        except BudgetExhausted as spent:
            cut[:] = [f"{BUDGET_CUT} ({spent})"]
            return
        bad = [o for o in outcomes if o.status in ("fail", "non-strict")]
        for outcome in outcomes:
            judged[outcome.requirement] = judged.get(outcome.requirement, 0) + 1
            findings.setdefault(outcome.requirement, outcome)
        if bad:
            last_failure[:] = bad  # Hypothesis replays the shrunk example last: its outcomes are reported
        assert not bad, "\n\n".join(o.message() for o in bad)

    if profile.derandomize:
        combinations = seed(scheme_seed(scheme))(combinations)
    raised = None
    try:
        combinations()
    except (AssertionError, BaseExceptionGroup, FlakyFailure) as problem:
        raised = problem  # last_failure holds the shrunk example's outcomes; conclude() grades them
    if raised is not None and not last_failure:
        reason = f"inconclusive: Hypothesis reported {type(raised).__name__} but kept no failing example"
        judge.require(JUDGED, False, f"{reason}: {str(raised)[:200]}")
    failed = {o.requirement: o for o in last_failure}
    for rid in JUDGED:
        if rid in failed:
            judge.record(failed[rid])
        elif rid in judged:
            judge.record(passed(rid, f"{judged[rid]} drawn combinations answered as predicted",
                                findings[rid].evidence))
        else:
            judge.record(untested(rid, cut[0] if cut else "no drawn combination exercised it"))
    if cut and not last_failure:
        pytest.skip(cut[0])  # what was judged stands; the test itself was cut short, so it is no pass
