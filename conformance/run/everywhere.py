"""The response-wide requirements, judged on every exchange of the run (issue 20), not only on the
few a test names: whatever test sent it (example, covering row, generated, a relation's reference,
a baseline, discovery), a 200 answer to an authorised POST with valid credentials, labelled JSON
or XML, is an ErpSyncEngineStatus that can be read:

- JSON: SCHEMA-01 (an object whose documented properties have their types, in the $select view
  when the request had one) and HTTP-02 (valid UTF-8; charset=utf-8 is its SHOULD);
- XML: ACCEPT-03's first half (well-formed, carrying an ErpSyncEngineStatus);
- any answer that names a content coding, or whose body its coding cannot decode: HTTP-08 (the
  coding named is the coding applied, RFC 9110 8.4; one the request did not accept is its SHOULD).

A null body or an agent's error object (fact 23's refusal forms) is left to the test that sent it;
so is every request sent with other credentials, another app token or another method, whose 200 is
itself a finding of AUTH or HTTP. No request is spent: the exchange is judged as it arrives, whole
(the run keeps only slim copies). A requirement an answer failed gets one outcome per process: how
many answers were judged and failed, and the first failing ones, named by their label, as evidence.
Passes add nothing: the tests judge those requirements themselves, and a pass from here would stand
for the tests a budget or a selection left unrun.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import parse_qs, urlsplit

from conformance.checks.auth import refusal_form
from conformance.checks.outcome import Outcome, Status, outcome
from conformance.contract.endpoint import JSON_TYPES, XML_TYPES
from conformance.wire.exchange import Exchange

REQUIREMENTS = {"json": ("SCHEMA-01", "HTTP-02"), "xml": ("ACCEPT-03",)}
WHICH = {"HTTP-08": "answers naming a content coding"}
"""What the count of a requirement's judged answers counts, where it is not the 200 answers."""
KEPT = 3
"""Failing answers kept per requirement as evidence (the count says how many there were)."""


def authorised(sent: dict[str, Any], granted: Any) -> bool:
    """A POST with the run's valid credentials of a scheme and its granted app token (if any)."""
    if sent.get("method", "POST") != "POST" or sent.get("auth") is not None or sent.get("scheme") is None:
        return False
    token = sent.get("app_token", True)
    return token is True or token == granted


def features(exchange: Exchange, profile: Any) -> frozenset[str]:
    """The request's features (conformance.wire.transport.features), "xml" when Accept calls for XML
    answers only (the Accept oracle's reading)."""
    from conformance.model.oracle import predict_media
    from conformance.wire.transport.features import of_request

    found = of_request(exchange.request.headers, exchange.request.url, exchange.request.body_length) - {"xml"}
    accept = next((v for k, v in exchange.request.headers if k.lower() == "accept"), None)
    allowed = predict_media(accept, profile).allowed if accept else frozenset()
    return found | {"xml"} if allowed and allowed <= set(XML_TYPES) else found


def eligible(exchange: Exchange, sent: dict[str, Any], granted: Any) -> str | None:
    """ "json" or "xml" when the exchange is one every answer of which these requirements judge."""
    if not authorised(sent, granted):
        return None
    response = exchange.response
    if response is None or response.status != 200:
        return None
    kind = "json" if response.media_type in JSON_TYPES else "xml" if response.media_type in XML_TYPES else None
    if kind is None:
        return None
    if refusal_form(exchange):
        return None  # a refusal form: the test that sent it judges it
    return kind


def coded(exchange: Exchange) -> bool:
    """An answer that names a content coding (other than identity), or whose body did not decode."""
    from conformance.wire.transport.failures import UNDECODABLE

    if exchange.response is None:
        return (exchange.error or "").startswith(UNDECODABLE)
    named = exchange.response.header("Content-Encoding") or ""
    return bool(named.strip()) and named.strip().lower() != "identity"


def selected(exchange: Exchange) -> str | None:
    """The $select clause the request carried, or None."""
    values = parse_qs(urlsplit(exchange.request.url).query, keep_blank_values=True).get("$select")
    return values[0] if values else None


@dataclass
class Everywhere:
    judged: Counter = field(default_factory=Counter)
    failing: Counter = field(default_factory=Counter)
    red: dict[str, list[Outcome]] = field(default_factory=dict)
    """The first KEPT failing outcomes per requirement."""
    authorised: list[tuple[frozenset[str], Exchange | None]] = field(default_factory=list)
    """Per request sent with valid credentials: its features, and the exchange if it got no response."""
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def see(self, run: Any, exchange: Exchange, sent: dict[str, Any]) -> None:
        tokens = run.target.apptoken
        granted = tokens.granted if tokens else None
        if authorised(sent, granted):
            with self._lock:
                silent = exchange.response is None and not coded(exchange)  # an undecodable body is an answer
                self.authorised.append((features(exchange, run.profile), exchange.slim() if silent else None))
        if coded(exchange):
            self._count("HTTP-08", run.judge("HTTP-08", {"probe": exchange}))
        kind = eligible(exchange, sent, granted)
        if kind is None:
            return
        clause = selected(exchange)
        for rid in REQUIREMENTS[kind]:
            self._count(rid, run.judge(rid, {"xml": exchange} if kind == "xml" else {"probe": exchange}, select=clause))

    def _count(self, rid: str, outcome: Outcome) -> None:
        with self._lock:
            self.judged[rid] += 1
            if outcome.status.red:
                self.failing[rid] += 1
                kept = self.red.setdefault(rid, [])
                if len(kept) < KEPT:
                    kept.append(outcome)

    def outcomes(self) -> list[Outcome]:
        """Per requirement an answer failed, the worst failing outcome with the count of answers
        behind it. Passes add no outcome: they would stand for the tests a budget or a selection
        left unrun (the verdict counts those as untested), and the tests judge them anyway."""
        found = []
        for rid in sorted(self.red):
            kept = self.red[rid]
            worst = min(kept, key=lambda o: o.status.rank)
            labels = "; ".join(repr(o.evidence[0].label) for o in kept if o.evidence)
            which = WHICH.get(rid, "200 answers to authorised requests")
            found.append(
                replace(
                    worst,
                    reason=f"{self.failing[rid]} of {self.judged[rid]} {which} across the run: "
                    f"{worst.reason} (first: {labels})",
                    evidence=tuple(e for o in kept for e in o.evidence[:1]),
                )
            )
        return found


def dead_features(everywhere: Everywhere) -> list[Outcome]:
    """A feature every authorised request with which got no response (at least UNRESPONSIVE_AFTER
    of them, none ever answered), while authorised requests without it were answered between its
    failures (they are no single streak: the guard's retry of a stopped feature makes sure of one)
    and after the last: a deterministic failure of that feature, so a fail of the MUSTs it exercises,
    with those exchanges as evidence, instead of their staying untested for a transport failure.
    Requests the guard did not send ("not sent") count for nothing."""
    from conformance.wire.transport.features import NAMES
    from conformance.wire.transport.features import REQUIREMENTS as EXERCISED
    from conformance.wire.transport.guard import UNRESPONSIVE_AFTER

    sent = [(f, e) for f, e in everywhere.authorised if not (e is not None and (e.error or "").endswith("not sent"))]
    found = []
    for feature, rids in EXERCISED.items():
        having = [i for i, (f, _) in enumerate(sent) if feature in f]
        if len(having) < UNRESPONSIVE_AFTER or any(sent[i][1] is None for i in having):
            continue
        answered_without = [i for i, (f, e) in enumerate(sent) if e is None and feature not in f]
        if not any(having[0] < i < having[-1] for i in answered_without) or not any(
            i > having[-1] for i in answered_without
        ):
            continue  # one streak of failures, or nothing answered after it: a blip or the target, not the feature
        failed = [e for i in having if (e := sent[i][1]) is not None]
        reason = (
            f"every one of the {len(failed)} authorised requests with {NAMES[feature]} got no response "
            f"(last: {failed[-1].error}), while requests without it were answered: a failure of that feature"
        )
        found += [outcome(rid, Status.FAIL, reason, failed[:KEPT]) for rid in rids]
    return found
