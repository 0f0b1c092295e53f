"""SCHEMA: the body of an authorised POST with no parameters, judged against the JSON Schema."""

import pytest

SCHEMA = ["SCHEMA-01", "SCHEMA-02", "SCHEMA-03", "SCHEMA-04", "SCHEMA-05", "SCHEMA-06"]


@pytest.mark.parametrize("rid", [pytest.param(r, marks=pytest.mark.requirement(r), id=r) for r in SCHEMA])
def test_the_unfiltered_body(conformance_run, judge, rid):
    judge(rid, {"probe": conformance_run.baseline()})
