"""What the client's throughput rests on (issue 6) changes no judgement: a body is validated once
per view however many checks read it, and never with another body's result; the validators with
their $defs written in place report exactly what the validators resolving $ref report; and the
one watchdog thread of the deadlines expires each in time and no disarmed one."""

from __future__ import annotations

import json
import threading
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conformance.checks import Context, registry
from conformance.contract import endpoint
from conformance.contract.choices import Profile
from conformance.wire.exchange import Decoded, Exchange, Received, SentRequest
from conformance.wire.transport.deadline import _WATCHDOG, Deadline
from tests.test_contract_schemas import GOOD

VIEWS = tuple(endpoint.body_schema()["$defs"])
SCHEMA_CHECKS = ("SCHEMA-01", "SCHEMA-02", "SCHEMA-03", "SCHEMA-04", "SCHEMA-05", "SCHEMA-06")
BAD_NESTED = GOOD | {
    "IsRunning": "yes",
    "TableRight": {"Mask": "Nope, Select", "Reason": 5},
    "FieldProperties": {"x": {"FieldRight": {"Mask": "Read"}, "FieldType": 1, "FieldLength": 2**40}},
}


def referenced_violations(instance: object, view: str) -> list[str]:
    """endpoint.violations as it was: through the validator that resolves each $ref."""
    return sorted(endpoint._describe(e) for e in endpoint.referenced_validator(view).iter_errors(instance))


def probe(body: object) -> Exchange:
    data = json.dumps(body).encode()
    return Exchange(
        "probe",
        SentRequest("POST", "http://127.0.0.1/api/v1" + endpoint.PATH, ()),
        Received(200, "OK", (("Content-Type", "application/json; charset=utf-8"),), data, 1.0),
    )


@pytest.fixture
def validations(monkeypatch) -> Counter:
    """(id of the instance validated, view) -> how many times endpoint.violations ran on it."""
    counted: Counter = Counter()
    real = endpoint.violations

    def counting(instance, view):
        counted[id(instance), view] += 1
        return real(instance, view)

    monkeypatch.setattr(endpoint, "violations", counting)
    import conformance.wire.exchange

    monkeypatch.setattr(conformance.wire.exchange, "_VALIDATED", {})  # what earlier tests validated is not counted
    return counted


def judged(exchange: Exchange) -> dict[str, object]:
    context = Context(Profile.reference())
    return {rid: registry()[rid]({"probe": exchange}, context) for rid in SCHEMA_CHECKS}


@pytest.mark.parametrize("body", [GOOD, BAD_NESTED], ids=["conformant", "broken-at-every-level"])
def test_the_schema_checks_validate_a_body_once_per_view(body, validations):
    exchange = probe(body)
    judged(exchange)
    judged(exchange)  # judged again (a relation's retry, the report): still no new validation
    assert validations[id(exchange.body), endpoint.FULL_VIEW] == 1  # SCHEMA-01 and SCHEMA-03 share it
    assert validations[id(exchange.body), endpoint.TIMESPAN_INTERVAL] == 1  # SCHEMA-05
    assert all(count == 1 for count in validations.values())


@pytest.mark.parametrize("body", [GOOD, BAD_NESTED], ids=["conformant", "broken-at-every-level"])
def test_the_outcomes_are_those_of_validating_anew_for_each_check(body, monkeypatch):
    memoised = judged(probe(body))
    monkeypatch.setattr(Decoded, "violations", lambda self, view: endpoint.violations(self.value, view))
    assert judged(probe(body)) == memoised
    if body is BAD_NESTED:
        assert {memoised[rid].status for rid in ("SCHEMA-01", "SCHEMA-03")} == {"fail"}


def test_two_bodies_never_share_a_result(validations):
    good, bad, good_again = probe(GOOD), probe(BAD_NESTED), probe(GOOD)
    assert good.violations(endpoint.FULL_VIEW) == []
    assert bad.violations(endpoint.FULL_VIEW) == referenced_violations(bad.body, endpoint.FULL_VIEW) != []
    assert good.violations(endpoint.FULL_VIEW) == []
    # An equal body of another exchange shares its reading and its validation (issue 21: the same
    # 2 MB answer a hundred times is validated once); a different body never does.
    assert good_again.violations(endpoint.FULL_VIEW) == []
    assert good_again.body is good.body and validations[id(good.body), endpoint.FULL_VIEW] == 1
    assert sum(validations.values()) == 2


def test_a_caller_changing_its_list_changes_no_other_callers():
    exchange = probe(BAD_NESTED)
    first = exchange.violations(endpoint.FULL_VIEW)
    first.clear()
    assert exchange.violations(endpoint.FULL_VIEW) == endpoint.violations(exchange.body, endpoint.FULL_VIEW) != []


def test_an_exchange_without_a_body_is_validated_as_none():
    exchange = Exchange("probe", SentRequest("POST", "http://127.0.0.1/x", ()), None, "refused")
    assert exchange.violations(endpoint.FULL_VIEW) == endpoint.violations(None, endpoint.FULL_VIEW) != []


# --- the validators with $defs written in place ---------------------------------------------------

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=6)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=6,
)
masks = st.sampled_from(
    [
        "Select",
        "RI, RestrictedUpdate",
        "Read, Write",
        "Update, UIHintMandatory",
        "12",
        "-3",
        "Bogus",
        "Read,Write",
        "",
        "FULL, Nope",
    ]
)


def objects(parts: dict) -> st.SearchStrategy:
    """Objects with every part (drawn each from its strategy), or only some of them."""
    return st.fixed_dictionaries(parts) | st.fixed_dictionaries({}, optional=parts)


rights = st.none() | objects({"Mask": masks | json_values, "Reason": st.none() | st.text(max_size=4) | json_values})
lengths = st.integers() | st.sampled_from([2**31 - 1, 2**31, -(2**31), -(2**31) - 1]) | json_values
field_properties = st.none() | objects(
    {
        "FieldRight": rights | json_values,
        "FieldType": st.none() | st.text(max_size=4) | json_values,
        "FieldLength": lengths,
    }
)
intervals = st.sampled_from(["1.02:15:00", "00:05:00", "24:00:00", "PT5M", "P1DT2H", "P", "rem", "-00:00:01.5"])
bodies = (
    objects(
        {
            "IsRunning": st.booleans() | json_values,
            "StatusMessage": st.none() | st.text(max_size=6) | json_values,
            "Interval": intervals | json_values,
            "TableRight": rights | json_values,
            "FieldProperties": st.dictionaries(
                st.text(max_size=4), field_properties | json_values, min_size=1, max_size=3
            )
            | st.none()
            | json_values,
        }
    )
    | json_values
)


def structure(errors) -> list:
    """Every error and its context, as what _describe reads of them, in the order they came (the
    keyword's value only of `type`: an anyOf's value holds its branches, $ref or written in place)."""
    return [
        (
            list(e.absolute_path),
            e.message,
            e.validator,
            repr(e.validator_value) if e.validator == "type" else "",
            structure(e.context or []),
        )
        for e in errors
    ]


@given(bodies)
def test_the_inlined_validators_report_what_the_referencing_ones_do(body):
    for view in VIEWS:
        assert endpoint.violations(body, view) == referenced_violations(body, view), view
        assert structure(endpoint.validator(view).iter_errors(body)) == structure(
            endpoint.referenced_validator(view).iter_errors(body)
        ), view


def test_every_view_of_the_schema_is_inlined():
    for view in VIEWS:
        assert endpoint.validator(view) is not endpoint.referenced_validator(view)
        assert "$ref" not in json.dumps(endpoint.validator(view).schema), view


@pytest.mark.parametrize(
    "schema",
    [
        {"$ref": "#/$defs/Loop"},
        {"$ref": "#/$defs/Int32", "minimum": 0},
        {"$ref": "other.json#/x"},
        {"$id": "https://elsewhere.invalid/x", "type": "object"},
    ],
    ids=["recursive", "beside-other-keywords", "outside-the-defs", "new-base-uri"],
)
def test_a_schema_that_cannot_be_inlined_is_refused(schema):
    defs = {"Loop": {"type": "array", "items": {"$ref": "#/$defs/Loop"}}, "Int32": {"type": "integer"}}
    with pytest.raises(endpoint._NotInlinable):
        endpoint._inlined(schema, defs, ())


# --- the deadlines' watchdog ----------------------------------------------------------------------


class Observed(Deadline):
    """A deadline that says when the watchdog expired it."""

    def __init__(self, seconds: float) -> None:
        super().__init__(seconds)
        self.fired = threading.Event()

    def _expire(self) -> None:
        super()._expire()
        self.fired.set()


def test_deadlines_expire_in_time_and_disarmed_ones_never():
    release, threads = threading.Event(), []

    def hold(deadline: Deadline) -> None:  # deadlines are per thread: each is entered in one of its own
        entered = threading.Event()

        def run():
            with deadline:
                entered.set()
                release.wait(30)

        threads.append(threading.Thread(target=run))
        threads[-1].start()
        assert entered.wait(10)

    gone = Observed(0.05)
    with gone:
        pass  # left before its time
    long, short = Observed(30), Observed(0.2)
    hold(long)  # armed first, far off: the watchdog sleeps towards it
    hold(short)  # armed later, due sooner: the watchdog is woken for it
    assert short.fired.wait(10) and short.expired
    # the watchdog has passed the time `gone` was due at, and the far one is still ahead
    assert not gone.expired and not gone.fired.is_set() and not long.expired
    release.set()
    for thread in threads:
        thread.join()
    assert not long.expired and not long._armed


def test_disarmed_deadlines_do_not_pile_up():
    for _ in range(10 * _WATCHDOG.COMPACT_AFTER):
        with Deadline(60):
            pass
    assert len(_WATCHDOG._heap) <= 2 * _WATCHDOG.COMPACT_AFTER + 2
