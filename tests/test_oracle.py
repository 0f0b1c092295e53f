"""The oracle's predictions and the XML normal form, as tables."""

from __future__ import annotations

import pytest

from conformance.contract import xmlbody
from conformance.contract.choices import Profile
from conformance.model.oracle import differences, non_string_differences, predict_media, predict_select, same_value

DEFAULT = Profile.reference()
AUTO = Profile()


def P(**choices: str) -> Profile:
    """The reference profile with some choices changed."""
    return DEFAULT.with_(**choices)


SELECT = [
    ("none", None, DEFAULT, "every property as without $select"),
    ("empty", "", DEFAULT, "every property as without $select"),
    ("separators", " ,, ", DEFAULT, "every property as without $select or kept: nothing; every other property nulled"),
    ("one", "IsRunning", DEFAULT, "kept: IsRunning; every other property nulled"),
    ("case", "isrunning,INTERVAL", DEFAULT, "kept: Interval, IsRunning; every other property nulled"),
    ("exact case", "isrunning,Interval", P(select_case="exact"), "kept: Interval; every other property nulled"),
    ("nested", "TableRight/Mask", DEFAULT, "kept: TableRight/Mask; every other property nulled"),
    ("nested parent", "TableRight/Mask", P(select_nested="parent"), "kept: TableRight; every other property nulled"),
    ("nested ignored", "TableRight/Mask", P(select_nested="ignored"), "kept: nothing; every other property nulled"),
    ("unknown", "IsRunning,Name", DEFAULT, "kept: IsRunning; every other property nulled"),
    ("unknown rejected", "IsRunning,Name", P(select_unknown="reject"), "400 (unknown names Name)"),
    ("only unknown", "Name", DEFAULT, "kept: nothing; every other property nulled"),
    ("only unknown as none", "Name", P(select_only_unknown="as-no-select"), "every property as without $select"),
    ("dictionary path", "FieldProperties/Interval", DEFAULT, "kept: nothing; every other property nulled"),
    (
        "dictionary path kept",
        "FieldProperties/Interval",
        P(select_path_fallback="parent"),
        "kept: FieldProperties; every other property nulled",
    ),
    (
        "leaf path kept",
        "IsRunning/x",
        P(select_path_fallback_is_running="parent"),
        "kept: IsRunning; every other property nulled",
    ),
    (
        "unknown part kept",
        "TableRight/Masks",
        P(select_path_fallback_table_right="parent"),
        "kept: TableRight; every other property nulled",
    ),
    # A choice holds for its own situation only (CONTRACT-NOTES, "Open points"): FieldProperties/x
    # kept whole says nothing of TableRight/x or IsRunning/x.
    (
        "dictionary kept, others unknown",
        "FieldProperties/x,TableRight/x,IsRunning/x",
        P(select_path_fallback="parent"),
        "kept: FieldProperties; every other property nulled",
    ),
    (
        "each path on its own",
        "FieldProperties/x,StatusMessage/x,Interval/x",
        P(select_path_fallback_status_message="parent", select_path_fallback_interval="parent"),
        "kept: Interval, StatusMessage; every other property nulled",
    ),
    (
        "an undecided path admits both",
        "TableRight/x",
        DEFAULT.with_(select_path_fallback="parent", select_path_fallback_table_right="auto"),
        "kept: nothing; every other property nulled or kept: TableRight; every other property nulled",
    ),
    (
        "path rejected as unknown",
        "IsRunning,FieldProperties/x",
        P(select_unknown="reject"),
        "400 (unknown names FieldProperties/x)",
    ),
    (
        "path kept, not rejected",
        "IsRunning,FieldProperties/x",
        P(select_unknown="reject", select_path_fallback="parent"),
        "kept: FieldProperties, IsRunning; every other property nulled",
    ),
    (
        "auto admits either case",
        "isrunning",
        AUTO.with_(select_unknown="ignore", select_only_unknown="null-all"),
        "kept: IsRunning; every other property nulled or kept: nothing; every other property nulled",
    ),
]


@pytest.mark.parametrize("clause, profile, expected", [c[1:] for c in SELECT], ids=[c[0] for c in SELECT])
def test_predict_select(clause, profile, expected):
    assert predict_select(clause, profile).describe() == expected


MEDIA = [
    (
        "none",
        None,
        DEFAULT,
        (200, {"application/json", "text/json", "application/json-patch+json", "application/merge-patch+json"}),
    ),
    (
        "any",
        "*/*",
        DEFAULT,
        (
            200,
            {
                "application/json",
                "text/json",
                "application/xml",
                "text/xml",
                "application/json-patch+json",
                "application/merge-patch+json",
            },
        ),
    ),
    ("one", "text/xml", DEFAULT, (200, {"text/xml"})),
    ("case and charset", "APPLICATION/JSON; charset=utf-8", DEFAULT, (200, {"application/json"})),
    ("q", "application/json;q=0.5, application/xml", DEFAULT, (200, {"application/xml"})),
    ("specific beats wildcard", "text/*;q=0.1, text/xml;q=0.9, */*;q=0.5", DEFAULT, (200, {"text/xml"})),
    ("zero", "application/json;q=0", DEFAULT, (406, set())),
    ("unsupported", "text/csv", DEFAULT, (406, set())),
    ("unsupported as json", "text/csv", P(unsupported_accept="json"), (200, {"application/json"})),
]


@pytest.mark.parametrize("accept, profile, expected", [c[1:] for c in MEDIA], ids=[c[0] for c in MEDIA])
def test_predict_media(accept, profile, expected):
    prediction = predict_media(accept, profile)
    assert (prediction.status, set(prediction.allowed)) == expected


def test_a_type_listed_with_and_without_parameters_admits_both_readings():
    prediction = predict_media("application/json, application/json; charset=utf-8;q=0", DEFAULT)
    assert prediction.statuses == {200, 406} and prediction.admits(200, "application/json")
    assert prediction.admits(406, None) and not prediction.admits(200, "text/xml")


def test_same_value_follows_the_contract():
    assert same_value("Interval", "00:15:00", "PT15M")
    assert same_value("Interval", "1.02:00:00", "P1DT2H")
    assert not same_value("Interval", "00:15:00", "PT16M")
    assert same_value("Mask", "RI, RestrictedUpdate", "RestrictedUpdate, RI")
    assert not same_value("IsRunning", True, 1)


def test_non_string_differences_ignore_strings_only():
    a = {"IsRunning": True, "StatusMessage": "a", "FieldProperties": {"x": {"FieldLength": 5, "FieldType": "t"}}}
    b = {"IsRunning": True, "StatusMessage": "b", "FieldProperties": {"x": {"FieldLength": 6, "FieldType": "u"}}}
    assert non_string_differences(a, b) == ["$.FieldProperties.x.FieldLength: 5 vs 6"]
    assert differences(a, a) == []


XML = b"""<?xml version="1.0" encoding="utf-8"?>
<ErpSyncEngineStatus xmlns="http://schemas.datacontract.org/2004/07/SuperOffice.CRM.Services"
  xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns:a="http://schemas.datacontract.org/2004/07/SuperOffice.CRM.Security">
 <FieldProperties>
  <a:FieldPropertyDictionaryKeyValuePair><a:Key>Interval</a:Key><a:Value><a:FieldLength>0</a:FieldLength>
   <a:FieldRight><a:Mask>Update UIHintMandatory</a:Mask><a:Reason i:nil="true"/></a:FieldRight><a:FieldType>System.TimeSpan</a:FieldType></a:Value>
  </a:FieldPropertyDictionaryKeyValuePair>
 </FieldProperties>
 <TableRight><a:Mask>RI RestrictedUpdate</a:Mask><a:Reason>x</a:Reason></TableRight>
 <Interval>PT15M</Interval><IsRunning>false</IsRunning><StatusMessage i:nil="true"/>
</ErpSyncEngineStatus>"""


def test_xml_normal_form():
    assert xmlbody.json_shape(XML, DEFAULT) == {
        "FieldProperties": {
            "Interval": {
                "FieldLength": 0,
                "FieldRight": {"Mask": "Update UIHintMandatory", "Reason": None},
                "FieldType": "System.TimeSpan",
            }
        },
        "TableRight": {"Mask": "RI RestrictedUpdate", "Reason": "x"},
        "Interval": "PT15M",
        "IsRunning": False,
        "StatusMessage": None,
    }


DATACONTRACT = b"""<GetEngineStatusResult xmlns="urn:other" xmlns:i="http://www.w3.org/2001/XMLSchema-instance"
  xmlns:b="http://schemas.microsoft.com/2003/10/Serialization/Arrays">
 <FieldProperties>
  <b:KeyValueOfstringFieldPropertyb2uS1zbB><b:Key>Interval</b:Key><b:Value><FieldLength>0</FieldLength>
   <FieldRight><Mask>67</Mask><Reason/></FieldRight><FieldType>System.TimeSpan</FieldType></b:Value>
  </b:KeyValueOfstringFieldPropertyb2uS1zbB>
  <b:KeyValueOfstringFieldPropertyb2uS1zbB><b:Key>IsRunning</b:Key><b:Value i:nil="true"/></b:KeyValueOfstringFieldPropertyb2uS1zbB>
 </FieldProperties>
 <TableRight><Mask>RI, RestrictedUpdate</Mask><Reason>x</Reason></TableRight>
 <Interval>PT15M</Interval><IsRunning>1</IsRunning>
</GetEngineStatusResult>"""


def test_xml_is_read_whatever_its_root_entries_and_separators():
    """Facts 12 and 16: the root's name, the entry elements' names and namespaces are undocumented."""
    body = xmlbody.json_shape(DATACONTRACT, AUTO)
    assert body["IsRunning"] is True and body["StatusMessage"] is None  # omitted: a null where admitted
    assert set(body["FieldProperties"]) == {"Interval", "IsRunning"} and body["FieldProperties"]["IsRunning"] is None
    assert (
        differences(
            body,
            xmlbody.json_shape(XML, AUTO) | {"IsRunning": True, "FieldProperties": body["FieldProperties"]},
            xml=True,
        )
        == []
    )
    assert same_value("Mask", body["FieldProperties"]["Interval"]["FieldRight"]["Mask"], "Update, UIHintMandatory")


FLAGS = [
    ("comma and space", "RI, RestrictedUpdate", "RI RestrictedUpdate", "TableRight", True),
    ("alias and names", "RI", "Select, Insert", "TableRight", True),
    ("number", "37", "RI, RestrictedUpdate", "TableRight", True),
    ("pipe", "Read|UIHintReadOnly", "Read UIHintReadOnly", "FieldRight", True),
    ("field alias", "Update", "Read, Write", "FieldRight", True),
    ("different", "Select", "Update", "TableRight", False),
    ("unknown name compared as names", "Export, Select", "Select, Export", "TableRight", True),
]


@pytest.mark.parametrize("a, b, kind, equal", [c[1:] for c in FLAGS], ids=[c[0] for c in FLAGS])
def test_masks_compare_as_flag_sets(a, b, kind, equal):
    assert same_value("Mask", a, b, kind) is equal


HOSTILE = [
    ("dtd", b'<?xml version="1.0"?><!DOCTYPE r [<!ELEMENT r ANY>]><ErpSyncEngineStatus/>', "DTD"),
    ("xxe", b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>', "DTD"),
    (
        "billion laughs",
        b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><l>&b;</l>',
        "DTD",
    ),
    ("not well-formed", b"<ErpSyncEngineStatus><IsRunning>true</ErpSyncEngineStatus>", "not well-formed"),
    ("unclosed", b"<ErpSyncEngineStatus><IsRunning>true</IsRunning>", "not well-formed"),
    ("deep", b"<a>" * 200_000 + b"</a>" * 200_000, "deeper than 64 levels"),
    ("entry without key", b"<R><FieldProperties><E><Value/></E></FieldProperties></R>", "no Key child"),
    ("json labelled xml", b'{"IsRunning": true}', "not well-formed"),
]


@pytest.mark.parametrize("data, message", [c[1:] for c in HOSTILE], ids=[c[0] for c in HOSTILE])
def test_hostile_or_broken_xml_is_refused_with_a_reason(data, message):
    with pytest.raises(xmlbody.XmlBodyError, match=message):
        xmlbody.json_shape(data, DEFAULT)


def test_differences_spell_values_as_json_not_python():
    assert differences({"a": "null", "b": {"c": None}, "d": "x"}, {"a": None, "b": {"c": True}}) == [
        '$.a: "null" vs null',
        "$.b.c: null vs true",
        '$.d: "x" vs absent',
    ]
