"""HTTP-01..08: status, encoding, server errors, speed, other methods, error bodies, content codings."""

from __future__ import annotations

import json

from conformance.checks import Context, Exchanges, answered, check, described
from conformance.checks.outcome import Finding, observed, passed, untested, violated
from conformance.contract import endpoint
from conformance.contract.endpoint import JSON_TYPES
from conformance.wire.transport.failures import UNDECODABLE
from conformance.wire.transport.guard import RETRIED_503


@check("HTTP-01")
def http_01(ex: Exchanges, ctx: Context) -> Finding:
    """Role "probe": an authorised POST with no body and no parameters. No HTTP response at all
    (a timeout, a reset, TLS refused) is this requirement's failure: the other requirements are
    untested then, as there is nothing to judge them by."""
    if "probe" not in ex:
        return untested("no probe exchange to judge")
    probe = ex["probe"]
    if probe.response is None:
        return violated(
            "an authorised POST without body or parameters got no HTTP response",
            expected="200",
            actual=probe.error or "no response",
            evidence=[probe],
        )
    if probe.status != 200:
        return violated(
            "an authorised POST without body or parameters was not answered 200",
            expected="200",
            actual=described(probe),
            evidence=[probe],
        )
    return passed("200", [probe])


@check("HTTP-02")
def http_02(ex: Exchanges, ctx: Context) -> Finding:
    """Every JSON-family 200 among the exchanges: valid UTF-8 (MUST), charset=utf-8 declared (SHOULD)."""
    judged = [e for e in ex.values() if e.response and e.status == 200 and e.response.media_type in JSON_TYPES]
    if not judged:
        return untested("no JSON 200 response to judge", list(ex.values())[:1])
    for exchange in judged:
        try:
            exchange.response.body.decode("utf-8")
        except UnicodeDecodeError as problem:
            return violated(
                "a JSON body is not valid UTF-8",
                expected="UTF-8",
                actual=str(problem),
                evidence=[exchange],
                level="MUST",
            )
    for exchange in judged:
        content_type = exchange.response.header("Content-Type") or ""
        params = {
            k.strip().lower(): v.strip().strip('"').lower()
            for k, _, v in (p.partition("=") for p in content_type.split(";")[1:])
        }
        if params.get("charset") not in ("utf-8", "utf8"):
            return violated(
                "a JSON response does not declare charset=utf-8",
                expected="Content-Type: application/json; charset=utf-8",
                actual=f"Content-Type: {content_type}",
                evidence=[exchange],
            )
    return passed(f"{len(judged)} JSON responses: UTF-8 with charset=utf-8", judged[:1])


@check("HTTP-03")
def http_03(ex: Exchanges, ctx: Context) -> Finding:
    """Any exchanges: none may be answered 5xx."""
    errors = [e for e in ex.values() if e.response is not None and e.status >= 500]
    if errors:
        return violated(
            f"{len(errors)} request(s) got a server error",
            expected="no 5xx for any request",
            actual="; ".join(e.summary() for e in errors[:5]),
            evidence=errors[:3],
        )
    answered_ = [e for e in ex.values() if e.response is not None]
    if not answered_:
        return untested("no request was answered")
    overloaded = [e for e in answered_ if RETRIED_503 in (e.response.note or "")]
    if overloaded:
        # RFC 9110 15.6.4: a 503 is temporary overload or maintenance; answered on a retry, it is a
        # finding (SHOULD), not the server failing the request.
        return violated(
            f"{len(overloaded)} request(s) got 503 first and were answered when asked once more",
            expected="no 5xx; a 503 is temporary overload (RFC 9110 section 15.6.4)",
            actual="; ".join(e.summary() for e in overloaded[:3]),
            evidence=overloaded[:2],
            level="SHOULD",
        )
    return passed(f"{len(answered_)} requests, none answered 5xx", answered_[:1])


@check("HTTP-04")
def http_04(ex: Exchanges, ctx: Context) -> Finding:
    """Every answered exchange: within the NsApiSlow threshold."""
    timed = [e for e in ex.values() if e.response is not None]
    if not timed:
        return untested("no response to time")
    slowest = max(timed, key=lambda e: e.response.elapsed_ms)
    if slowest.response.elapsed_ms > ctx.slow_ms:
        return violated(
            "a response came slower than the NsApiSlow threshold",
            expected=f"<= {ctx.slow_ms:.0f} ms",
            actual=f"{slowest.response.elapsed_ms:.0f} ms",
            evidence=[slowest],
        )
    return passed(
        f"slowest of {len(timed)}: {slowest.response.elapsed_ms:.0f} ms (threshold {ctx.slow_ms:.0f} ms)", [slowest]
    )


@check("HTTP-05")
def http_05(ex: Exchanges, ctx: Context) -> Finding:
    """Roles are method names (GET, ...), each an authorised request on the endpoint."""
    if not ex:
        return untested("no other method was tried")
    seen = [
        f"{method}: {described(e)}"
        + (f" (Allow: {e.response.header('Allow')})" if e.response and e.response.header("Allow") else "")
        for method, e in ex.items()
    ]
    data = [m for m, e in ex.items() if e.status == 200]
    note = f"; {', '.join(data)} answered with data" if data else ""
    return observed("; ".join(seen) + note, list(ex.values()))


@check("HTTP-07", answered("GET"))
def http_07(ex: Exchanges, ctx: Context) -> Finding:
    """Role "GET": an authorised GET on the endpoint. The agent is not invoked by GET (fact 20): a
    description of the call, 404 or 405 are right; engine status in the answer is not."""
    get = ex["GET"]
    if get.status is not None and get.status >= 500:
        return passed(f"GET: {described(get)} (a 5xx is HTTP-03's finding)", [get])
    body = get.body if get.decoded.ok else None
    status_keys = sorted(set(body) & set(endpoint.PROPERTIES)) if isinstance(body, dict) else []
    if get.status == 200 and len(status_keys) >= 2:
        return violated(
            "a GET ran the agent: its answer carries the engine status",
            expected="a description of the call, 404 or 405 (the method is not invoked using GET)",
            actual=f"{described(get)} with {', '.join(status_keys)}",
            evidence=[get],
        )
    return passed(f"GET: {described(get)}, no engine status", [get])


@check("HTTP-06")
def http_06(ex: Exchanges, ctx: Context) -> Finding:
    """Error responses (4xx) among the exchanges: the shape of their bodies, reported."""
    errors = [e for e in ex.values() if e.response is not None and 400 <= e.status < 500]
    if not errors:
        return untested("no error response was seen")
    shapes = []
    for e in errors:
        shape = e.response.media_type or "no Content-Type"
        try:
            data = json.loads(e.response.body.decode("utf-8"))
            if isinstance(data, dict) and {"Error", "ErrorMessage"} <= set(data):
                shape = "REST error body {Error, ErrorType, ErrorMessage, ErrorSource}"
        except ValueError:
            pass
        shapes.append(f"{e.status}: {shape}")
    return observed("; ".join(sorted(set(shapes))), errors[:3])


def _accepted_codings(value: str | None) -> set[str]:
    """The codings an Accept-Encoding value accepts (q > 0); "*" stands for any (RFC 9110 12.5.3)."""
    from werkzeug.datastructures import Accept
    from werkzeug.http import parse_accept_header

    if value is None:
        return {"*"}  # no Accept-Encoding: any coding is acceptable (RFC 9110 12.5.3)
    return {ALIASES.get(coding.lower(), coding.lower()) for coding, q in parse_accept_header(value, Accept) if q > 0}


ALIASES = {"x-gzip": "gzip", "x-compress": "compress"}
"""RFC 9110 8.4.1: a recipient treats x-gzip as gzip and x-compress as compress."""


@check("HTTP-08")
def http_08(ex: Exchanges, ctx: Context) -> Finding:
    """Roles: requests differing in Accept-Encoding (read from each request as sent). Content-
    Encoding must name what was applied: a body the named coding cannot decode, or a gzip body no
    Content-Encoding names, is a MUST violation; a coding the request did not accept, a SHOULD one.
    Whether the server compresses at all is its choice. The decoded body is judged as any other
    answer (conformance.run.everywhere)."""
    broken, unasked, seen = [], [], []
    for role, e in ex.items():
        if e.response is None:
            if (e.error or "").startswith(UNDECODABLE):
                broken.append((role, e, f"the body does not decode: {e.error}"))
            continue
        named = [
            ALIASES.get(c.strip().lower(), c.strip().lower())
            for c in (e.response.header("Content-Encoding") or "").split(",")
            if c.strip() and c.strip().lower() != "identity"
        ]
        if not named and e.response.body[:2] == b"\x1f\x8b":
            broken.append((role, e, "a gzip body that no Content-Encoding names"))
            continue
        asked = next((v for k, v in e.request.headers if k.lower() == "accept-encoding"), None)
        accepted = _accepted_codings(asked)
        if named and "*" not in accepted and not set(named) <= accepted:
            unasked.append((role, e, f"Content-Encoding: {', '.join(named)}"))
        seen.append(f"{role}: {', '.join(named) or 'no coding'}")
    if broken:
        return violated(
            "the content coding named is not the coding applied",
            expected="Content-Encoding naming exactly the codings applied (RFC 9110 8.4)",
            actual="; ".join(f"{role}: {what}" for role, _, what in broken),
            evidence=[e for _, e, _ in broken],
            level="MUST",
        )
    if unasked:
        return violated(
            "a content coding the request did not accept was applied",
            expected="no coding the request's Accept-Encoding leaves out (RFC 9110 12.5.3)",
            actual="; ".join(f"{role}: {what}" for role, _, what in unasked),
            evidence=[e for _, e, _ in unasked],
        )
    if not seen:
        return untested("no request with an Accept-Encoding got a response")
    return passed("; ".join(seen), [e for e in ex.values() if e.response is not None])
