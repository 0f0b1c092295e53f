"""The routing of an exchange to the requirements that judge it (conformance.run.routing), as pure
functions: which requirement a $select clause or an Accept header rests on, a clause's documented
meaning, a case's features, and which features a status is blamed on. Each row names the contract
text it follows (docs/requirements.md has the requirements' sources)."""

from __future__ import annotations

import pytest

from conformance.model.case import Case
from conformance.run import routing


@pytest.mark.parametrize(
    ("clause", "kind", "rid"),
    [
        (None, "pattern", "SELECT-01"),  # no $select: the full view
        ("", "pattern", "SELECT-01"),
        (" , ", "pattern", "SELECT-01"),  # empty items only: no names at all
        ("isrunning", "pattern", "SELECT-04"),  # a documented name in another case
        ("TableRight/Mask", "pattern", "SELECT-07"),  # a nested name
        ("tableright/mask", "pattern", "SELECT-04"),  # case is the more specific feature
        ("IsRunning, Interval", "pattern", "SELECT-05"),  # spaces around items
        ("IsRunning,IsRunning", "pattern", "SELECT-05"),  # a name twice
        ("Nonsense", "pattern", "SELECT-09"),  # no documented name
        ("IsRunning,Nonsense", "pattern", "SELECT-06"),  # documented and unknown names mixed
        ("IsRunning", "changed", "SELECT-02"),  # the kept values
        ("IsRunning", "nulled", "SELECT-03"),  # the rest nulled
        ("IsRunning,Interval", "pattern", "SELECT-03"),
    ],
)
def test_a_clause_rests_on_its_most_specific_feature(clause, kind, rid):
    assert routing.select_requirement(clause, kind) == rid


@pytest.mark.parametrize(
    ("accept", "rid"),
    [
        (None, "ACCEPT-05"),  # no Accept: the default type
        ("*/*", "ACCEPT-05"),
        (" */* ", "ACCEPT-05"),
        ("application/json", "ACCEPT-01"),  # each documented type, as named
        ("text/xml", "ACCEPT-01"),
        ("application/merge-patch+json", "ACCEPT-01"),
        ("image/png", "ACCEPT-06"),  # nothing documented named at any q: 406
        ("Application/JSON", "ACCEPT-07"),  # media types are case-insensitive (RFC 9110 8.3.1)
        ("application/json; charset=utf-8", "ACCEPT-07"),  # parameters
        ("application/xml;q=0.5, application/json", "ACCEPT-04"),  # a list with q-values
        ("image/png, text/json", "ACCEPT-04"),
    ],
)
def test_an_accept_header_rests_on_what_it_exercises(accept, rid):
    assert routing.accept_requirement(accept) == rid


@pytest.mark.parametrize(
    ("clause", "documented"),
    [
        ("isrunning , INTERVAL,isRunning", "IsRunning,Interval"),
        ("tableright/reason", "TableRight/Reason"),
        ("Nonsense", None),
        (None, None),
        ("", None),
    ],
)
def test_a_clause_means_its_documented_names_once_each(clause, documented):
    assert routing.canonical_clause(clause) == documented


def test_a_cases_features_are_what_it_sends():
    assert routing.features(Case("basic")) == ["auth"]
    case = Case("bearer", accept="text/xml", so_language="de", so_timezone="UTC", select="IsRunning")
    assert routing.features(case) == ["auth", "select", "locale:SO-Language", "locale:SO-TimeZone", "accept"]


def test_every_scheme_and_refusal_has_its_requirement():
    assert set(routing.SCHEME_REQUIREMENT) == {"basic", "soticket", "bearer", "session"}
    assert set(routing.SCHEME_REQUIREMENT.values()) | set(routing.REFUSAL_REQUIREMENT.values()) <= set(routing.JUDGED)
