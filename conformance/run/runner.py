"""One conformance run: the target, its client, every exchange sent, what the run learned about the
server (its choices on the open points, the fields that change on their own), and the judging.

Tests send through `Run.send`, judge through a Judge (conformance.plugin.judge), and relate probes to
references through `Run.relate`, which re-checks a failed relation against fresh requests: two
identical reads that differ show which fields change on their own (a live engine's StatusMessage,
an IsRunning that flips), and the relation is judged again on the fields that hold still.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any, Callable

from conformance import checks
from conformance.checks import Context, Observation
from conformance.checks.outcome import Outcome
from conformance.contract.choices import Profile
from conformance.contract.endpoint import NS_API_SLOW_MS
from conformance.model.oracle import differences
from conformance.run.everywhere import Everywhere
from conformance.wire.exchange import Exchange
from conformance.wire.target import Target
from conformance.wire.transport.client import Client

RELATION_ATTEMPTS = 3
BASELINES_KEPT = 64
"""Baselines cached at most (the property tests' header sets are many); the least recently used go."""


@dataclass
class Run:
    target: Target
    client: Client
    slow_ms: float = NS_API_SLOW_MS
    exchanges: list[Exchange] = field(default_factory=list)
    """Every exchange of the run, slim (the body's head, length and hash): what the whole-run
    judgements (HTTP-03, HTTP-04) and the timings need."""
    profile: Profile | None = None
    """The target's profile with every `auto` setting the run decided filled in."""
    observations: dict[str, Observation] = field(default_factory=dict)
    volatile: set[str] = field(default_factory=set)
    """Top-level properties seen to differ between two identical reads."""
    volatile_evidence: dict[str, tuple[Exchange, Exchange]] = field(default_factory=dict)
    everywhere: Everywhere = field(default_factory=Everywhere)
    """The response-wide requirements on every exchange as it arrives (conformance.run.everywhere)."""
    _baselines: OrderedDict[tuple, Exchange] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _main: str | None = None

    def __post_init__(self) -> None:
        if self.profile is None:
            self.profile = self.target.profile

    def __repr__(self) -> str:
        # Short: Hypothesis and pytest print a test's arguments, and a run holds every exchange.
        return f"<Run of {self.target.name}: {len(self.exchanges)} exchanges>"

    @property
    def main_scheme(self) -> str:
        """The first declared scheme that gets a 200 with an object body (not a refusal's null, fact
        23), so one broken scheme (AUTH's finding) does not take every other requirement down with
        it; the first declared if none does."""
        if self._main is None:
            self._main = self.target.schemes[0]
            for scheme in self.target.schemes:
                answer = self.baseline(scheme=scheme)
                if answer.engine_body is not None:
                    self._main = scheme
                    break
        return self._main

    def context(self, **case: Any) -> Context:
        return Context(
            self.profile or self.target.profile,
            self.slow_ms,
            case,
            frozenset(self.volatile),
            self.target.schemes,
            dict(self.observations),
        )

    def send(self, label: str, **kwargs: Any) -> Exchange:
        kwargs.setdefault("scheme", self.main_scheme)
        exchange = self.client.send(label, **kwargs)
        if exchange.answer_of is not None:
            return exchange  # an earlier answer reused: recorded and seen when it came
        with self._lock:
            self.exchanges.append(exchange.slim())
        self.everywhere.see(self, exchange, kwargs)
        return exchange

    def baseline(
        self, *, scheme: str | None = None, headers: dict[str, str] | None = None, fresh: bool = False
    ) -> Exchange:
        """The unfiltered answer for a principal and header set, sent once unless `fresh`; a fresh
        read is compared with the one before it, to learn what changes on its own."""
        scheme = scheme or self.main_scheme
        headers = {"Accept": "application/json", **(headers or {})}
        key = (scheme, tuple(sorted(headers.items())))
        earlier = self._baselines.get(key)
        if fresh or earlier is None:
            label = f"baseline via {scheme}" + "".join(f", {k}: {v}" for k, v in sorted(headers.items()))
            with self.client.fresh() if fresh else nullcontext():
                self._baselines[key] = self.send(label, scheme=scheme, headers=headers)
            if earlier is not None:
                self.learn(earlier, self._baselines[key])
            while len(self._baselines) > BASELINES_KEPT:
                self._baselines.popitem(last=False)
        self._baselines.move_to_end(key)
        return self._baselines[key]

    def learn(self, first: Exchange, second: Exchange) -> set[str]:
        """Two answers to identical requests: the top-level properties they differ in change on
        their own. Returns the newly learned ones."""
        if (
            first.status != 200
            or second.status != 200
            or not (isinstance(first.body, dict) and isinstance(second.body, dict))
        ):
            return set()
        found = {
            d.split(":")[0].split(".")[1] for d in differences(first.body, second.body) if d.startswith("$.")
        } - self.volatile
        for name in found:
            self.volatile_evidence[name] = (first, second)
        self.volatile |= found
        return found

    def judge(self, rid: str, exchanges: dict[str, Exchange], **case: Any) -> Outcome:
        return checks.judge(rid, exchanges, self.context(**case))

    def relate(
        self,
        rid: str,
        probe: Callable[[], dict[str, Exchange]],
        reference: Callable[[bool], Exchange],
        reference_role: str = "reference",
        first: dict[str, Exchange] | None = None,
        **case: Any,
    ) -> Outcome:
        """Judge a relation between probes (role -> exchange) and a reference answer. When it
        fails, send reference, probes, reference again: what the two references differ in changes
        on its own and is left out, and the relation is judged again on what holds still. A
        failure that persists through RELATION_ATTEMPTS such re-checks is reported.
        `first`: probes already at hand (cached baselines), used instead of sending anew."""
        outcome = self.judge(rid, {**(first or probe()), reference_role: reference(False)}, **case)
        for _ in range(RELATION_ATTEMPTS):
            if not outcome.status.red:
                return outcome
            with self.client.fresh():  # each read of the re-check goes to the server
                before = reference(True)
                again = probe()
                after = reference(True)
            learned = self.learn(before, after)
            outcome = self.judge(rid, {**again, reference_role: before}, **case)
            if not learned:
                return outcome  # the engine held still: the failure is the server's
        return outcome

    def decided(self, observations: dict[str, Observation]) -> None:
        """Take the run's decisions on the target's `auto` settings."""
        self.observations.update(observations)
        choices = {
            key: o.choice
            for key, o in observations.items()
            if o.choice is not None and getattr(self.target.profile, key) == "auto"
        }
        self.profile = self.target.profile.with_(**choices)
