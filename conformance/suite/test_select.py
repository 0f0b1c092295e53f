"""SELECT: $select clauses judged against the oracle and the unfiltered baseline.

Each clause is sent as the only parameter; the baseline is the same request without it. A
failed comparison is re-checked against fresh requests before it is reported.
"""

import pytest

from conformance.contract import PROPERTIES

# (requirement, description, clause)
CASES = [("SELECT-01", "empty", ""), ("SELECT-01", "only separators", " , ,")]
CASES += [("SELECT-02", f"one property {p}", p) for p in PROPERTIES]
CASES += [("SELECT-02", "two properties", "StatusMessage,FieldProperties")]
CASES += [("SELECT-03", f"all but {p}", ",".join(q for q in PROPERTIES if q != p)) for p in PROPERTIES]
CASES += [("SELECT-03", "one property", "TableRight")]
CASES += [
    ("SELECT-04", "lower case", "isrunning,interval"),
    ("SELECT-04", "upper case", "TABLERIGHT"),
    ("SELECT-04", "mixed case", "iSrUnNiNg"),
    ("SELECT-05", "spaces around names", " IsRunning , Interval "),
    ("SELECT-05", "duplicates", "IsRunning,Interval,IsRunning"),
    ("SELECT-05", "trailing comma", "TableRight,"),
    ("SELECT-06", "unknown beside known", "IsRunning,Name,department"),
    ("SELECT-06", "the page's example path", "Interval,category/id"),
    ("SELECT-07", "nested Mask", "TableRight/Mask"),
    ("SELECT-07", "nested Reason", "TableRight/Reason"),
    ("SELECT-09", "only unknown names", "Name,department,category"),
]


@pytest.mark.parametrize("rid, clause", [pytest.param(r, c, marks=pytest.mark.requirement(r), id=f"{r}-{d}")
                                         for r, d, c in CASES])
def test_select(conformance_run, judge, rid, clause):
    run = conformance_run
    judge.relate(rid, lambda: {"probe": run.send(f"$select={clause!r}", select=clause,
                                                       headers={"Accept": "application/json"})},
                 lambda fresh: run.baseline(fresh=fresh), reference_role="baseline", select=clause)


@pytest.mark.requirement("SELECT-08")
@pytest.mark.parametrize("clause", ["IsRunning", "TableRight,FieldProperties", "TableRight/Mask"])
def test_select_in_xml_as_in_json(conformance_run, judge, clause):
    run = conformance_run
    judge.relate("SELECT-08", lambda: {"xml": run.send(f"XML, $select={clause!r}", select=clause,
                                                       headers={"Accept": "application/xml"})},
                 lambda fresh: run.send(f"JSON, $select={clause!r}", select=clause,
                                        headers={"Accept": "application/json"}), reference_role="json",
                 select=clause)
