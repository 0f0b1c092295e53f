"""schemathesis 4 over schemas/openapi.yaml against the same target: its positive and negative
data (the five headers, $select) drawn from the OpenAPI document, each case sent as a POST through
the suite's run (so budget, rate limit, the path guard and redaction hold) and judged by every
requirement that applies to it (conformance.run.routing), each through its registered check.

schemathesis is the generator here; the verdicts are the suite's own. A case for another method
than POST (schemathesis's coverage phase proposes TRACE, PUT, ...) is not sent: a target receives
only the methods the suite means to send. The findings reported are those of the last failing
case, which is the one Hypothesis shrank to.
"""

from __future__ import annotations

import pytest
from hypothesis import assume

from conformance.checks.outcome import Status, outcome
from conformance.model.case import Case
from conformance.plugin import fuzzing
from conformance.plugin.judge import Judge
from conformance.run import routing

pytestmark = pytest.mark.generated

schema = fuzzing.openapi_schema()
JUDGED = tuple(r for r in routing.JUDGED if r not in ("AUTH-05", "AUTH-06", "AUTH-08"))


def as_case(scheme: str, generated) -> Case | None:
    """The suite's Case for a schemathesis case; None when a header cannot go on the wire."""
    headers = {k: str(v) for k, v in (generated.headers or {}).items()}
    if any(not _sendable(k) or not _sendable(v) for k, v in headers.items()):
        return None
    names = {k.lower(): v for k, v in headers.items()}
    select = (generated.query or {}).get("$select")
    return Case(
        scheme=scheme,
        accept=names.get("accept"),
        accept_language=names.get("accept-language"),
        so_language=names.get("so-language"),
        so_culture=names.get("so-culture"),
        so_timezone=names.get("so-timezone"),
        select=None if select is None else str(select),
        accept_encoding=names.get("accept-encoding"),
    )


def _sendable(text: str) -> bool:
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return "\r" not in text and "\n" not in text and "\x00" not in text


@pytest.mark.requirement(*JUDGED)
@schema.parametrize()
def test_the_openapi_contract(case, conformance_run, request):
    run = conformance_run
    judge = Judge.of(run, request.node)
    judge.require(JUDGED, not run.client.dry_run, "dry run: schemathesis cases are not listed")
    if case.method.upper() != "POST":
        return  # proposed by the coverage phase; never sent
    drawn = as_case(run.main_scheme, case)
    assume(drawn is not None)
    send = routing.sender(run)
    with run.client.generating():
        outcomes = routing.judge_exchange(run, drawn, send(f"schemathesis: {drawn.describe()}", drawn), send)
    bad = [o for o in outcomes if o.status.red]
    if bad:
        judge.record_final("schemathesis", bad)
        raise AssertionError("\n\n".join(o.message() for o in bad))
    if not any(r.tag == "schemathesis-passes" for r in judge.records):  # once per test, not once per case
        others = {r for s, r in routing.SCHEME_REQUIREMENT.items() if s != run.main_scheme}
        for rid in [r for r in JUDGED if r not in others]:  # cases go through the main scheme only
            judged = [o for o in outcomes if o.requirement == rid]
            judge.record(
                judged[0] if judged else outcome(rid, Status.UNTESTED, "no schemathesis case exercised it"),
                tag="schemathesis-passes",
            )
