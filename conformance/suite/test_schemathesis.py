"""schemathesis 4 over schemas/openapi.yaml against the same target: positive and negative data,
the target's auth through the suite's guarded session (so budget, rate limit and the path guard
hold), XML read by xmltodict, and the suite's own check beside schemathesis's built-in ones.

Each failure is filed under the requirement it breaks (conformance.fuzzing.file_failure); the
findings reported are those of the last failing case, which is the one schemathesis shrank to.
schemathesis sends Accept: */*, so it reads JSON; the XML types are the ACCEPT tests' to judge.
"""

from __future__ import annotations

import pytest
from schemathesis.checks import not_a_server_error, response_schema_conformance

from conformance import contract, fuzzing
from conformance.outcome import Outcome, passed, untested, violated
from conformance.plugin import Judge

pytestmark = pytest.mark.generated

schema = fuzzing.openapi_schema()


def judge_for(run, item) -> Judge:
    """One Judge per test item, kept across the cases schemathesis generates for it (a
    function-scoped fixture would trip Hypothesis's health check inside @given)."""
    if not hasattr(item, "erpsync_judge"):
        item.erpsync_judge = Judge(run, item)
    return item.erpsync_judge


@pytest.mark.requirement(*fuzzing.JUDGED)
@schema.parametrize()
def test_the_openapi_contract(case, conformance_run, request):
    run = conformance_run
    judge = judge_for(run, request.node)
    judge.require(fuzzing.JUDGED, not run.client.dry_run, "dry run: schemathesis cases are not listed")
    fuzzing.use_profile(run.target.profile)
    response = case.call(base_url=run.target.base_url, session=run.client.session(run.main_scheme))
    media = (response.headers.get("content-type") or [""])[0].split(";")[0].strip().lower() or None
    try:
        case.validate_response(response, checks=[not_a_server_error, response_schema_conformance],
                               additional_checks=[fuzzing.erpsync_refusal_without_data])
    except BaseExceptionGroup as group:
        found: dict[str, Outcome] = {}
        plain = run.baseline()
        plain_valid = isinstance(plain.body, dict) and not contract.violations(plain.body, contract.SELECT_VIEW)
        for failure in group.exceptions:
            rid = fuzzing.file_failure(failure, media, case.headers, plain_valid)
            found.setdefault(rid, violated(rid, "schemathesis found a case the contract does not allow",
                                           expected="an answer the OpenAPI document allows",
                                           actual=str(failure).strip().splitlines()[0][:300]))
        judge.record_final("schemathesis", list(found.values()))
        raise
    if not getattr(judge, "schemathesis_recorded", False):  # once per test, not once per case
        judge.schemathesis_recorded = True
        for rid in fuzzing.JUDGED:
            judge.record(passed(rid, "schemathesis cases answered as the OpenAPI document allows")
                         if rid in ("HTTP-03", "SCHEMA-01", "AUTH-05") else
                         untested(rid, "judged by schemathesis only when it fails"))
