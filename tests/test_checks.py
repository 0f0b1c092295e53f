"""Every registered check, as data: tables of (description, exchanges, profile, case, expected
outcome) in tests/checks/<area>.json, in the style of JSON-Schema-Test-Suite. Each requirement's
check is shown both to pass and to fail (or, for INFO, to report), and the registry is exactly the
catalogue.

A group: {"requirement", "description", "profile": {...} (the reference profile with these
choices; "auto" for a setting the run left undecided), "tests": [{"description", "exchanges":
{role: exchange}, "case": {...}, "volatile": [...], "schemes": [...], "outcome", "says"}]}. An
exchange: {"status", "type" (Content-Type), "body" (JSON, encoded as the type says: XML bodies are
given as text), "headers", "error" (no response), "elapsed_ms"}; "body": {"$good": {...}} is the
good body below with those top-level changes.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from conformance import checks
from conformance.checks import Context, Observation
from conformance.checks.outcome import Status
from conformance.contract import requirements
from conformance.contract.choices import Profile
from conformance.contract.endpoint import PATH
from conformance.wire.exchange import Exchange, Received, SentRequest

TABLES = Path(__file__).parent / "checks"
GOOD = {
    "IsRunning": True,
    "StatusMessage": "Engine running",
    "Interval": "00:15:00",
    "TableRight": {"Mask": "RI, RestrictedUpdate", "Reason": "Only administrators"},
    "FieldProperties": {
        "Interval": {
            "FieldRight": {"Mask": "Update, UIHintMandatory", "Reason": ""},
            "FieldType": "System.TimeSpan",
            "FieldLength": 0,
        }
    },
}


def body_of(spec):
    if isinstance(spec, dict) and "$good" in spec:
        body = copy.deepcopy(GOOD)
        for key, value in spec["$good"].items():
            if value == "$absent":
                body.pop(key, None)
            else:
                body[key] = value
        return body
    return spec


def exchange(role: str, spec: dict, profile: Profile) -> Exchange:
    request = SentRequest("POST", "http://127.0.0.1:1/api/v1" + PATH, tuple((spec.get("request") or {}).items()))
    if "error" in spec:
        return Exchange(role, request, None, spec["error"], "curl ...", profile)
    media = spec.get("type", "application/json; charset=utf-8")
    if "text" in spec:
        data = spec["text"].encode("utf-8")
    elif "latin1" in spec:
        data = spec["latin1"].encode("latin-1")
    elif "body" in spec:
        data = json.dumps(body_of(spec["body"])).encode("utf-8")
    else:
        data = b""
    headers = (
        (("Content-Type", media),) + tuple((spec.get("headers") or {}).items())
        if media
        else tuple((spec.get("headers") or {}).items())
    )
    received = Received(spec.get("status", 200), "", headers, data, spec.get("elapsed_ms", 5.0))
    return Exchange(spec.get("label", role), request, received, None, "curl ...", profile)


def load() -> list:
    cases = []
    for path in sorted(TABLES.glob("*.json")):
        for group in json.loads(path.read_text("utf-8")):
            for test in group["tests"]:
                cases.append(
                    pytest.param(
                        group, test, id=f"{group['requirement']}: {group['description']}: {test['description']}"
                    )
                )
    return cases


CASES = load()


def context(group: dict, test: dict) -> Context:
    profile = Profile.reference().with_(**group.get("profile", {}))
    observations = {k: Observation(k, v, "the table says so") for k, v in test.get("observed", {}).items()}
    return Context(
        profile,
        test.get("slow_ms", 5000.0),
        test.get("case", {}),
        frozenset(test.get("volatile", ())),
        tuple(test.get("schemes", ("basic", "soticket", "bearer", "session"))),
        observations,
    )


@pytest.mark.parametrize("group, test", CASES)
def test_check(group, test):
    ctx = context(group, test)
    exchanges = {role: exchange(role, spec, ctx.profile) for role, spec in test["exchanges"].items()}
    result = checks.judge(group["requirement"], exchanges, ctx)
    assert str(result.status) == test["outcome"], f"{result.status}: {result.reason} / {result.actual}"
    if "says" in test:
        assert test["says"] in f"{result.reason} / {result.expected} / {result.actual}", result.message()


def test_the_registry_is_the_catalogue():
    assert set(checks.registry()) == set(requirements.BY_ID)


def test_every_check_is_shown_to_conclude_both_ways():
    """Every requirement's table holds a case it passes (reports, for INFO) and one it fails on."""
    seen: dict[str, set[str]] = {}
    for param in CASES:
        group, test = param.values
        seen.setdefault(group["requirement"], set()).add(test["outcome"])
    for requirement in requirements.CATALOGUE:
        outcomes = seen.get(requirement.id, set())
        if requirement.level == "INFO":
            assert "informational" in outcomes, requirement.id
        else:
            assert {"pass"} <= outcomes and outcomes & {"fail", "non-strict"}, (requirement.id, outcomes)


def test_a_pass_with_nothing_behind_it_is_a_defect_of_the_check():
    from conformance.checks.outcome import passed

    vacuous = checks.Check("SCHEMA-01", lambda ex, ctx: passed("nothing seen"))
    with pytest.raises(checks.CheckError, match="a pass with no exchange behind it"):
        vacuous({}, Context())


def test_a_violation_of_an_inferred_choice_cites_the_exchange_that_decided_it():
    deciding = exchange("decided", {"status": 400, "body": None}, Profile.reference())
    ctx = Context(
        Profile.reference().with_(select_unknown="reject"),
        case={"select": "IsRunning,Name"},
        observations={"select_unknown": Observation("select_unknown", "reject", "a 400 for Name", (deciding,))},
    )
    probe = exchange("probe", {"status": 200, "body": {"$good": {}}}, ctx.profile)
    result = checks.judge("SELECT-06", {"probe": probe, "baseline": probe}, ctx)
    assert result.status is Status.FAIL and "select_unknown=reject was inferred" in result.reason
    assert deciding in result.evidence
