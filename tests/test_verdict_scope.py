"""The verdict says exactly what was judged (issue 20): a run the request budget cut, and a run of a
selection (-m, -k, --requirement), say so in the verdict line, results.json, summary.md, the report
and JUnit; --require-complete makes a cut fail the gate; a selection that runs nothing is exit 2
with one line; a failing covering row is named in JUnit by the requirement it failed first."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from conformance.contract import requirements
from conformance.verdict import gate
from tests.suite_runs import run_suite

QUICK = ("--hypothesis-profile", "quick")


def test_a_run_the_budget_cut_says_conforms_on_what_was_judged(pytester):
    run = run_suite(pytester, *QUICK, "--max-requests", "150")
    verdict = run.results["doc"]["verdict"]
    judged = verdict["coverage"]
    assert judged["tests_cut"] > 0 and judged["tests_planned"] > judged["tests_run"], judged
    assert verdict["headline"].startswith(f"verdict: {'conforms on what was judged' if run.ret == 0 else 'incomplete'}")
    assert f"{judged['tests_cut']} of {judged['tests_planned']} tests cut by the budget of 150" in verdict["headline"]
    assert judged["full_run_requests"] > 150
    assert verdict["headline"] in run.output
    assert not judged["complete"]


def test_require_complete_makes_a_cut_fail_the_gate(pytester):
    run = run_suite(pytester, *QUICK, "--max-requests", "150", "--require-complete")
    verdict = run.results["doc"]["verdict"]
    assert run.ret == 1 and verdict["status"] == "incomplete", verdict
    assert any("--require-complete" in reason for reason in verdict["reasons"])


def test_a_whole_run_says_nothing_more():
    entries = [
        {"id": r.id, "level": r.level, "outcome": "pass", "judgements": 1, "reason": ""} for r in requirements.CATALOGUE
    ]
    found = gate.verdict(
        entries, [], strict=False, dry_run=False, coverage={"tests_planned": 9, "tests_run": 9, "tests_cut": 0}
    )
    assert found["headline"] == "verdict: conforms (exit 0)" and found["coverage"]["complete"]


@pytest.mark.parametrize(
    "selection", [("-m", "auth"), ("-k", "AUTH-03"), ("--requirement", "auth-03")], ids=lambda s: " ".join(s)
)
def test_a_selection_is_a_partial_run(pytester, selection):
    run = run_suite(pytester, *QUICK, *selection)
    verdict = run.results["doc"]["verdict"]
    judged = verdict["coverage"]
    assert 0 < judged["requirements_selected"] < len(requirements.CATALOGUE), judged
    assert (
        f"partial: {judged['requirements_selected']} of {len(requirements.CATALOGUE)} requirements selected"
        in verdict["headline"]
    ), verdict["headline"]
    assert "conforms on what was judged" in verdict["headline"] and run.ret == 0, run.output
    if selection[0] != "-m":  # one requirement's example tests: AUTH-03 judged, and little else
        assert run.status("AUTH-03") == "pass", run.output


def test_a_requirement_run_alone_is_judged_as_the_whole_run_judges_it(pytester):
    """A fault only drawn requests show (a prefix of the password accepted, through Basic): AUTH-06
    alone fails as in the whole run, not "pass" on its example tests' three wrong credentials."""
    run = run_suite(
        pytester,
        *QUICK,
        "--requirement",
        "AUTH-06",
        "--reference-fault",
        "auth-password-prefix-accepted",
        "--reference-random",
        "3794",
    )
    assert run.status("AUTH-06") == "fail" and run.ret == 1, run.output
    judged = {rid for rid, o in run.results["requirements"].items() if o["status"] != "untested"}
    assert judged == {"AUTH-06"}, judged  # the generated tests judge more; only the selection is recorded


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_a_selection_that_runs_nothing_is_exit_2_with_one_line(pytester, workers):
    result = pytester.runpytest_subprocess(*_suite_args(), "-k", "NO-SUCH-REQUIREMENT", *workers)
    assert result.ret == 2, result.stdout.str()
    assert "the selection (-k, -m, --requirement) runs no test of the suite" in result.stderr.str()


def test_an_unknown_requirement_is_a_usage_error_with_a_suggestion(pytester):
    result = pytester.runpytest_subprocess(*_suite_args(), "--requirement", "AUTH-3")
    assert result.ret == 2
    assert "did you mean AUTH-03?" in result.stderr.str() + result.stdout.str()


def test_junit_names_a_failing_case_by_the_requirement_it_failed_first(pytester):
    junit = pytester.path / "junit.xml"
    run = run_suite(pytester, *QUICK, "--reference-fault", "select-plural-matches", f"--junitxml={junit}")
    assert run.status("SELECT-09") == "fail"
    tree = ET.parse(junit)
    failed = [case.get("name") for case in tree.iter("testcase") if case.find("failure") is not None]
    rows = [name for name in failed if "test_each_value_of_each_dimension" in name]
    assert rows and all(name.split()[0] in ("SELECT-09", "SELECT-06") for name in rows), failed
    properties = {p.get("name"): p.get("value") for p in tree.iter("property")}
    assert properties["erpsync_verdict"].startswith("verdict: does not conform (exit 1)"), properties


def _suite_args() -> list[str]:
    from tests.suite_runs import SUITE

    return [SUITE, "-q", "-p", "no:cacheprovider", "--no-reports", *QUICK]


def test_the_dry_run_warns_when_the_plan_does_not_fit_the_budget(pytester):
    result = pytester.runpytest_inprocess(*_suite_args(), "--dry-run", "--max-requests", "150")
    text = result.stdout.str()
    assert "warning: the plan does not fit the budget of 150" in text, text[-2000:]
    fits = pytester.runpytest_inprocess(*_suite_args(), "--dry-run", "--max-requests", "100000")
    assert "does not fit" not in fits.stdout.str()


def _report(nodeid: str, when: str, outcome: str, properties: list, longrepr=None) -> pytest.TestReport:
    return pytest.TestReport(
        nodeid, ("suite/test_x.py", 1, "test_x"), {}, outcome, longrepr, when, user_properties=properties
    )


@pytest.mark.parametrize(
    "judged, said",
    [
        (
            [{"requirement": "AUTH-05", "status": "fail", "reason": "not refused"}],
            "not judged: the test stopped at its failure of AUTH-05",
        ),
        ([], "the test did not complete (call: RuntimeError: boom)"),
    ],
    ids=["stopped-at-a-failure", "broke"],
)
def test_a_requirement_a_failing_test_never_reached_says_why(pytester, judged, said):
    """A test judging two requirements that ended before the second: the second is untested, and
    its reason says whether the test stopped at a failure it judged or broke."""
    import json

    from conformance.plugin.collect import OUTCOME_KEY, REQUIREMENT_KEY, Collector

    collector = Collector(pytester.parseconfig())
    marked = [(REQUIREMENT_KEY, "AUTH-05"), (REQUIREMENT_KEY, "AUTH-10")]
    outcomes = [(OUTCOME_KEY, json.dumps({**o, "expected": "", "actual": "", "evidence": []})) for o in judged]
    collector.pytest_runtest_logreport(_report("t", "setup", "passed", marked))
    collector.pytest_runtest_logreport(_report("t", "call", "failed", marked, "Traceback...\nRuntimeError: boom"))
    collector.pytest_runtest_logreport(_report("t", "teardown", "passed", marked + outcomes))
    (entry,) = collector.outcomes["AUTH-10"]
    assert (entry["status"], entry["reason"]) == ("untested", said)
