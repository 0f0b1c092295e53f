"""conformance.run.everywhere: the response-wide requirements on every authorised 200 of the run, and
a feature whose every request gets no answer graded as that feature's failure; and the guard's
streaks, which stop only the requests with such a feature."""

from __future__ import annotations

import json

import pytest

from conformance.contract.endpoint import PATH
from conformance.run.everywhere import Everywhere, dead_features, eligible
from conformance.run.runner import Run
from conformance.wire.exchange import Exchange, Received, SentRequest
from conformance.wire.target import from_mapping
from conformance.wire.transport.errors import TargetUnresponsive
from conformance.wire.transport.guard import UNRESPONSIVE_AFTER, Streaks

URL = "http://127.0.0.1:1/api/v1" + PATH
TARGET = from_mapping(
    {"name": "t", "base_url": "http://127.0.0.1:1/api/v1", "soticket": {"ticket": "env:T"}},
    {"T": "7T:x"},
    source="t.toml",
)
GOOD = {"IsRunning": True, "StatusMessage": "ok", "Interval": "00:05:00", "TableRight": None, "FieldProperties": None}
VALID = {"scheme": "soticket"}


def answer(
    body: object,
    *,
    accept: str = "application/json",
    select: str | None = None,
    media: str = "application/json; charset=utf-8",
    status: int = 200,
    label: str = "probe",
) -> Exchange:
    url = URL + (f"?%24select={select}" if select is not None else "")
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return Exchange(
        label,
        SentRequest("POST", url, (("Accept", accept), ("Authorization", "SOTicket 7T:x"))),
        Received(status, "OK", (("Content-Type", media),), data, 1.0),
    )


def lost(label: str, accept: str = "application/xml", error: str = "the target reset the connection") -> Exchange:
    return Exchange(
        label, SentRequest("POST", URL, (("Accept", accept), ("Authorization", "SOTicket 7T:x"))), None, error
    )


def judged(*exchanges: Exchange, sent: dict | None = None) -> dict[str, dict]:
    run = Run(TARGET, client=None)  # judging only: nothing is sent
    for exchange in exchanges:
        run.everywhere.see(run, exchange, dict(sent or VALID))
    return {o.requirement: o.as_dict() for o in run.everywhere.outcomes()}


def test_one_broken_answer_among_many_fails_schema_01_naming_it():
    found = judged(
        *[answer(GOOD, label=f"ok {i}") for i in range(20)], answer({**GOOD, "IsRunning": "yes"}, label="the odd one")
    )
    assert found["SCHEMA-01"]["status"] == "fail"
    assert found["SCHEMA-01"]["reason"].startswith("1 of 21 200 answers to authorised requests across the run")
    assert "'the odd one'" in found["SCHEMA-01"]["reason"]
    assert [e["label"] for e in found["SCHEMA-01"]["evidence"]] == ["the odd one"]


def test_good_answers_add_no_outcome_for_the_tests_to_stand_on():
    run = Run(TARGET, client=None)
    for _ in range(5):
        run.everywhere.see(run, answer(GOOD), dict(VALID))
    assert run.everywhere.judged["SCHEMA-01"] == 5 and run.everywhere.judged["HTTP-02"] == 5
    assert run.everywhere.outcomes() == []


def test_a_select_answer_is_judged_in_the_select_view():
    nulled = {
        "IsRunning": None,
        "StatusMessage": None,
        "Interval": "00:05:00",
        "TableRight": None,
        "FieldProperties": None,
    }
    assert "SCHEMA-01" not in judged(answer(nulled, select="Interval"))
    assert judged(answer(nulled))["SCHEMA-01"]["status"] == "fail"


def test_json_not_in_utf8_fails_http_02():
    body = json.dumps({**GOOD, "StatusMessage": "caf\u00e9"}, ensure_ascii=False).encode("latin-1")
    assert judged(answer(body))["HTTP-02"]["status"] == "fail"


def test_an_unreadable_xml_answer_fails_accept_03():
    xml = "application/xml; charset=utf-8"
    found = judged(answer(b"<ErpSyncEngineStatus><IsRunning>true</IsRunning>", accept="application/xml", media=xml))
    assert found["ACCEPT-03"]["status"] == "fail" and "cannot be read" in found["ACCEPT-03"]["reason"]


@pytest.mark.parametrize(
    "sent",
    [
        {"scheme": None},
        {"scheme": "soticket", "auth": object()},
        {"scheme": "soticket", "method": "GET"},
        {"scheme": "soticket", "app_token": "a restricted token"},
    ],
    ids=["no credentials", "other credentials", "GET", "another app token"],
)
def test_what_another_requirement_judges_is_left_to_it(sent):
    assert eligible(answer({**GOOD, "IsRunning": "yes"}), sent, None) is None


@pytest.mark.parametrize("body", [None, {"Message": "refused", "MessageDetail": "no"}], ids=["null", "error object"])
def test_a_refusal_form_is_left_to_the_test_that_sent_it(body):
    assert eligible(answer(body), VALID, None) is None


def authorised(*entries: tuple[str, Exchange]) -> Everywhere:
    run = Run(TARGET, client=None)
    for _, exchange in entries:
        run.everywhere.see(run, exchange, dict(VALID))
    return run.everywhere


def test_every_xml_request_without_an_answer_fails_the_xml_requirements():
    found = dead_features(
        authorised(
            ("", answer(GOOD)),
            ("", lost("xml 1")),
            ("", answer(GOOD)),
            ("", lost("xml 2")),
            ("", lost("xml 3")),
            ("", answer(GOOD)),
        )
    )
    assert {o.requirement for o in found} == {"ACCEPT-01", "ACCEPT-03"}
    assert all(
        o.status.red and "every one of the 3 authorised requests with an XML type in Accept" in o.reason for o in found
    )
    assert [e.label for e in found[0].evidence] == ["xml 1", "xml 2", "xml 3"]


@pytest.mark.parametrize(
    "entries",
    [
        [answer(GOOD), lost("xml 1"), lost("xml 2"), answer(GOOD)],  # too few to call it the feature's
        [answer(GOOD), lost("xml 1"), lost("xml 2"), lost("xml 3")],  # nothing answered after: the target died
        [answer(GOOD), lost("xml 1"), lost("xml 2"), lost("xml 3"), answer(GOOD)],  # one streak: a blip
        [
            answer(GOOD),
            lost("xml 1"),
            answer(GOOD, accept="application/xml", media="application/xml"),
            lost("xml 2"),
            lost("xml 3"),
            answer(GOOD),
        ],  # an XML request was answered once: flaky, not the feature
        [
            answer(GOOD),
            lost("x", "application/json"),
            lost("y", "application/json"),
            lost("z", "application/json"),
            answer(GOOD),
        ],  # JSON failing now and then is no feature of its own
    ],
    ids=["two", "then nothing", "one streak", "once answered", "no common feature"],
)
def test_no_feature_is_blamed_without_the_evidence(entries):
    assert dead_features(authorised(*[("", e) for e in entries])) == []


def test_the_streaks_stop_only_the_requests_with_the_failing_feature():
    streaks = Streaks()
    xml, json_ = frozenset({"xml", "soticket"}), frozenset({"soticket"})
    streaks.answered(features=json_)
    for _ in range(UNRESPONSIVE_AFTER):
        streaks.check(xml)
        streaks.failed("reset", xml)
    with pytest.raises(TargetUnresponsive, match="every request with an XML type in Accept got no response"):
        streaks.check(xml)
    streaks.check(json_)  # still sent
    streaks.answered(features=json_)
    streaks.check(xml)  # answers resumed: one request with the feature is let through again
    streaks.failed("reset", xml)
    assert set(streaks.dead) == {"xml"}
    streaks.answered(features=json_)
    with pytest.raises(TargetUnresponsive):
        streaks.check(xml)  # dead: no second retry


def test_a_blip_on_one_feature_is_forgiven_once_its_retry_is_answered():
    streaks = Streaks()
    xml, json_ = frozenset({"xml", "soticket"}), frozenset({"soticket"})
    streaks.answered(features=json_)
    for _ in range(UNRESPONSIVE_AFTER):
        streaks.failed("reset", xml)
    streaks.answered(features=json_)
    streaks.check(xml)
    streaks.answered(features=xml)
    streaks.check(xml)
    streaks.check(xml)
    assert streaks.dead == {} and streaks.suspect == {}


def test_a_dead_target_is_still_unresponsive_as_a_whole():
    streaks = Streaks()
    for _ in range(UNRESPONSIVE_AFTER):
        streaks.failed("reset", frozenset({"soticket"}))
    with pytest.raises(TargetUnresponsive, match="target unresponsive"):
        streaks.check(frozenset({"bearer"}))


def test_well_formed_xml_that_is_no_engine_status_fails_accept_03():
    xml = "application/xml; charset=utf-8"
    page = answer(b"<html><body><p>Server Error</p></body></html>", accept="application/xml", media=xml)
    assert judged(page)["ACCEPT-03"]["status"] == "fail"
    status = answer(
        b'<ErpSyncEngineStatus xmlns="http://www.superoffice.net/ws/crm/NetServer/Services88">'
        b"<IsRunning>true</IsRunning></ErpSyncEngineStatus>",
        accept="application/xml",
        media=xml,
    )
    assert "ACCEPT-03" not in judged(status)
