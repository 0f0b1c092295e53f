"""The client: only GetEngineStatus, budget, rate limit, Retry-After, redaction, no cookies or
redirects, and the limits that hold against hostile servers: the body cap, the deadline of a whole
exchange, the timeouts whoever sends, and nothing more sent to a target that stopped answering."""

from __future__ import annotations

import socket
import threading
import time
from contextlib import contextmanager

import pytest
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.serving import make_server
from werkzeug.wrappers import Response

from conformance.wire.target import Basic, Limits, Secret, Target
from conformance.wire.transport.client import Client
from conformance.wire.transport.errors import BudgetExhausted, ForbiddenPath, TargetUnresponsive, TransportFailure
from conformance.wire.transport.guard import THROTTLED_AFTER, UNRESPONSIVE_AFTER, RateLimit, Streaks
from conformance.wire.transport.reading import BODY_CAP
from tests.hostile import sockets


@contextmanager
def tiny_server(answers):
    """A server on 127.0.0.1 answering each request with the next of `answers` (a Response factory)."""
    seen = []

    def app(environ, start_response):
        seen.append(
            (
                environ["REQUEST_METHOD"],
                environ["PATH_INFO"],
                dict((k, v) for k, v in environ.items() if k.startswith("HTTP_")),
            )
        )
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
    return Target(
        "t",
        base_url,
        basic=Basic("tje0", Secret("s3cret-password", "T_PASSWORD")),
        soticket=Secret("7T:s3cret-ticket", "T_TICKET"),
        limits=Limits(**limits),
    )


def ok():
    return Response('{"IsRunning": true}', content_type="application/json; charset=utf-8")


@pytest.mark.parametrize(
    "path",
    [
        "/Agents/ErpSync/ChangeEngineStatus",
        "/Agents/ErpSync/ChangeEngineInterval",
        "/Agents/ErpSync/GetEngineStatus/../ChangeEngineStatus",
    ],
)
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


def test_a_run_client_reuses_an_answer_to_the_same_request_and_sends_anew_when_told():
    with tiny_server([ok]) as (base, seen):
        client = Client(target_at(base), max_requests=10, reuse=True)
        first = client.send("first", scheme="basic", headers={"Accept": "application/json"})
        again = client.send("again", scheme="basic", headers={"Accept": "application/json"})
        other = client.send("other", scheme="basic", headers={"Accept": "application/json", "SO-Culture": "sv"})
        other_scheme = client.send("ticket", scheme="soticket", headers={"Accept": "application/json"})
        with client.fresh():
            fresh = client.send("fresh", scheme="basic", headers={"Accept": "application/json"})
        after = client.send("after", scheme="basic", headers={"Accept": "application/json"})
    assert len(seen) == 4 and client.budget.used == 4 and client.reused == 2
    assert first.answer_of is None and other.answer_of is None and other_scheme.answer_of is None
    assert fresh.answer_of is None and again.answer_of == "first" and after.answer_of == "fresh"  # the latest read
    assert again.label == "again" and again.response == first.response
    assert "not sent again" in again.summary() and again.as_dict()["answer_of"] == "first"


@pytest.mark.parametrize(
    "answer",
    [
        lambda: Response("busy", status=503),
        lambda: Response("slow down", status=429),
        lambda: Response("x" * (70 * 1024), content_type="application/json; charset=utf-8"),
    ],
    ids=["5xx", "429", "long body"],
)
def test_an_answer_that_says_not_now_or_is_long_is_never_reused(answer):
    with tiny_server([answer]) as (base, seen):
        client = Client(target_at(base), max_requests=10, reuse=True)
        client.send("first", scheme="basic")
        once = len(seen)  # with the adapter's retries of a 503
        assert client.send("again", scheme="basic").answer_of is None
    assert len(seen) == 2 * once and client.reused == 0


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


def test_a_retry_after_longer_than_allowed_is_not_waited_for(monkeypatch):
    """Told by what the client asked to sleep, not by a wall clock (a busy machine is slow)."""
    from conformance.wire.transport import adapter

    slept = []
    monkeypatch.setattr(adapter.time, "sleep", slept.append)
    long_wait = lambda: Response("later", status=503, headers={"Retry-After": "3600"})
    with tiny_server([long_wait, ok]) as (base, seen):
        exchange = Client(target_at(base, max_retry_wait=5)).send("x", scheme="basic")
        assert exchange.status == 503 and slept == [] and len(seen) == 1


def test_the_exchange_is_raw_and_what_it_writes_is_redacted():
    """The checks judge what the server sent; as_dict, summary and curl are what gets written."""
    echo = lambda: Response(
        "ticket 7T:s3cret-ticket and password s3cret-password",
        status=200,
        headers={"Set-Cookie": "x=7T:s3cret-ticket"},
        content_type="text/plain",
    )
    with tiny_server([echo]) as (base, seen):
        client = Client(target_at(base))
        exchanges = [client.send("basic", scheme="basic"), client.send("ticket", scheme="soticket")]
    for exchange in exchanges:
        text = repr(exchange.as_dict()) + exchange.curl
        assert "s3cret" not in text and "dGplMDpzM2NyZXQtcGFzc3dvcmQ" not in text
    assert 'Authorization: Basic $(printf %s "tje0:${T_PASSWORD}" | base64 -w0)' in exchanges[0].curl
    assert '-H "Authorization: SOTicket ${T_TICKET}"' in exchanges[1].curl
    assert b"7T:s3cret-ticket" in exchanges[1].response.body  # judged as received
    assert "$T_TICKET" in exchanges[1].as_dict()["response"]["body"]


def test_no_cookies_are_kept_and_no_redirect_is_followed():
    first = lambda: Response(
        "", status=302, headers={"Location": "http://127.0.0.2/elsewhere", "Set-Cookie": "ASP.NET_SessionId=abc"}
    )
    with tiny_server([first, ok]) as (base, seen):
        client = Client(target_at(base))
        assert client.send("x", scheme="basic").status == 302
        client.send("y", scheme="basic")
    assert len(seen) == 2 and "HTTP_COOKIE" not in seen[1][2]


def test_a_refused_connection_is_an_exchange_with_an_error():
    # a port held by a bound socket that never listens: a connect there is refused, and no
    # server started by a test in another worker can take the port meanwhile
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        base = f"http://127.0.0.1:{held.getsockname()[1]}/api/v1"
        exchange = Client(target_at(base, connect_timeout=2)).send("x", scheme="basic")
    assert exchange.response is None and exchange.error.startswith("the connection was refused")


def endless():
    def spaces():
        yield b'{"IsRunning": true}'
        while True:
            yield b" " * 65536

    return Response(spaces(), content_type="application/json")  # no length: chunked


def test_the_body_cap_holds_for_an_endless_body_on_every_path():
    with tiny_server([endless]) as (base, seen):
        client = Client(target_at(base))
        exchange = client.send("x", scheme="basic")
        assert exchange.response.truncated and len(exchange.response.body) == BODY_CAP
        assert "larger than 2 MiB" in exchange.decoded.problem  # a prefix that parses is not the body
        # schemathesis sends through the session, asking for the whole body (stream=False)
        response = client.session("basic").post(base + "/Agents/ErpSync/GetEngineStatus")
        assert len(response.content) == BODY_CAP and response.delivery.truncated


@pytest.mark.parametrize(
    "behaviour, error",
    [
        (sockets.never_answers, "no data for 0.3 s (read timeout)"),
        (sockets.resets, "the target reset the connection (TCP RST)"),
        (sockets.closes_mid_body, "the target closed the connection mid-body"),
    ],
    ids=["never answers", "resets", "closes mid-body"],
)
def test_after_three_transport_failures_nothing_more_is_sent(behaviour, error):
    with sockets.SocketServer(behaviour) as server:
        client = Client(target_at(server.base_url, connect_timeout=0.3, read_timeout=0.3))
        exchanges = [client.send(f"#{i}", scheme="basic") for i in range(UNRESPONSIVE_AFTER + 2)]
        with pytest.raises(TargetUnresponsive):  # the session schemathesis is given stops too
            client.session("basic").post(server.base_url + "/Agents/ErpSync/GetEngineStatus")
    assert all(e.error.startswith(error) for e in exchanges[:UNRESPONSIVE_AFTER]), exchanges
    last = exchanges[UNRESPONSIVE_AFTER - 1].error
    assert exchanges[-1].error == (
        f"target unresponsive: {UNRESPONSIVE_AFTER} consecutive transport failures (last: {last}); not sent"
    )
    assert server.accepted == UNRESPONSIVE_AFTER and client.budget.used == UNRESPONSIVE_AFTER


def test_no_answer_is_read_from_a_connection_another_exchange_used():
    # RFC 9112 6.3: a response ends where its framing says; what a connection carries after it
    # answers no request. Each exchange has a connection of its own, so a desynchronised one
    # (an unsolicited 401 ahead of each later answer) is never read for the next request.
    with sockets.SocketServer(sockets.stale_answer_first) as server:
        client = Client(target_at(server.base_url))
        exchanges = [client.send(f"#{i}", scheme="basic") for i in range(3)]
    assert [(e.error, e.response.status) for e in exchanges] == [(None, 200)] * 3
    assert server.accepted == 3


def test_bytes_after_a_complete_response_are_a_transport_failure_named_as_such():
    with sockets.SocketServer(sockets.answers_then_more) as server:
        client = Client(target_at(server.base_url))
        exchange = client.send("#0", scheme="basic")
        with pytest.raises(TransportFailure, match="after a complete response"):  # schemathesis's session too
            client.session("basic").post(server.base_url + "/Agents/ErpSync/GetEngineStatus")
    assert exchange.response is None and exchange.error.startswith(
        f"the target sent {len(sockets.UNSOLICITED)} byte(s) after a complete response (RFC 9112 6.3"
    ), exchange.error
    assert "nothing on it was read as another answer" in exchange.error


def test_bytes_after_each_answer_are_answers_framed_wrongly_not_an_unresponsive_target():
    # Each answer arrives (no step to 'unresponsive'), but none can be read: after UNRESPONSIVE_AFTER
    # in a row the sending stops, and the words say what the target did.
    with sockets.SocketServer(sockets.answers_then_more) as server:
        client = Client(target_at(server.base_url))
        exchanges = [client.send(f"#{i}", scheme="basic") for i in range(UNRESPONSIVE_AFTER + 2)]
    assert server.accepted == UNRESPONSIVE_AFTER
    assert all("after a complete response" in e.error and "unresponsive" not in e.error for e in exchanges)
    assert all(
        e.error.startswith(f"the target framed its last {UNRESPONSIVE_AFTER} answers wrongly")
        for e in exchanges[UNRESPONSIVE_AFTER:]
    ), exchanges[-1].error


def test_a_readable_answer_ends_a_streak_of_answers_framed_wrongly():
    streaks = Streaks()
    for _ in range(UNRESPONSIVE_AFTER - 1):
        streaks.framed_wrongly("bytes after")
    streaks.answered()
    streaks.framed_wrongly("bytes after")
    streaks.check()  # one in a row: still sent
    streaks.failed("timeout")
    streaks.failed("timeout")
    streaks.check()  # misframed answers are answers: two failures are no streak of three
    # (and, being no answers, the failures leave the answers' streak as it was: 1 + 3 below)
    for _ in range(UNRESPONSIVE_AFTER):
        streaks.framed_wrongly("bytes after")
    with pytest.raises(TargetUnresponsive, match="framed its last 4 answers wrongly"):
        streaks.check()


def test_a_blank_line_after_an_answer_is_tolerated():
    with sockets.SocketServer(sockets.answers_then_blank_line) as server:
        exchanges = [Client(target_at(server.base_url)).send(f"#{i}", scheme="basic") for i in range(2)]
    assert [(e.error, e.response.status) for e in exchanges] == [(None, 200)] * 2


def test_a_server_trickling_bytes_meets_the_deadline_of_a_whole_exchange():
    with sockets.SocketServer(sockets.one_byte_a_second) as server:
        started = time.monotonic()
        exchange = Client(target_at(server.base_url, connect_timeout=0.1, read_timeout=1.5)).send("x", scheme="basic")
        took = time.monotonic() - started
    # The body would trickle for minutes; the deadline ends it at 1.6 s. The ceiling only tells
    # "ended by the deadline" from "ran its course", with room for a busy machine.
    assert exchange.error.startswith("no complete response within 1.6 s") and took < 30


def test_the_targets_timeouts_hold_whatever_the_caller_asks():
    with sockets.SocketServer(sockets.never_answers) as server:
        client = Client(target_at(server.base_url, read_timeout=0.3))
        started = time.monotonic()
        with pytest.raises(TransportFailure, match="no data for 0.3 s"):
            client.session("basic").post(server.base_url + "/Agents/ErpSync/GetEngineStatus", timeout=60)
        assert time.monotonic() - started < 30  # not the caller's 60 s (the message says 0.3 s)


def test_no_redirect_is_followed_even_when_asked_and_no_other_host_is_requested():
    elsewhere = lambda: Response(
        "", status=307, headers={"Location": "http://localhost:9/api/v1/Agents/ErpSync/GetEngineStatus"}
    )
    with tiny_server([elsewhere]) as (base, seen):
        client = Client(target_at(base))
        response = client.session("basic").post(base + "/Agents/ErpSync/GetEngineStatus", allow_redirects=True)
        assert response.status_code == 307 and len(seen) == 1
        with pytest.raises(ForbiddenPath):
            client.session("basic").post("http://localhost:9/api/v1/Agents/ErpSync/GetEngineStatus")


def test_why_a_throttled_answer_was_not_waited_for_is_noted():
    no_header = lambda: Response("busy", status=429)
    too_long = lambda: Response("later", status=429, headers={"Retry-After": "3600"})
    with tiny_server([no_header, too_long]) as (base, seen):
        client = Client(target_at(base, max_retry_wait=5))
        first, second = client.send("x", scheme="basic"), client.send("y", scheme="basic")
    assert first.response.note == "no usable Retry-After: not retried"
    assert second.response.note == "Retry-After of 3600 s is longer than limits.max_retry_wait (5 s): not waited for"
    assert len(seen) == 2


def test_a_target_that_stays_throttled_is_no_longer_waited_for():
    busy = lambda: Response("busy", status=429, headers={"Retry-After": "0"})
    with tiny_server([busy]) as (base, seen):
        client = Client(target_at(base, retries=1))
        exchanges = [client.send(f"#{i}", scheme="basic") for i in range(THROTTLED_AFTER + 1)]
    assert len(seen) == 2 * THROTTLED_AFTER + 1  # each retried once, then the last not at all
    assert exchanges[0].response.note == "still throttled after 1 Retry-After wait(s) (limits.retries = 1)"
    assert "no longer waited for" in exchanges[-1].response.note


def test_waits_retries_and_the_budget_cut_are_logged(caplog, monkeypatch):
    """logger erpsync_conformance: what a user waiting on a run wants to know, at INFO."""
    import logging

    from conformance.wire.transport import adapter

    monkeypatch.setattr(adapter.time, "sleep", lambda seconds: None)
    busy = lambda: Response("busy", status=429, headers={"Retry-After": "30"})
    caplog.set_level(logging.INFO, logger="erpsync_conformance")
    with tiny_server([busy, ok, busy, busy]) as (base, seen):
        client = Client(target_at(base, retries=1, max_retry_wait=60, max_requests=4))
        assert client.send("x", scheme="basic").status == 200
        assert client.send("x", scheme="basic").status == 429
        with pytest.raises(BudgetExhausted):
            client.send("x", scheme="basic")
    said = [r.getMessage() for r in caplog.records if r.name.startswith("erpsync_conformance")]
    assert any("429 with Retry-After; waiting 30.0 s before retry 1 of 1" in m for m in said), said
    assert any("still throttled after 1 Retry-After wait(s)" in m for m in said), said
    assert any("request budget of 4 exhausted" in m for m in said), said


def test_header_values_are_kept_only_to_the_header_cap():
    """80 fields of 64 KB on every answer cost a run 3.8 GB and 200 s when kept whole (issue 21):
    each value is kept to HEADER_CAP, and the exchange says how many were cut."""
    from conformance.wire.transport.reading import HEADER_CAP

    fat = lambda: Response(
        '{"IsRunning": true}',
        content_type="application/json; charset=utf-8",
        headers={**{f"X-Fat-{i}": "x" * 64000 for i in range(3)}, "X-Thin": "y"},
    )
    with tiny_server([fat]) as (base, seen):
        exchange = Client(target_at(base)).send("fat", scheme="basic")
    assert exchange.response.header("X-Fat-0") == "x" * HEADER_CAP and exchange.response.header("X-Thin") == "y"
    assert exchange.response.media_type == "application/json"
    assert f"3 header value(s) longer than {HEADER_CAP} characters kept only that far" in exchange.response.note


def test_many_fat_header_fields_share_what_an_exchange_keeps_and_the_usual_ones_stay_whole():
    """90 fields of 64 KB on every answer cost a run 664 MB kept to HEADER_CAP each: an exchange
    keeps HEADERS_CAP characters of header values in all, the longest cut alike."""
    from conformance.wire.transport.reading import HEADERS_CAP

    challenge = 'Bearer realm="SuperOffice", error="invalid_token", error_description="' + "d" * 250 + '"'
    fat = lambda: Response(
        '{"IsRunning": true}',
        content_type="application/json; charset=utf-8",
        headers={**{f"X-Fat-{i}": "x" * 64000 for i in range(20)}, "WWW-Authenticate": challenge},
    )
    with tiny_server([fat]) as (base, seen):
        exchange = Client(target_at(base)).send("fat", scheme="basic")
    kept = exchange.response.headers
    assert exchange.response.header("WWW-Authenticate") == challenge
    assert exchange.response.media_type == "application/json"
    assert sum(len(value) for name, value in kept if name.startswith("X-Fat-")) <= HEADERS_CAP
    limit = len(exchange.response.header("X-Fat-0"))
    assert 2000 < limit < 3300 and all(len(exchange.response.header(f"X-Fat-{i}")) == limit for i in range(20))
    assert f"20 header value(s) longer than {limit} characters kept only that far" in exchange.response.note


def test_fat_fields_no_check_reads_never_shorten_one_it_reads_and_long_names_are_cut():
    """Each pool (the fields checks read, the others) keeps HEADERS_CAP: 20 fields of 64 KB beside a
    WWW-Authenticate of 6,000 characters (inside HEADER_CAP) leave it whole, and 40 names of 60 KB
    (6 MB an exchange once) are kept to NAME_CAP characters each."""
    from conformance.wire.transport.reading import HEADER_CAP, HEADERS_CAP, NAME_CAP

    challenge = 'Bearer realm="SuperOffice", error_description="' + "d" * 6000 + '"'
    fat = lambda: Response(
        '{"IsRunning": true}',
        content_type="application/json; charset=utf-8",
        headers={
            **{f"X-Fat-{i}": "x" * 64000 for i in range(20)},
            **{f"X-{i}-" + "n" * 60000: "v" for i in range(40)},
            "WWW-Authenticate": challenge,
            "Location": "l" * 9000,
        },
    )
    with tiny_server([fat]) as (base, seen):
        exchange = Client(target_at(base)).send("fat", scheme="basic")
    kept = exchange.response.headers
    assert exchange.response.header("WWW-Authenticate") == challenge
    assert exchange.response.header("Location") == "l" * HEADER_CAP
    assert max(len(name) for name, _ in kept) == NAME_CAP and sum(len(n) for n, _ in kept) < 100 * NAME_CAP
    others = sum(len(v) for n, v in kept if n not in ("WWW-Authenticate", "Location", "Content-Type"))
    assert others <= HEADERS_CAP


@given(st.lists(st.integers(0, 70000), max_size=100))
def test_the_header_level_keeps_the_sum_within_the_cap_and_short_values_whole(lengths):
    from conformance.wire.transport.reading import HEADER_CAP, HEADERS_CAP, _level

    level = _level(lengths)
    assert level <= HEADER_CAP and sum(min(n, level) for n in lengths) <= HEADERS_CAP
    if sum(min(n, HEADER_CAP) for n in lengths) <= HEADERS_CAP:
        assert level == HEADER_CAP
    else:  # no larger level would do
        assert sum(min(n, level + 1) for n in lengths) > HEADERS_CAP


def test_evidence_shows_a_bodys_head_only_and_says_it_was_cut():
    """Outputs carry at most 4,000 characters of a server's body (Exchange.as_dict), so a server
    cannot fill a report, a CI log or a summary; the cut is marked."""
    big = lambda: Response(
        '{"StatusMessage": "' + "\u00e9" * 300_000 + '"}', content_type="application/json; charset=utf-8"
    )
    small = lambda: Response('{"IsRunning": true}', content_type="application/json; charset=utf-8")
    with tiny_server([big, small]) as (base, seen):
        client = Client(target_at(base))
        cut, whole = client.send("big", scheme="basic").as_dict(), client.send("small", scheme="basic").as_dict()
    assert len(cut["response"]["body"]) == 4000 + len("...") and cut["response"]["body"].endswith("\u00e9...")
    assert whole["response"]["body"] == '{"IsRunning": true}'


@pytest.mark.parametrize(
    "headers, reason",
    [
        (
            {f"X-Many-{i}": "y" for i in range(101)},
            "the target sent more than 100 header fields, the most http.client reads",
        ),
        ({"X-Long": "y" * 70000}, "the target sent a line longer than http.client reads"),
    ],
    ids=["101 fields", "a 70,000-byte line"],
)
def test_a_head_beyond_what_http_client_reads_is_named_in_words(headers, reason):
    answer = lambda: Response('{"IsRunning": true}', content_type="application/json; charset=utf-8", headers=headers)
    with tiny_server([answer]) as (base, seen):
        exchange = Client(target_at(base)).send("head", scheme="basic")
    assert exchange.response is None and exchange.error.startswith(reason), exchange.error


def test_a_body_its_coding_cannot_decode_is_an_answer_not_a_silent_target():
    """Content-Encoding: gzip over a plain body: the server answered, so the guard counts no
    transport failure (nothing is left unsent), and the exchange says why it cannot be read, in
    the words HTTP-08 judges (conformance.wire.transport.failures.UNDECODABLE)."""
    from conformance.wire.transport.failures import UNDECODABLE

    def mislabelled():
        return Response('{"IsRunning": true}', content_type="application/json", headers={"Content-Encoding": "gzip"})

    with tiny_server([mislabelled]) as (base_url, seen):
        client = Client(target_at(base_url))
        exchanges = [
            client.send(f"#{i}", scheme="basic", headers={"Accept-Encoding": "gzip"})
            for i in range(UNRESPONSIVE_AFTER + 2)
        ]
    assert len(seen) == UNRESPONSIVE_AFTER + 2, "every request was sent"
    assert all(e.response is None and e.error.startswith(UNDECODABLE) for e in exchanges), exchanges[-1].error
