"""The client of a run: one requests.Session per auth scheme, each guarded by the adapter, and each
exchange recorded as sent and received: raw, for the checks to judge. Only its curl line is
redacted when it is made, as that is all it is for; everything else is redacted where it is
written (conformance.text.redaction). Cookies are never kept between requests, so one test's response
cannot authenticate the next."""

from __future__ import annotations

import base64
import contextlib
import http.cookiejar
import threading
from collections import OrderedDict
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Iterator

import requests
from requests.auth import AuthBase

from conformance import __version__
from conformance.contract.endpoint import APP_TOKEN_HEADER, PATH
from conformance.text.redaction import Redactor
from conformance.wire.exchange import Exchange, Received, SentRequest, curl_line
from conformance.wire.target import Secret, Target, reveal
from conformance.wire.transport.adapter import Generating, GuardedAdapter, UnredirectedSession
from conformance.wire.transport.auth import DEFAULT_WORDS, SchemeAuth, SessionAuth
from conformance.wire.transport.credentials import derived
from conformance.wire.transport.errors import DryRun, ForbiddenPath, NotJudged, TransportFailure
from conformance.wire.transport.failures import short
from conformance.wire.transport.guard import Budget, RateLimit, Streaks
from conformance.wire.transport.reading import header_items

ANSWERS_KEPT = 256
"""Answers kept for reuse at most, the least recently used dropped first."""
ANSWER_BYTES_KEPT = 64 * 1024
"""A body longer than this is not kept for reuse (a server's 2 MB answers are sent for anew)."""
UNSETTLED = frozenset({408, 425, 429})
"""Statuses that say "not now" (RFC 9110 15.5.9, RFC 8470, RFC 6585): never reused, nor any 5xx."""


@dataclass(frozen=True)
class Planned:
    label: str
    method: str
    curl: str


class Client:
    def __init__(
        self,
        target: Target,
        *,
        max_requests: int | None = None,
        rate: float | None = None,
        dry_run: bool = False,
        reuse: bool = False,
    ) -> None:
        """`reuse`: an answer serves every later request the same on the wire (see `fresh`), as in
        a conformance run; off, every request is sent, as a transport's tests and the benchmark's
        loops need."""
        self.target = target
        self.redactor = redactor_of(target)
        limits = target.limits
        self.budget = Budget(max_requests or limits.max_requests)
        self.rate = RateLimit(rate or limits.rate)
        self.endpoint = target.base_url + PATH
        self.dry_run = dry_run
        self.planned: list[Planned] = []
        self.streaks = Streaks()
        self._generating = Generating()
        self._sessions: dict[str, requests.Session] = {}
        self._lock = threading.Lock()
        self.reuse = reuse
        self._answers: OrderedDict[tuple, Exchange] = OrderedDict()
        self._fresh = threading.local()
        self.reused = 0
        """Requests not sent because an identical one had been answered (`fresh`)."""

    @contextlib.contextmanager
    def generating(self) -> Iterator[None]:
        """The requests sent inside belong to a generated example (Hypothesis, schemathesis): one
        without an answer of its own raises NotJudged instead of coming back as an exchange."""
        before = self._generating.active
        self._generating.active = True
        try:
            yield
        finally:
            self._generating.active = before

    @contextlib.contextmanager
    def fresh(self) -> Iterator[None]:
        """The requests sent inside go to the server even when an identical request of the run has
        been answered: the reads that learn what changes on its own, and a failed relation's
        re-check. Elsewhere a request the same on the wire as one answered before (method, URL,
        every header and the body) gets that answer back, marked `answer_of`, and is not sent:
        the answers of a server that holds still are the same, and the suite's rows, references
        and generated examples ask for many alike. Never reused: an answer that did not come, was
        cut, says "not now" (UNSETTLED, 5xx) or is longer than ANSWER_BYTES_KEPT."""
        before = getattr(self._fresh, "active", False)
        self._fresh.active = True
        try:
            yield
        finally:
            self._fresh.active = before

    def _reusable(self, exchange: Exchange) -> bool:
        r = exchange.response
        return (
            r is not None
            and exchange.error is None
            and not r.truncated
            and r.status < 500
            and r.status not in UNSETTLED
            and len(r.body) <= ANSWER_BYTES_KEPT
        )

    # --- sessions and credentials -------------------------------------------------------------

    def session(self, scheme: str | None = None) -> requests.Session:
        """The requests.Session of a scheme (None: no credentials), guarded like every request."""
        key = scheme or "none"
        with self._lock:
            if key not in self._sessions:
                self._sessions[key] = self._new_session(self.auth(scheme) if scheme else None)
            return self._sessions[key]

    def _new_session(self, auth: AuthBase | None) -> requests.Session:
        session = UnredirectedSession()
        session.trust_env = False  # no .netrc credentials or proxy settings sneaking in
        session.headers.clear()
        session.headers["User-Agent"] = f"erpsync-conformance/{__version__}"
        session.headers["Accept-Encoding"] = "identity"
        session.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
        session.verify = self.target.limits.verify
        session.auth = auth
        adapter = GuardedAdapter(
            self.endpoint, self.budget, self.rate, self.target.limits, self.streaks, self._generating
        )
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

    def send(
        self,
        label: str,
        *,
        scheme: str | None = None,
        auth: AuthBase | None = None,
        headers: dict[str, str] | None = None,
        select: str | None = None,
        method: str = "POST",
        app_token: Secret | str | None | bool = True,
        body: bytes | None = None,
        path: str = PATH,
    ) -> Exchange:
        """One exchange with the target. `scheme` picks a session; `auth` overrides its credentials;
        `app_token` True sends the target's default token (if it requires one), a value sends it,
        None or False sends none. Raises ForbiddenPath, BudgetExhausted or DryRun; transport
        errors, and requests not sent because the target is unresponsive, come back inside the
        Exchange as its error, except for a generated example (see `generating`), where an
        exchange without an answer of its own raises NotJudged."""
        if path != PATH:
            raise ForbiddenPath(f"refusing to request {path}: only {PATH} may be requested")
        sent_headers = dict(headers or {})
        token = self.default_app_token() if app_token is True else (app_token or None)
        if token is not None and APP_TOKEN_HEADER not in sent_headers:
            sent_headers[APP_TOKEN_HEADER] = reveal(token)
        session = self.session(scheme)
        request = requests.Request(
            method,
            self.endpoint,
            headers=sent_headers,
            params=None if select is None else {"$select": select},
            auth=auth,
            data=body,
        )
        prepared = session.prepare_request(request)
        if method == "POST" and prepared.body is None:
            prepared.headers["Content-Length"] = "0"
        curl = curl_line(self.redactor, method, prepared.url, list(prepared.headers.items()))
        sent = SentRequest(method, prepared.url, tuple(prepared.headers.items()), len(body or b""))
        if self.dry_run:
            self.planned.append(Planned(label, method, curl))
            raise DryRun(label)
        key = (method, prepared.url, sent.headers, prepared.body)
        if self.reuse and not getattr(self._fresh, "active", False):
            with self._lock:
                earlier = self._answers.get(key)
                if earlier is not None:
                    self._answers.move_to_end(key)
                    self.reused += 1
                    return replace(earlier, label=label, answer_of=earlier.answer_of or earlier.label)
        exchange = self._sent(label, session, prepared, sent, curl)
        if self.reuse and self._reusable(exchange):
            with self._lock:
                self._answers[key] = exchange
                self._answers.move_to_end(key)
                while len(self._answers) > ANSWERS_KEPT:
                    self._answers.popitem(last=False)
        return exchange

    def _sent(
        self, label: str, session: requests.Session, prepared: requests.PreparedRequest, sent: SentRequest, curl: str
    ) -> Exchange:
        try:
            response = session.send(prepared, allow_redirects=False)
        except NotJudged as stopped:
            if self._generating.active:
                raise
            return self._failed(label, sent, curl, str(stopped))
        except TransportFailure as problem:
            return self._failed(label, sent, curl, str(problem))
        except requests.exceptions.RequestException as problem:
            return self._failed(label, sent, curl, f"{type(problem).__name__}: {short(problem)}")
        delivery = response.delivery
        headers, cut, limit = header_items(response)
        note = "; ".join(
            filter(
                None,
                [
                    delivery.note,
                    f"{cut} header value(s) longer than {limit} characters kept only that far" if cut else "",
                ],
            )
        )
        received = Received(
            status=response.status_code,
            reason=response.reason or "",
            headers=tuple(headers),
            body=response.content,
            elapsed_ms=delivery.elapsed_ms,
            truncated=delivery.truncated,
            note=note,
        )
        return Exchange(label, sent, received, None, curl, self.target.profile, self.redactor)

    def _failed(self, label: str, sent: SentRequest, curl: str, error: str) -> Exchange:
        return Exchange(label, sent, None, error, curl, self.target.profile, self.redactor)


def redactor_of(target: Target) -> Redactor:
    """Every secret of the target, and Basic's user:password, as the run's Redactor; the values the
    target calls published (the bundled reference server's sample credentials) are searched whole
    only (not in pieces). Targets with the same secrets share one Redactor (the session's and its
    client's, runs in one process): its memo of redacted texts then serves them all, and a text is
    redacted once, not once per output."""
    basic = None
    if target.basic is not None:
        user = target.basic.user
        basic = (
            reveal(user),
            f"${user.env}" if isinstance(user, Secret) else str(user),
            target.basic.password.value,
            target.basic.password.env,
        )
    return _shared_redactor(
        tuple((s.value, s.env) for s in target.secrets()), basic, tuple(derived(target)), target.published
    )


def forget_redactors() -> None:
    """Drop the shared Redactors (and their memos of redacted texts): at the end of a session."""
    _shared_redactor.cache_clear()


@lru_cache(maxsize=8)
def _shared_redactor(
    secrets: tuple[tuple[str, str], ...],
    basic: tuple[str, str, str, str] | None,
    near: tuple[tuple[str, str, str], ...],
    public: frozenset[str],
) -> Redactor:
    return Redactor(secrets, basic, near, public=public)
