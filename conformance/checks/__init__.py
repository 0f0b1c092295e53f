"""Checks: one pure function per requirement, no I/O, registered with its ID and preconditions.

A check is declared as schemathesis declares its checks:

    @check("SCHEMA-02", answered("probe"), body_200("probe"))
    def schema_02(ex: Exchanges, ctx: Context) -> Finding: ...

It takes `(exchanges, context)`: a mapping from the role each exchange played ("probe",
"baseline", "xml", a scheme name, ...) to the exchange, and the Context of the run and case. It
returns a Finding (conformance.checks.outcome); the registry grades it by the requirement's level into
the requirement's Outcome. A precondition that does not hold ends the check as untested or
not-applicable with its reason, before the check runs. A pass with no exchange behind it is a
defect of the check, never a verdict (CheckError).

Every place that judges a requirement (example tests, property tests, schemathesis, the
session-wide judgements) calls `judge`, so a requirement is judged in exactly one place.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from conformance.checks.outcome import Finding, Kind, Outcome
from conformance.contract.choices import Profile
from conformance.contract.endpoint import NS_API_SLOW_MS
from conformance.wire.exchange import Exchange

Exchanges = Mapping[str, Exchange]
MODULES = ("schema", "http", "auth", "select", "accept", "language")


@dataclass(frozen=True)
class Observation:
    """How the run decided an `auto` profile setting: the choice (None: undecided), why, and the
    exchange that decided it (cited as evidence when a later exchange contradicts the choice)."""

    setting: str
    choice: str | None
    reason: str
    evidence: tuple[Exchange, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class Context:
    profile: Profile = field(default_factory=Profile.reference)
    slow_ms: float = NS_API_SLOW_MS
    case: Mapping[str, Any] = field(default_factory=dict)
    """What the test sent that the check needs to know: the $select clause, the Accept header, ..."""
    volatile: frozenset[str] = frozenset()
    """Top-level properties seen to change between identical reads: relations leave them out."""
    schemes: tuple[str, ...] = ("basic", "soticket", "bearer", "session")
    """The auth schemes the target declares."""
    observations: Mapping[str, Observation] = field(default_factory=dict)
    """The settings the run decided, by key."""


Precondition = Callable[[Exchanges, Context], Finding | None]
CheckFunction = Callable[[Exchanges, Context], Finding]


class CheckError(AssertionError):
    """A check that concluded something no exchange supports: a defect of the suite."""


@dataclass(frozen=True)
class Check:
    requirement: str
    function: CheckFunction
    preconditions: tuple[Precondition, ...] = ()

    def __call__(self, exchanges: Exchanges, context: Context) -> Outcome:
        for precondition in self.preconditions:
            early = precondition(exchanges, context)
            if early is not None:
                return Outcome.of(self.requirement, early)
        finding = self.function(exchanges, context)
        if finding.kind is Kind.PASSED and not finding.evidence:
            raise CheckError(f"{self.requirement}: a pass with no exchange behind it ({finding.reason})")
        outcome = Outcome.of(self.requirement, finding)
        if outcome.status.red:
            outcome = self._citing_decisions(outcome, context)
        return outcome.slim()

    def _citing_decisions(self, outcome: Outcome, context: Context) -> Outcome:
        """A violation of a choice the run inferred names that choice and the exchange behind it,
        so a server that answered one way and then another is shown both ways. The settings are
        those the catalogue says the requirement rests on."""
        from conformance.contract.requirements import get

        decided = [
            context.observations[key]
            for key in get(self.requirement).settings
            if key in context.observations and context.observations[key].choice is not None
        ]
        if not decided:
            return outcome
        note = "; ".join(
            f"{o.setting}={o.choice} was inferred from the server's own answer ({o.reason})" for o in decided
        )
        evidence = outcome.evidence + tuple(e for o in decided for e in o.evidence if e not in outcome.evidence)
        return Outcome(
            outcome.requirement,
            outcome.status,
            f"{outcome.reason} ({note})",
            outcome.expected,
            outcome.actual,
            evidence,
        )


_REGISTRY: dict[str, Check] = {}


def check(requirement: str, *preconditions: Precondition) -> Callable[[CheckFunction], Check]:
    """Register the decorated function as the check of `requirement`."""

    def register(function: CheckFunction) -> Check:
        if requirement in _REGISTRY:
            raise ValueError(
                f"{requirement} has two checks: {_REGISTRY[requirement].function.__name__} and {function.__name__}"
            )
        registered = Check(requirement, function, preconditions)
        _REGISTRY[requirement] = registered
        return registered

    return register


def registry() -> dict[str, Check]:
    """Every requirement's check, by ID (importing the check modules registers them)."""
    for module in MODULES:
        importlib.import_module(f"conformance.checks.{module}")
    return dict(_REGISTRY)


def judge(requirement: str, exchanges: Exchanges, context: Context) -> Outcome:
    if requirement not in _REGISTRY:
        registry()
    return _REGISTRY[requirement](exchanges, context)


# --- preconditions ----------------------------------------------------------------------------


def answered(*roles: str) -> Precondition:
    """Each role (every exchange, when none is named) is present and got an HTTP response."""

    def precondition(ex: Exchanges, ctx: Context) -> Finding | None:
        from conformance.checks.outcome import untested

        for role in roles or tuple(ex):
            exchange = ex.get(role)
            if exchange is None:
                return untested(f"no {role} exchange to judge")
            if exchange.response is None:
                return untested(f"the {role} request got no response: {exchange.error}", [exchange])
        if not ex:
            return untested("no exchange to judge")
        return None

    return precondition


# --- helpers checks share ---------------------------------------------------------------------


def engine_keys(exchange: Exchange) -> list[str]:
    """Engine properties a response carries, in any body it has (for 'no engine data' checks)."""
    from conformance.contract.endpoint import PROPERTIES

    body = exchange.body
    found = [p for p in PROPERTIES if isinstance(body, dict) and p in body]
    if not found and exchange.response is not None:
        text = exchange.response.body.decode("utf-8", "replace")
        found = [p for p in ("IsRunning", "FieldProperties", "StatusMessage") if p in text]
    return found


def new_violations(exchange: Exchange, reference: Exchange | None, selected: bool = False) -> list[str]:
    """Schema violations of a body that the reference body (the plain JSON baseline) does not
    have: what a header or media type broke, leaving the body's own shape to SCHEMA. `selected`:
    the body answers a $select, so it is validated by the $select view."""
    from conformance.contract import endpoint

    view = endpoint.SELECT_VIEW if selected else endpoint.FULL_VIEW
    found = exchange.violations(view)
    if reference is not None and isinstance(reference.body, dict):
        # by where, not by the value quoted: a live engine's IsRunning "Ja" then "Nej" is one violation
        known = {_where(v) for v in reference.violations(view)}  # a shared baseline: validated once
        found = [v for v in found if _where(v) not in known]
    return found


def _where(violation: str) -> str:
    """A type violation by its location ("$.IsRunning: 'x' is not of type ..."), any other by its
    whole message (a missing member is named in it: "$: 'Interval' is a required property")."""
    where, _, message = violation.partition(": ")
    return where if " is not of type " in message else violation


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


def left_out(ctx: Context) -> str:
    """The note a relation adds when it compared only the fields that hold still."""
    if not ctx.volatile:
        return ""
    return f" (compared without {', '.join(sorted(ctx.volatile))}, which change on their own between identical reads)"
