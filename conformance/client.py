"""HTTP to the target: one requests.Session per auth scheme, each scheme a requests AuthBase.

Every request goes through GuardedAdapter, which refuses any path but GetEngineStatus (its
siblings change a live engine), spends the request budget, keeps the rate limit and honours
429/503 Retry-After a bounded number of times; schemathesis gets the same session and so the
same guard. Redirects are never followed. Cookies are never kept between requests, so one
test's response cannot authenticate the next. The client records; it never judges.
"""

from __future__ import annotations

import base64
import http.cookiejar
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests.auth import AuthBase
from werkzeug.http import parse_date

from conformance import __version__
from conformance.contract import APP_TOKEN_HEADER, PATH, XSRF_HEADER
from conformance.exchange import Exchange, Received, Redactor, SentRequest, curl_line
from conformance.target import Secret, Target, reveal

BODY_CAP = 2 * 1024 * 1024
"""Bytes of a response body the client reads at most; the rest is dropped and marked truncated."""

DEFAULT_WORDS = {"basic": "Basic", "soticket": "SOTicket", "bearer": "Bearer"}


class ForbiddenPath(ValueError):
    """A request for anything but GetEngineStatus: the suite never sends one."""


class BudgetExhausted(RuntimeError):
    """The run's request budget is spent; what is left is untested, not failed."""


class DryRun(RuntimeError):
    """Raised instead of sending, in --dry-run: the request was recorded as planned."""


class Budget:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0
        self._lock = threading.Lock()

    def take(self) -> None:
        with self._lock:
            if self.used >= self.limit:
                raise BudgetExhausted(f"request budget of {self.limit} exhausted")
            self.used += 1

    @property
    def remaining(self) -> int:
        return self.limit - self.used


class RateLimit:
    """At most `rate` requests per second, spaced evenly."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next)
            self._next = slot + self.interval
        if slot > now:
            time.sleep(slot - now)


def retry_after_seconds(value: str | None) -> float | None:
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    when = parse_date(value)
    if when is None:
        return None
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


class GuardedAdapter(HTTPAdapter):
    def __init__(self, endpoint_path: str, budget: Budget, rate: RateLimit, retries: int, max_wait: float) -> None:
        super().__init__()
        self.endpoint_path = endpoint_path
        self.budget, self.rate = budget, rate
        self.retries, self.max_wait = retries, max_wait

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        path = urlsplit(request.url).path
        if path != self.endpoint_path:
            raise ForbiddenPath(f"refusing to request {path}: only {self.endpoint_path} may be requested")
        attempt = 0
        while True:
            self.budget.take()
            self.rate.wait()
            response = super().send(request, **kwargs)
            wait = retry_after_seconds(response.headers.get("Retry-After"))
            if response.status_code in (429, 503) and attempt < self.retries and wait is not None \
                    and wait <= self.max_wait:
                response.close()
                attempt += 1
                time.sleep(wait)
                continue
            return response


class SchemeAuth(AuthBase):
    """`Authorization: <word> <credential>`: Basic, SOTicket and Bearer, in any spelling of the word."""

    def __init__(self, word: str, credential: str) -> None:
        self.word, self.credential = word, credential

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"{self.word} {self.credential}"
        return request


class SessionAuth(AuthBase):
    """A browser session: its cookie, and X-XSRF-TOKEN (left out or replaced for negative tests)."""

    def __init__(self, cookie_name: str, cookie: str, xsrf: str | None) -> None:
        self.cookie_name, self.cookie, self.xsrf = cookie_name, cookie, xsrf

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Cookie"] = f"{self.cookie_name}={self.cookie}"
        if self.xsrf is not None:
            request.headers[XSRF_HEADER] = self.xsrf
        return request


class RawAuthorization(AuthBase):
    """An Authorization header exactly as given: malformed values, unknown schemes, wrong secrets."""

    def __init__(self, value: str) -> None:
        self.value = value

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = self.value
        return request


@dataclass(frozen=True)
class Planned:
    label: str
    method: str
    curl: str


class Client:
    def __init__(self, target: Target, *, max_requests: int | None = None, rate: float | None = None,
                 dry_run: bool = False) -> None:
        self.target = target
        self.redactor = Redactor(target)
        limits = target.limits
        self.budget = Budget(max_requests or limits.max_requests)
        self.rate = RateLimit(rate or limits.rate)
        self.endpoint = target.base_url + PATH
        self.dry_run = dry_run
        self.planned: list[Planned] = []
        self.timeout = (limits.connect_timeout, limits.read_timeout)
        self._sessions: dict[str, requests.Session] = {}
        self._lock = threading.Lock()

    # --- sessions and credentials -------------------------------------------------------------

    def session(self, scheme: str | None = None) -> requests.Session:
        """The requests.Session of a scheme (None: no credentials), guarded like every request."""
        key = scheme or "none"
        with self._lock:
            if key not in self._sessions:
                self._sessions[key] = self._new_session(self.auth(scheme) if scheme else None)
            return self._sessions[key]

    def _new_session(self, auth: AuthBase | None) -> requests.Session:
        session = requests.Session()
        session.trust_env = False  # no .netrc credentials or proxy settings sneaking in
        session.headers.clear()
        session.headers["User-Agent"] = f"erpsync-conformance/{__version__}"
        session.headers["Accept-Encoding"] = "identity"
        session.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
        session.verify = self.target.limits.verify
        session.auth = auth
        adapter = GuardedAdapter(urlsplit(self.endpoint).path, self.budget, self.rate,
                                 self.target.limits.retries, self.target.limits.max_retry_wait)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        return session

    def auth(self, scheme: str, word: str | None = None, *, xsrf: str | None | bool = True) -> AuthBase:
        target = self.target
        if scheme == "basic" and target.basic:
            pair = f"{reveal(target.basic.user)}:{target.basic.password.value}"
            return SchemeAuth(word or DEFAULT_WORDS[scheme], base64.b64encode(pair.encode("utf-8")).decode())
        if scheme == "soticket" and target.soticket:
            return SchemeAuth(word or DEFAULT_WORDS[scheme], target.soticket.value)
        if scheme == "bearer" and target.bearer:
            return SchemeAuth(word or DEFAULT_WORDS[scheme], target.bearer.value)
        if scheme == "session" and target.session:
            s = target.session
            token = s.xsrf_token.value if xsrf is True else (None if xsrf is False else xsrf)
            return SessionAuth(s.cookie_name, s.cookie.value, token)
        raise KeyError(f"the target declares no {scheme!r} credentials")

    def default_app_token(self) -> Secret | None:
        tokens = self.target.apptoken
        return tokens.granted if tokens and tokens.required else None

    # --- sending --------------------------------------------------------------------------------

    def send(self, label: str, *, scheme: str | None = None, auth: AuthBase | None = None,
             headers: dict[str, str] | None = None, select: str | None = None, method: str = "POST",
             app_token: Secret | str | None | bool = True, body: bytes | None = None,
             path: str = PATH) -> Exchange:
        """One exchange with the target. `scheme` picks a session; `auth` overrides its credentials;
        `app_token` True sends the target's default token (if it requires one), a value sends it,
        None or False sends none. Raises ForbiddenPath, BudgetExhausted or DryRun; transport
        errors come back inside the Exchange."""
        if path != PATH:
            raise ForbiddenPath(f"refusing to request {path}: only {PATH} may be requested")
        sent_headers = dict(headers or {})
        token = self.default_app_token() if app_token is True else (app_token or None)
        if token is not None and APP_TOKEN_HEADER not in sent_headers:
            sent_headers[APP_TOKEN_HEADER] = reveal(token)
        session = self.session(scheme)
        request = requests.Request(method, self.endpoint, headers=sent_headers,
                                   params=None if select is None else {"$select": select},
                                   auth=auth, data=body)
        prepared = session.prepare_request(request)
        if method == "POST" and prepared.body is None:
            prepared.headers["Content-Length"] = "0"
        request_headers = [(k, self.redactor.text(v)) for k, v in prepared.headers.items()]
        curl = curl_line(self.redactor, method, prepared.url, list(prepared.headers.items()))
        sent = SentRequest(method, prepared.url, tuple(request_headers), len(body or b""))
        if self.dry_run:
            self.planned.append(Planned(label, method, curl))
            raise DryRun(label)
        started = time.perf_counter()
        try:
            response = session.send(prepared, timeout=self.timeout, allow_redirects=False, stream=True,
                                    verify=session.verify)
            body, truncated = _read_capped(response)
        except (BudgetExhausted, ForbiddenPath):
            raise
        except requests.exceptions.SSLError as problem:
            return self._failed(label, sent, curl, f"TLS verification failed ({_short(problem)}); "
                                                   "give the target a ca_bundle or fix the certificate")
        except requests.exceptions.ConnectTimeout:
            return self._failed(label, sent, curl, f"no connection within {self.timeout[0]} s (connect timeout)")
        except requests.exceptions.ReadTimeout:
            return self._failed(label, sent, curl, f"no response within {self.timeout[1]} s (read timeout)")
        except requests.exceptions.RequestException as problem:
            return self._failed(label, sent, curl, f"{type(problem).__name__}: {_short(problem)}")
        elapsed = (time.perf_counter() - started) * 1000
        received = Received(
            status=response.status_code,
            reason=self.redactor.text(response.reason or ""),
            headers=tuple((k, self.redactor.text(v)) for k, v in _header_items(response)),
            body=self.redactor.bytes(body),
            elapsed_ms=elapsed,
            truncated=truncated,
        )
        return Exchange(label, sent, received, None, curl, self.target.profile)

    def _failed(self, label: str, sent: SentRequest, curl: str, error: str) -> Exchange:
        return Exchange(label, sent, None, self.redactor.text(error), curl, self.target.profile)


def _read_capped(response: requests.Response) -> tuple[bytes, bool]:
    chunks, size = [], 0
    try:
        for chunk in response.iter_content(chunk_size=65536):
            chunks.append(chunk)
            size += len(chunk)
            if size > BODY_CAP:
                return b"".join(chunks)[:BODY_CAP], True
    finally:
        response.close()
    return b"".join(chunks), False


def _header_items(response: requests.Response) -> list[tuple[str, str]]:
    raw = getattr(response.raw, "headers", None)
    if raw is not None and hasattr(raw, "iteritems"):
        return list(raw.iteritems())
    return list(response.headers.items())


def _short(problem: Exception) -> str:
    text = str(problem)
    return text if len(text) < 300 else text[:300] + "..."
