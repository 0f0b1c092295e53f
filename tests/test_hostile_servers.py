"""Hostile and broken servers: against each the suite completes within its limits and turns the
right requirement red with a reason that says what happened; never a traceback, a hang or a pass.
The servers are in tests/hostile; each case runs the suite in-process against a target file aimed
at one of them, with `quick` Hypothesis and small [limits] (targets.LIMITS): the whole suite, or,
where a behaviour reaches only some requests (XML bodies, request bodies), the part that sends them."""

from __future__ import annotations

import faulthandler
import re
import time
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, ContextManager, Iterator

import pytest
import schemathesis.reporting.html.writer  # noqa: F401  (see below)
from werkzeug.wrappers import Response

import conformance.model.strategies  # noqa: F401  (see below)
import conformance.run.runner  # noqa: F401  (see below)
from conformance import checks
from conformance.contract.endpoint import JSON_TYPES, XML_TYPES
from conformance.plugin import fuzzing
from conformance.wire.transport.guard import THROTTLED_AFTER, UNRESPONSIVE_AFTER
from tests.hostile import sockets
from tests.hostile.altered import (
    Altered,
    EarlyHints,
    every_answer,
    json_bodies,
    labelled_coding,
    now_and_then,
    redirected,
    relabelled,
    serving,
    streamed_json_bodies,
    throttled_first,
    unaltered,
    wide_xml,
    with_a_body,
    without_credentials,
    xml_bodies,
)
from tests.hostile.recorder import Recorder
from tests.hostile.targets import SECRETS, write_target
from tests.hostile.tls import self_signed, server_context
from tests.suite_runs import RED, SUITE, SuiteRun, run_suite

# An in-process run (pytester) forgets every module it imported, so each run would import them
# anew, for seconds: schemathesis its OpenAPI and report modules, the suite its run, checks and
# strategies. Imported here, before any run, they outlive all of them.
fuzzing.openapi_schema()
checks.registry()

HANG_LIMIT = 120
"""Seconds after which a run is a hang: faulthandler prints every thread's stack and ends the
process, so a hang is a loud crash of this test, not a stalled `make test`."""

MIB = 1024 * 1024
PATCH_TYPES = ("application/json-patch+json", "application/merge-patch+json")
"""The big bodies come only with these (ACCEPT-02's), as reading 2 MiB per answer of every JSON
request would cost seconds; tests/test_client.py shows the cap for every path on its own."""
CANARY = "hostile-xxe-canary-5b1e0c"
"""The content of a local file an external entity names: it must appear nowhere the run writes."""


@dataclass(frozen=True)
class Served:
    base_url: str
    app: Altered | None = None
    raw: sockets.SocketServer | None = None
    recorder: Recorder | None = None
    """Where nothing may arrive: the host a redirect names, the URL an external entity names."""


Server = Callable[[Path], ContextManager[Served]]


@contextmanager
def raw(behaviour: sockets.Behaviour) -> Iterator[Served]:
    with sockets.SocketServer(behaviour) as server:
        yield Served(server.base_url, raw=server)


@contextmanager
def reference_with(alter, ssl_context=None, handler: type | None = None) -> Iterator[Served]:
    app = Altered(alter)
    with serving(app, ssl_context, **({"handler": handler} if handler else {})) as base_url:
        yield Served(base_url, app=app)


@contextmanager
def beside_a_recorder(alteration: Callable[[str], Callable]) -> Iterator[Served]:
    """The reference app altered by `alteration(recorder_url)`, with a recorder at that URL."""
    recorder = Recorder()
    with serving(recorder) as recorder_url, reference_with(alteration(recorder_url)) as served:
        yield replace(served, recorder=recorder)


@contextmanager
def over_tls(directory: Path) -> Iterator[Served]:
    certificate, key = self_signed(directory)
    with reference_with(unaltered, server_context(certificate, key)) as served:
        yield served


# --- bodies -----------------------------------------------------------------------------------


def latin1_status(body: bytes) -> bytes:
    return body.replace(b'"StatusMessage":"', b'"StatusMessage":"caf\xe9 ', 1)


def running_as_text(body: bytes) -> bytes:
    return re.sub(rb'"IsRunning":\s*(true|false)', rb'"IsRunning":"\1"', body, count=1)


def broken_off(types: tuple[str, ...]):
    """Answers of these types end half-way through their declared length: the connection closes."""

    def alter(server: Altered, request) -> Response:
        response = server.answer(request)
        if response.mimetype not in types:
            return response
        body = response.get_data()

        def half() -> Iterator[bytes]:
            yield body[: len(body) // 2]
            raise ConnectionAbortedError("broken off on purpose")

        return Response(half(), status=response.status_code, headers=[*response.headers.items()])

    return alter


def huge_status(body: bytes) -> Iterator[bytes]:
    """The JSON body with 50 MiB more of StatusMessage, in 64 KiB pieces."""
    head, marker, tail = body.partition(b'"StatusMessage":"')
    yield head + marker
    for _ in range(50 * MIB // 65536):
        yield b"x" * 65536
    yield tail


def endless_padding(body: bytes) -> Iterator[bytes]:
    """The JSON body, then spaces for ever: any prefix of it parses as the body."""
    yield body
    while True:
        yield b" " * 65536


def with_doctype(doctype: str, reference: str = "") -> Callable[[bytes], bytes]:
    """An XML body with `doctype` after its declaration and `reference` (an entity) in StatusMessage."""

    def change(body: bytes) -> bytes:
        declaration, _, rest = body.partition(b"?>")
        rest = rest.replace(b"<StatusMessage>", f"<StatusMessage>{reference}".encode(), 1)
        return declaration + b"?>" + doctype.encode() + rest

    return change


def in_utf16(change: Callable[[bytes], bytes]) -> Callable[[bytes], bytes]:
    def encode(body: bytes) -> bytes:
        text = change(body).decode("utf-8").replace('encoding="utf-8"', 'encoding="utf-16"', 1)
        return text.encode("utf-16")

    return encode


LAUGHS = (
    '<!DOCTYPE ErpSyncEngineStatus [<!ENTITY lol0 "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol%d;" % (i - 1)) * 10}">' for i in range(1, 10))
    + "]>"
)


# --- the catalogue ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Hostile:
    description: str
    server: Server
    red: dict[str, str]
    """Requirement -> what its reason (or its Actual) says; each must come out fail or non-strict."""
    limits: dict[str, object] = field(default_factory=dict)
    scope: tuple[str, ...] = ()
    """The suite's modules to run, where the behaviour reaches only some of them; () is all."""


# Where a behaviour reaches only some requests, the run is the part of the suite that sends them:
XML_READERS = ("test_accept.py", "test_select.py", "test_properties.py")
"""Every test that asks for XML (schemathesis sends Accept: */* and reads JSON)."""
BODY_SENDERS = ("test_http.py",)
"""The only tests that send a request body."""
BOTH_PATHS = ("test_http.py", "test_schemathesis.py")
"""Requests through Client.send, and through the session schemathesis is given."""

HOSTILE = [
    Hostile(
        "accepts the connection and never answers",
        lambda tmp: raw(sockets.never_answers),
        {"HTTP-01": "no data for 0.5 s (read timeout)"},
        limits={"read_timeout": 0.5},
    ),
    Hostile(
        "answers one byte a second",
        lambda tmp: raw(sockets.one_byte_a_second),
        {"HTTP-01": "no complete response within 1.6 s"},
        limits={"connect_timeout": 0.1},
    ),
    Hostile(
        "closes the connection mid-body",
        lambda tmp: raw(sockets.closes_mid_body),
        {"HTTP-01": "the target closed the connection mid-body"},
    ),
    Hostile(
        "closes the connection in the middle of its headers",
        lambda tmp: raw(sockets.closes_mid_header),
        {"HTTP-01": "closed the connection in the middle of the response's headers"},
    ),
    Hostile(
        "resets the connection",
        lambda tmp: raw(sockets.resets),
        {"HTTP-01": "the target reset the connection (TCP RST)"},
    ),
    Hostile(
        "103 Early Hints for ever, never a final response",
        lambda tmp: raw(sockets.endless_interim),
        {"HTTP-01": "more than 8 interim (1xx) responses before a final one: no final response"},
    ),
    Hostile(
        "an unsolicited response after each answer",
        lambda tmp: raw(sockets.answers_then_more),
        {"HTTP-01": "byte(s) after a complete response (RFC 9112 6.3"},
    ),
    Hostile(
        "a 50 MiB body",
        lambda tmp: reference_with(
            streamed_json_bodies(huge_status, lambda body: len(body) + 50 * MIB, types=PATCH_TYPES)
        ),
        {"ACCEPT-02": "larger than 2 MiB, the most the suite reads"},
    ),
    Hostile(
        "an endless chunked body",
        lambda tmp: reference_with(streamed_json_bodies(endless_padding, types=PATCH_TYPES)),
        {"ACCEPT-02": "larger than 2 MiB, the most the suite reads"},
    ),
    Hostile(
        "JSON nested 100 000 deep",
        lambda tmp: reference_with(json_bodies(lambda body: b"[" * 100_000 + b"]" * 100_000, types=PATCH_TYPES)),
        {"ACCEPT-02": "nests deeper than 64 levels"},
    ),
    Hostile(
        "XML nested 200 000 deep",
        lambda tmp: reference_with(xml_bodies(lambda body: b"<a>" * 200_000 + b"</a>" * 200_000)),
        {"ACCEPT-03": "nests elements deeper than 64 levels"},
        scope=XML_READERS,
    ),
    Hostile(
        "XML with 60,000 elements and attributes",
        lambda tmp: reference_with(xml_bodies(wide_xml(60_000))),
        {"ACCEPT-03": "a FieldProperties entry <x> has no Key child"},
        scope=("test_accept.py",),
    ),
    Hostile(
        "invalid JSON",
        lambda tmp: reference_with(json_bodies(lambda body: body[:-1])),
        {"SCHEMA-01": "the body is not valid JSON", "ACCEPT-02": "the body is not valid JSON"},
    ),
    Hostile(
        "JSON with a NaN literal",
        lambda tmp: reference_with(
            json_bodies(lambda body: re.sub(rb'"IsRunning":\s*(true|false)', b'"IsRunning":NaN', body, count=1))
        ),
        {"SCHEMA-01": "NaN is not a JSON value (RFC 8259, section 6", "ACCEPT-02": "NaN is not a JSON value"},
    ),
    Hostile(
        "JSON with a name twice in one object",
        lambda tmp: reference_with(json_bodies(lambda body: body.replace(b"{", b'{"StatusMessage":"first",', 1))),
        {
            "SCHEMA-01": "the name 'StatusMessage' appears twice in one object",
            "ACCEPT-02": "the name 'StatusMessage' appears twice in one object",
        },
    ),
    Hostile(
        "JSON with an -Infinity literal",
        lambda tmp: reference_with(
            json_bodies(lambda body: re.sub(rb'"IsRunning":\s*(true|false)', b'"IsRunning":-Infinity', body, count=1))
        ),
        {
            "SCHEMA-01": "-Infinity is not a JSON value (RFC 8259, section 6",
            "ACCEPT-02": "-Infinity is not a JSON value",
        },
    ),
    Hostile(
        "JSON with a byte order mark",
        lambda tmp: reference_with(json_bodies(lambda body: b"\xef\xbb\xbf" + body)),
        {"SCHEMA-01": "byte order mark", "ACCEPT-02": "byte order mark"},
    ),
    Hostile(
        "JSON in latin-1 labelled utf-8",
        lambda tmp: reference_with(json_bodies(latin1_status)),
        {"HTTP-02": "can't decode byte 0xe9"},
    ),
    Hostile(
        "a JSON body labelled as XML",
        lambda tmp: reference_with(relabelled(XML_TYPES, body_from="application/json")),
        {"ACCEPT-03": "the XML body is not well-formed"},
        scope=XML_READERS,
    ),
    Hostile(
        "an XML body labelled as JSON",
        lambda tmp: reference_with(relabelled(JSON_TYPES, body_from="application/xml")),
        {"SCHEMA-01": "the body is not valid JSON", "ACCEPT-02": "it begins b'<?xml"},
    ),
    Hostile(
        "XML with a DTD",
        lambda tmp: reference_with(xml_bodies(with_doctype("<!DOCTYPE ErpSyncEngineStatus [<!ELEMENT x ANY>]>"))),
        {"ACCEPT-03": "declares a DTD or entities; refused"},
        scope=XML_READERS,
    ),
    Hostile(
        "XML with an external entity at a URL",
        lambda tmp: beside_a_recorder(
            lambda url: xml_bodies(
                with_doctype(f'<!DOCTYPE ErpSyncEngineStatus [<!ENTITY xxe SYSTEM "{url}/xxe">]>', "&xxe;")
            )
        ),
        {"ACCEPT-03": "declares a DTD or entities; refused (never expanded or fetched)"},
        scope=XML_READERS,
    ),
    Hostile(
        "XML with an external entity at a file",
        lambda tmp: reference_with(
            xml_bodies(
                with_doctype(
                    f'<!DOCTYPE ErpSyncEngineStatus [<!ENTITY xxe SYSTEM "file://{secret_file(tmp)}">]>', "&xxe;"
                )
            )
        ),
        {"ACCEPT-03": "declares a DTD or entities; refused (never expanded or fetched)"},
        scope=XML_READERS,
    ),
    Hostile(
        "XML with a billion laughs",
        lambda tmp: reference_with(xml_bodies(with_doctype(LAUGHS, "&lol9;"))),
        {"ACCEPT-03": "declares a DTD or entities; refused"},
        scope=XML_READERS,
    ),
    Hostile(
        "XML in UTF-16 with an external DTD",
        lambda tmp: beside_a_recorder(
            lambda url: xml_bodies(in_utf16(with_doctype(f'<!DOCTYPE ErpSyncEngineStatus SYSTEM "{url}/dtd">')))
        ),
        {"ACCEPT-03": "declares a DTD or entities; refused"},
        scope=XML_READERS,
    ),
    Hostile(
        "a broken 200 now and then, at a tenant's budget",
        lambda tmp: reference_with(now_and_then(13, json_bodies(running_as_text))),
        {"SCHEMA-01": "200 answers to authorised requests across the run: property types differ"},
        limits={"max_requests": 150},
    ),
    Hostile(
        "every XML answer cut short",
        lambda tmp: reference_with(xml_bodies(lambda body: body[: len(body) // 2])),
        {"ACCEPT-03": "the XML body cannot be read"},
    ),
    Hostile(
        "every XML answer broken off mid-body",
        lambda tmp: reference_with(broken_off(XML_TYPES)),
        {"ACCEPT-01": "every one of the", "ACCEPT-03": "requests with an XML type in Accept got no response"},
    ),
    Hostile(
        "br named over bodies sent uncompressed",
        lambda tmp: reference_with(labelled_coding("br")),
        {"HTTP-08": "the body does not decode as its Content-Encoding says"},
    ),
    Hostile(
        "gzip named over uncompressed bodies, only beside SO-Culture (what only the covering rows send)",
        lambda tmp: reference_with(labelled_coding("gzip", lambda request: "SO-Culture" in request.headers)),
        {"HTTP-08": "the body does not decode as its Content-Encoding says"},
    ),
    Hostile(
        "500 for a request without credentials",
        lambda tmp: reference_with(without_credentials(every_answer(500))),
        {"HTTP-03": "got a server error", "AUTH-05": "500 application/json; charset=utf-8, expected 401 or 403"},
    ),
    Hostile(
        "502 for a request with a body",
        lambda tmp: reference_with(with_a_body(every_answer(502))),
        {"HTTP-03": "1 request(s) got a server error"},
        scope=BODY_SENDERS,
    ),
    Hostile(
        "503 without Retry-After for a request with a body",
        lambda tmp: reference_with(with_a_body(every_answer(503))),
        {"HTTP-03": "-> 503 application/json (no usable Retry-After: not retried)"},
        scope=BODY_SENDERS,
    ),
    Hostile(
        "429 without Retry-After for every request",
        lambda tmp: reference_with(every_answer(429)),
        {"HTTP-01": "429 application/json; charset=utf-8 (no usable Retry-After: not retried)"},
    ),
    Hostile(
        "429 with Retry-After 1 for every request",
        lambda tmp: reference_with(every_answer(429, {"Retry-After": "1"})),
        {"HTTP-01": f"stayed throttled through {THROTTLED_AFTER} exchanges in a row"},
    ),
    Hostile(
        "429 with a Retry-After longer than the run may wait",
        lambda tmp: reference_with(every_answer(429, {"Retry-After": "3600"})),
        {"HTTP-01": "Retry-After of 3600 s is longer than limits.max_retry_wait (1 s): not waited for"},
    ),
    Hostile(
        "a redirect to another host",
        lambda tmp: beside_a_recorder(
            lambda url: redirected(
                lambda request: url.replace("127.0.0.1", "localhost").removesuffix("/api/v1") + request.full_path
            )
        ),
        {"HTTP-01": "Location: http://localhost:"},
    ),
    Hostile(
        "a redirect loop",
        lambda tmp: reference_with(redirected(lambda request: request.url)),
        {"HTTP-01": "(redirects are not followed)"},
    ),
    # TLS with a certificate the target does not trust is the preflight's (exit 2): tests/test_preflight.py
]


def secret_file(directory: Path) -> Path:
    path = directory / "secret.txt"
    path.write_text(CANARY, encoding="utf-8")
    return path


@contextmanager
def hang_guard() -> Iterator[None]:
    faulthandler.dump_traceback_later(HANG_LIMIT, exit=True)
    try:
        yield
    finally:
        faulthandler.cancel_dump_traceback_later()


def run_against(
    pytester, monkeypatch, tmp_path: Path, served: Served, scope: tuple[str, ...] = (), **limits: object
) -> tuple[SuiteRun, float]:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    target = write_target(tmp_path, served.base_url, **limits)
    first, *rest = [str(Path(SUITE) / module) for module in scope] or [SUITE]
    started = time.monotonic()
    with hang_guard():
        run = run_suite(
            pytester, *rest, "--target", str(target), "--hypothesis-profile", "quick", "--tb=native", suite=first
        )
    return run, time.monotonic() - started


def said(run: SuiteRun, rid: str) -> str:
    entry = run.results["requirements"][rid]
    return f"{entry['reason']} / {entry.get('actual', '')}"


def assert_no_crash(run: SuiteRun) -> None:
    """Every test ended as a judgement. The runs use --tb=native, so any exception a test did not
    turn into an outcome prints a Python traceback: there is none. No internal error, no test in error."""
    assert "Traceback (most recent call last)" not in run.output, run.output
    assert "INTERNALERROR" not in run.output, run.output
    assert not re.search(r"\b\d+ errors?\b", run.output), run.output


@pytest.mark.parametrize("case", HOSTILE, ids=lambda case: case.description)
def test_a_hostile_server_is_reported_with_the_right_requirement(pytester, monkeypatch, tmp_path, case):
    with case.server(tmp_path) as served:
        run, took = run_against(pytester, monkeypatch, tmp_path, served, case.scope, **case.limits)
    assert_no_crash(run)
    assert run.ret == 1, run.output
    for rid, text in case.red.items():
        assert run.status(rid) in RED, f"{rid}: {run.status(rid)}: {said(run, rid)}"
        assert text in said(run, rid), f"{rid}: {said(run, rid)}"
    # No hang: these servers would hold a run for minutes or forever without the limits; a normal
    # run takes seconds, and the ceiling leaves a busy machine room.
    assert took < 120, f"the run took {took:.1f} s"
    if served.recorder is not None:
        assert served.recorder.requests == [], "a request reached the host that only a redirect or an entity names"
    if served.raw is not None:
        # The reachability check's connection, the preflight's one request (it stops at the first
        # without an answer), UNRESPONSIVE_AFTER failed exchanges, and nothing more.
        assert served.raw.accepted <= 2 + UNRESPONSIVE_AFTER, served.raw.accepted
    assert CANARY not in run.output and CANARY not in str(run.results)


# --- hostile circumstances a conformant server may create: nothing is red ----------------------


def retry_waited(served: Served) -> None:
    first, retried = served.app.seen[:2]
    assert retried.at - first.at >= 0.9, "the Retry-After was not waited for"


@dataclass(frozen=True)
class Survivable:
    description: str
    server: Server
    limits: Callable[[Path], dict[str, object]] = lambda tmp: {}
    afterwards: Callable[[Served], None] = lambda served: None
    """What the server saw that shows how the client met it."""
    scope: tuple[str, ...] = ()


SURVIVABLE = [
    Survivable(
        "TLS with its certificate given as limits.ca_bundle",
        over_tls,
        limits=lambda tmp: {"ca_bundle": str(tmp / "self-signed.pem")},
        scope=BOTH_PATHS,
    ),
    Survivable(
        "a 429 with Retry-After 1, once", lambda tmp: reference_with(throttled_first("1")), afterwards=retry_waited
    ),
    Survivable(
        "103 Early Hints before every response (RFC 9110 15.2: interim, read and ignored)",
        lambda tmp: reference_with(unaltered, handler=EarlyHints),
    ),
]


@pytest.mark.parametrize("case", SURVIVABLE, ids=lambda case: case.description)
def test_a_conformant_server_in_hostile_circumstances_passes(pytester, monkeypatch, tmp_path, case):
    with case.server(tmp_path) as served:
        run, took = run_against(pytester, monkeypatch, tmp_path, served, case.scope, **case.limits(tmp_path))
    assert_no_crash(run)
    assert not run.red and run.status("HTTP-01") == "pass", run.output
    if not case.scope:  # a part of the suite leaves requirements untested, which the verdict counts
        assert run.ret == 0, run.output
    case.afterwards(served)
