"""The client: only GetEngineStatus, budget, rate limit, Retry-After, redaction, no cookies or redirects."""

from __future__ import annotations

import time
from contextlib import contextmanager

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Response

from conformance.client import BudgetExhausted, Client, ForbiddenPath, RateLimit
from conformance.target import Basic, Limits, Secret, Target

import threading


@contextmanager
def tiny_server(answers):
    """A server on 127.0.0.1 answering each request with the next of `answers` (a Response factory)."""
    seen = []

    def app(environ, start_response):
        seen.append((environ["REQUEST_METHOD"], environ["PATH_INFO"], dict(
            (k, v) for k, v in environ.items() if k.startswith("HTTP_"))))
        response = answers[min(len(seen), len(answers)) - 1]()
        return response(environ, start_response)

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/api/v1", seen
    finally:
        server.shutdown()
        server.server_close()


def target_at(base_url: str, **limits) -> Target:
    return Target("t", base_url, basic=Basic("tje0", Secret("s3cret-password", "T_PASSWORD")),
                  soticket=Secret("7T:s3cret-ticket", "T_TICKET"), limits=Limits(**limits))


def ok():
    return Response('{"IsRunning": true}', content_type="application/json; charset=utf-8")


@pytest.mark.parametrize("path", ["/Agents/ErpSync/ChangeEngineStatus", "/Agents/ErpSync/ChangeEngineInterval",
                                  "/Agents/ErpSync/GetEngineStatus/../ChangeEngineStatus"])
def test_the_client_refuses_any_other_path_and_sends_nothing(path):
    with tiny_server([ok]) as (base, seen):
        client = Client(target_at(base))
        with pytest.raises(ForbiddenPath):
            client.send("sibling", scheme="basic", path=path)
        with pytest.raises(ForbiddenPath):  # even through the session schemathesis is given
            client.session("basic").post(base + path)
    assert seen == []


def test_the_budget_is_never_exceeded():
    with tiny_server([ok]) as (base, seen):
        client = Client(target_at(base), max_requests=3)
        for _ in range(3):
            client.send("x", scheme="basic")
        with pytest.raises(BudgetExhausted):
            client.send("x", scheme="basic")
    assert len(seen) == 3


def test_the_rate_limit_spaces_requests():
    limit = RateLimit(20)
    started = time.monotonic()
    for _ in range(5):
        limit.wait()
    assert time.monotonic() - started >= 4 / 20 * 0.95


def test_retry_after_is_honoured_within_the_retry_bound():
    busy = lambda: Response("busy", status=429, headers={"Retry-After": "0"})
    with tiny_server([busy, busy, ok]) as (base, seen):
        client = Client(target_at(base, retries=2))
        assert client.send("x", scheme="basic").status == 200
        assert client.budget.used == 3
    with tiny_server([busy, busy, busy, ok]) as (base, seen):
        assert Client(target_at(base, retries=2)).send("x", scheme="basic").status == 429


def test_a_retry_after_longer_than_allowed_is_not_waited_for():
    long_wait = lambda: Response("later", status=503, headers={"Retry-After": "3600"})
    with tiny_server([long_wait, ok]) as (base, seen):
        started = time.monotonic()
        exchange = Client(target_at(base, max_retry_wait=5)).send("x", scheme="basic")
        assert exchange.status == 503 and time.monotonic() - started < 2 and len(seen) == 1


def test_secrets_are_redacted_in_the_exchange_and_the_curl_line():
    echo = lambda: Response("ticket 7T:s3cret-ticket and password s3cret-password", status=200,
                            headers={"Set-Cookie": "x=7T:s3cret-ticket"}, content_type="text/plain")
    with tiny_server([echo]) as (base, seen):
        client = Client(target_at(base))
        exchanges = [client.send("basic", scheme="basic"), client.send("ticket", scheme="soticket")]
    for exchange in exchanges:
        text = repr(exchange.as_dict()) + exchange.curl
        assert "s3cret" not in text and "dGplMDpzM2NyZXQtcGFzc3dvcmQ" not in text
    assert 'Authorization: Basic $(printf %s "tje0:$T_PASSWORD" | base64 -w0)' in exchanges[0].curl
    assert '-H "Authorization: SOTicket $T_TICKET"' in exchanges[1].curl
    assert b"$T_TICKET" in exchanges[1].response.body


def test_no_cookies_are_kept_and_no_redirect_is_followed():
    first = lambda: Response("", status=302, headers={"Location": "http://127.0.0.2/elsewhere",
                                                       "Set-Cookie": "ASP.NET_SessionId=abc"})
    with tiny_server([first, ok]) as (base, seen):
        client = Client(target_at(base))
        assert client.send("x", scheme="basic").status == 302
        client.send("y", scheme="basic")
    assert len(seen) == 2 and "HTTP_COOKIE" not in seen[1][2]


def test_a_refused_connection_is_an_exchange_with_an_error():
    with tiny_server([ok]) as (base, seen):
        pass  # closed: nothing listens there any more
    exchange = Client(target_at(base, connect_timeout=2)).send("x", scheme="basic")
    assert exchange.response is None and "ConnectionError" in exchange.error
