"""Checks: one pure function per requirement (or tightly related group), no I/O.

Every check takes `(exchanges, context)`: a mapping from the role each exchange played in the
test ("probe", "baseline", "xml", a scheme name, ...) to the exchange, and the Context of the
run and case; it returns an Outcome. CHECKS maps each requirement ID to its check.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable, Mapping

from conformance.contract import NS_API_SLOW_MS
from conformance.exchange import Exchange
from conformance.outcome import Outcome, untested
from conformance.profile import Profile

Exchanges = Mapping[str, Exchange]


@dataclass(frozen=True)
class Context:
    profile: Profile = field(default_factory=Profile)
    slow_ms: float = NS_API_SLOW_MS
    case: Mapping[str, Any] = field(default_factory=dict)
    """What the test sent that the check needs to know: the $select clause, the Accept header, ..."""


Check = Callable[[Exchanges, Context], Outcome]


def answered(rid: str, exchanges: Exchanges, *roles: str) -> Outcome | None:
    """An untested outcome when a needed exchange is missing or got no HTTP response at all."""
    for role in roles or tuple(exchanges):
        exchange = exchanges.get(role)
        if exchange is None:
            return untested(rid, f"no {role} exchange to judge")
        if exchange.response is None:
            return untested(rid, f"the {role} request got no response: {exchange.error}", [exchange])
    return None


def engine_keys(exchange: Exchange) -> list[str]:
    """Engine properties a response carries, in any body it has (for 'no engine data' checks)."""
    from conformance.contract import PROPERTIES

    body = exchange.body
    found = [p for p in PROPERTIES if isinstance(body, dict) and p in body]
    if not found and exchange.response is not None:
        text = exchange.response.body.decode("utf-8", "replace")
        found = [p for p in ("IsRunning", "FieldProperties", "StatusMessage") if p in text]
    return found


def new_violations(exchange: Exchange, reference: Exchange | None) -> list[str]:
    """Schema violations of a body that the reference body (the plain JSON baseline) does not
    have: what a header or media type broke, leaving the body's own shape to SCHEMA."""
    from conformance import contract

    found = exchange.violations(contract.FULL_VIEW)
    if reference is not None and isinstance(reference.body, dict):
        known = set(reference.violations(contract.FULL_VIEW))  # a shared baseline: validated once
        found = [v for v in found if v not in known]
    return found


def described(exchange: Exchange) -> str:
    r = exchange.response
    if r is None:
        return f"no response ({exchange.error})"
    detail = f"{r.status} {r.header('Content-Type') or '(no Content-Type)'}"
    if 300 <= r.status < 400 and r.header("Location"):
        detail += f", Location: {r.header('Location')} (redirects are not followed)"
    if r.note:
        detail += f" ({r.note})"
    if exchange.decoded.problem and r.status == 200:
        detail += f"; {exchange.decoded.problem}"
    return detail


@lru_cache(maxsize=None)
def registry() -> dict[str, Check]:
    """Every requirement's check, by ID."""
    from conformance.checks import accept, auth, http, language, schema, select

    out: dict[str, Check] = {}
    for module in (schema, http, auth, select, accept, language):
        out.update(module.CHECKS)
    return out
