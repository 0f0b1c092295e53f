"""The reference server's WSGI application: GetEngineStatus as the contract and profile say.

Order of decisions, each in its own module: path and method, authentication (auth), `$select`
(selection), language/culture/zone (locales), content negotiation (negotiation), the engine's
carrier (engine), the rendering (rendering). Faults are consulted where each decision is made.

Limits (documented in the README): the request line and each header line up to 64 KiB and at
most 100 headers (Python's http.server answers 414/431 beyond), a request body up to
`config.max_body_bytes` (1 MiB, 413 beyond; the body is read and ignored).
"""

from __future__ import annotations

import gzip
import itertools
import json
import time
import zlib
from typing import Iterable

import brotli
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Request, Response

from conformance.contract.endpoint import PATH
from conformance.reference import auth, engine, locales, negotiation, rendering, selection
from conformance.reference.config import ServerConfig

ERROR_SOURCE = "ErpSyncAgent.GetEngineStatus"
DELAY_HEADER = "X-Reference-Delay"
"""Set on an answer a slow fault held back (the seconds it waited): tests see the fault by it, not by a clock."""
OVERLOAD_EVERY = 25
"""Fault http-503-transient: one POST in this many is answered 503 (without Retry-After)."""
UNKNOWN_SETTINGS = {
    "Accept-Language": "unknown_accept_language",
    "SO-Language": "unknown_so_language",
    "SO-Culture": "unknown_culture",
    "SO-TimeZone": "unknown_timezone",
}
HTML_PAGE = (
    "<!DOCTYPE html><html><head><title>ErpSync</title></head><body><h1>GetEngineStatus</h1>"
    "<p>This resource is available as JSON and XML.</p></body></html>"
)
"""What a server whose unsupported_accept is `any` answers text/html with: a page, as ASP.NET may (fact 15)."""


class ReferenceApp:
    def __init__(self, config: ServerConfig | None = None) -> None:
        self.config = config or ServerConfig()
        self.engine = engine.Engine(self.config)
        self.endpoint = self.config.base_path + PATH
        self._posts = itertools.count()

    def __call__(self, environ: dict, start_response) -> Iterable[bytes]:
        request = Request(environ)
        request.max_content_length = self.config.max_body_bytes
        try:
            response = self.handle(request)
        except (auth.AuthCrash, selection.SelectCrash, LocaleCrash) as crash:
            response = self.error(500, "InternalServerError", f"{type(crash).__name__}: {crash}")
        return front_end(coded(response, request, self.config), self.config.options)(environ, start_response)

    def handle(self, request: Request) -> Response:
        cfg = self.config
        if request.path != self.endpoint:
            return self.error(404, "NotFound", f"No resource at {request.path}")
        if request.method != "POST" and not (request.method == "GET" and cfg.has("get-answers-data")):
            response = self.error(405, "MethodNotAllowed", f"{request.method} is not supported; use POST")
            response.headers["Allow"] = "POST"
            return response
        if cfg.has("http-503-transient") and next(self._posts) % OVERLOAD_EVERY == OVERLOAD_EVERY - 1:
            return self.error(503, "ServiceUnavailable", "The server is busy; try again")
        delayed = cfg.has("slow")
        if delayed:
            time.sleep(cfg.slow_seconds)
        if cfg.has("post-requires-content-type") and not request.headers.get("Content-Type"):
            return self.error(415, "UnsupportedMediaType", "A Content-Type header is required")
        try:
            request.get_data(cache=False)
        except RequestEntityTooLarge:
            return self.error(413, "PayloadTooLarge", f"The request body exceeds {cfg.max_body_bytes} bytes")

        who = auth.authenticate(request, cfg)
        if (
            isinstance(who, auth.Refusal)
            and cfg.has("auth-xml-skips-auth")
            and "text/xml" in (request.headers.get("Accept") or "").lower()
        ):
            who = auth.Principal("anonymous")
        if isinstance(who, auth.Refusal):
            return self.refuse(request, who)
        try:
            chosen = selection.parse(request.args.get("$select"), cfg.profile, cfg.faults, cfg.options)
        except selection.SelectRejected as rejected:
            return self.error(400, "BadRequest", str(rejected))
        locale = self.locale(request)
        if isinstance(locale, Response):
            return locale
        negotiated = negotiation.negotiate(request.headers.get("Accept"), cfg.profile, cfg.faults)
        if negotiated.media_type is None:
            return self.error(
                406, "NotAcceptable", f"None of the accepted types is produced: {request.headers.get('Accept')!r}"
            )
        if negotiated.media_type == "text/html":
            return Response(HTML_PAGE, status=200, content_type="text/html; charset=utf-8")

        if cfg.has("lang-culture-with-select-500") and request.headers.get("SO-Culture") and "$select" in request.args:
            raise LocaleCrash("FormatException: a culture's formatter met a nulled property")
        if (
            cfg.has("http-patch-culture-500")
            and request.headers.get("SO-Culture")
            and negotiated.media_type == "application/json-patch+json"
        ):
            raise LocaleCrash("NotSupportedException: culture-aware patch serialization")
        if cfg.has("accept-xml-select-as-json") and negotiated.is_xml and "$select" in request.args:
            negotiated = negotiation.Negotiated("application/json")
        body = engine.carrier(self.engine.snapshot(), locale, cfg, who.scheme)
        ignored = (negotiated.is_xml and cfg.has("select-xml-ignored")) or (
            cfg.has("select-ignored-with-language") and locale.language is not None
        )
        if not ignored:
            body = selection.apply(body, chosen, cfg.profile, cfg.faults)
        if cfg.has("http-slow-xml") and negotiated.is_xml:
            time.sleep(cfg.slow_seconds)
            delayed = True
        response = self.render(body, negotiated)
        if delayed:
            response.headers[DELAY_HEADER] = f"{cfg.slow_seconds:g}"
        return response

    def locale(self, request: Request) -> locales.Locale | Response:
        cfg, headers = self.config, request.headers
        zone = headers.get("SO-TimeZone")
        if cfg.has("tz-numeric-rejected") and locales.is_numeric_or_optioned_zone(zone):
            return self.error(400, "BadRequest", f"SO-TimeZone {zone!r} is not a zone code")
        head = (zone or "").split(",")[0].strip()
        if cfg.has("lang-zone-us-ny-400") and head.upper() == "US-NY":
            return self.error(400, "BadRequest", "SO-TimeZone US-NY: no rule for this zone")
        if cfg.has("lang-zone-id-460-500") and head == "460":
            raise LocaleCrash("KeyNotFoundException: time zone id 460")
        if cfg.has("lang-offset-lowercase-500") and "includeTZoffset" in (zone or ""):
            raise LocaleCrash("ArgumentException: includeTZoffset")
        accept_language = headers.get("Accept-Language") or ""
        if cfg.has("lang-empty-list-400") and accept_language.strip() and not accept_language.strip(" ,\t"):
            return self.error(400, "BadRequest", f"Accept-Language {accept_language!r} names no language")
        if cfg.has("lang-region-tag-400") and any(
            "-" in (headers.get(h) or "").split(",")[0] for h in ("Accept-Language", "SO-Language")
        ):
            return self.error(400, "BadRequest", "Region-specific language tags are not supported")
        resolved = locales.resolve(
            locales.LocaleRequest(
                headers.get("Accept-Language"), headers.get("SO-Language"), headers.get("SO-Culture"), zone
            ),
            so_language_ignored=cfg.has("lang-so-language-ignored"),
            star_translates=cfg.has("lang-star-translates")
            or (cfg.has("lang-star-with-list-translates") and ";q=" in (headers.get("Accept-Language") or "")),
            culture_without_language=cfg.has("lang-culture-without-language"),
            strict_zone_spacing=cfg.options.zone_spacing == "strict",
        )
        for header in resolved.unknown:
            if header == "SO-TimeZone" and cfg.has("tz-unknown-500"):
                raise LocaleCrash(f"TimeZoneNotFoundException: {zone!r}")
            if header != "SO-TimeZone" and cfg.has("lang-unknown-500"):
                raise LocaleCrash(f"CultureNotFoundException: {headers.get(header)!r}")
        for header in resolved.unknown:
            if getattr(cfg.profile, UNKNOWN_SETTINGS[header]) == "reject":
                return self.error(400, "BadRequest", f"Unknown {header} value {headers.get(header)!r}")
            if getattr(cfg.profile, UNKNOWN_SETTINGS[header]) == "406":
                return self.error(406, "NotAcceptable", f"No language of {headers.get(header)!r} is available")
        return resolved

    def render(self, body: dict | None, negotiated: negotiation.Negotiated) -> Response:
        cfg = self.config
        if negotiated.is_xml and not cfg.has("accept-xml-ignored"):
            text = rendering.to_xml(body, cfg.profile, cfg.faults, cfg.options)
            media = negotiated.media_type
        else:
            text = rendering.to_json(body, cfg.profile, cfg.faults, cfg.options)
            media = "application/json" if negotiated.is_xml else negotiated.media_type
            if media in negotiation.PATCH_TYPES and cfg.has("json-patch-body-invalid"):
                text = text[:-1] + ",}"
            if media == "application/merge-patch+json" and cfg.has("accept-merge-patch-xml-body"):
                text = rendering.to_xml(body, cfg.profile, cfg.faults, cfg.options)
        label = negotiated.label or ("application/json" if cfg.has("accept-type-mislabelled") else media)
        charset = "" if cfg.has("charset-missing") and not negotiated.is_xml else "; charset=utf-8"
        latin1 = cfg.has("body-not-utf8") and media == "text/json"
        data = text.encode("latin-1", "replace") if latin1 else text.encode("utf-8")
        return Response(data, status=200, content_type=label + charset)

    def error(self, status: int, kind: str, message: str) -> Response:
        """A REST-style error body (CONTRACT-NOTES fact 11)."""
        if self.config.has("error-body-html"):
            page = f"<html><body><h1>{status} {kind}</h1></body></html>"
            return Response(page, status=status, content_type="text/html; charset=utf-8")
        body = {"Error": True, "ErrorType": kind, "ErrorMessage": message, "ErrorSource": ERROR_SOURCE}
        return Response(json.dumps(body), status=status, content_type="application/json; charset=utf-8")

    def refuse(self, request: Request, refusal: auth.Refusal) -> Response:
        cfg = self.config
        if refusal.status in (401, 403) and cfg.profile.refusal == "null-body":
            negotiated = negotiation.negotiate(request.headers.get("Accept"), cfg.profile, cfg.faults)
            documented = negotiated.media_type in negotiation.MEDIA_TYPES
            leaked = (
                engine.carrier(cfg.engine, locales.resolve(locales.LocaleRequest()), cfg, "leak")
                if cfg.has("auth-refusal-leaks-body") and refusal.status == 401
                else None
            )
            return self.render(leaked, negotiated if documented else negotiation.Negotiated("application/json"))
        kind = {400: "BadRequest", 401: "Unauthorized", 403: "Forbidden"}[refusal.status]
        response = self.error(refusal.status, kind, refusal.reason)
        if cfg.has("auth-refusal-leaks-body") and refusal.status == 401:
            leaked = engine.carrier(cfg.engine, locales.resolve(locales.LocaleRequest()), cfg, "leak")
            response.set_data(rendering.to_json(leaked, cfg.profile, frozenset(), cfg.options).encode("utf-8"))
        if (
            refusal.status == 401
            and cfg.profile.www_authenticate == "required"
            and not cfg.has("www-authenticate-missing")
        ):
            for scheme in ("basic", "soticket", "bearer"):
                if scheme in cfg.offered:
                    response.headers.add("WWW-Authenticate", f'{auth.DOCUMENTED_SPELLINGS[scheme]} realm="SuperOffice"')
            if not response.headers.get("WWW-Authenticate"):  # a session-only installation: still a challenge
                response.headers.add("WWW-Authenticate", 'Session realm="SuperOffice"')
        return response


FRONT_END_HEADERS = (
    ("Server", "Microsoft-IIS/10.0"),
    ("X-Powered-By", "ASP.NET"),
    ("Via", "1.1 gateway (Varnish)"),
    ("Cache-Control", "no-cache, no-store"),
    ("Strict-Transport-Security", "max-age=31536000"),
    ("X-Content-Type-Options", "nosniff"),
    ("Set-Cookie", "ARRAffinity=4f1c0de; Path=/; HttpOnly"),
    ("X-Request-Id", "0HN8Q2V1R3T5K:00000001"),
)
"""What an IIS host, a gateway and a load balancer add to an answer (option front_end=proxy)."""


def coded(response: Response, request: Request, cfg: ServerConfig) -> Response:
    """The content coding of an answer (option content_coding, faults coding-*): br first under
    content_coding=br, then gzip, else deflate, when the request's Accept-Encoding accepts it;
    werkzeug's parser gives each coding its q."""
    unasked, mislabelled = cfg.has("coding-unasked"), cfg.has("coding-mislabelled")
    if not (unasked or mislabelled or cfg.options.content_coding != "identity") or response.status_code in (204, 304):
        return response
    accepted = request.accept_encodings
    preferred = ("br", "gzip", "deflate") if cfg.options.content_coding == "br" else ("gzip", "deflate")
    coding = "gzip" if unasked else next((c for c in preferred if accepted[c] > 0), None)
    if coding is None or (mislabelled and coding != "gzip"):
        return response
    data = response.get_data()
    if not mislabelled:
        data = {"gzip": lambda d: gzip.compress(d, mtime=0), "deflate": zlib.compress, "br": brotli.compress}[coding](
            data
        )
    response.set_data(data)
    response.headers["Content-Encoding"] = coding
    response.headers.add("Vary", "Accept-Encoding")
    return response


def front_end(response: Response, options) -> Response:
    """The answer as the server's HTTP layer and front end send it: framing, connection, header names."""
    if options.front_end == "proxy":
        for name, value in FRONT_END_HEADERS:
            response.headers.add(name, value)
    if options.connection == "close":
        response.headers["Connection"] = "close"
    if options.framing == "chunked" and response.status_code not in (204, 304):
        data = response.get_data()
        response.response = iter([data[: len(data) // 2], data[len(data) // 2 :]])
        response.headers.pop("Content-Length", None)  # the server then sends it chunked (HTTP/1.1)
    if options.header_case == "lower":
        items = list(response.headers.items())
        response.headers.clear()
        for name, value in items:
            response.headers.add(name.lower(), value)
    return response


class LocaleCrash(RuntimeError):
    """What a faulty server does with a language or zone it does not know."""
