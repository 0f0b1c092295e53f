"""The preflight (conformance.run.preflight): what is the user's to fix is said in one line with exit 2
before the tests run, not blamed on the server. A refused secret names its scheme and variable; a
TLS mismatch, an untrusted certificate, a certificate for another name, an http:// URL redirected
to https, and a wrong port each name what is wrong; the dry run checks TCP and TLS and sends
nothing; a run that goes on records the preflight and keeps it within the budget."""

from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest
from werkzeug.wrappers import Response

from conformance.run import preflight
from conformance.wire.target import from_mapping
from tests.hostile.altered import (
    Altered,
    redirected,
    serving,
    throttled_first,
    unaltered,
)
from tests.hostile.targets import SECRETS, write_target
from tests.hostile.tls import self_signed, server_context
from tests.suite_runs import SUITE, run_suite

QUICK = ("--hypothesis-profile", "quick")


@contextmanager
def served(alter=unaltered, ssl_context=None) -> Iterator[tuple[str, Altered]]:
    app = Altered(alter)
    with serving(app, ssl_context) as base_url:
        yield base_url, app


def run(pytester, monkeypatch, tmp_path: Path, base_url: str, *args: str, **env: str):
    for name, value in {**SECRETS, **env}.items():
        monkeypatch.setenv(name, value)
    target = write_target(tmp_path, base_url)
    return run_suite(pytester, "--target", str(target), *QUICK, *args)


def the_line(output: str) -> str:
    lines = [line for line in output.splitlines() if line.startswith("erpsync-conformance: ")]
    assert lines, output
    return lines[-1]


def test_a_refused_ticket_is_exit_2_naming_the_scheme_and_its_variable(pytester, monkeypatch, tmp_path):
    with served() as (base_url, app):
        result = run(pytester, monkeypatch, tmp_path, base_url, HOSTILE_TICKET="7T:not-the-ticket")
    assert result.ret == 2, result.output
    line = the_line(result.output)
    assert "SOTicket was refused (401): check HOSTILE_TICKET; if it is valid, the server fails AUTH-02" in line
    assert "Basic" not in line and "Bearer" not in line  # the schemes that were accepted are not blamed
    assert len(app.seen) == 4, "one request per declared scheme, and nothing after the refusal"
    assert "7T:not-the-ticket" not in result.output
    doc = result.results["doc"]  # results.json records it: no verdict on the server, what was asked
    assert doc is not None, result.output
    assert doc["verdict"]["status"] == "configuration error" and doc["verdict"]["exit_code"] == 2
    assert doc["verdict"]["reasons"] == [line.removeprefix("erpsync-conformance: ")]
    assert "verdict: none" in doc["verdict"]["headline"]
    assert {e["scheme"]: e["outcome"] for e in doc["run"]["preflight"]}["soticket"] == "refused"
    assert {e["outcome"] for e in doc["requirements"]} <= {"untested", "not-applicable"}
    assert doc["run"]["requests"] == len(app.seen) and "7T:not-the-ticket" not in json.dumps(doc)


def test_a_refused_secret_is_recorded_in_the_run_folder_but_not_as_latest(pytester, monkeypatch, tmp_path):
    summary = tmp_path / "summary.md"
    reports = tmp_path / "reports"
    with served() as (base_url, _):
        for name, value in {**SECRETS, "HOSTILE_TICKET": "7T:not-the-ticket"}.items():
            monkeypatch.setenv(name, value)
        outcome = pytester.runpytest_inprocess(
            SUITE,
            "-q",
            "-p",
            "no:cacheprovider",
            "--target",
            str(write_target(tmp_path, base_url)),
            *QUICK,
            "--reports-dir",
            str(reports),
            "--summary-file",
            str(summary),
        )
    assert outcome.ret == 2
    folders = [f for f in reports.iterdir() if f.is_dir() and not f.is_symlink()]
    assert len(folders) == 1 and not (reports / "latest").exists()  # latest names a run that ended
    doc = json.loads((folders[0] / "results.json").read_text())
    assert doc["verdict"]["status"] == "configuration error"
    assert (folders[0] / "report.html").exists()
    text = summary.read_text()
    assert "configuration error" in text and "SOTicket was refused (401)" in text
    # On a job page a relative link leads nowhere: the job summary names the run folder instead.
    assert "](report.html)" not in text and f"`report.html` in the run folder `{folders[0]}` (on a CI job page" in text
    assert "[report.html](report.html)" in (folders[0] / "summary.md").read_text()
    assert "7T:not-the-ticket" not in text + (folders[0] / "report.html").read_text()


def test_a_refused_password_names_both_schemes_refused(pytester, monkeypatch, tmp_path):
    with served() as (base_url, _):
        result = run(pytester, monkeypatch, tmp_path, base_url, HOSTILE_PASSWORD="wrong", HOSTILE_BEARER="8A:wrong")
    line = the_line(result.output)
    assert result.ret == 2
    assert "Basic was refused (401): check HOSTILE_PASSWORD" in line and "AUTH-01" in line
    assert "Bearer was refused (401): check HOSTILE_BEARER" in line and "AUTH-04" in line


def null_for_soticket(server: Altered, request) -> Response:
    if request.headers.get("Authorization", "").startswith("SOTicket"):
        return Response("null", status=200, content_type="application/json")
    return server.answer(request)


def test_a_null_body_is_a_refusal_too(pytester, monkeypatch, tmp_path):
    with served(null_for_soticket) as (base_url, _):
        result = run(pytester, monkeypatch, tmp_path, base_url)
    assert result.ret == 2
    assert "SOTicket was refused (200 with a null body): check HOSTILE_TICKET" in the_line(result.output)


def test_https_at_a_plain_http_port_is_exit_2_before_any_request(pytester, monkeypatch, tmp_path):
    with served() as (base_url, app):
        result = run(pytester, monkeypatch, tmp_path, base_url.replace("http://", "https://"))
    assert result.ret == 2
    assert "does not speak TLS" in the_line(result.output) and "http:// base_url" in the_line(result.output)
    assert app.seen == []


def test_an_untrusted_certificate_is_exit_2_naming_ca_bundle(pytester, monkeypatch, tmp_path):
    certificate, key = self_signed(tmp_path)
    with served(ssl_context=server_context(certificate, key)) as (base_url, app):
        result = run(pytester, monkeypatch, tmp_path, base_url)
        dry = run(pytester, monkeypatch, tmp_path, base_url, "--dry-run")
    for attempt in (result, dry):
        assert attempt.ret == 2
        assert "certificate is not trusted" in the_line(attempt.output)
        assert "limits.ca_bundle" in the_line(attempt.output)
    assert app.seen == []


def test_a_certificate_for_another_name_is_exit_2_naming_the_host(tmp_path):
    certificate, key = self_signed(tmp_path)  # for 127.0.0.1 only
    with served(ssl_context=server_context(certificate, key)) as (base_url, app):
        target = from_mapping(
            {
                "name": "t",
                "base_url": base_url.replace("127.0.0.1", "localhost"),
                "bearer": {"token": "env:B"},
                "limits": {"ca_bundle": str(certificate)},
            },
            {"B": "8A:x"},
            source="t.toml",
        )
        problem = preflight.unreachable(target)
    assert problem is not None and "is not for localhost" in problem, problem
    assert app.seen == []


def test_an_http_url_redirected_to_https_is_exit_2_after_one_request(pytester, monkeypatch, tmp_path):
    elsewhere = redirected(lambda request: "https://127.0.0.1:1" + request.full_path)
    with served(elsewhere) as (base_url, app):
        result = run(pytester, monkeypatch, tmp_path, base_url)
    line = the_line(result.output)
    assert result.ret == 2
    assert "is answered by a redirect to https (307, Location: https://127.0.0.1:1/api/v1/" in line
    assert "use the https:// URL as base_url" in line
    assert len(app.seen) == 1, "nothing more is sent in clear text once the redirect is seen"


def test_the_dry_run_checks_the_connection(pytester, monkeypatch, tmp_path):
    with served() as (base_url, _):
        pass  # the port is closed again
    result = run(pytester, monkeypatch, tmp_path, base_url, "--dry-run")
    assert result.ret == 2
    assert "is unreachable" in the_line(result.output) and "Connection refused" in the_line(result.output)


def test_the_dry_run_sends_nothing(pytester, monkeypatch, tmp_path):
    with served() as (base_url, app):
        result = run(pytester, monkeypatch, tmp_path, base_url, "--dry-run", "-k", "AUTH-01")
    assert result.ret == 0, result.output
    assert app.seen == []


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["serial", "two workers"])
def test_a_run_that_goes_on_records_the_preflight_within_its_budget(pytester, monkeypatch, tmp_path, workers):
    with served() as (base_url, app):
        result = run(pytester, monkeypatch, tmp_path, base_url, "--max-requests", "40", "-m", "auth", *workers)
    doc = result.results["doc"]
    assert doc is not None, result.output
    entries = doc["run"]["preflight"]
    assert [(e["scheme"], e["status"], e["outcome"]) for e in entries] == [
        ("basic", 200, "accepted"),
        ("soticket", 200, "accepted"),
        ("bearer", 200, "accepted"),
        ("session", 200, "accepted"),
    ]
    assert doc["run"]["requests"] == len(app.seen) <= 40, (doc["run"]["requests"], len(app.seen))
    assert doc["run"]["budget"] == 40


def test_a_preflight_without_an_answer_stops_asking_and_leaves_it_to_the_run():
    class Silent:
        budget = type("Budget", (), {"used": 1})()

        def send(self, label, **_):
            from conformance.wire.exchange import Exchange, SentRequest

            return Exchange(label, SentRequest("POST", "u", ()), None, "the target reset the connection")

    target = from_mapping(
        json.loads(
            json.dumps(
                {
                    "name": "t",
                    "base_url": "http://127.0.0.1:9/api/v1",
                    "soticket": {"ticket": "env:T"},
                    "bearer": {"token": "env:B"},
                }
            )
        ),
        {"T": "7T:x", "B": "8A:x"},
        source="t.toml",
    )
    found = preflight.credentials(target, Silent())
    assert found.problem is None and found.spent == 1
    assert found.entries == [
        {"scheme": "soticket", "label": "preflight: soticket", "status": None, "outcome": "no answer"}
    ]


def test_a_retried_preflight_request_is_charged_in_full(pytester, monkeypatch, tmp_path):
    # the first preflight request is answered 429 with Retry-After: 1 and asked again: two of the budget
    with served(throttled_first("1")) as (base_url, app):
        result = run(pytester, monkeypatch, tmp_path, base_url, "--max-requests", "30", "-m", "auth")
    doc = result.results["doc"]
    assert doc is not None, result.output
    assert doc["run"]["requests"] == len(app.seen) == 30, (doc["run"]["requests"], len(app.seen))  # all, no more
    assert doc["run"]["budget"] == 30 and doc["run"]["preflight"][0]["status"] == 200


def test_a_configuration_error_is_said_once(pytester, monkeypatch, tmp_path):
    """One line, not pytest's repeat of it at the end (`! _pytest.outcomes.Exit: ... !`)."""
    with served() as (base_url, _):
        result = run(pytester, monkeypatch, tmp_path, base_url, HOSTILE_TICKET="7T:not-the-ticket")
    said = [line for line in result.output.splitlines() if "SOTicket was refused" in line]
    assert len(said) == 1, result.output


def test_the_configuration_error_survives_pickling():
    """Its class is renamed for pytest's line (`erpsync-conformance: ...`), which is no importable
    name: pickling (a worker's error sent to its controller) rebuilds it by a function."""
    import pickle

    from conformance.plugin.session import Stop

    again = pickle.loads(pickle.dumps(Stop("target.toml: base_url: missing", 2)))
    assert isinstance(again, Stop) and (again.msg, again.returncode) == ("target.toml: base_url: missing", 2)
