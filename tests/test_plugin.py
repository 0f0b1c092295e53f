"""The pytest plugin: options and their environment fallbacks, dry run, markers, budget, bad targets."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.suite_runs import SUITE, run_suite

OPTIONS = [
    "--target",
    "--max-requests",
    "--rate",
    "--dry-run",
    "--slow-ms",
    "--results-json",
    "--reference-fault",
    "--reports-dir",
    "--no-reports",
    "--waivers",
]


def test_options_are_in_help(pytester):
    result = pytester.runpytest_inprocess("--help")
    text = result.stdout.str()
    for option in OPTIONS:
        assert option in text
    assert "ERPSYNC_STRICT" in text and "ERPSYNC_TARGET" in text


def test_report_header_names_the_target(pytester):
    result = pytester.runpytest_inprocess(SUITE + "/test_http.py", "-p", "no:cacheprovider", "-k", "nothing_else")
    assert "erpsync-conformance target: the bundled reference server" in result.stdout.str()


def test_dry_run_lists_the_requests_and_sends_none(pytester):
    """The count it states is a lower bound of what a real run of the same profile sends."""
    import re

    run = run_suite(pytester, "--dry-run", "--hypothesis-profile", "quick")
    assert run.ret == 0
    stated = re.search(r"at least (\d+) requests: the first request of each example test", run.output)
    assert stated and "draw up to 20 examples each (Hypothesis profile quick)" in run.output, run.output[-3000:]
    assert "curl -sS -i -X POST" in run.output
    planned = [line for line in run.output.splitlines() if line.startswith("POST ")]
    # One readable line per request: cut where a curl line runs to kilobytes, labelled in words
    # rather than as Python data.
    assert planned and all(len(line) <= 460 for line in planned), max(planned, key=len)[:600]
    assert any(line.endswith("more characters)") for line in planned)  # the 300-name $select
    assert not any("{'" in line or "None" in line for line in planned), [p for p in planned if "{'" in p]
    assert run.results["requests"] == 0
    statuses = {rid: o["status"] for rid, o in run.results["requirements"].items()}
    assert set(statuses.values()) <= {"untested", "not-applicable"}
    assert {rid for rid, s in statuses.items() if s == "not-applicable"} <= {"AUTH-12"}  # by the target alone
    real = run_suite(pytester, "--hypothesis-profile", "quick")
    assert real.results["requests"] >= int(stated.group(1)), (real.results["requests"], stated.group(0))


def test_dry_run_leaves_latest_where_it_was_and_writes_no_run_folder(pytester):
    import os

    reports = pytester.path / "reports"
    (reports / "earlier-run").mkdir(parents=True)
    os.symlink("earlier-run", reports / "latest")
    from tests.suite_runs import SUITE

    assert (
        pytester.runpytest_inprocess(
            SUITE, "-q", "--dry-run", "-p", "no:cacheprovider", "--reports-dir", str(reports)
        ).ret
        == 0
    )
    assert os.readlink(reports / "latest") == "earlier-run"
    assert sorted(p.name for p in reports.iterdir()) == ["earlier-run", "latest"]  # a dry run writes no folder


def test_dry_run_from_the_environment(pytester, monkeypatch):
    monkeypatch.setenv("ERPSYNC_DRY_RUN", "1")
    assert run_suite(pytester).results["requests"] == 0


def judged_in(run) -> set[str]:
    return {rid for rid, o in run.results["requirements"].items() if o["reason"] != "not run in this session"}


@pytest.mark.parametrize("area", ["auth", "accept", "select", "language"])
def test_an_area_selected_judges_that_area_only_and_passes(pytester, area):
    """The generated tests carry markers of many areas (schemathesis judges SCHEMA, HTTP, ...): a
    requirement whose own tests were deselected is not judged, so `-m auth` is no "incomplete"."""
    run = run_suite(pytester, "-m", area, "--hypothesis-profile", "quick")
    assert run.ret == 0 and run.results["doc"]["verdict"]["status"] == "conforms", run.output
    prefix = {"language": "LANG"}.get(area, area.upper())
    assert judged_in(run) and all(rid.startswith(prefix) for rid in judged_in(run)), judged_in(run)


def test_markers_select_by_area_and_level(pytester):
    run = run_suite(pytester, "-m", "select and not accept")
    judged = judged_in(run)
    assert {f"SELECT-0{i}" for i in range(1, 10)} <= judged
    assert all(r.startswith("SELECT") for r in judged), judged
    must = run_suite(pytester, "-m", "must and auth")
    judged = {rid for rid, o in must.results["requirements"].items() if o["reason"] != "not run in this session"}
    assert "AUTH-03" not in judged and "AUTH-01" in judged


def test_budget_exhaustion_leaves_the_rest_untested_not_failed(pytester):
    """Nothing fails, but an untested MUST is no pass: the verdict is incomplete, exit 1."""
    run = run_suite(pytester, "--max-requests", "12")
    assert run.ret == 1 and run.results["doc"]["verdict"]["status"] == "incomplete"
    assert run.results["requests"] == 12
    statuses = [o["status"] for o in run.results["requirements"].values()]
    assert "fail" not in statuses and "untested" in statuses
    assert any("budget exhausted" in o["reason"] for o in run.results["requirements"].values())


def test_budget_from_the_environment(pytester, monkeypatch):
    monkeypatch.setenv("ERPSYNC_MAX_REQUESTS", "5")
    assert run_suite(pytester).results["requests"] == 5


@pytest.fixture
def target_file(pytester, tmp_path):
    def write(text: str):
        path = tmp_path / "target.toml"
        path.write_text(text)
        return path

    return write


def test_a_missing_secret_is_a_usage_error_naming_the_variable(pytester, target_file, monkeypatch):
    monkeypatch.delenv("ERPSYNC_TEST_TICKET", raising=False)
    path = target_file(
        'name = "t"\nbase_url = "http://127.0.0.1:9/api/v1"\n[soticket]\nticket = "env:ERPSYNC_TEST_TICKET"\n'
    )
    result = pytester.runpytest_subprocess(SUITE, "-q", "-p", "no:cacheprovider", "--target", str(path))
    assert result.ret == 2
    text = result.stdout.str() + result.stderr.str()
    assert f"{path}: soticket.ticket: the environment variable ERPSYNC_TEST_TICKET is not set" in text
    assert "Traceback" not in text


def test_a_target_file_from_the_environment(pytester, target_file, monkeypatch):
    path = target_file('name = "t"\nbase_url = "ftp://example/api/v1"\n[bearer]\ntoken = "env:X"\n')
    monkeypatch.setenv("ERPSYNC_TARGET", str(path))
    result = pytester.runpytest_subprocess(SUITE, "-q", "-p", "no:cacheprovider")
    assert result.ret == 2
    assert "base_url: expected an http(s) URL ending in /api/v1" in result.stdout.str() + result.stderr.str()


def test_a_real_target_file_runs_against_a_server(pytester, target_file, serve, monkeypatch, tmp_path):
    """A target file pointing at a running reference server: the same verdict as the bundled run."""
    with serve() as server:
        c = server.config.credentials
        for name, value in {"T_PASS": c.basic_password, "T_TICKET": c.ticket, "T_APP": c.app_token_granted}.items():
            monkeypatch.setenv(name, value)
        path = target_file(
            f'name = "ref-file"\nbase_url = "{server.base_url}"\n'
            '[basic]\nuser = "tje0"\npassword = "env:T_PASS"\n'
            '[soticket]\nticket = "env:T_TICKET"\n[apptoken]\ngranted = "env:T_APP"\n'
        )
        quick = ("--hypothesis-profile", "quick")  # the target file and the waivers are under test, not the properties
        run = run_suite(pytester, "--target", str(path), *quick, quiet=False)
        (tmp_path / "waivers.toml").write_text(
            '[[waiver]]\nrequirement = "AUTH-09"\nreason = "no restricted app token issued"\nexpires = 2999-12-31\n'
        )
        path.write_text(path.read_text().replace("[basic]", 'waivers = "waivers.toml"\n[basic]'))
        waived = run_suite(pytester, "--target", str(path), *quick)
    # Nothing failed, but a MUST could not be tested: incomplete, exit 1. The schemes the target does
    # not declare are not offered by the installation: not applicable, not untested.
    assert run.ret == 1 and not run.red, run.output
    assert run.results["doc"]["verdict"]["status"] == "incomplete"
    assert run.status("AUTH-04") == "not-applicable" and "no [bearer]" in run.reason("AUTH-04")
    assert run.status("AUTH-07") == "not-applicable"
    assert run.status("AUTH-09") == "untested" and "restricted" in run.reason("AUTH-09")
    assert "erpsync-conformance target: ref-file" in run.output
    assert c.ticket not in run.output and c.basic_password not in run.output
    assert {r.split(" ")[0] for r in run.results["doc"]["verdict"]["reasons"]} == {"AUTH-09"}
    # The team accepts it in the target's waiver file: waived (not passed), exit 0.
    assert waived.ret == 0, waived.output
    assert (
        waived.status("AUTH-09") == "waived"
        and waived.results["requirements"]["AUTH-09"]["waived_outcome"] == "untested"
    )
    assert waived.results["requirements"]["AUTH-09"]["waiver"]["reason"] == "no restricted app token issued"
    assert waived.results["doc"]["verdict"]["status"] == "conforms"


@pytest.mark.parametrize("args", [["--help-pytest"], ["--help"], ["--version"], ["--dry-run", "--no-reports"]])
def test_output_to_a_reader_that_went_away_is_no_traceback(args):
    """`erpsync-conformance ... | head -1` where the reader is gone before the output is written (a
    pipe whose reading end is closed: every write fails, whatever the machine's speed; a reader
    that reads a line first would race the writer for the pipe's 64 KiB buffer)."""
    read, write = os.pipe()
    os.close(read)
    try:
        with subprocess.Popen(
            [sys.executable, "-m", "conformance", *args], stdout=write, stderr=subprocess.PIPE
        ) as child:
            os.close(write)
            write = None
            stderr = child.stderr.read().decode()
            code = child.wait(timeout=120)
    finally:
        if write is not None:
            os.close(write)
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr, stderr
    assert code == 2


def test_the_run_header_says_budget_rate_and_profile(pytester):
    run = run_suite(
        pytester,
        "--hypothesis-profile",
        "quick",
        "--max-requests",
        "60",
        "--rate",
        "50",
        "-k",
        "test_an_authorised_post",
        quiet=False,
    )
    assert (
        "budget: 60 requests, at most 50 per second; Hypothesis profile quick (20 examples, derandomized)" in run.output
    ), run.output[:2000]


ANOTHER_PROJECT = """
from hypothesis import given, settings, strategies as st

settings.register_profile("theirs", max_examples=7)
settings.load_profile("theirs")
"""
THEIR_TESTS = """
import pytest
from hypothesis import given, settings, strategies as st


@pytest.fixture
def judge():
    return "their own fixture"


def test_their_profile_holds():
    assert settings().max_examples == 7


def test_their_fixture_named_judge(judge):
    assert judge == "their own fixture"


@given(st.integers())
def test_a_property(n):
    pass
"""


def test_another_project_in_the_same_environment_is_left_as_it_was(pytester, monkeypatch):
    """Installed beside another project, the plugin does nothing there (a pytest plugin does
    nothing unless asked): its own Hypothesis profile, its own fixture called `judge`, no reports/
    folder, no header line, no verdict; the suite's options are still listed in --help."""
    for name in [n for n in os.environ if n.startswith("ERPSYNC_") or n in ("HYPOTHESIS_PROFILE", "CI")]:
        monkeypatch.delenv(name)
    pytester.makeconftest(ANOTHER_PROJECT)
    pytester.makepyfile(test_theirs=THEIR_TESTS)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    assert result.ret == 0, result.stdout.str()
    result.assert_outcomes(passed=3)
    text = "\n".join(
        line for line in result.outlines + result.errlines if not line.startswith("plugins: ")
    )  # pytest's own list of what is installed
    assert "erpsync" not in text.lower(), text
    assert not (pytester.path / "reports").exists()
    assert "--target" in pytester.runpytest_subprocess("--help").stdout.str()


def test_a_suite_option_or_variable_asks_for_the_plugin(pytester, monkeypatch):
    """Asked by an option (or its ERPSYNC_ variable), the plugin acts even on tests outside the
    suite: here, the header names the target."""
    pytester.makepyfile(test_theirs="def test_x():\n    pass\n")
    monkeypatch.delenv("ERPSYNC_TARGET", raising=False)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--no-reports")
    assert "erpsync-conformance target" in result.stdout.str()


def test_the_suite_is_asked_for_by_the_paths_that_collect_it(monkeypatch, tmp_path):
    """A checkout's root (`pytest .`) collects the suite: asked, so no suite test passes unjudged;
    a project whose virtualenv holds the installed suite is not asking for it."""
    from pathlib import Path
    from types import SimpleNamespace

    import conformance.suite
    from conformance.plugin import options

    for option in options.OPTIONS:
        if option.env:
            monkeypatch.delenv(option.env, raising=False)
    root = Path(conformance.suite.__file__).resolve().parent.parent.parent

    def config(args, here):
        values = SimpleNamespace(**{o.dest: None for o in options.OPTIONS}, pyargs=False)
        return SimpleNamespace(option=values, args=args, invocation_params=SimpleNamespace(dir=here))

    assert options.asked(config(["."], root))
    assert options.asked(config(["conformance/suite/test_http.py::test_x"], root))
    assert not options.asked(config(["tests"], root))
    project = tmp_path / "project"
    installed = project / ".venv/lib/python3.11/site-packages/conformance/suite/__init__.py"
    monkeypatch.setattr(conformance.suite, "__file__", str(installed))
    assert not options.asked(config(["."], project))


def test_the_sample_credentials_are_published_in_a_target_file_too(pytester, reference, monkeypatch, tmp_path):
    """targets/reference.toml sends the bundled server's sample credentials, published in this
    repository: its outputs search them whole only, as the bundled run's do, so a word sharing a
    piece with one ("reference" and REF_BEARER's sample token) is left as written, in the header
    and in the run folder's name."""
    from pathlib import Path

    from conformance.reference.config import Credentials

    c = Credentials()
    for name, value in {"REF_PASSWORD": c.basic_password, "REF_TICKET": c.ticket, "REF_BEARER": c.bearer,
                        "REF_SESSION": c.session_id, "REF_XSRF": c.xsrf_token, "REF_APP": c.app_token_granted,
                        "REF_APP_RESTRICTED": c.app_token_restricted}.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    sample = (Path(__file__).parent.parent / "targets" / "reference.toml").read_text("utf-8")
    path = tmp_path / "reference.toml"
    path.write_text(sample.replace("http://127.0.0.1:8080/api/v1", reference.base_url), "utf-8")
    run = run_suite(pytester, "--target", str(path), "--dry-run", "-k", "test_an_authorised_post", quiet=False)
    assert f"erpsync-conformance target: reference ({path})" in run.output, run.output
    assert "[part of" not in run.output, run.output
