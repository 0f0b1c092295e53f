"""What every exchange keeps to, whoever sends it: the request budget, the rate limit, and the
streaks that stop a run from spending itself on a dead or throttling target."""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timezone

from werkzeug.http import parse_date

from conformance.wire.transport.errors import BudgetExhausted, TargetUnresponsive

UNRESPONSIVE_AFTER = 3
"""Transport failures in a row (timeouts, resets, TLS, bodies cut off) after which nothing more is
sent: a dead target costs this many timeouts, not one per request of the run."""

THROTTLED_AFTER = 3
"""Exchanges in a row still throttled (429/503) after their retries, after which Retry-After is no
longer waited for: a target that throttles everything costs this many waits, not one per request."""


LOG = logging.getLogger("erpsync_conformance.transport")


class Budget:
    def __init__(self, limit: int, whole: int | None = None) -> None:
        self.limit = limit
        self.whole = whole or limit
        """The run's budget as the user set it, which messages name: `limit` is this client's
        share of it (an xdist worker's, what the preflight left)."""
        self.used = 0
        self.spent = False
        self._lock = threading.Lock()

    def take(self) -> None:
        with self._lock:
            if self.used >= self.limit:
                if not self.spent:
                    self.spent = True
                    LOG.info(
                        "request budget of %d exhausted: nothing more is sent; what is left is untested", self.whole
                    )
                raise BudgetExhausted(f"request budget of {self.whole} exhausted")
            self.used += 1

    @property
    def remaining(self) -> int:
        return self.limit - self.used


def _name(feature: str) -> str:
    from conformance.wire.transport.features import NAMES

    return NAMES.get(feature, feature)


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


BRIEF_WAIT = 0.5
"""Seconds waited before asking once more after a 503 without Retry-After (RFC 9110 15.6.4)."""
RETRIED_503 = "answered 503 first, then this answer to the same request"
"""The note on an answer that a 503 came before: HTTP-03 reports it as a SHOULD finding."""


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
    """What the target did to the last exchanges in a row, shared by every session of a run.

    A streak of UNRESPONSIVE_AFTER transport failures stops the run's sending, unless every one of
    those requests had a feature (conformance.wire.transport.features) that no answered request ever
    had, while others were answered: then only requests with that feature are no longer sent. Once
    a request without it is answered again, one request with it is let through: answered, the
    streak was a blip and the feature is sent again; without an answer, the feature is `dead` and
    stays stopped (conformance.run.everywhere.dead_features grades such a feature from the run's
    exchanges, which this retry gives the evidence of an answer in between)."""

    def __init__(self) -> None:
        self.failures = 0
        self.last_failure = ""
        self.throttled = 0
        self.misframed = 0
        """Answers in a row framed wrongly (bytes after a complete response): none could be read."""
        self.last_misframed = ""
        self.answered_features: set[str] = set()
        self.answered_any = False
        self.suspect: dict[str, str] = {}
        """Feature -> the last failure: requests with it are not sent."""
        self.dead: dict[str, str] = {}
        """Suspect features whose retry, after answers resumed, got no answer either."""
        self._ready: set[str] = set()
        """Suspect features one request may try again (an answer came since they were stopped)."""
        self._retrying: set[str] = set()
        self._recent: list[frozenset[str]] = []
        self._lock = threading.Lock()

    def check(self, features: frozenset[str] = frozenset()) -> None:
        with self._lock:
            retry = features & self._ready
            if retry and not features & set(self.dead):
                self._ready -= retry
                self._retrying |= retry
            stopped = sorted((features & set(self.suspect)) - self._retrying)
            if stopped:
                f = stopped[0]
                raise TargetUnresponsive(
                    f"every request with {_name(f)} got no response ({UNRESPONSIVE_AFTER} or more "
                    f"in a row, last: {self.suspect[f]}) while requests without it were "
                    "answered; not sent"
                )
            if self.misframed >= UNRESPONSIVE_AFTER:
                raise TargetUnresponsive(
                    f"the target framed its last {self.misframed} answers wrongly, none readable "
                    f"(last: {self.last_misframed}); not sent"
                )
            if self.failures >= UNRESPONSIVE_AFTER:
                raise TargetUnresponsive(
                    f"target unresponsive: {self.failures} consecutive transport failures "
                    f"(last: {self.last_failure}); not sent"
                )

    def failed(self, reason: str, features: frozenset[str] = frozenset()) -> None:
        with self._lock:
            self.failures += 1
            self.last_failure = reason
            self._recent.append(features)
            confirmed = features & self._retrying
            if confirmed:
                self._retrying -= confirmed
                self.dead.update({f: reason for f in confirmed})
                self.failures, self._recent = 0, []  # the retry's failure is the feature's, not the target's
                return
            if self.failures >= UNRESPONSIVE_AFTER and self.answered_any:
                common = frozenset.intersection(*self._recent[-UNRESPONSIVE_AFTER:]) - self.answered_features
                if common:
                    self.suspect.update({f: reason for f in common})
                    self.failures, self._recent = 0, []

    def framed_wrongly(self, reason: str, features: frozenset[str] = frozenset()) -> None:
        """An answer arrived but could not be read as one (bytes after a complete response): the
        target answers, so it is no step to 'unresponsive'; UNRESPONSIVE_AFTER of them in a row stop
        the sending all the same, since every further request would be judged by the same framing."""
        with self._lock:
            misframed = self.misframed
        self.answered(features=features)
        with self._lock:
            self.misframed = misframed + 1
            self.last_misframed = reason

    def answered(self, throttled: bool | None = None, features: frozenset[str] = frozenset()) -> None:
        """An HTTP response arrived. `throttled`: True, a 429/503 still after its Retry-After waits;
        False, a 429/503 not waited for (no usable or too long a Retry-After), which leaves the
        throttling streak as it is; None, an answer that is no throttle, which ends it."""
        with self._lock:
            self.failures, self._recent, self.misframed = 0, [], 0
            self.answered_any = True
            self.answered_features |= features
            for feature in features & set(self.suspect):  # its retry was answered: a blip
                self.suspect.pop(feature)
                self._retrying.discard(feature)
            self._ready |= set(self.suspect) - set(self.dead) - self._retrying
            if throttled is None:
                self.throttled = 0
            elif throttled:
                self.throttled += 1
