"""SCHEMA: the body of an authorised POST with no parameters, judged against the JSON Schema,
through each scheme the target declares (a server may build the answer per scheme)."""

import pytest

SCHEMA = ["SCHEMA-01", "SCHEMA-02", "SCHEMA-03", "SCHEMA-04", "SCHEMA-05", "SCHEMA-06"]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "scheme" in metafunc.fixturenames:
        from conformance.plugin.session import declared_schemes

        metafunc.parametrize("scheme", declared_schemes(metafunc.config))


@pytest.mark.parametrize("rid", [pytest.param(r, marks=pytest.mark.requirement(r), id=r) for r in SCHEMA])
def test_the_unfiltered_body(conformance_run, judge, rid, scheme):
    judge(rid, {"probe": conformance_run.baseline(scheme=scheme)})
