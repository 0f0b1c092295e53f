"""What the suite does at its edges (issue 12): it judges what the server sent and redacts only
what it writes; it says when TLS was not verified, in every output; and it checks that it can write
its results before it sends anything."""

from __future__ import annotations

import json

import pytest
from werkzeug.wrappers import Response

from conformance import checks
from conformance.checks import Context
from conformance.reference import ReferenceServer
from conformance.reference.config import Credentials
from conformance.report import render
from conformance.wire.target import Secret, Target
from conformance.wire.transport.client import Client
from conformance.wire.transport.errors import ForbiddenPath
from tests.hostile.altered import Altered, serving, unaltered
from tests.hostile.tls import self_signed, server_context
from tests.suite_runs import SUITE, run_suite

C = Credentials()
TICKET_TARGET = """name = "edges"
base_url = "{base_url}"
[soticket]
ticket = "env:E_TICKET"
{limits}
"""


def test_a_valid_body_holding_a_secret_is_judged_as_sent_and_written_redacted():
    """Redacting before judging would put `$NAME` inside the JSON and break it: the body is judged
    raw (SCHEMA-01 passes), and written with the secret as its variable's name."""
    body = {
        "IsRunning": True,
        "StatusMessage": f"called with {C.ticket}",
        "Interval": "00:15:00",
        "TableRight": None,
        "FieldProperties": {},
    }
    app = lambda environ, start: Response(json.dumps(body), content_type="application/json")(environ, start)  # noqa: E731
    with serving(app) as base_url:
        target = Target("echo", base_url, soticket=Secret(C.ticket, "E_TICKET"))
        exchange = Client(target).send("echo", scheme="soticket")
    outcome = checks.judge("SCHEMA-01", {"probe": exchange}, Context())
    assert str(outcome.status) == "pass" and exchange.body["StatusMessage"].endswith(C.ticket)
    written = json.dumps(outcome.as_dict())
    assert C.ticket not in written and "called with $E_TICKET" in written


def test_insecure_tls_is_stated_in_every_output(pytester, monkeypatch, tmp_path):
    certificate, key = self_signed(tmp_path)
    with serving(Altered(unaltered), server_context(certificate, key)) as base_url:
        monkeypatch.setenv("E_TICKET", C.ticket)
        target = tmp_path / "target.toml"
        target.write_text(TICKET_TARGET.format(base_url=base_url, limits="[limits]\nverify_tls = false\n"))
        run = run_suite(
            pytester, "--target", str(target), "--hypothesis-profile", "quick", "-k", "test_http", quiet=False
        )
    doc = run.results["doc"]
    assert "TLS NOT VERIFIED (limits.verify_tls = false)" in run.output
    assert doc["run"]["tls"] == {"verified": False, "ca_bundle": None, "plain_http": False}
    assert "TLS not verified" in render.html(doc) and "TLS not verified" in render.summary(doc)
    assert "Plain HTTP" not in render.html(doc) + render.summary(doc)
    # A target that allowed plain HTTP to another machine (limits.allow_plain_http; no such host is
    # reachable from a test): every output says the credentials went in clear text, and where.
    plain = {**doc, "run": {**doc["run"], "tls": {**doc["run"]["tls"], "plain_http": True}}}
    for text in (render.html(plain), render.summary(plain)):
        assert "Plain HTTP" in text and "allow_plain_http = true" in text and "in clear text to" in text
        assert doc["run"]["target"]["base_url"] in text


@pytest.mark.parametrize("option", ["--reports-dir", "--results-json"])
def test_results_that_cannot_be_written_stop_the_run_before_any_request(pytester, monkeypatch, tmp_path, option):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    where = str(blocker / "reports") if option == "--reports-dir" else str(blocker / "results.json")
    with ReferenceServer() as server:
        monkeypatch.setenv("E_TICKET", C.ticket)
        target = tmp_path / "target.toml"
        target.write_text(TICKET_TARGET.format(base_url=server.base_url, limits=""))
        result = pytester.runpytest_inprocess(
            SUITE,
            "-q",
            "-p",
            "no:cacheprovider",
            "--target",
            str(target),
            option,
            where,
            "--no-reports" if option == "--results-json" else "-q",
            no_reraise_ctrlc=True,
        )
        assert len(server.requests) == 0
    output = "\n".join(result.outlines + result.errlines)
    assert result.ret == 2, output
    assert f"erpsync-conformance: {option}: cannot write to {blocker}" in output, output


def test_a_latest_that_is_a_folder_stops_the_run_before_any_request(pytester, monkeypatch, tmp_path):
    """reports/latest as a plain folder (what an artifact download leaves): the run could not point
    it at itself, so it sends nothing and says why, instead of judging and then failing to write."""
    (tmp_path / "reports" / "latest").mkdir(parents=True)
    with ReferenceServer() as server:
        monkeypatch.setenv("E_TICKET", C.ticket)
        target = tmp_path / "target.toml"
        target.write_text(TICKET_TARGET.format(base_url=server.base_url, limits=""))
        result = pytester.runpytest_inprocess(
            SUITE,
            "-q",
            "-p",
            "no:cacheprovider",
            "--target",
            str(target),
            "--reports-dir",
            str(tmp_path / "reports"),
            no_reraise_ctrlc=True,
        )
        assert len(server.requests) == 0
    output = "\n".join(result.outlines + result.errlines)
    assert result.ret == 2, output
    assert f"--reports-dir: {tmp_path / 'reports' / 'latest'} is a folder, not the link to the last run" in output


def test_a_target_receives_only_the_methods_the_suite_means_to_send(pytester, monkeypatch, tmp_path):
    """schemathesis's coverage phase proposes TRACE, PUT, PATCH, DELETE, OPTIONS and QUERY: none is
    sent (the schemathesis test and the adapter refuse them); only POST, and GET for HTTP-05."""
    with ReferenceServer() as server:
        monkeypatch.setenv("E_TICKET", C.ticket)
        target = tmp_path / "target.toml"
        target.write_text(TICKET_TARGET.format(base_url=server.base_url, limits=""))
        run_suite(pytester, "--target", str(target), "--hypothesis-profile", "dev", "-k", "openapi or other_methods")
        methods = {arrival.method for arrival in server.requests.arrivals()}
    assert methods == {"POST", "GET"}, methods
    client = Client(Target("t", server.base_url, soticket=Secret(C.ticket, "E_TICKET")))
    with pytest.raises(ForbiddenPath, match="refusing to send PUT"):
        client.session("soticket").put(client.endpoint)
