"""The covering design (conformance.run.covering): every value of every dimension's domain is sent in
some row, Accept-Encoding among them, and the rows that stand for a whole JSON body in a language
are rows whose Accept can only be answered in JSON."""

from __future__ import annotations

import pytest

from conformance.contract import domains
from conformance.run import covering
from conformance.wire.target import SCHEMES


@pytest.mark.parametrize(
    ("field", "domain"),
    [
        ("accept_encoding", domains.ACCEPT_ENCODINGS),
        ("accept", domains.ACCEPT_FORMS),
        ("so_language", domains.SO_LANGUAGE_VALUES),
        ("select", domains.SELECT_CLAUSES),
    ],
)
def test_every_value_of_a_dimension_is_in_some_authorised_row(field, domain):
    sent = {getattr(row.case, field) for row in covering.rows(SCHEMES) if row.case.authorised}
    missing = [value for value in domain if value is not None and value not in sent]
    assert not missing, missing


def test_rows_ask_with_and_without_a_coding_in_each_family():
    for family in ("Accept-Language", "SO-Language"):
        codings = {row.case.accept_encoding for row in covering.rows(SCHEMES) if row.family == family}
        assert None in codings and len(codings - {None}) >= 3, (family, codings)


def test_the_dry_run_counts_accept_encoding_as_a_dimension():
    counts = covering.values_per_dimension(row.case for row in covering.rows(SCHEMES))
    assert counts["Accept-Encoding"] == len({c for c in domains.ACCEPT_ENCODINGS if c is not None})


def test_a_list_of_types_does_not_stand_for_a_whole_json_body():
    """`application/json;q=0.5, application/xml` may be answered in XML (ACCEPT-04): a language row
    with it is no JSON body in that language, so a translation row gives one."""
    listed = covering.Row(
        "Accept-Language",
        covering.Case("basic", accept="application/json;q=0.5, application/xml", accept_language="fr"),
    )
    rows = covering._translation_rows(SCHEMES, [listed])
    assert "fr" in {row.case.accept_language for row in rows}
    plain = covering.Row("Accept-Language", covering.Case("basic", accept="application/json", accept_language="fr"))
    assert "fr" not in {row.case.accept_language for row in covering._translation_rows(SCHEMES, [plain])}


def test_the_rows_follow_the_measured_order_and_the_rows_it_does_not_name_keep_theirs():
    found = covering.rows(SCHEMES)
    measured = [found[5].id, found[2].id, "a row of another target"]
    again = covering.ordered(found, measured)
    assert [r.id for r in again[:2]] == measured[:2]
    assert [r for r in again[2:]] == [r for r in found if r.id not in measured]
    assert sorted(r.id for r in again) == sorted(r.id for r in found)


def test_the_measured_order_names_rows_that_exist_once_each():
    """bench/yield_order.py wrote it from the bundled server's rows: a stale file (rows renamed
    since) would silently fall back to the cheapest-first order; re-run the script."""
    measured = covering._measured_order()
    ids = {r.id for r in covering.rows(SCHEMES)}
    assert measured and len(set(measured)) == len(measured)
    assert set(measured) <= ids, sorted(set(measured) - ids)[:5]
