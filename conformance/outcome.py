"""Graded outcomes: what a check concludes about one requirement, with its evidence.

pass; fail (a MUST broken); non-strict (a SHOULD broken: fails the run only under --strict);
informational (an INFO requirement's finding); not-applicable (the target's profile or
installation excludes it); untested (no credentials, budget exhausted, inconclusive).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from conformance import requirements
from conformance.exchange import Exchange

STATUSES = ("fail", "non-strict", "pass", "informational", "untested", "not-applicable")
"""Worst first: a requirement judged several times takes the worst of its outcomes."""
BUDGET_CUT = "budget exhausted"
"""How the reason of an outcome the request budget kept from being judged begins."""


@dataclass(frozen=True)
class Outcome:
    requirement: str
    status: str
    reason: str
    expected: str = ""
    actual: str = ""
    evidence: tuple[Exchange, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"unknown outcome status {self.status!r}")
        requirements.get(self.requirement)

    @property
    def title(self) -> str:
        return requirements.get(self.requirement).title

    def message(self) -> str:
        """The failure message of DESIGN rule 3: ID and title, expected, actual, reproduce."""
        lines = [f"{self.requirement} {self.title}", f"Outcome: {self.status}: {self.reason}"]
        if self.expected:
            lines.append(f"Expected: {self.expected}")
        if self.actual:
            lines.append(f"Actual: {self.actual}")
        for exchange in self.evidence[:3]:
            lines.append(f"Evidence: {exchange.summary()}")
            lines.append(f"Reproduce: {exchange.curl}")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        return {"requirement": self.requirement, "status": self.status, "reason": self.reason,
                "expected": self.expected, "actual": self.actual,
                "evidence": [e.as_dict() for e in self.evidence]}


def passed(rid: str, reason: str, evidence: Iterable[Exchange] = ()) -> Outcome:
    status = "informational" if requirements.get(rid).level == "INFO" else "pass"
    return Outcome(rid, status, reason, evidence=tuple(evidence))


def violated(rid: str, reason: str, *, expected: str = "", actual: str = "",
             evidence: Iterable[Exchange] = (), level: str | None = None) -> Outcome:
    """A broken requirement, graded by its level (or by `level` where one requirement mixes two)."""
    level = level or requirements.get(rid).level
    status = {"MUST": "fail", "SHOULD": "non-strict", "INFO": "informational"}[level]
    return Outcome(rid, status, reason, expected, actual, tuple(evidence))


def informational(rid: str, reason: str, evidence: Iterable[Exchange] = ()) -> Outcome:
    return Outcome(rid, "informational", reason, evidence=tuple(evidence))


def untested(rid: str, reason: str, evidence: Iterable[Exchange] = ()) -> Outcome:
    return Outcome(rid, "untested", reason, evidence=tuple(evidence))


def not_applicable(rid: str, reason: str) -> Outcome:
    return Outcome(rid, "not-applicable", reason)


def worst(outcomes: Iterable[Outcome]) -> Outcome | None:
    ranked = sorted(outcomes, key=lambda o: STATUSES.index(o.status))
    return ranked[0] if ranked else None
