"""The gate: waiver files, waivers applied to outcomes, and the verdict (pure functions), then the
same at the level of a whole suite run with its exit code."""

from __future__ import annotations

import datetime as dt

import pytest

from conformance.verdict import gate, waivers
from conformance.verdict.results import entries
from tests.suite_runs import SUITE, run_suite

TODAY = dt.date(2026, 11, 28)

# (description, waiver file text, the one-line message expected after the file name)
BAD_WAIVER_FILES = [
    ("not TOML", "[[waiver]\n", "not valid TOML"),
    ("nested 5000 deep", "x = " + "[" * 5000 + "]" * 5000 + "\n", "nests its arrays or tables too deeply to read"),
    ("unknown top-level key", "waivers = 1\n", "waivers: unknown key; expected [[waiver]] tables only"),
    (
        "unknown entry key",
        '[[waiver]]\nrequirement = "AUTH-10"\nreason = "r"\nticket = "X"\n',
        "waiver 1: ticket: unknown key; expected one of requirement, reason, expires",
    ),
    ("no requirement", '[[waiver]]\nreason = "r"\n', "waiver 1: requirement: missing"),
    (
        "unknown requirement",
        '[[waiver]]\nrequirement = "AUTH-99"\nreason = "r"\n',
        "waiver 1: requirement: 'AUTH-99' is not in the catalogue",
    ),
    (
        "no reason",
        '[[waiver]]\nrequirement = "AUTH-10"\n',
        "waiver 1 (AUTH-10): reason: missing; every waiver says why",
    ),
    (
        "bad date",
        '[[waiver]]\nrequirement = "AUTH-10"\nreason = "r"\nexpires = "next year"\n',
        "waiver 1 (AUTH-10): expires: expected a date YYYY-MM-DD, got 'next year'",
    ),
    (
        "twice",
        '[[waiver]]\nrequirement = "AUTH-10"\nreason = "r"\n[[waiver]]\nrequirement = "AUTH-10"\nreason = "s"\n',
        "waiver 2: AUTH-10 is waived twice",
    ),
]


@pytest.mark.parametrize("text,message", [c[1:] for c in BAD_WAIVER_FILES], ids=[c[0] for c in BAD_WAIVER_FILES])
def test_a_bad_waiver_file_is_named_in_one_line(tmp_path, text, message):
    path = tmp_path / "waivers.toml"
    path.write_text(text)
    with pytest.raises(waivers.WaiverError) as problem:
        waivers.load(path)
    assert str(problem.value).startswith(f"{path}: ") and message in str(problem.value)
    assert "\n" not in str(problem.value)


def test_a_waiver_file_reads_dates_either_way(tmp_path):
    path = tmp_path / "w.toml"
    path.write_text(
        '[[waiver]]\nrequirement = "AUTH-10"\nreason = " proxy "\nexpires = 2027-01-31\n'
        '[[waiver]]\nrequirement = "SELECT-04"\nreason = "r"\nexpires = "2027-02-01"\n'
        '[[waiver]]\nrequirement = "HTTP-02"\nreason = "r"\n'
    )
    loaded = waivers.load(path)
    assert loaded["AUTH-10"].expires == dt.date(2027, 1, 31) and loaded["AUTH-10"].reason == "proxy"
    assert loaded["SELECT-04"].expires == dt.date(2027, 2, 1) and loaded["HTTP-02"].expires is None


def _entries(**outcomes: str) -> list[dict]:
    """Catalogue entries with the given outcomes (IDs with _ for -); every other one passes."""
    recorded = {r["id"]: [{"status": "pass", "reason": "ok", "test": "t", "order": 0}] for r in entries({})}
    for key, status in outcomes.items():
        recorded[key.replace("_", "-")] = (
            []
            if status == "not run"
            else [
                {
                    "status": "fail" if status == "waived" else status,
                    "reason": f"{status} here",
                    "test": "t",
                    "order": 0,
                }
            ]
        )
    rows = entries(recorded)
    for row in rows:
        if outcomes.get(row["id"].replace("-", "_")) == "waived":
            row.update(outcome="waived", waived_outcome="fail")
    return rows


def _waiver(rid: str, expires: dt.date | None = None) -> dict[str, waivers.Waiver]:
    return {rid: waivers.Waiver(rid, "accepted", expires, "w.toml")}


# (description, outcome of the waived requirement, expiry, outcome after, problem fragment or None)
WAIVER_CASES = [
    ("a failure is waived", "fail", None, "waived", None),
    ("a SHOULD failure is waived", "non-strict", None, "waived", None),
    ("an untested requirement is waived", "untested", None, "waived", None),
    ("an unexpired waiver applies", "fail", TODAY, "waived", None),
    ("an expired waiver fails the gate", "fail", TODAY - dt.timedelta(days=1), "fail", "expired on 2026-11-27"),
    ("a waiver of a passing requirement is stale", "pass", None, "pass", "is stale: AUTH-06 now passes"),
    ("a waiver of an informational finding matches nothing", "informational", None, "informational", "matches nothing"),
    (
        "a waiver of a not-applicable requirement does not apply",
        "not-applicable",
        None,
        "not-applicable",
        "does not apply",
    ),
    (
        "an expired waiver of a not-applicable requirement does not apply either",
        "not-applicable",
        TODAY - dt.timedelta(days=1),
        "not-applicable",
        "does not apply (and expired on 2026-11-27)",
    ),
    ("a waiver of a requirement not run is neither applied nor judged", "not run", None, "untested", None),
]


@pytest.mark.parametrize(
    "before,expires,after,problem", [c[1:] for c in WAIVER_CASES], ids=[c[0] for c in WAIVER_CASES]
)
def test_waivers_apply_or_fail_the_gate(before, expires, after, problem):
    rows = _entries(AUTH_06=before)
    problems = gate.apply_waivers(rows, _waiver("AUTH-06", expires), TODAY)
    row = next(r for r in rows if r["id"] == "AUTH-06")
    assert row["outcome"] == after
    if after == "waived":
        assert row["waived_outcome"] == before and row["waiver"]["reason"] == "accepted"
    if problem is None:
        assert problems == []
    else:
        assert len(problems) == 1 and problem in problems[0]["problem"] and "w.toml" in problems[0]["problem"]


# (description, outcomes, strict, expected status, exit code)
VERDICTS = [
    ("every MUST passes", {}, False, "conforms", 0),
    ("a MUST fails", {"AUTH_06": "fail"}, False, "does not conform", 1),
    ("a SHOULD fails, not strict", {"AUTH_10": "non-strict"}, False, "conforms", 0),
    ("a SHOULD fails, strict", {"AUTH_10": "non-strict"}, True, "does not conform", 1),
    ("a MUST is untested", {"AUTH_04": "untested"}, False, "incomplete", 1),
    ("a SHOULD is untested", {"AUTH_10": "untested"}, True, "conforms", 0),
    ("a MUST not applicable", {"SELECT_06": "not-applicable"}, False, "conforms", 0),
    ("a MUST not run in this session", {"AUTH_04": "not run"}, False, "conforms", 0),
    ("a waived MUST", {"AUTH_06": "waived"}, True, "conforms", 0),
]


@pytest.mark.parametrize("outcomes,strict,status,code", [c[1:] for c in VERDICTS], ids=[c[0] for c in VERDICTS])
def test_the_verdict(outcomes, strict, status, code):
    verdict = gate.verdict(_entries(**outcomes), [], strict=strict, dry_run=False)
    assert (verdict["status"], verdict["exit_code"]) == (status, code)
    assert verdict["counts"]["pass"] >= 40


def test_a_rotten_waiver_alone_fails_the_gate():
    verdict = gate.verdict(_entries(), [{"requirement": "AUTH-06", "problem": "stale"}], strict=False, dry_run=False)
    assert verdict == {**verdict, "status": "waivers out of date", "exit_code": 1, "reasons": ["stale"]}


def test_a_dry_run_has_no_verdict_to_fail():
    assert gate.verdict(_entries(AUTH_06="untested"), [], strict=True, dry_run=True)["exit_code"] == 0


# --- the same, through a whole suite run -----------------------------------------------------------

AUTH = SUITE + "/test_auth.py"


def _waivers(tmp_path, text: str) -> str:
    path = tmp_path / "waivers.toml"
    path.write_text(text)
    return str(path)


def test_a_waived_failure_is_reported_waived_and_passes_the_gate(pytester, tmp_path):
    path = _waivers(tmp_path, '[[waiver]]\nrequirement = "AUTH-06"\nreason = "known: OPS-1"\nexpires = 2999-01-01\n')
    run = run_suite(pytester, "--reference-fault", "auth-basic-any-password", "--waivers", path, suite=AUTH)
    assert run.ret == 0, run.output
    assert run.status("AUTH-06") == "waived" and run.results["requirements"]["AUTH-06"]["waived_outcome"] == "fail"
    assert "waived: AUTH-06 fail: known: OPS-1" in run.output  # the test is xfailed, not passed


def test_a_stale_or_expired_waiver_fails_the_gate_with_a_message(pytester, tmp_path):
    stale = run_suite(
        pytester, "--waivers", _waivers(tmp_path, '[[waiver]]\nrequirement = "AUTH-06"\nreason = "r"\n'), suite=AUTH
    )
    assert stale.ret == 1 and "AUTH-06 now passes; remove the waiver" in stale.output
    assert stale.results["doc"]["verdict"]["status"] == "waivers out of date"
    expired = run_suite(
        pytester,
        "--reference-fault",
        "auth-basic-any-password",
        "--waivers",
        _waivers(tmp_path, '[[waiver]]\nrequirement = "AUTH-06"\nreason = "r"\nexpires = 2020-01-01\n'),
        suite=AUTH,
    )
    assert expired.ret == 1 and expired.status("AUTH-06") == "fail"
    assert "expired on 2020-01-01" in expired.output


def test_a_bad_waiver_file_is_a_usage_error(pytester, tmp_path):
    path = _waivers(tmp_path, '[[waiver]]\nrequirement = "AUTH-99"\nreason = "r"\n')
    result = pytester.runpytest_subprocess(AUTH, "-q", "-p", "no:cacheprovider", "--no-reports", "--waivers", path)
    assert result.ret == 2
    text = result.stdout.str() + result.stderr.str()
    assert f"erpsync-conformance: {path}: waiver 1: requirement: 'AUTH-99' is not in the catalogue" in text
    assert "Traceback" not in text


def test_a_waiver_on_a_not_applicable_requirement_is_a_note_not_a_gate_failure():
    """The on-site sample waives AUTH-09 and LANG-08 (app tokens, an Online feature): there they
    come out not-applicable, which needs no waiver. Said, and the verdict stays the server's."""
    rows = _entries(AUTH_06="not-applicable")
    problems = gate.apply_waivers(rows, _waiver("AUTH-06", None), TODAY)
    assert [p["blocking"] for p in problems] == [False] and "does not apply" in problems[0]["problem"]
    found = gate.verdict(rows, problems, strict=False, dry_run=False)
    assert found["status"] == "conforms" and found["exit_code"] == 0, found
    lapsed = gate.apply_waivers(rows, _waiver("AUTH-06", TODAY - dt.timedelta(days=30)), TODAY)
    assert gate.verdict(rows, lapsed, strict=False, dry_run=False)["exit_code"] == 0, lapsed
    stale = gate.apply_waivers(_entries(AUTH_06="pass"), _waiver("AUTH-06", None), TODAY)
    assert gate.verdict(_entries(AUTH_06="pass"), stale, strict=False, dry_run=False)["status"] == "waivers out of date"
