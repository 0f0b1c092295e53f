"""Copied by bench/fuzz.py into a temporary folder as a test file and run by pytest there: plain
schemathesis (its default configuration of schemas/openapi.yaml) against the benchmark's reference
server, `@schema.parametrize()` with `case.call_and_validate()` and the sample request's Basic
credentials. Hypothesis settings are fixed so that every run draws the same cases."""

import json
import os

import requests
import schemathesis
from hypothesis import HealthCheck, settings

schema = schemathesis.openapi.from_path(os.environ["BENCH_OPENAPI"])
session = requests.Session()
CASES = {"count": 0}


@schema.parametrize()
@settings(
    max_examples=int(os.environ["BENCH_MAX_EXAMPLES"]),
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_schemathesis(case):
    CASES["count"] += 1
    case.call_and_validate(
        base_url=os.environ["BENCH_BASE_URL"],
        session=session,
        headers={"Authorization": os.environ["BENCH_AUTHORIZATION"]},
    )


def teardown_module():
    with open(os.environ["BENCH_CASES"], "w") as out:
        json.dump(CASES, out)
