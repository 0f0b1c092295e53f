"""Reference server over HTTP: content negotiation and the DataContract-style XML."""

from __future__ import annotations

import pytest
import xmltodict

from conformance.contract.choices import Profile
from conformance.contract.endpoint import MEDIA_TYPES, XML_TYPES
from tests.calls import body, post

SERVICES = "http://schemas.datacontract.org/2004/07/SuperOffice.CRM.Services"


def media_type(response) -> str:
    return response.headers["Content-Type"].split(";")[0].strip()


@pytest.mark.parametrize("accept", MEDIA_TYPES)
def test_each_documented_type_is_answered_in_that_type(reference, accept):
    response = post(reference, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == f"{accept}; charset=utf-8"
    if accept in XML_TYPES:
        assert xmltodict.parse(response.content)["ErpSyncEngineStatus"]["@xmlns"] == SERVICES
    else:
        assert body(response) == body(post(reference))


# (description, Accept, the type(s) a conformant server may answer with)
NEGOTIATION = [
    ("none", None, {"application/json"}),
    ("empty", "", {"application/json"}),
    ("any", "*/*", {"application/json"}),
    ("text wildcard", "text/*", {"text/json", "text/xml"}),
    ("charset parameter", "application/json; charset=utf-8", {"application/json"}),
    ("xml with charset", "text/xml;charset=UTF-8", {"text/xml"}),
    ("upper case", "APPLICATION/XML", {"application/xml"}),
    ("mixed case", "Text/Json", {"text/json"}),
    ("q prefers xml", "application/json;q=0.5, application/xml", {"application/xml"}),
    ("q prefers json listed last", "text/xml;q=0.2, application/json;q=0.9", {"application/json"}),
    ("unsupported then json", "text/csv, application/json;q=0.1", {"application/json"}),
    ("tie", "text/xml, application/json", {"text/xml", "application/json"}),
    ("browser", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", {"application/xml"}),
]


@pytest.mark.parametrize("accept, allowed", [c[1:] for c in NEGOTIATION], ids=[c[0] for c in NEGOTIATION])
def test_negotiation(reference, accept, allowed):
    headers = {} if accept is None else {"Accept": accept}
    response = post(reference, headers=headers)
    assert response.status_code == 200
    assert media_type(response) in allowed


@pytest.mark.parametrize("accept", ["text/csv", "text/html", "application/json;q=0", "image/*"])
def test_unsupported_types_get_406_by_default(reference, accept):
    response = post(reference, headers={"Accept": accept})
    assert response.status_code == 406 and "IsRunning" not in response.text


def test_unsupported_types_fall_back_to_json_under_that_profile(serve):
    with serve(profile=Profile(unsupported_accept="json")) as server:
        response = post(server, headers={"Accept": "text/csv"})
        assert response.status_code == 200 and media_type(response) == "application/json"
        assert body(response)["Interval"] == "00:15:00"


def parsed_xml(server, **kwargs) -> dict:
    response = post(server, headers={"Accept": "application/xml"}, **kwargs)
    assert response.status_code == 200
    return xmltodict.parse(response.content, force_list=("a:FieldPropertyDictionaryKeyValuePair",))[
        "ErpSyncEngineStatus"
    ]


def test_xml_is_the_datacontract_shape(reference):
    root = parsed_xml(reference)
    assert list(k for k in root if not k.startswith("@")) == [
        "FieldProperties",
        "TableRight",
        "Interval",
        "IsRunning",
        "StatusMessage",
    ]
    assert root["IsRunning"] == "true"
    assert root["Interval"] == "PT15M"
    assert root["TableRight"]["a:Mask"] == "RI RestrictedUpdate"
    pairs = root["FieldProperties"]["a:FieldPropertyDictionaryKeyValuePair"]
    by_key = {p["a:Key"]: p["a:Value"] for p in pairs}
    assert list(by_key) == list(body(post(reference))["FieldProperties"])
    assert by_key["Interval"]["a:FieldRight"]["a:Mask"] == "Update UIHintMandatory"
    assert by_key["TableRight"]["a:FieldRight"] == {"@i:nil": "true"}
    assert by_key["StatusMessage"]["a:FieldLength"] == "2000"


@pytest.mark.parametrize(
    "mode, expected",
    [
        ("nil-attribute", {"@i:nil": "true"}),
        ("empty", None),
        ("omitted", "absent"),
    ],
)
def test_xml_nulls_follow_the_profile(serve, mode, expected):
    with serve(profile=Profile(xml_nil=mode)) as server:
        root = parsed_xml(server, params={"$select": "IsRunning"})
        assert root.get("StatusMessage", "absent") == expected
        assert root["IsRunning"] in ("true", "false")
