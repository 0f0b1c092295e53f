"""One conformance run: the target, its client, every exchange sent, and the judging of checks.

Tests send through `Run.send`, judge through `Judge` (bound to the test), and relate probes to
references through `Run.relate`, which re-checks a failed relation against fresh requests so
that an engine changing state between requests never shows up as a failure.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, Callable

from conformance.checks import Check, Context, registry
from conformance.client import Client
from conformance.contract import NS_API_SLOW_MS
from conformance.exchange import Exchange
from conformance.oracle import differences
from conformance.outcome import Outcome, untested
from conformance.target import Target

RELATION_ATTEMPTS = 3


@dataclass
class Run:
    target: Target
    client: Client
    slow_ms: float = NS_API_SLOW_MS
    exchanges: list[Exchange] = field(default_factory=list)
    _baselines: dict[tuple, Exchange] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _main: str | None = None

    @property
    def checks(self) -> dict[str, Check]:
        return registry()

    @property
    def main_scheme(self) -> str:
        """The first declared scheme that gets a 200, so one broken scheme (AUTH's finding) does
        not take every other requirement down with it; the first declared if none does."""
        if self._main is None:
            self._main = self.target.schemes[0]
            for scheme in self.target.schemes:
                if self.baseline(scheme=scheme).status == 200:
                    self._main = scheme
                    break
        return self._main

    def context(self, **case: Any) -> Context:
        return Context(self.target.profile, self.slow_ms, case)

    def send(self, label: str, **kwargs: Any) -> Exchange:
        kwargs.setdefault("scheme", self.main_scheme)
        exchange = self.client.send(label, **kwargs)
        with self._lock:
            self.exchanges.append(exchange)
        return exchange

    def baseline(self, *, scheme: str | None = None, headers: dict[str, str] | None = None,
                 fresh: bool = False) -> Exchange:
        """The unfiltered answer for a principal and header set, sent once unless `fresh`."""
        scheme = scheme or self.main_scheme
        headers = {"Accept": "application/json", **(headers or {})}
        key = (scheme, tuple(sorted(headers.items())))
        if fresh or key not in self._baselines:
            label = f"baseline via {scheme}" + "".join(f", {k}: {v}" for k, v in sorted(headers.items()))
            self._baselines[key] = self.send(label, scheme=scheme, headers=headers)
        return self._baselines[key]

    def judge(self, rid: str, exchanges: dict[str, Exchange], **case: Any) -> Outcome:
        return self.checks[rid](exchanges, self.context(**case))

    def relate(self, rid: str, probe: Callable[[], dict[str, Exchange]], reference: Callable[[bool], Exchange],
               reference_role: str = "reference", first: dict[str, Exchange] | None = None,
               **case: Any) -> Outcome:
        """Judge a relation between probes (role -> exchange) and a reference answer. When it
        fails, send reference, probes, reference again and judge only if the two references
        agree (the engine held still); after RELATION_ATTEMPTS unsettled tries it is untested.
        `first`: probes already at hand (cached baselines), used instead of sending anew."""
        outcome = self.judge(rid, {**(first or probe()), reference_role: reference(False)}, **case)
        if outcome.status not in ("fail", "non-strict"):
            return outcome
        for _ in range(RELATION_ATTEMPTS):
            before = reference(True)
            again = probe()
            after = reference(True)
            if _settled(before, after):
                return self.judge(rid, {**again, reference_role: before}, **case)
        return untested(rid, f"the engine changed state between requests {RELATION_ATTEMPTS} times; "
                             "the relation could not be established", [before, after])


def _settled(a: Exchange, b: Exchange) -> bool:
    if a.status != b.status:
        return False
    if isinstance(a.body, dict) and isinstance(b.body, dict):
        return not differences(a.body, b.body)
    return a.response is not None and b.response is not None and a.response.body == b.response.body
