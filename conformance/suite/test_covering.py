"""Every value of every dimension's documented domain, each in at least one request, and the
dimensions that interact together (conformance.run.covering): languages, cultures, time zones, Accept
forms, $select clauses and near-misses, every form of each declared scheme's credential, and the
Accept forms without credentials. Each answer is judged by every requirement that applies to it
(conformance.run.routing), each through its registered check.

These rows run after the example tests of single requirements and before the generated ones, so
that a tenant's request budget covers the documented values before it explores combinations.
"""

from __future__ import annotations

import pytest

from conformance.run import covering, routing

pytestmark = pytest.mark.covering


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "row" in metafunc.fixturenames:
        from conformance.plugin.session import declared_schemes

        rows = covering.rows(declared_schemes(metafunc.config))
        metafunc.parametrize("row", rows, ids=[f"{i:02}" for i in range(len(rows))])


@pytest.mark.requirement(*routing.JUDGED)
def test_each_value_of_each_dimension(conformance_run, judge, row):
    run = conformance_run
    send = routing.sender(run)
    for outcome in routing.judge_exchange(run, row.case, send(row.id, row.case), send, relations=False):
        judge.record(outcome)
