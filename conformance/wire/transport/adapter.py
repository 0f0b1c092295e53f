"""The requests adapter every request of a run goes through, schemathesis's included.

It refuses anything but GetEngineStatus at the target's own origin (its siblings change a live
engine; another host gets no credentials) and any method but POST (and GET, for HTTP-05), spends
the request budget, keeps the rate limit and honours 429/503 Retry-After a bounded number of
times. It also holds the target's limits whoever sends: its timeouts and TLS settings, a deadline
for each whole exchange, and BODY_CAP; after UNRESPONSIVE_AFTER transport failures in a row it
sends nothing more. Redirects are never followed, whoever asks.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter

from conformance.wire.target import Limits
from conformance.wire.transport.deadline import Deadline, WatchedHTTPPool, WatchedHTTPSPool
from conformance.wire.transport.errors import ForbiddenPath, NotJudged, TransportFailure
from conformance.wire.transport.failures import TRANSPORT_ERRORS, trailing_reason, transport_reason, undecodable
from conformance.wire.transport.features import of_request
from conformance.wire.transport.guard import (
    BRIEF_WAIT,
    RETRIED_503,
    THROTTLED_AFTER,
    Budget,
    RateLimit,
    Streaks,
    retry_after_seconds,
)
from conformance.wire.transport.reading import read_capped

LOG = logging.getLogger("erpsync_conformance.transport")

METHODS = ("POST", "GET")
"""The methods the suite sends: POST, and GET to see how another method is answered (HTTP-05)."""


class Generating(threading.local):
    """Whether the requests of this thread belong to a generated example (a property test's or
    schemathesis's): the tests that draw them say so (Client.generating), the transport never asks."""

    active = False


@dataclass
class Delivery:
    """What the adapter adds to a requests.Response (as `response.delivery`): the body was cut at
    BODY_CAP, the last attempt's time (not the Retry-After waits), and how Retry-After was met."""

    truncated: bool = False
    elapsed_ms: float = 0.0
    note: str = ""


def _origin(url: str) -> tuple[str, str | None, int | None, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.hostname, parts.port or {"http": 80, "https": 443}.get(parts.scheme), parts.path


class GuardedAdapter(HTTPAdapter):
    def __init__(
        self, endpoint: str, budget: Budget, rate: RateLimit, limits: Limits, streaks: Streaks, generating: Generating
    ) -> None:
        super().__init__()
        self.endpoint = endpoint
        self.budget, self.rate, self.streaks, self.generating = budget, rate, streaks, generating
        self.retries, self.max_wait = limits.retries, limits.max_retry_wait
        self.timeout = (limits.connect_timeout, limits.read_timeout)
        self.deadline = limits.connect_timeout + limits.read_timeout
        self.verify = limits.verify

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": WatchedHTTPPool, "https": WatchedHTTPSPool}

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        """One exchange, retried on 429/503 as Retry-After allows. For a generated example, an
        exchange without an answer of its own (no response, still throttled, redirected) raises
        NotJudged: the example's oracle would read it as a wrong answer about whatever it drew."""
        response = self._send(request, **kwargs)
        if self.generating.active and (response.status_code == 429 or 300 <= response.status_code < 400):
            note = f" ({response.delivery.note})" if response.delivery.note else ""  # type: ignore[attr-defined]
            raise NotJudged(
                f"a generated request got no answer of its own: {response.status_code} {response.reason}{note}"
            )
        return response

    def _send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        if _origin(cast(str, request.url)) != _origin(self.endpoint):  # a prepared request has its URL
            raise ForbiddenPath(
                f"refusing to request {cast(str, request.url).split('?')[0]}: only {self.endpoint} may be requested"
            )
        if (request.method or "").upper() not in METHODS:
            raise ForbiddenPath(f"refusing to send {request.method}: the suite sends only {' and '.join(METHODS)}")
        # The target's limits, whoever sends (schemathesis brings its own timeout and verify), and
        # always a streamed body, so that the deadline and BODY_CAP hold while it is read.
        kwargs.update(timeout=self.timeout, verify=self.verify, stream=True)
        attempt, brief = 0, False
        features = of_request(request.headers.items(), request.url or "", request.body)
        while True:
            self.streaks.check(features)
            self.budget.take()
            self.rate.wait()
            response = self._exchange(request, kwargs, features)
            if response.status_code not in (429, 503):
                self.streaks.answered(features=features)
                if attempt or brief:
                    response.delivery.note = (  # type: ignore[attr-defined]
                        f"{RETRIED_503} after a brief wait"
                        if brief
                        else f"answered after {attempt} Retry-After wait(s)"
                    )
                return response
            wait = retry_after_seconds(response.headers.get("Retry-After"))
            if response.status_code == 503 and wait is None and not attempt and not brief:
                # RFC 9110 15.6.4: 503 is a temporary overload or maintenance. Without a Retry-After,
                # wait briefly and ask once more; a 503 the retry answers is a finding, not a failure.
                brief = True
                LOG.info(
                    "%s %s: 503 without Retry-After; asking once more in %.1f s",
                    request.method,
                    request.path_url,
                    BRIEF_WAIT,
                )
                time.sleep(BRIEF_WAIT)
                continue
            refused = self._no_retry(wait, attempt)
            if refused is None:
                attempt += 1
                LOG.info(
                    "%s %s: %d with Retry-After; waiting %.1f s before retry %d of %d",
                    request.method,
                    request.path_url,
                    response.status_code,
                    wait,
                    attempt,
                    self.retries,
                )
                time.sleep(cast(float, wait))  # not None: _no_retry refuses a missing Retry-After
                continue
            LOG.info("%s %s: %d: %s", request.method, request.path_url, response.status_code, refused)
            response.delivery.note = refused  # type: ignore[attr-defined]
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
            return (
                f"the target stayed throttled through {THROTTLED_AFTER} exchanges in a row: Retry-After is "
                "no longer waited for in this run"
            )
        if attempt >= self.retries:
            self.streaks.answered(True)
            return f"still throttled after {attempt} Retry-After wait(s) (limits.retries = {self.retries})"
        return None

    def _exchange(
        self, request: requests.PreparedRequest, kwargs: dict[str, Any], features: frozenset[str] = frozenset()
    ) -> requests.Response:
        """One attempt, body included, within the deadline. A transport failure is counted and
        raised as TransportFailure, its reason in words."""
        started = time.perf_counter()
        deadline = Deadline(self.deadline)
        try:
            with deadline:
                response = super().send(request, **kwargs)
                body, truncated = read_capped(response)
        except Exception as problem:
            if not (deadline.expired or isinstance(problem, TRANSPORT_ERRORS)):
                raise
            reason = transport_reason(problem, deadline.seconds if deadline.expired else None, self.timeout)
            if not deadline.expired and undecodable(problem):  # an answer, broken: HTTP-08's to judge, generated or not
                self.streaks.answered(features=features)
                raise TransportFailure(reason, request=request) from problem
            raise self._failed(reason, request, features) from problem
        trailing = getattr(getattr(response.raw, "_original_response", None), "trailing", 0)
        if trailing and not truncated:  # an answer, framed wrongly: the target is not unresponsive
            self.streaks.framed_wrongly(trailing_reason(trailing), features)
            raise TransportFailure(trailing_reason(trailing), request=request)
        response._content, response._content_consumed = body, True  # type: ignore[attr-defined]
        response.delivery = Delivery(  # type: ignore[attr-defined]
            truncated, (time.perf_counter() - started) * 1000
        )
        return response

    def _failed(self, reason: str, request: requests.PreparedRequest, features: frozenset[str]) -> BaseException:
        """The error to raise for an exchange without a usable response, counted as a failure."""
        self.streaks.failed(reason, features)
        if self.generating.active:
            return NotJudged(f"a generated request got no response: {reason}")
        return TransportFailure(reason, request=request)


class UnredirectedSession(requests.Session):
    """Follows no redirect, whoever sends through it (schemathesis asks it to): a 3xx is the
    answer under test, and its Location may be a host that must not see the credentials."""

    def get_redirect_target(self, response: requests.Response) -> None:
        return None
