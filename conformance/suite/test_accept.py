"""ACCEPT: each documented type, q-values, defaults, unsupported types, case and parameters, XML."""

import pytest

from conformance.contract.endpoint import JSON_TYPES, MEDIA_TYPES, XML_TYPES

# (requirement, description, Accept)
# (one or two per requirement: the other forms are the covering rows', conformance.contract.domains.ACCEPT_FORMS)
NEGOTIATION = [
    ("ACCEPT-04", "q prefers json listed last", "text/xml;q=0.2, application/json;q=0.9"),
    ("ACCEPT-04", "zero excludes", "application/json;q=0, text/xml"),
    ("ACCEPT-06", "csv", "text/csv"),
    ("ACCEPT-07", "upper case", "APPLICATION/XML"),
    ("ACCEPT-07", "the page's sample", "application/json; charset=utf-8"),
]


@pytest.mark.requirement("ACCEPT-01")
@pytest.mark.parametrize("media", MEDIA_TYPES)
def test_each_documented_type(conformance_run, judge, media):
    judge("ACCEPT-01", {"probe": conformance_run.baseline(headers={"Accept": media})}, accept=media)


@pytest.mark.requirement("ACCEPT-02")
@pytest.mark.parametrize("media", JSON_TYPES)
def test_json_family_bodies(conformance_run, judge, media):
    run = conformance_run
    judge("ACCEPT-02", {"probe": run.baseline(headers={"Accept": media}), "reference": run.baseline()})


@pytest.mark.requirement("ACCEPT-03")
@pytest.mark.parametrize("media", XML_TYPES)
def test_xml_carries_the_json_data(conformance_run, judge, media):
    run = conformance_run
    judge.relate(
        "ACCEPT-03",
        lambda: {"xml": run.baseline(headers={"Accept": media}, fresh=True)},
        lambda fresh: run.baseline(fresh=fresh),
        reference_role="json",
        first={"xml": run.baseline(headers={"Accept": media})},
    )


@pytest.mark.parametrize(
    "rid, accept", [pytest.param(r, a, marks=pytest.mark.requirement(r), id=f"{r}-{d}") for r, d, a in NEGOTIATION]
)
def test_negotiation(conformance_run, judge, rid, accept):
    judge(rid, {"probe": conformance_run.send(f"Accept: {accept}", headers={"Accept": accept})}, accept=accept)


@pytest.mark.requirement("ACCEPT-05")
def test_no_accept_or_any_gives_json(conformance_run, judge):
    run = conformance_run
    judge("ACCEPT-05", {"none": run.send("no Accept"), "any": run.send("Accept: */*", headers={"Accept": "*/*"})})


@pytest.mark.requirement("ACCEPT-08")
def test_xml_nulls(conformance_run, judge):
    """Every member null in JSON, in XML: with $select=IsRunning (StatusMessage and the rest nulled),
    and unfiltered (the nulls of the server's data)."""
    run = conformance_run
    selected = {
        f"$select {fmt}": run.send(
            f"{fmt.upper()}, $select=IsRunning", select="IsRunning", headers={"Accept": f"application/{fmt}"}
        )
        for fmt in ("xml", "json")
    }
    plain = {f"plain {fmt}": run.baseline(headers={"Accept": f"application/{fmt}"}) for fmt in ("xml", "json")}
    judge("ACCEPT-08", {**selected, **plain})
