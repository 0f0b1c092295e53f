"""The covering design of the example tests: every value of every dimension's domain
(conformance.domains) in at least one request, and each pair of the dimensions that interact
together in at least one, in as few requests as that takes.

Dimensions are laid side by side: row i carries the i-th value of each (each list cycling), so the
rows number the longest domain, not the sum of them. Two families keep a header from hiding another:
in one, Accept-Language is the language (no SO-Language, which would override it); in the other,
SO-Language is. Each family carries SO-Culture, SO-TimeZone, Accept and $select values, and the
declared schemes in turn ($select with each scheme; a language with XML; culture and zone with
$select). Refused rows cross the Accept forms with no credentials, and every other form of each
declared scheme's credential with an Accept form in turn.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import cycle, islice
from typing import Iterable, Sequence

from conformance import domains
from conformance.case import Case
from conformance.invariants import accept_requirement

ACCEPT_LANGUAGES = domains.LANGUAGE_VALUES + domains.ACCEPT_LANGUAGE_LISTS
CULTURES = domains.CULTURES + domains.UNKNOWN_CULTURES


@dataclass(frozen=True)
class Row:
    family: str
    case: Case

    @property
    def id(self) -> str:
        return f"{self.family}: {self.case.describe()}"


def _take(values: Sequence, count: int, offset: int = 0) -> list:
    return list(islice(cycle(values), offset, offset + count))


def rows(schemes: Sequence[str]) -> list[Row]:
    """The covering rows for a target that declares `schemes` (in its order), cheapest first: a
    refused row costs its one request, an authorised one also the references it is compared with,
    so a budget that runs out cuts the rows that cost most."""
    if not schemes:
        return []
    return _credential_rows(schemes) + _unauthorised_rows() + _language_rows(schemes)


def _credential_rows(schemes: Sequence[str]) -> list[Row]:
    # A wrong credential beside an Accept the server cannot answer may get 406 for that: each form
    # goes with a type the server answers, so that a credential it wrongly takes shows as a 200.
    answered = [a for a in domains.ACCEPT_FORMS if accept_requirement(a) != "ACCEPT-06"]
    forms = [(scheme, state) for scheme in schemes for state in domains.CREDENTIAL_STATES.get(scheme, ())]
    return [Row(f"{scheme} credential", Case(scheme, credential=state, accept=accept))
            for (scheme, state), accept in zip(forms, _take(answered, len(forms), 3))]


def _unauthorised_rows() -> list[Row]:
    return [Row("no credentials", Case(None, credential="none", accept=accept)) for accept in domains.ACCEPT_FORMS]


def _language_rows(schemes: Sequence[str]) -> list[Row]:
    out: list[Row] = []
    n = len(ACCEPT_LANGUAGES)
    selects: list[str | None] = list(domains.SELECT_CLAUSES) + [None] * max(0, n - len(domains.SELECT_CLAUSES))
    for language, scheme, accept, culture, zone, select in zip(
            ACCEPT_LANGUAGES, _take(schemes, n), _take(domains.ACCEPT_FORMS, n), _take(CULTURES, n),
            _take(domains.ZONE_FORMS, n), selects):
        out.append(Row("Accept-Language", Case(scheme, accept=accept, accept_language=language, so_culture=culture,
                                               so_timezone=zone, select=select)))
    m = len(domains.SO_LANGUAGE_VALUES)
    offset = len(ACCEPT_LANGUAGES)
    for so_language, scheme, accept, culture, zone, select in zip(
            domains.SO_LANGUAGE_VALUES, _take(schemes, m, 1), _take(domains.ACCEPT_FORMS, m, offset % 7),
            _take(CULTURES, m, 3), _take(domains.ZONE_FORMS, m, offset), _take(domains.SELECT_CLAUSES, m, 7)):
        out.append(Row("SO-Language", Case(scheme, accept=accept, so_language=so_language, accept_language="fr",
                                           so_culture=culture, so_timezone=zone, select=select)))
    return out


def values_per_dimension(cases: Iterable[Case]) -> dict[str, int]:
    """How many distinct values of each dimension the cases send (for --dry-run)."""
    dimensions = {"Accept": set(), "Accept-Language": set(), "SO-Language": set(), "SO-Culture": set(),
                  "SO-TimeZone": set(), "$select": set(), "credential": set()}
    for case in cases:
        for header, value in case.headers().items():
            dimensions[header].add(value)
        if case.select is not None:
            dimensions["$select"].add(case.select)
        dimensions["credential"].add((case.scheme, case.credential))
    return {name: len(values) for name, values in dimensions.items()}
