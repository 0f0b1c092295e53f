"""HTTP to the target: one requests.Session per auth scheme, each scheme a requests AuthBase.

Every request goes through GuardedAdapter, which refuses anything but GetEngineStatus at the
target's own origin (its siblings change a live engine; another host gets no credentials),
spends the request budget, keeps the rate limit and honours 429/503 Retry-After a bounded number
of times. It also holds the target's limits whoever sends: its timeouts and TLS settings, a
deadline for each whole exchange (so a server trickling bytes cannot hold a request open), and
BODY_CAP; after UNRESPONSIVE_AFTER transport failures in a row it sends nothing more. schemathesis
gets the same session and so the same guard. Redirects are never followed, whoever asks. Cookies
are never kept between requests, so one test's response cannot authenticate the next. The client
records; it never judges.
"""

from __future__ import annotations

import base64
import heapq
import http.client
import http.cookiejar
import itertools
import os
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Iterator
from urllib.parse import urlsplit

import requests
import urllib3
from hypothesis import currently_in_test_context
from requests.adapters import HTTPAdapter
from requests.auth import AuthBase
from werkzeug.http import parse_date

from conformance import __version__
from conformance.contract import APP_TOKEN_HEADER, PATH, XSRF_HEADER
from conformance.exchange import Exchange, Received, Redactor, SentRequest, curl_line
from conformance.target import Limits, Secret, Target, reveal

BODY_CAP = 2 * 1024 * 1024
"""Bytes of a response body the client reads at most; the rest is dropped and marked truncated."""

UNRESPONSIVE_AFTER = 3
"""Transport failures in a row (timeouts, resets, TLS, bodies cut off) after which nothing more is
sent: a dead target costs this many timeouts, not one per request of the run."""

THROTTLED_AFTER = 3
"""Exchanges in a row still throttled (429/503) after their retries, after which Retry-After is no
longer waited for: a target that throttles everything costs this many waits, not one per request."""

DEFAULT_WORDS = {"basic": "Basic", "soticket": "SOTicket", "bearer": "Bearer"}


class ForbiddenPath(ValueError):
    """A request for anything but GetEngineStatus: the suite never sends one."""


class BudgetExhausted(BaseException):
    """The run's request budget is spent; what is left is untested, not failed. No Exception, for
    NotJudged's reason: inside a generated example (schemathesis, the properties) Hypothesis would
    take it for a failure, then shrink, replay and print a case that cannot be sent."""


class DryRun(RuntimeError):
    """Raised instead of sending, in --dry-run: the request was recorded as planned."""


class NotJudged(BaseException):
    """Ends a test untested, with this message as the reason: raised instead of an exchange no
    requirement can be judged by. Like pytest's own skip it is no Exception, so that it unwinds
    the test at once: Hypothesis would shrink an Exception for seconds, replaying it, and
    schemathesis would file it as a finding."""


class TargetUnresponsive(NotJudged):
    """Raised instead of sending once the target failed UNRESPONSIVE_AFTER exchanges in a row at
    the transport level. Client.send turns it into an exchange with this error, except inside a
    generated example."""


class TransportFailure(requests.exceptions.ConnectionError):
    """An exchange that got no complete HTTP response; the message says why, in words."""


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


class Streaks:
    """What the target did to the last exchanges in a row, shared by every session of a run."""

    def __init__(self) -> None:
        self.failures = 0
        self.last_failure = ""
        self.throttled = 0
        self._lock = threading.Lock()

    def check(self) -> None:
        with self._lock:
            if self.failures >= UNRESPONSIVE_AFTER:
                raise TargetUnresponsive(f"target unresponsive: {self.failures} consecutive transport failures "
                                         f"(last: {self.last_failure}); not sent")

    def failed(self, reason: str) -> None:
        with self._lock:
            self.failures += 1
            self.last_failure = reason

    def answered(self, throttled: bool | None = None) -> None:
        """An HTTP response arrived. `throttled`: True, a 429/503 still after its Retry-After waits;
        False, a 429/503 not waited for (no usable or too long a Retry-After), which leaves the
        throttling streak as it is; None, an answer that is no throttle, which ends it."""
        with self._lock:
            self.failures = 0
            if throttled is None:
                self.throttled = 0
            elif throttled:
                self.throttled += 1


@dataclass
class Delivery:
    """What the adapter adds to a requests.Response (as `response.delivery`): the body was cut at
    BODY_CAP, the last attempt's time (not the Retry-After waits), and how Retry-After was met."""

    truncated: bool = False
    elapsed_ms: float = 0.0
    note: str = ""


class Deadline:
    """The whole exchange (response head and body) within `seconds`. requests' timeouts bound each
    wait for data, so a server sending a byte a second never trips them; when the deadline passes,
    the socket being read is shut down, which ends the blocked read at once. The clock runs from
    entering the deadline; one watchdog thread keeps every deadline of the process (a thread
    started per exchange cost more than the rest of the client's bookkeeping)."""

    _current = threading.local()

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._armed = False

    def __enter__(self) -> "Deadline":
        Deadline._current.value = self
        _WATCHDOG.arm(self, time.monotonic() + self.seconds)
        return self

    def __exit__(self, *exc: Any) -> None:
        _WATCHDOG.disarm(self)
        Deadline._current.value = None

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shut(sock)

    @classmethod
    def watch(cls, sock: socket.socket | None) -> None:
        """The socket the current thread's exchange is about to read its response from."""
        deadline = getattr(cls._current, "value", None)
        if deadline is None or sock is None:
            return
        with deadline._lock:
            deadline._sockets.append(sock)
            expired = deadline.expired
        if expired:
            _shut(sock)


class _Watchdog:
    """Expires armed Deadlines when their time comes, from one daemon thread: a heap of (when,
    order, deadline), a deadline disarmed on time left in it until it comes up or the heap is
    compacted. The thread sleeps until the earliest entry and is woken only when an earlier one
    is armed."""

    COMPACT_AFTER = 64
    """Disarmed entries the heap may hold (and at least half of it) before they are swept out."""

    def __init__(self) -> None:
        self._reset()
        os.register_at_fork(after_in_child=self._reset)  # the thread and its lock stay behind

    def _reset(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._heap: list[tuple[float, int, Deadline]] = []
        self._order = itertools.count()
        self._stale = 0
        self._thread: threading.Thread | None = None

    def arm(self, deadline: Deadline, when: float) -> None:
        with self._cond:
            entry = (when, next(self._order), deadline)
            heapq.heappush(self._heap, entry)
            deadline._armed = True
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="erpsync-deadlines", daemon=True)
                self._thread.start()
            elif self._heap[0] is entry:
                self._cond.notify()

    def disarm(self, deadline: Deadline) -> None:
        with self._cond:
            if not deadline._armed:
                return  # expired already
            deadline._armed = False
            self._stale += 1
            if self._stale > self.COMPACT_AFTER and 2 * self._stale > len(self._heap):
                self._heap = [entry for entry in self._heap if entry[2]._armed]
                heapq.heapify(self._heap)
                self._stale = 0

    def _run(self) -> None:
        with self._cond:
            while True:
                heap = self._heap
                while heap and not heap[0][2]._armed:
                    heapq.heappop(heap)
                    self._stale -= 1
                if not heap:
                    self._cond.wait()
                    continue
                delay = heap[0][0] - time.monotonic()
                if delay > 0:
                    self._cond.wait(delay)
                    continue
                deadline = heapq.heappop(heap)[2]
                deadline._armed = False
                self._cond.release()
                try:
                    deadline._expire()
                finally:
                    self._cond.acquire()


_WATCHDOG = _Watchdog()


def _shut(sock: socket.socket) -> None:
    try:
        # socket.socket's own shutdown, for an SSLSocket too: its override would drop the TLS
        # state under the reading thread instead of just ending the read.
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        pass  # closed already: nothing left to end


class _Watched:
    """A urllib3 connection that hands its socket to the current Deadline before it waits."""

    def getresponse(self, *args: Any, **kwargs: Any) -> Any:
        Deadline.watch(getattr(self, "sock", None))
        return super().getresponse(*args, **kwargs)


class _WatchedHTTPConnection(_Watched, urllib3.connection.HTTPConnection):
    pass


class _WatchedHTTPSConnection(_Watched, urllib3.connection.HTTPSConnection):
    pass


class _WatchedHTTPPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


def _origin(url: str) -> tuple[str, str | None, int | None, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.hostname, parts.port or {"http": 80, "https": 443}.get(parts.scheme), parts.path


class GuardedAdapter(HTTPAdapter):
    def __init__(self, endpoint: str, budget: Budget, rate: RateLimit, limits: Limits, streaks: Streaks) -> None:
        super().__init__()
        self.endpoint = endpoint
        self.budget, self.rate, self.streaks = budget, rate, streaks
        self.retries, self.max_wait = limits.retries, limits.max_retry_wait
        self.timeout = (limits.connect_timeout, limits.read_timeout)
        self.deadline = limits.connect_timeout + limits.read_timeout
        self.verify = limits.verify

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        """One exchange, retried on 429/503 as Retry-After allows. Inside a generated example
        (Hypothesis: the properties, schemathesis) an exchange without an answer of its own (no
        response, still throttled, redirected) raises NotJudged: the example's oracle would read
        it as a wrong answer about whatever the example drew."""
        response = self._send(request, **kwargs)
        if currently_in_test_context() and (response.status_code == 429 or 300 <= response.status_code < 400):
            note = f" ({response.delivery.note})" if response.delivery.note else ""
            raise NotJudged(f"a generated request got no answer of its own: {response.status_code} "
                            f"{response.reason}{note}")
        return response

    def _send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        if _origin(request.url) != _origin(self.endpoint):
            raise ForbiddenPath(f"refusing to request {request.url.split('?')[0]}: only {self.endpoint} may be requested")
        # The target's limits, whoever sends (schemathesis brings its own timeout and verify), and
        # always a streamed body, so that the deadline and BODY_CAP hold while it is read.
        kwargs.update(timeout=self.timeout, verify=self.verify, stream=True)
        attempt = 0
        while True:
            self.streaks.check()
            self.budget.take()
            self.rate.wait()
            response = self._exchange(request, kwargs)
            if response.status_code not in (429, 503):
                self.streaks.answered()
                if attempt:
                    response.delivery.note = f"answered after {attempt} Retry-After wait(s)"
                return response
            wait = retry_after_seconds(response.headers.get("Retry-After"))
            refused = self._no_retry(wait, attempt)
            if refused is None:
                attempt += 1
                time.sleep(wait)
                continue
            response.delivery.note = refused
            return response

    def _no_retry(self, wait: float | None, attempt: int) -> str | None:
        """Why a 429/503 is not retried (noted on the response), or None to wait and retry it."""
        if wait is None:
            self.streaks.answered(False)
            return "no usable Retry-After: not retried"
        if wait > self.max_wait:
            self.streaks.answered(False)
            return f"Retry-After of {wait:.0f} s is longer than limits.max_retry_wait ({self.max_wait:g} s): not waited for"
        if self.streaks.throttled >= THROTTLED_AFTER:
            self.streaks.answered(True)
            return (f"the target stayed throttled through {THROTTLED_AFTER} exchanges in a row: Retry-After is "
                    "no longer waited for in this run")
        if attempt >= self.retries:
            self.streaks.answered(True)
            return f"still throttled after {attempt} Retry-After wait(s) (limits.retries = {self.retries})"
        return None

    def _exchange(self, request: requests.PreparedRequest, kwargs: dict[str, Any]) -> requests.Response:
        """One attempt, body included, within the deadline. A transport failure is counted and
        raised as TransportFailure, its reason in words."""
        started = time.perf_counter()
        deadline = Deadline(self.deadline)
        try:
            with deadline:
                response = super().send(request, **kwargs)
                body, truncated = _read_capped(response)
        except Exception as problem:
            if not (deadline.expired or isinstance(problem, TRANSPORT_ERRORS)):
                raise
            reason = transport_reason(problem, deadline.seconds if deadline.expired else None, self.timeout)
            self.streaks.failed(reason)
            if currently_in_test_context():
                raise NotJudged(f"a generated request got no response: {reason}") from problem
            raise TransportFailure(reason, request=request) from problem
        response._content, response._content_consumed = body, True
        response.delivery = Delivery(truncated, (time.perf_counter() - started) * 1000)
        return response


TRANSPORT_ERRORS = (requests.exceptions.RequestException, urllib3.exceptions.HTTPError, http.client.HTTPException,
                    OSError)


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
        stack += [e for e in (current.__cause__, current.__context__, getattr(current, "reason", None), *current.args)
                  if isinstance(e, BaseException)]


def transport_reason(problem: BaseException, deadline: float | None, timeout: tuple[float, float]) -> str:
    """Why an exchange got no complete response, in words a reader of the report can act on,
    quoting the innermost error (the socket's or TLS's own words, not urllib3's wrapping)."""
    causes = list(_causes(problem))

    def innermost(*kinds: type[BaseException]) -> BaseException | None:
        found = [c for c in causes if isinstance(c, kinds)]
        return found[-1] if found else None

    if deadline is not None:
        return (f"no complete response within {deadline:g} s (connect_timeout + read_timeout, the deadline of a "
                "whole exchange): the target was still sending")
    if (failed := innermost(ssl.SSLCertVerificationError)) is not None:
        return (f"TLS certificate verification failed: {failed}; give the target's limits.ca_bundle the CA that "
                "signed the certificate, or fix the certificate")
    if (failed := innermost(ssl.SSLError)) is not None:
        return f"TLS failed: {failed}"
    if innermost(requests.exceptions.ConnectTimeout) is not None:
        return f"no connection within {timeout[0]:g} s (connect timeout)"
    if innermost(requests.exceptions.ReadTimeout, urllib3.exceptions.ReadTimeoutError, TimeoutError) is not None:
        return f"no data for {timeout[1]:g} s (read timeout)"
    if (failed := innermost(ConnectionResetError)) is not None:
        return f"the target reset the connection (TCP RST): {failed}"
    if (failed := innermost(http.client.IncompleteRead, urllib3.exceptions.IncompleteRead)) is not None:
        return f"the target closed the connection mid-body: {failed!r}"
    if innermost(http.client.RemoteDisconnected) is not None:
        return "the target closed the connection without a response"
    if (failed := innermost(ConnectionRefusedError)) is not None:
        return f"the connection was refused: {failed}"
    return f"{type(problem).__name__}: {_short(problem)}"


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
        self.streaks = Streaks()
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
        session = UnredirectedSession()
        session.trust_env = False  # no .netrc credentials or proxy settings sneaking in
        session.headers.clear()
        session.headers["User-Agent"] = f"erpsync-conformance/{__version__}"
        session.headers["Accept-Encoding"] = "identity"
        session.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
        session.verify = self.target.limits.verify
        session.auth = auth
        adapter = GuardedAdapter(self.endpoint, self.budget, self.rate, self.target.limits, self.streaks)
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
        errors, and requests not sent because the target is unresponsive, come back inside the
        Exchange as its error, except inside a generated example (Hypothesis), where an exchange
        without an answer of its own raises NotJudged (see GuardedAdapter.send)."""
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
        try:
            response = session.send(prepared, allow_redirects=False)
        except NotJudged as stopped:
            if currently_in_test_context():
                raise  # the generated example ends untested (GuardedAdapter.send)
            return self._failed(label, sent, curl, str(stopped))
        except TransportFailure as problem:
            return self._failed(label, sent, curl, str(problem))
        except requests.exceptions.RequestException as problem:
            return self._failed(label, sent, curl, f"{type(problem).__name__}: {_short(problem)}")
        delivery = response.delivery
        received = Received(
            status=response.status_code,
            reason=self.redactor.text(response.reason or ""),
            headers=tuple((k, self.redactor.text(v)) for k, v in _header_items(response)),
            body=self.redactor.bytes(response.content),
            elapsed_ms=delivery.elapsed_ms,
            truncated=delivery.truncated,
            note=delivery.note,
        )
        return Exchange(label, sent, received, None, curl, self.target.profile)

    def _failed(self, label: str, sent: SentRequest, curl: str, error: str) -> Exchange:
        return Exchange(label, sent, None, self.redactor.text(error), curl, self.target.profile)


class UnredirectedSession(requests.Session):
    """Follows no redirect, whoever sends through it (schemathesis asks it to): a 3xx is the
    answer under test, and its Location may be a host that must not see the credentials."""

    def get_redirect_target(self, response: requests.Response) -> None:
        return None


def _read_capped(response: requests.Response) -> tuple[bytes, bool]:
    """The body up to BODY_CAP (whatever the framing: a Content-Length, chunks, or until the
    connection closes), and whether there was more; the connection is closed, not drained."""
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
