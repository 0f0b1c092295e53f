"""Reference server over HTTP: $select under each profile setting."""

from __future__ import annotations

import pytest

from conformance.contract.choices import Profile
from tests.calls import body, post

ALL = ("IsRunning", "StatusMessage", "Interval", "TableRight", "FieldProperties")


@pytest.fixture(scope="module")
def full(reference):
    return body(post(reference))


def selected(reference, clause, **kwargs):
    response = post(reference, params={"$select": clause}, **kwargs)
    assert response.status_code == 200, response.text
    return body(response)


def assert_keeps_only(result: dict, full: dict, kept: set[str]) -> None:
    assert set(result) == set(ALL)
    for name in ALL:
        assert result[name] == (full[name] if name in kept else None), name


# (description, $select, properties kept whole) under the default profile
CASES = [
    ("empty", "", set(ALL)),
    ("only commas and spaces", " , ,", set(ALL)),
    ("one name", "IsRunning", {"IsRunning"}),
    ("two names", "IsRunning,StatusMessage", {"IsRunning", "StatusMessage"}),
    ("every name", ",".join(ALL), set(ALL)),
    ("lower case", "isrunning,fieldproperties", {"IsRunning", "FieldProperties"}),
    ("upper case", "INTERVAL", {"Interval"}),
    ("spaces around names", " IsRunning , Interval ", {"IsRunning", "Interval"}),
    ("duplicates", "IsRunning,IsRunning,isRunning", {"IsRunning"}),
    ("unknown beside a known name", "IsRunning,Name,department", {"IsRunning"}),
    ("only unknown names", "Name,department,category/id", set()),
    ("a path into the dictionary", "FieldProperties/Interval", set()),
    ("too deep a path", "TableRight/Mask/Value", set()),
]


@pytest.mark.parametrize("clause, kept", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_select_keeps_what_it_names_and_nulls_the_rest(reference, full, clause, kept):
    assert_keeps_only(selected(reference, clause), full, kept)


def test_no_select_parameter_returns_everything(reference, full):
    assert set(full) == set(ALL) and all(full[k] is not None for k in ALL)


@pytest.mark.parametrize(
    "clause, parts",
    [
        ("TableRight/Mask", {"Mask"}),
        ("TableRight/Reason", {"Reason"}),
        ("tableright/mask", {"Mask"}),
        ("TableRight/Mask,TableRight/Reason", {"Mask", "Reason"}),
    ],
)
def test_a_nested_path_keeps_that_part(reference, full, clause, parts):
    result = selected(reference, clause)
    assert_keeps_only({**result, "TableRight": None}, full, set())
    assert result["TableRight"] == {p: (full["TableRight"][p] if p in parts else None) for p in ("Mask", "Reason")}


def test_nested_parent_profile_keeps_the_whole_parent(serve, full):
    with serve(profile=Profile(select_nested="parent")) as server:
        assert_keeps_only(selected(server, "TableRight/Reason"), full, {"TableRight"})


def test_nested_ignored_profile_treats_the_path_as_unknown(serve, full):
    with serve(profile=Profile(select_nested="ignored")) as server:
        assert_keeps_only(selected(server, "IsRunning,TableRight/Mask"), full, {"IsRunning"})


def test_exact_case_profile_treats_other_cases_as_unknown(serve, full):
    with serve(profile=Profile(select_case="exact")) as server:
        assert_keeps_only(selected(server, "isrunning,Interval"), full, {"Interval"})


@pytest.mark.parametrize(
    "mode, expected",
    [
        ("default", {"IsRunning": False, "Interval": "00:00:00"}),
        ("omitted", {}),
    ],
)
def test_value_types_not_selected_follow_the_profile(serve, full, mode, expected):
    with serve(profile=Profile(select_value_types=mode)) as server:
        result = selected(server, "StatusMessage")
        assert (
            result == {"StatusMessage": full["StatusMessage"], "TableRight": None, "FieldProperties": None} | expected
        )
        nested = selected(server, "TableRight/Reason")["TableRight"]
        assert nested == {"Reason": full["TableRight"]["Reason"]} | ({"Mask": "None"} if mode == "default" else {})


def test_unknown_names_rejected_profile_answers_400_naming_them(serve):
    with serve(profile=Profile(select_unknown="reject")) as server:
        response = post(server, params={"$select": "IsRunning,Name"})
        assert response.status_code == 400 and "Name" in response.json()["ErrorMessage"]
        assert post(server, params={"$select": "IsRunning"}).status_code == 200


def test_only_unknown_as_no_select_profile_returns_everything(serve, full):
    with serve(profile=Profile(select_only_unknown="as-no-select")) as server:
        assert_keeps_only(selected(server, "Name,department"), full, set(ALL))
        assert_keeps_only(selected(server, "Name,IsRunning"), full, {"IsRunning"})


def test_select_works_the_same_in_xml(reference):
    import xmltodict

    response = post(reference, params={"$select": "IsRunning"}, headers={"Accept": "application/xml"})
    root = xmltodict.parse(response.text)["ErpSyncEngineStatus"]
    assert root["IsRunning"] in ("true", "false")
    for name in ("StatusMessage", "Interval", "TableRight", "FieldProperties"):
        assert root[name] == {"@i:nil": "true"}, name
