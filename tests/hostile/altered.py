"""The reference app with one thing altered, served over HTTP (or HTTPS) on 127.0.0.1.

An alteration is `alter(server, request) -> Response`: it sees each request and may ask the
reference app for its answer (`server.answer`), so whatever it does not alter stays conformant
and the requirement its alteration breaks is the one that goes red. Every request that reaches
the server is logged in `server.seen`, so tests can count retries and redirects at the server.
"""

from __future__ import annotations

import io
import json
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from conformance.contract.endpoint import JSON_TYPES, XML_TYPES
from conformance.reference import ReferenceApp
from conformance.reference.server import QuietHandler


@dataclass(frozen=True)
class Seen:
    at: float
    method: str
    headers: dict[str, str]


class Altered:
    """A WSGI app: the reference app, each answer passed through `alter`."""

    def __init__(self, alter: Callable[["Altered", Request], Response], config=None) -> None:
        self.alter = alter
        self.reference = ReferenceApp(config)
        self.seen: list[Seen] = []
        self._lock = threading.Lock()

    def answer(self, request: Request, accept: str | None = None) -> Response:
        """The reference app's answer to the request, or to the same request with another Accept
        (asked as often as an alteration likes: each time with the request body from the start)."""
        environ = {**request.environ, "wsgi.input": io.BytesIO(request.environ["erpsync.body"])}
        if accept is not None:
            environ["HTTP_ACCEPT"] = accept
        return Response.from_app(self.reference, environ, buffered=True)

    def __call__(self, environ: dict, start_response) -> Iterable[bytes]:
        request = Request(environ)
        environ["erpsync.body"] = request.get_data()
        with self._lock:
            self.seen.append(Seen(time.monotonic(), request.method, dict(request.headers)))
        return self.alter(self, request)(environ, start_response)


class EarlyHints(QuietHandler):
    """Sends `103 Early Hints` (RFC 8297) before every response: interim, to be read and ignored."""

    def send_response(self, code: int, message: str | None = None) -> None:
        self.wfile.write(b"HTTP/1.1 103 Early Hints\r\nLink: </hint.css>; rel=preload\r\n\r\n")
        super().send_response(code, message)


@contextmanager
def serving(app, ssl_context=None, handler: type = QuietHandler) -> Iterator[str]:
    """Serves a WSGI app on 127.0.0.1, port 0, in a thread; yields its base URL (…/api/v1)."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=handler, ssl_context=ssl_context)
    server.daemon_threads = True
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="hostile-http", daemon=True
    )
    thread.start()
    try:
        yield f"{'https' if ssl_context else 'http'}://127.0.0.1:{server.server_port}/api/v1"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# --- alterations ---------------------------------------------------------------------------------


def unaltered(server: Altered, request: Request) -> Response:
    return server.answer(request)


def json_bodies(change: Callable[[bytes], bytes], types: tuple[str, ...] = JSON_TYPES):
    """Every 200 answer of a JSON type (of `types`) gets `change(body)` as its body, under the same label."""

    def alter(server: Altered, request: Request) -> Response:
        response = server.answer(request)
        if response.status_code == 200 and response.mimetype in types:
            response.set_data(change(response.get_data()))
        return response

    return alter


def labelled_coding(coding: str, when: Callable[[Request], bool] = lambda request: True):
    """Every answer to a request whose Accept-Encoding accepts `coding` (and that `when` picks) says
    Content-Encoding: `coding` over a body sent as it was, uncompressed: a coding named, not applied."""

    def alter(server: Altered, request: Request) -> Response:
        response = server.answer(request)
        if (
            request.accept_encodings[coding] > 0
            and coding in request.headers.get("Accept-Encoding", "")
            and when(request)
            and response.status_code == 200
        ):
            response.headers["Content-Encoding"] = coding
        return response

    return alter


def now_and_then(every: int, alter: Callable[["Altered", Request], Response]):
    """Every `every`-th request gets `alter`'s answer; the others are answered as the reference does."""

    def sometimes(server: Altered, request: Request) -> Response:
        return alter(server, request) if len(server.seen) % every == 0 else server.answer(request)

    return sometimes


def xml_bodies(change: Callable[[bytes], bytes]):
    """Every 200 answer of an XML type gets `change(body)` as its body, under the same label."""

    def alter(server: Altered, request: Request) -> Response:
        response = server.answer(request)
        if response.status_code == 200 and response.mimetype in XML_TYPES:
            response.set_data(change(response.get_data()))
        return response

    return alter


def streamed_json_bodies(
    stream: Callable[[bytes], Iterator[bytes]],
    length: Callable[[bytes], int] | None = None,
    types: tuple[str, ...] = JSON_TYPES,
):
    """Every 200 answer of the `types` streamed by `stream(body)`: chunked (no Content-Length),
    or announced as `length(body)` bytes."""

    def alter(server: Altered, request: Request) -> Response:
        response = server.answer(request)
        if response.status_code != 200 or response.mimetype not in types:
            return response
        body = response.get_data()
        headers = {"Content-Type": response.headers["Content-Type"]}
        if length is not None:
            headers["Content-Length"] = str(length(body))
        return Response(stream(body), status=200, headers=headers, direct_passthrough=True)

    return alter


def relabelled(answered_as: tuple[str, ...], body_from: str):
    """Answers of the `answered_as` types carry the body the reference app gives for Accept:
    `body_from`, under their own label: JSON labelled as XML, or the reverse."""

    def alter(server: Altered, request: Request) -> Response:
        response = server.answer(request)
        if response.status_code == 200 and response.mimetype in answered_as:
            response.set_data(server.answer(request, accept=body_from).get_data())
        return response

    return alter


def every_answer(status: int, headers: dict[str, str] | None = None):
    """Every request is answered `status` with a REST error body, whatever it asked."""

    def alter(server: Altered, request: Request) -> Response:
        body = {"Error": True, "ErrorType": "Hostile", "ErrorMessage": f"always {status}", "ErrorSource": "hostile"}
        return Response(
            json.dumps(body), status=status, headers=headers or {}, content_type="application/json; charset=utf-8"
        )

    return alter


def with_a_body(alter):
    """`alter` for requests that carry a body (the suite sends two: JSON and a form), the
    reference app's answer for the rest: a server that breaks only on unexpected input."""

    def choose(server: Altered, request: Request) -> Response:
        return alter(server, request) if request.content_length else server.answer(request)

    return choose


def without_credentials(alter):
    """`alter` for requests with neither Authorization nor a cookie, the reference app's answer for
    the rest: a server whose authentication breaks on a missing header."""

    def choose(server: Altered, request: Request) -> Response:
        anonymous = "Authorization" not in request.headers and "Cookie" not in request.headers
        return alter(server, request) if anonymous else server.answer(request)

    return choose


def throttled_first(retry_after: str):
    """The first request is answered 429 with Retry-After; every later one as the reference app does."""

    def alter(server: Altered, request: Request) -> Response:
        if len(server.seen) == 1:
            return every_answer(429, {"Retry-After": retry_after})(server, request)
        return server.answer(request)

    return alter


def redirected(location: Callable[[Request], str]):
    """Every request is answered 307 to `location(request)`, which keeps method and credentials
    for whoever follows it."""

    def alter(server: Altered, request: Request) -> Response:
        return Response("", status=307, headers={"Location": location(request)})

    return alter


SECRET_HEADERS = ("Authorization", "Cookie", "X-XSRF-TOKEN", "SO-AppToken")


def encodings(value: str) -> dict[str, str]:
    """A value in every form a careless server might echo it in."""
    import base64
    from urllib.parse import quote, quote_plus

    raw = value.encode("utf-8")
    return {
        "raw": value,
        "base64": base64.b64encode(raw).decode(),
        "base64url": base64.urlsafe_b64encode(raw).decode(),
        "unpadded": base64.b64encode(raw).decode().rstrip("="),
        "url": quote(value, safe=""),
        "url-plus": quote_plus(value, safe=""),
        "json-u": "".join(f"\\u{ord(c):04x}" for c in value),
        "html-dec": "".join(f"&#{ord(c)};" for c in value),
        "html-hex": "".join(f"&#x{ord(c):x};" for c in value),
        "half-escaped": "".join(f"&#{ord(c)};" if i % 2 else c for i, c in enumerate(value)),
        "hex": raw.hex(),
        "upper": value.upper(),
        "reversed": value[::-1],
        "two-thirds": value[: 2 * len(value) // 3],
    }


def body_encodings(value: str) -> dict[str, str]:
    """Forms no header can carry: UTF-16 (NULs) and base64 wrapped over lines."""
    import base64

    encoded = base64.b64encode(b"=" + value.encode("utf-8")).decode()
    return {
        "utf-16le": value.encode("utf-16-le").decode("ascii", "replace"),
        "utf-16be": value.encode("utf-16-be").decode("ascii", "replace"),
        "base64-16-crlf": "\r\n".join(encoded[i : i + 16] for i in range(0, len(encoded), 16)),
        "base64-76-lf": "\n".join(encoded[i : i + 76] for i in range(0, len(encoded), 76)),
    }


def echoing(server: Altered, request: Request) -> Response:
    """Echoes every credential the request carries in every form: in headers (and as a header's
    name), in a Location, and, for a request it refuses, in a 500 page that prints the request
    (JSON with \\u escapes, HTML with character references). Its 200 answers stay the reference's."""
    response = server.answer(request)
    sent = {name: request.headers[name] for name in SECRET_HEADERS if name in request.headers}
    for name, value in sent.items():
        credential = value.split(" ", 1)[-1]
        for form, text in encodings(credential).items():
            response.headers.add(f"X-Echo-{name}-{form}", text)
        response.headers["Location"] = "http://127.0.0.1/echo?c=" + encodings(credential)["url"]
    if request.headers.get("SO-AppToken", "").replace("-", "").isalnum():
        response.headers.add(request.headers["SO-AppToken"], "echoed as a header name")
    if response.status_code in (401, 403) and sent:
        page = "".join(
            f"<p>{name}: {encodings(value)['html-dec']} / {encodings(value)['half-escaped']} / "
            + " / ".join(body_encodings(value.split(" ", 1)[-1]).values())
            + "</p>"
            for name, value in sent.items()
        )
        data = json.dumps({"Message": "An error has occurred.", "Request": dict(sent)})
        data = data.replace(":", "\\u003a")  # escaped as some serializers do
        return Response(f"{data}<!-- {page} -->", status=500, content_type="text/html; charset=utf-8")
    return response


def wide_xml(count: int):
    """The XML body with `count` more elements, each with attributes, among the FieldProperties:
    wide, not deep (bench/hostile_bodies.py measures its memory: 468 MB once, 248 MB now)."""

    def change(body: bytes) -> bytes:
        filler = "".join(f'<x a{i % 7}="v" b="w">t</x>' for i in range(count)).encode()
        return (
            body.replace(b"</FieldProperties>", filler + b"</FieldProperties>", 1)
            if b"</FieldProperties>" in body
            else body.replace(b"</ErpSyncEngineStatus>", filler + b"</ErpSyncEngineStatus>", 1)
        )

    return change
