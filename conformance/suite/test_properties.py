"""Properties: every drawn request (scheme, Accept, language headers, $select) is answered as the
contract allows, judged by every requirement that applies to it (conformance.run.routing), each
through its registered check. Hypothesis shrinks a failure to its smallest example, and that
example's outcomes are what the run reports.

One test per authentication scheme, so that pytest-xdist can spread them over its workers: the
profile's max_examples are shared out among the schemes the target declares (the same number of
drawn requests in all), and a derandomized profile seeds each scheme's test with a seed of its
own, so that the tests draw different requests rather than the same ones.
"""

from __future__ import annotations

import hashlib
import math

import pytest
from hypothesis import event, given, note, seed, settings
from hypothesis import strategies as st
from hypothesis.errors import FlakyFailure

from conformance.checks.outcome import BUDGET_CUT, Outcome, Status, outcome
from conformance.model import strategies
from conformance.run import routing
from conformance.wire.transport.errors import BudgetExhausted

pytestmark = pytest.mark.generated

JUDGED = routing.JUDGED
SCHEMES = tuple(routing.SCHEME_REQUIREMENT)


def examples_per_scheme(max_examples: int, schemes: int) -> int:
    """The profile's examples shared out among the schemes' tests (rounded up; at least one)."""
    return max(1, math.ceil(max_examples / max(1, schemes)))


def scheme_seed(scheme: str) -> int:
    """A derandomized profile's seed for one scheme's test: stable, and different per scheme."""
    return int.from_bytes(hashlib.sha256(f"erpsync-properties-{scheme}".encode()).digest()[:8], "big")


def summary(rid: str, found: list[Outcome]) -> Outcome:
    """What a requirement's judgements over the drawn requests amount to (none red)."""
    passes = [o for o in found if o.status in (Status.PASS, Status.INFORMATIONAL)]
    if passes:
        return Outcome(
            rid,
            passes[0].status,
            f"{len(passes)} drawn requests answered as the contract allows",
            evidence=passes[0].evidence,
        )
    return found[0]


@pytest.mark.requirement(*JUDGED)
@pytest.mark.parametrize("scheme", SCHEMES)
def test_every_drawn_request_is_answered_as_the_contract_allows(conformance_run, judge, scheme):
    run = conformance_run
    judge.require(JUDGED, not run.client.dry_run, "dry run: drawn requests are not listed")
    judge.require(JUDGED, scheme in run.target.schemes, f"the target declares no [{scheme}]", Status.NOT_APPLICABLE)
    found: dict[str, list[Outcome]] = {}
    last_failure: list[Outcome] = []
    cut: list[str] = []
    profile = settings.default
    share = settings(max_examples=examples_per_scheme(profile.max_examples, len(run.target.schemes)))
    send = routing.sender(run)

    @share
    @given(data=st.data())
    def requests(data):
        # Draw first, whatever the budget: an example that draws less on a replay is a flaky
        # strategy to Hypothesis. What the budget keeps from being sent is untested, not passed.
        case = data.draw(
            strategies.cases(strategies.schemes_or_none(scheme), strategies.credentials(scheme)), label="request"
        )
        note(case.describe())
        if run.client.budget.remaining < routing.REQUESTS_PER_CASE:
            event("not sent: the request budget is nearly spent")
            cut[:] = [
                f"{BUDGET_CUT} (fewer than {routing.REQUESTS_PER_CASE} requests of "
                f"{run.client.budget.limit} left for a drawn request)"
            ]
            return
        try:
            with run.client.generating():
                outcomes = routing.judge_exchange(run, case, send(case.describe(), case), send)
        except BudgetExhausted as spent:
            cut[:] = [f"{BUDGET_CUT} ({spent})"]
            return
        bad = [o for o in outcomes if o.status.red]
        for result in outcomes:
            found.setdefault(result.requirement, []).append(result)
        if bad:
            last_failure[:] = bad  # Hypothesis replays the shrunk example last: its outcomes are reported
        assert not bad, "\n\n".join(o.message() for o in bad)

    if profile.derandomize:
        requests = seed(scheme_seed(scheme))(requests)
    raised = None
    try:
        requests()
    except (AssertionError, BaseExceptionGroup, FlakyFailure) as problem:
        raised = problem  # last_failure holds the shrunk example's outcomes; conclude() grades them
    if raised is not None and not last_failure:
        reason = f"inconclusive: Hypothesis reported {type(raised).__name__} but kept no failing example"
        judge.require(JUDGED, False, f"{reason}: {str(raised)[:200]}")
    failed = {}
    for result in last_failure:
        failed.setdefault(result.requirement, result)
    others = {r for s, r in routing.SCHEME_REQUIREMENT.items() if s != scheme}
    for rid in [r for r in JUDGED if r not in others]:  # another scheme's requirement is that test's
        if rid in failed:
            judge.record(failed[rid])
        elif any(not o.status.red for o in found.get(rid, ())):
            judge.record(summary(rid, [o for o in found[rid] if not o.status.red]))
        elif rid in found:  # red only in examples Hypothesis shrank away: another requirement's failure
            judge.record(
                outcome(
                    rid,
                    Status.UNTESTED,
                    "every drawn request that exercised it failed for another requirement's reason",
                )
            )
        else:
            judge.record(outcome(rid, Status.UNTESTED, cut[0] if cut else "no drawn request exercised it"))
    if cut and not last_failure:
        pytest.skip(cut[0])  # what was judged stands; the test itself was cut short, so it is no pass
