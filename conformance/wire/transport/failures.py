"""Why an exchange got no complete response, in words a reader of the report can act on."""

from __future__ import annotations

import http.client
import ssl
from typing import Iterator

import requests
import urllib3

from conformance.wire.transport.deadline import HeadCutShort, TooManyInterim

TRANSPORT_ERRORS = (
    requests.exceptions.RequestException,
    urllib3.exceptions.HTTPError,
    http.client.HTTPException,
    OSError,
)


UNDECODABLE = "the body does not decode as its Content-Encoding says"
"""The start of the reason of an answer whose body its named coding cannot decode: the server did
answer (so the guard counts no transport failure), and HTTP-08 judges it (RFC 9110 8.4)."""


def undecodable(problem: BaseException) -> bool:
    return any(
        isinstance(c, (requests.exceptions.ContentDecodingError, urllib3.exceptions.DecodeError))
        for c in _causes(problem)
    )


def _causes(problem: BaseException) -> Iterator[BaseException]:
    """The exception and what it wraps: requests and urllib3 nest the socket's error in args,
    `reason` and __cause__/__context__."""
    seen: set[int] = set()
    stack = [problem]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        stack += [
            e
            for e in (current.__cause__, current.__context__, getattr(current, "reason", None), *current.args)
            if isinstance(e, BaseException)
        ]


def transport_reason(problem: BaseException, deadline: float | None, timeout: tuple[float, float]) -> str:
    """Why an exchange got no complete response, in words a reader of the report can act on,
    quoting the innermost error (the socket's or TLS's own words, not urllib3's wrapping)."""
    causes = list(_causes(problem))

    def innermost(*kinds: type[BaseException]) -> BaseException | None:
        found = [c for c in causes if isinstance(c, kinds)]
        return found[-1] if found else None

    if deadline is not None:
        return (
            f"no complete response within {deadline:g} s (connect_timeout + read_timeout, the deadline of a "
            "whole exchange): the target was still sending"
        )
    if (failed := innermost(urllib3.exceptions.DecodeError)) is not None:
        return f"{UNDECODABLE}: {short(failed)}"
    if (failed := innermost(ssl.SSLCertVerificationError)) is not None:
        return (
            f"TLS certificate verification failed: {failed}; give the target's limits.ca_bundle the CA that "
            "signed the certificate, or fix the certificate"
        )
    if (failed := innermost(ssl.SSLError)) is not None:
        return f"TLS failed: {failed}"
    if innermost(requests.exceptions.ConnectTimeout) is not None:
        return f"no connection within {timeout[0]:g} s (connect timeout)"
    if innermost(requests.exceptions.ReadTimeout, urllib3.exceptions.ReadTimeoutError, TimeoutError) is not None:
        return f"no data for {timeout[1]:g} s (read timeout)"
    if (failed := innermost(ConnectionResetError)) is not None:
        return f"the target reset the connection (TCP RST): {failed}"
    if (failed := innermost(TooManyInterim)) is not None:
        return f"the target sent {failed}: no final response"
    if innermost(HeadCutShort) is not None:
        return "the target closed the connection in the middle of the response's headers: no complete response"
    if (failed := innermost(http.client.IncompleteRead, urllib3.exceptions.IncompleteRead)) is not None:
        return f"the target closed the connection mid-body: {failed!r}"
    if (failed := innermost(http.client.LineTooLong)) is not None:
        return f"the target sent a line longer than http.client reads ({failed}): no response read"
    if any(isinstance(c, http.client.HTTPException) and str(c).startswith("got more than") for c in causes):
        return (
            f"the target sent more than {http.client._MAXHEADERS} header fields, the most http.client "  # type: ignore[attr-defined]
            "reads: no response read"
        )
    if innermost(http.client.RemoteDisconnected) is not None:
        return "the target closed the connection without a response"
    if (failed := innermost(ConnectionRefusedError)) is not None:
        return f"the connection was refused: {failed}"
    return f"{type(problem).__name__}: {short(problem)}"


def trailing_reason(count: int) -> str:
    """An answer followed by bytes no request asked for: its framing cannot be trusted (a body longer
    than its Content-Length, or an unsolicited response), and the connection is discarded."""
    more = "or more " if count >= 8192 else ""
    return (
        f"the target sent {count} {more}byte(s) after a complete response (RFC 9112 6.3: a message ends where "
        "its framing says): a body longer than its Content-Length, or a response no request asked for; "
        "the answer was not judged, the connection was closed, and nothing on it was read as another answer"
    )


def short(problem: BaseException) -> str:
    text = str(problem)
    return text if len(text) < 300 else text[:300] + "..."
