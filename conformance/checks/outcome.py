"""Graded outcomes: what a check concludes about one requirement, with its evidence.

pass; fail (a MUST broken); non-strict (a SHOULD broken: fails the run only under the strict
option); informational (an INFO requirement's finding); not-applicable (the target's profile or
installation excludes it); untested (no credentials, budget exhausted, inconclusive). A results
entry may also read waived (gate.py); a check never concludes that.

Checks return Findings, which say what was seen without naming the requirement; the registry
(conformance.checks) turns each into the Outcome of the requirement the check is registered for,
graded by its level. Outcome.as_dict is its one serialisation (results.json keeps it as written).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from conformance.contract import requirements
from conformance.text.sinks import shown
from conformance.wire.exchange import Exchange


class Status(enum.StrEnum):
    """Worst first: a requirement judged several times is reported by the worst of its outcomes."""

    FAIL = "fail"
    NON_STRICT = "non-strict"
    WAIVED = "waived"
    PASS = "pass"
    INFORMATIONAL = "informational"
    UNTESTED = "untested"
    NOT_APPLICABLE = "not-applicable"

    @property
    def rank(self) -> int:
        return list(Status).index(self)

    @property
    def red(self) -> bool:
        """A broken requirement: fail or non-strict."""
        return self in (Status.FAIL, Status.NON_STRICT)


BUDGET_CUT = "budget exhausted"
"""How the reason of an outcome the request budget kept from being judged begins."""


class Kind(enum.Enum):
    """What a check saw, before the requirement's level grades it."""

    PASSED = "passed"
    VIOLATED = "violated"
    UNTESTED = "untested"
    NOT_APPLICABLE = "not-applicable"
    OBSERVED = "observed"  # an INFO requirement's finding


@dataclass(frozen=True)
class Finding:
    kind: Kind
    reason: str
    expected: str = ""
    actual: str = ""
    evidence: tuple[Exchange, ...] = ()
    level: str | None = None
    """A violation graded by another level than the requirement's (one requirement mixing two)."""


def passed(reason: str, evidence: Iterable[Exchange] = ()) -> Finding:
    return Finding(Kind.PASSED, reason, evidence=tuple(evidence))


def violated(
    reason: str, *, expected: str = "", actual: str = "", evidence: Iterable[Exchange] = (), level: str | None = None
) -> Finding:
    return Finding(Kind.VIOLATED, reason, expected, actual, tuple(evidence), level)


def untested(reason: str, evidence: Iterable[Exchange] = ()) -> Finding:
    return Finding(Kind.UNTESTED, reason, evidence=tuple(evidence))


def not_applicable(reason: str, evidence: Iterable[Exchange] = ()) -> Finding:
    return Finding(Kind.NOT_APPLICABLE, reason, evidence=tuple(evidence))


def observed(reason: str, evidence: Iterable[Exchange] = ()) -> Finding:
    return Finding(Kind.OBSERVED, reason, evidence=tuple(evidence))


GRADES = {"MUST": Status.FAIL, "SHOULD": Status.NON_STRICT, "INFO": Status.INFORMATIONAL}


@dataclass(frozen=True)
class Outcome:
    requirement: str
    status: Status
    reason: str
    expected: str = ""
    actual: str = ""
    evidence: tuple[Exchange, ...] = field(default=(), compare=False)
    evidence_data: tuple[Mapping[str, Any], ...] = field(default=(), compare=False, repr=False)
    """Evidence already serialised (an outcome read back from a report)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", Status(self.status))
        requirements.get(self.requirement)

    @classmethod
    def of(cls, rid: str, finding: Finding) -> "Outcome":
        """The outcome of requirement `rid` that a finding amounts to, graded by the level."""
        level = requirements.get(rid).level
        status = {
            Kind.PASSED: Status.INFORMATIONAL if level == "INFO" else Status.PASS,
            Kind.VIOLATED: GRADES[finding.level or level],
            Kind.UNTESTED: Status.UNTESTED,
            Kind.NOT_APPLICABLE: Status.NOT_APPLICABLE,
            Kind.OBSERVED: Status.INFORMATIONAL,
        }[finding.kind]
        return cls(rid, status, finding.reason, finding.expected, finding.actual, finding.evidence)

    def slim(self) -> "Outcome":
        """The same outcome with its evidence slim: a judgement kept for the report holds the heads
        of bodies, not the bodies (conformance.wire.exchange.Exchange.slim)."""
        if not self.evidence:
            return self
        return Outcome(
            self.requirement,
            self.status,
            self.reason,
            self.expected,
            self.actual,
            tuple(e.slim() for e in self.evidence),
            self.evidence_data,
        )

    @property
    def title(self) -> str:
        return requirements.get(self.requirement).title

    def message(self) -> str:
        """The failure message of DESIGN rule 3: ID and title, expected, actual, reproduce."""
        lines = [f"{self.requirement} {self.title}", f"Outcome: {self.status}: {shown(self.reason)}"]
        if self.expected:
            lines.append(f"Expected: {shown(self.expected)}")
        if self.actual:
            lines.append(f"Actual: {shown(self.actual)}")
        for exchange in self.evidence[:3]:
            lines.append(f"Evidence: {exchange.summary()}")
            lines.append(f"Reproduce: {exchange.curl}")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        """As results.json holds it; its texts `shown` (conformance.text.sinks), as they quote the server."""
        return {
            "requirement": self.requirement,
            "status": str(self.status),
            "reason": shown(self.reason),
            "expected": shown(self.expected),
            "actual": shown(self.actual),
            "evidence": [e.as_dict() for e in self.evidence] + [dict(e) for e in self.evidence_data],
        }


def outcome(rid: str, status: Status, reason: str, evidence: Iterable[Exchange] = ()) -> Outcome:
    """An outcome not concluded by a check: a test's precondition, a budget cut, a stop."""
    return Outcome(rid, status, reason, evidence=tuple(evidence))


def worst(outcomes: Iterable[Outcome]) -> Outcome | None:
    ranked = sorted(outcomes, key=lambda o: o.status.rank)
    return ranked[0] if ranked else None
