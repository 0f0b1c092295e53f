"""results.json as the run's record: the same under pytest-xdist as serially, JUnit by requirement,
and the exit codes a release pipeline gates on."""

from __future__ import annotations

import json
import re
import shlex
import socket
import subprocess
import sys
import xml.etree.ElementTree as ElementTree

import pytest

from conformance.cli import main
from conformance.plugin.hooks import SESSION_WIDE
from conformance.verdict import results
from conformance.verdict.results import PACKAGES
from tests.suite_runs import SUITE


def _normal(doc: dict) -> dict:
    """A results document without what differs from run to run by nature: timings, the port of
    the bundled server, Date headers, the run's own statistics, and the whole-run request counts
    of HTTP-03/04 (each xdist worker fetches its own baselines, so the count of requests differs)."""
    text = json.dumps(doc["requirements"])
    text = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", text)
    rows = json.loads(text)
    for row in rows:
        row.pop("judgements")
        for exchange in row["evidence"]:
            exchange.pop("answer_of", None)  # which earlier request had the same answer depends on the worker
            if exchange["response"]:
                exchange["response"]["elapsed_ms"] = 0
                exchange["response"]["headers"] = [h for h in exchange["response"]["headers"] if h[0] != "Date"]
        if row["id"] in SESSION_WIDE:
            row.update(reason="", actual="", evidence=[], test=None)
    return {"requirements": rows, "verdict": doc["verdict"], "waiver_problems": doc["waiver_problems"]}


def test_the_reported_judgement_is_the_worst_and_among_untested_the_budget_cut():
    judged = [
        {"status": "untested", "reason": "no drawn combination exercised it", "test": "t.py::a[basic]"},
        {
            "status": "untested",
            "reason": "budget exhausted (request budget of 30 exhausted)",
            "test": "t.py::a[session]",
        },
        {"status": "pass", "reason": "fine", "test": "t.py::z"},
    ]
    assert results.choose(judged)["test"] == "t.py::z"  # a pass outranks any untested
    assert results.choose(judged[:2])["reason"].startswith("budget exhausted")
    failed = {"status": "fail", "reason": "broken", "test": "t.py::y"}
    assert results.choose([*judged, failed]) is failed
    ties = [
        {"status": "untested", "reason": "x", "test": "t.py::b"},
        {"status": "untested", "reason": "x", "test": "t.py::a"},
    ]
    assert results.choose(ties)["test"] == "t.py::a" == results.choose(ties[::-1])["test"]


def test_xdist_gives_the_same_results_as_a_serial_run(tmp_path):
    docs = {}
    for name, extra in (("serial", []), ("xdist", ["-n", "2"])):
        out = tmp_path / f"{name}.json"
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "conformance",
                "-q",
                "--hypothesis-profile",
                "quick",
                "--reference-fault",
                "select-case-sensitive",
                "--no-reports",
                "--results-json",
                str(out),
                *extra,
            ],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        docs[name] = json.loads(out.read_text())
    assert docs["xdist"]["run"]["workers"] == 2 and docs["serial"]["run"]["workers"] == 0
    assert docs["xdist"]["run"]["requests"] > 0 and docs["xdist"]["timings"]["response_ms"]
    assert _normal(docs["serial"]) == _normal(docs["xdist"])
    assert docs["serial"]["verdict"]["counts"]["non-strict"] == 1


def test_the_run_metadata(pytester):
    out = pytester.path / "r.json"
    pytester.runpytest_inprocess(
        SUITE + "/test_http.py",
        "-p",
        "no:cacheprovider",
        "--no-reports",
        "--results-json",
        str(out),
        "--hypothesis-seed",
        "7",
    )
    doc = results.load(out)
    run = doc["run"]
    assert run["target"]["bundled"] and run["target"]["base_url"].startswith("http://127.0.0.1:")
    assert run["target"]["schemes"] == ["basic", "soticket", "bearer", "session"]
    assert run["hypothesis"]["seed"] == "7" and run["budget"] > 0 and run["requests"] > 0
    assert set(PACKAGES) - {"pytest-xdist"} <= set(run["packages"])
    assert run["requests"] >= len(doc["timings"]["response_ms"]) > 0
    assert run["choices"]["select_case"] == {
        "declared": "insensitive",
        "observed": None,
        "reason": "pinned by the target",
        "evidence": [],
    }
    judged = [r for r in doc["requirements"] if r["judgements"]]
    assert {r["id"] for r in judged} >= {"HTTP-01", "HTTP-02", "HTTP-03", "HTTP-04", "HTTP-05"}
    first = next(r for r in judged if r["id"] == "HTTP-01")
    assert first["evidence"][0]["curl"].startswith("curl -sS -i -X POST")
    assert first["test"].endswith("test_http.py::test_an_authorised_post_with_nothing_else")


def test_junit_shows_each_test_by_requirement(pytester):
    junit = pytester.path / "junit.xml"
    result = pytester.runpytest_inprocess(
        SUITE + "/test_http.py",
        "-p",
        "no:cacheprovider",
        "--no-reports",
        "--reference-fault",
        "charset-missing",
        f"--junitxml={junit}",
    )
    assert result.ret == 0
    cases = ElementTree.parse(junit).getroot().iter("testcase")
    seen = {}
    for case in cases:
        properties = [(p.get("name"), p.get("value")) for p in case.iter("property")]
        assert ("requirement", "HTTP-01") in properties or any(n == "requirement" for n, _ in properties), case.get(
            "name"
        )
        assert not any(n == "erpsync_outcome" for n, _ in properties)  # no raw JSON in JUnit
        seen[case.get("name")] = properties
    charset = seen["HTTP-02 test_json_is_utf8_with_charset"]  # named by its requirement
    assert ("requirement", "HTTP-02") in charset
    assert any(n == "outcome" and v.startswith("HTTP-02: non-strict: ") for n, v in charset)
    # A SHOULD finding is a passing case that says so, never a skip (dashboards count skips as "not run").
    assert any(n == "finding" and v.startswith("HTTP-02 SHOULD not met: ") for n, v in charset)
    root = ElementTree.parse(junit).getroot()
    case = next(c for c in root.iter("testcase") if c.get("name") == "HTTP-02 test_json_is_utf8_with_charset")
    assert case.find("skipped") is None and case.find("failure") is None
    assert "SHOULD finding: HTTP-02" in case.find("system-out").text
    assert all(c.get("name").split(" ")[0].count("-") == 1 for c in root.iter("testcase"))


def test_the_console_script_names_its_junit_suite(tmp_path):
    """erpsync-conformance's JUnit suite is named after it, and its strict option makes the same
    finding a failure."""
    junit = tmp_path / "junit.xml"
    code = main(
        [
            "-k",
            "charset",
            "--no-reports",
            "--reference-fault",
            "charset-missing",
            "--strict-should",
            f"--junitxml={junit}",
            "-q",
            "-p",
            "no:randomly",
        ]
    )
    root = ElementTree.parse(junit).getroot()
    assert code == 1 and {s.get("name") for s in root.iter("testsuite")} == {"erpsync-conformance"}
    case = next(c for c in root.iter("testcase") if c.get("name") == "HTTP-02 test_json_is_utf8_with_charset")
    assert case.find("failure") is not None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _cli(*args: str, cwd) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "conformance", "-q", "--no-reports", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


# (description, target file text or None, arguments, exit code, one line expected in the output)
EXIT_CODES = [
    (
        "a conforming run",
        None,
        ["-k", "test_an_authorised_post"],
        0,
        "verdict: conforms on what was judged (exit 0): partial: 1 of 51 requirements selected",
    ),
    (
        "a MUST broken",
        None,
        ["-k", "test_an_authorised_post", "--reference-fault", "post-requires-content-type"],
        1,
        "verdict: does not conform (exit 1): partial: 1 of 51 requirements selected",
    ),
    (
        "a selection of nothing",
        None,
        ["-k", "no_such_test"],
        2,
        "erpsync-conformance: the selection (-k, -m, --requirement) runs no test of the suite: nothing was judged",
    ),
    (
        "a misspelt requirement",
        None,
        ["--requirement", "AUTH-3"],
        2,
        (
            "erpsync-conformance: --requirement 'AUTH-3' is no requirement of the catalogue; did you mean AUTH-03? "
            "(docs/requirements.md lists the 51)"
        ),
    ),
    (
        "an unreachable base URL",
        'name = "t"\nbase_url = "http://127.0.0.1:{port}/api/v1"\n[bearer]\ntoken = "env:T_TOKEN"\n',
        [],
        2,
        "erpsync-conformance: {file}: base_url http://127.0.0.1:{port}/api/v1 is unreachable (127.0.0.1:{port}: Connection refused)",
    ),
    ("a bad target file", 'name = "t"\n', [], 2, "erpsync-conformance: {file}: base_url: missing"),
    (
        "a bad number",
        None,
        ["--max-requests", "many"],
        2,
        "erpsync-conformance: --max-requests: 'many' is not a whole number",
    ),
    (
        "a budget of nothing",
        None,
        ["--max-requests", "0"],
        2,
        "erpsync-conformance: --max-requests: 0 is out of range: it must be at least 1",
    ),
    (
        "a rate of nothing",
        None,
        ["--rate", "0"],
        2,
        "erpsync-conformance: --rate: 0 is out of range: it must be more than 0",
    ),
    (
        "a bad environment number",
        None,
        ["ENV:ERPSYNC_MAX_REQUESTS=lots"],
        2,
        "erpsync-conformance: ERPSYNC_MAX_REQUESTS: 'lots' is not a whole number",
    ),
    (
        "a bad environment flag",
        None,
        ["ENV:ERPSYNC_STRICT=maybe"],
        2,
        "erpsync-conformance: ERPSYNC_STRICT='maybe': expected 1/true/yes/on or 0/false/no/off",
    ),
    ("an unknown option", None, ["--bogus-option"], 2, "erpsync-conformance: unrecognized arguments: --bogus-option"),
    (
        "a misspelt fault",
        None,
        ["--reference-fault", "select-ignord"],
        2,
        "erpsync-conformance: --reference-fault 'select-ignord' is not a fault of the reference server; did you mean "
        "'select-ignored'?",
    ),
    (
        "an unknown Hypothesis profile",
        None,
        ["--hypothesis-profile", "stagin"],
        2,
        "erpsync-conformance: --hypothesis-profile 'stagin' is not a Hypothesis profile of the suite",
    ),
    (
        "an unknown Hypothesis profile in the environment",
        None,
        ["ENV:HYPOTHESIS_PROFILE=stagin"],
        2,
        "erpsync-conformance: HYPOTHESIS_PROFILE='stagin' is not a Hypothesis profile of the suite",
    ),
    (
        "a bundled-server option with a target",
        'name = "t"\nbase_url = "http://127.0.0.1:{port}/api/v1"\n[bearer]\ntoken = "env:T_TOKEN"\n',
        ["--reference-fault", "slow"],
        2,
        "erpsync-conformance: --reference-fault is for the bundled reference server only; it cannot be combined with --target",
    ),
]


@pytest.mark.parametrize("text,args,code,line", [c[1:] for c in EXIT_CODES], ids=[c[0] for c in EXIT_CODES])
def test_exit_codes(tmp_path, monkeypatch, text, args, code, line):
    port = _free_port()
    monkeypatch.setenv("T_TOKEN", "canary-token-4711")
    for item in [a for a in args if a.startswith("ENV:")]:
        monkeypatch.setenv(*item[4:].split("=", 1))
    args = [a for a in args if not a.startswith("ENV:")]
    file = tmp_path / "target.toml"
    if text is not None:
        file.write_text(text.format(port=port))
        args = ["--target", str(file), *args]
    done = _cli(*args, cwd=tmp_path)
    output = done.stdout + done.stderr
    assert done.returncode == code, output
    assert line.format(port=port, file=file) in output
    assert "Traceback" not in output and "canary-token-4711" not in output
    if code == 2:  # one line, and nothing sent
        assert len([x for x in done.stderr.splitlines() if x.strip()]) == 1, done.stderr


def test_workers_that_saw_the_server_choose_differently_fail_what_rests_on_the_choice():
    """Under -n 2 each worker decides the open points from its own exchanges: a server that showed
    one choice to one and another to the other answered inconsistently, which fails every
    requirement resting on that setting, citing both."""

    def process(choice: str, curl: str) -> dict:
        return {
            "observations": {
                "select_case": {"choice": choice, "reason": f"answered {choice}", "evidence": [{"curl": curl}]}
            }
        }

    table, inconsistent = results.profile_table(
        {"select_case": "auto"}, [process("insensitive", "curl a"), process("exact", "curl b")]
    )
    assert inconsistent == ["select_case"] and table["select_case"]["inconsistent"] == ["exact", "insensitive"]
    found = results.inconsistency_outcomes(table, inconsistent)
    assert set(found) == {"SELECT-04"} and found["SELECT-04"][0]["status"] == "non-strict"
    assert "one way and then another" in found["SELECT-04"][0]["reason"]
    agreed, none = results.profile_table({}, [process("exact", "curl a"), process("exact", "curl b")])
    assert none == [] and agreed["select_case"]["observed"] == "exact" and agreed["select_case"]["declared"] == "auto"


def test_the_summary_file_gets_what_the_run_ended_with(tmp_path):
    """--summary-file (a CI job's summary page) is appended to on every exit: the run's summary.md,
    a configuration error's line, pytest's refusal of the command line."""
    page = tmp_path / "step-summary.md"
    page.write_text("earlier step\n")
    ok = subprocess.run(
        [
            sys.executable,
            "-m",
            "conformance",
            "-q",
            "-k",
            "test_an_authorised_post",
            "--reports-dir",
            "reports",
            "--summary-file",
            str(page),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert ok.returncode == 0, ok.stdout[-2000:]
    written = (tmp_path / "reports" / "latest" / "summary.md").read_text()
    command = json.loads((tmp_path / "reports" / "latest" / "results.json").read_text())["run"]["command"]
    assert command == (
        "erpsync-conformance -q -k test_an_authorised_post --reports-dir reports "
        f"--summary-file {shlex.quote(str(page))}"
    ), command  # as typed, for the report's first screen
    folder = (tmp_path / "reports" / "latest").resolve().relative_to(tmp_path)
    # The same summary, but a job page has no report.html beside it: its last line names the run folder.
    body, link = written.rstrip("\n").rsplit("\n", 1)
    assert link == "Full report: [report.html](report.html)", link
    assert page.read_text() == (
        f"earlier step\n{body}\nFull report: `report.html` in the run folder `{folder}` "
        "(on a CI job page: in the artifact that folder is uploaded as).\n"
    )
    assert _cli("--reference-fault", "nope", "--summary-file", str(page), cwd=tmp_path).returncode == 2
    assert _cli("--no-such-option", "--summary-file", str(page), cwd=tmp_path).returncode == 2
    text = page.read_text()
    assert text.count("### erpsync-conformance: configuration error") == 2
    assert "--reference-fault 'nope' is not a fault" in text and "unrecognized arguments: --no-such-option" in text


def test_no_reports_writes_nothing_in_the_working_directory(tmp_path):
    """--no-reports: no run folder, and no .hypothesis/ either (its storage goes to a temporary
    folder, removed at the end)."""
    done = _cli(
        "-k",
        "test_an_authorised_post or test_every_drawn_request_is_answered_as_the_contract_allows",
        "--hypothesis-profile",
        "dev",
        "--max-requests",
        "120",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stdout[-2000:]
    assert list(tmp_path.iterdir()) == []


def _old_runs(root, name: str, stamps: list[str]) -> list:
    folders = []
    for stamp in stamps:
        folder = root / f"{name}-{stamp}"
        folder.mkdir(parents=True)
        (folder / "results.json").write_text("{}")
        folders.append(folder)
    return folders


def test_prune_keeps_the_newest_runs_of_the_target_and_touches_nothing_else(tmp_path):
    older = _old_runs(
        tmp_path, "vendor-a", ["20261101T000000Z", "20261102T000000Z", "20261103T000000Z", "20261103T000000Z-2"]
    )
    other = _old_runs(tmp_path, "vendor-ab", ["20261001T000000Z"])  # another target whose name begins alike
    (tmp_path / "vendor-a-notes").mkdir()  # not a run folder's name
    (tmp_path / "vendor-a-20261001T000000Z").mkdir()  # no results.json: not the suite's
    (tmp_path / "latest").symlink_to(older[0].name)
    deleted = results.prune(tmp_path, "vendor-a", 2, older[3])
    assert sorted(deleted) == [older[1]]  # the newest two (-2 after its twin), and latest's, stay
    assert all(
        p.exists()
        for p in (
            older[0],
            older[2],
            older[3],
            *other,
            tmp_path / "vendor-a-notes",
            tmp_path / "vendor-a-20261001T000000Z",
        )
    )


def test_keep_prunes_the_targets_older_run_folders_after_a_run(tmp_path):
    older = _old_runs(tmp_path / "reports", "reference", ["20261101T000000Z", "20261102T000000Z"])
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "conformance",
            "-q",
            "-k",
            "test_an_authorised_post",
            "--reports-dir",
            str(tmp_path / "reports"),
            "--keep",
            "2",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-2000:]
    names = sorted(p.name for p in (tmp_path / "reports").iterdir())
    assert older[0].name not in names and older[1].name in names and len(names) == 3, names  # + latest
    assert "erpsync-conformance pruned:  1 older run folder(s) of the target (--keep 2)" in done.stdout
