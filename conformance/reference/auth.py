"""Who is calling: the Authorization schemes, the cookie session with X-XSRF-TOKEN, the app token.

CONTRACT-NOTES facts 8-10. The Authorization header is parsed by werkzeug, which reads the
scheme word case-insensitively. Every credential maps to the same principal, so each scheme
sees the same engine status (AUTH-11), unless profile principals=different.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from werkzeug.datastructures import Authorization
from werkzeug.wrappers import Request

from conformance.contract.endpoint import APP_TOKEN_HEADER, XSRF_HEADER
from conformance.reference.config import ServerConfig

DOCUMENTED_SPELLINGS = {"basic": "Basic", "soticket": "SOTicket", "bearer": "Bearer"}


@dataclass(frozen=True)
class Principal:
    scheme: str


@dataclass(frozen=True)
class Refusal:
    status: int
    reason: str


class AuthCrash(RuntimeError):
    """What a faulty server does with a header it cannot parse (auth-malformed-500)."""


def _same(given: str | None, expected: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode("utf-8"))


def authenticate(request: Request, config: ServerConfig) -> Principal | Refusal:
    outcome = _authorization(request, config) if "Authorization" in request.headers else _session(request, config)
    if isinstance(outcome, Refusal):
        return outcome
    return _app_token(request, config, outcome)


def _authorization(request: Request, config: ServerConfig) -> Principal | Refusal:
    header = request.headers["Authorization"]
    try:
        parsed = Authorization.from_header(header)
    except ValueError:  # werkzeug's base64 decoding of non-ASCII Basic credentials
        parsed = None
    if parsed is None:
        if config.has("auth-malformed-500"):
            raise AuthCrash("could not parse the Authorization header")
        return Refusal(400, "The Authorization header is malformed")
    scheme = parsed.type
    if scheme in DOCUMENTED_SPELLINGS and scheme not in config.offered and config.options.installation == "online":
        return Refusal(400, f"Authorization scheme {header.split()[0]!r} is not offered by this installation")
    if scheme not in DOCUMENTED_SPELLINGS or scheme not in config.offered:
        return Refusal(401, f"Authorization scheme {header.split()[0]!r} is not supported here")
    if config.has("auth-scheme-case-sensitive") and header.split()[0] != DOCUMENTED_SPELLINGS[scheme]:
        return Refusal(401, f"Authorization scheme {header.split()[0]!r} is not supported here")
    if scheme != "basic" and not parsed.token:
        return Refusal(400, f"The {DOCUMENTED_SPELLINGS[scheme]} credential is missing or malformed")
    creds = config.credentials
    if scheme == "basic":
        user_ok = _same(parsed.username, creds.basic_user)
        ok = user_ok and (config.has("auth-basic-any-password") or _password_ok(parsed.password, config))
        ok = ok and not config.has("auth-basic-rejected")
    elif scheme == "soticket":
        given = parsed.token.lower() if config.has("auth-ticket-case-insensitive") else parsed.token
        right = creds.ticket.lower() if config.has("auth-ticket-case-insensitive") else creds.ticket
        ok = _same(given, right) and not config.has("auth-ticket-rejected")
    else:
        ok = _same(parsed.token, creds.bearer) or (
            config.has("auth-bearer-prefix-accepted")
            and len(parsed.token) > 4
            and creds.bearer.startswith(parsed.token)
        )
        ok = ok and not config.has("auth-bearer-rejected")
    return Principal(scheme) if ok else Refusal(401, "The credentials were not accepted")


def _password_ok(given: str | None, config: ServerConfig) -> bool:
    """The Basic password check, and the ways a faulty server gets it wrong."""
    right = config.credentials.basic_password
    given = given or ""
    if config.has("auth-empty-password-accepted") and given == "":
        return True
    if config.has("auth-password-prefix-accepted") and given and right.startswith(given):
        return True
    if config.has("auth-password-non-ascii-dropped"):
        given = "".join(c for c in given if ord(c) < 128)
    if config.has("auth-password-colon-truncated"):
        given = given.split(":", 1)[0]
    return _same(given, right)


def _session(request: Request, config: ServerConfig) -> Principal | Refusal:
    creds = config.credentials
    cookie = request.cookies.get(creds.session_cookie)
    if cookie is None:
        if config.has("auth-open"):
            return Principal("anonymous")
        return Refusal(401, "No credentials: send an Authorization header or a session with X-XSRF-TOKEN")
    if "session" not in config.offered or not _same(cookie, creds.session_id):
        return Refusal(401, "The session is not valid")
    sent = request.headers.get(XSRF_HEADER)
    if config.has("auth-xsrf-prefix-accepted") and sent and len(sent) > 4 and creds.xsrf_token.startswith(sent):
        sent = creds.xsrf_token
    if not config.has("xsrf-not-required") and not _same(sent, creds.xsrf_token):
        return Refusal(401, "The session needs the matching X-XSRF-TOKEN header")
    return Principal("session")


def _app_token(request: Request, config: ServerConfig, principal: Principal) -> Principal | Refusal:
    creds = config.credentials
    token = request.headers.get(APP_TOKEN_HEADER)
    if config.profile.app_tokens == "unchecked":
        return principal  # as on-site installations do (fact 18)
    if token is None:
        if creds.require_app_token and not config.has("apptoken-optional-online"):
            return Refusal(401, "SO-AppToken is required")
        return principal
    if config.has("apptoken-scheme-limited") and principal.scheme != "soticket":
        return Refusal(401, "SO-AppToken is only accepted with a SOTicket")
    if _same(token, creds.app_token_granted):
        return principal
    if _same(token, creds.app_token_restricted):
        if config.has("apptoken-restriction-ignored"):
            return principal
        return Refusal(403, "This application has not been granted access to the ErpSync agent")
    return Refusal(401, "The application token is not known")
