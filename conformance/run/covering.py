"""The covering design of the example tests: every value of every dimension's domain
(conformance.contract.domains) in at least one request, and each pair of the dimensions that interact
together in at least one, in as few requests as that takes.

Dimensions are laid side by side: row i carries the i-th value of each (each list cycling), so the
rows number the longest domain, not the sum of them. Two families keep a header from hiding another:
in one, Accept-Language is the language (no SO-Language, which would override it); in the other,
SO-Language is. Each family carries SO-Culture, SO-TimeZone, Accept and $select values, and the
declared schemes in turn ($select with each scheme; a language with XML; culture and zone with
$select), and Accept-Encoding (domains.ACCEPT_ENCODINGS: the coding named is the coding applied,
and the decoded body is judged as any other). Refused rows cross the Accept forms with no credentials, and every other form of each
declared scheme's credential with an Accept form in turn.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from itertools import cycle, islice
from pathlib import Path
from typing import Iterable, Sequence

from conformance.contract import domains
from conformance.model.case import Case
from conformance.run.routing import accept_requirement

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


ORDER_FILE = Path(__file__).with_name("covering_order.json")
"""The rows' order by measured yield, written by bench/yield_order.py: the rows that caught the most
named faults no earlier row caught, per request, first."""


def rows(schemes: Sequence[str]) -> list[Row]:
    """The covering rows for a target that declares `schemes` (in its order), in the order of
    ORDER_FILE, so that a budget that runs out cuts the rows that catch least per request; rows it
    does not name (another target's schemes) follow, cheapest first: a refused row costs its one
    request, an authorised one also the references it is compared with."""
    if not schemes:
        return []
    languages = _language_rows(schemes)
    cheapest = _credential_rows(schemes) + _unauthorised_rows() + languages + _translation_rows(schemes, languages)
    return ordered(cheapest, _measured_order())


def ordered(found: list[Row], measured: Sequence[str]) -> list[Row]:
    """`found` in the order `measured` names their ids; those it does not name after, as they came."""
    rank = {row_id: i for i, row_id in enumerate(measured)}
    return sorted(found, key=lambda row: rank.get(row.id, len(rank)))


@lru_cache(maxsize=1)
def _measured_order() -> tuple[str, ...]:
    try:
        return tuple(json.loads(ORDER_FILE.read_text("utf-8"))["rows"])
    except (OSError, ValueError, KeyError, TypeError):
        return ()


def _credential_rows(schemes: Sequence[str]) -> list[Row]:
    # A wrong credential beside an Accept the server cannot answer may get 406 for that: each form
    # goes with a type the server answers, so that a credential it wrongly takes shows as a 200.
    answered = [a for a in domains.ACCEPT_FORMS if accept_requirement(a) != "ACCEPT-06"]
    forms = [(scheme, state) for scheme in schemes for state in domains.CREDENTIAL_STATES.get(scheme, ())]
    return [
        Row(f"{scheme} credential", Case(scheme, credential=state, accept=accept))
        for (scheme, state), accept in zip(forms, _take(answered, len(forms), 3))
    ]


def _unauthorised_rows() -> list[Row]:
    return [Row("no credentials", Case(None, credential="none", accept=accept)) for accept in domains.ACCEPT_FORMS]


def _beside(languages: Sequence[str], values: Sequence[str], kind, offset: int = 0) -> list[str]:
    """`values` laid beside `languages` in turn, those made up to be unknown (a culture or zone an
    installation may reject: 400 under its unknown_* choice) beside the languages that are unknown
    or absent too, so that each language an installation may know is answered with its body
    whatever the server chose for unknown values."""
    risky = [v for v in values if kind(v) == "unknown"]
    plain = _take([v for v in values if v not in risky], len(languages), offset)
    spare = [
        i for i, language in enumerate(languages) if domains.accept_language_kind(language) in ("unknown", "absent")
    ]
    for i, value in zip(spare, risky):
        plain[i] = value
    for i, value in zip(range(len(languages) - 1, -1, -1), risky[len(spare) :]):
        plain[i] = value  # more risky values than spare rows: the last rows carry the rest
    return plain


def _translation_rows(schemes: Sequence[str], rows: Sequence[Row]) -> list[Row]:
    """A whole JSON body in each shipped language that no language row gives one in (their $select
    or XML hides the translated Reasons): a language that leaves a reference untranslated shows
    only in a whole body (LANG-04)."""
    whole = {
        r.case.accept_language.strip().lower()
        for r in rows
        if r.case.select is None
        and r.case.so_language is None
        and r.case.accept_language is not None
        and "," not in (r.case.accept or "")  # one type named: a list may be answered in XML
        and (r.case.accept or "").split(";")[0].strip().lower() in ("application/json", "text/json")
    }
    missing = [language for language in domains.SHIPPED_LANGUAGES if language.lower() not in whole]
    return [
        Row("translation", Case(scheme, accept="application/json", accept_language=language, accept_encoding=coding))
        for language, scheme, coding in zip(
            missing, _take(schemes, len(missing)), _take(domains.ACCEPT_ENCODINGS, len(missing), 1)
        )
    ]


def _language_rows(schemes: Sequence[str]) -> list[Row]:
    out: list[Row] = []
    n = len(ACCEPT_LANGUAGES)
    selects: list[str | None] = list(domains.SELECT_CLAUSES) + [None] * max(0, n - len(domains.SELECT_CLAUSES))
    for language, scheme, accept, culture, zone, select, coding in zip(
        ACCEPT_LANGUAGES,
        _take(schemes, n),
        _take(domains.ACCEPT_FORMS, n),
        _beside(ACCEPT_LANGUAGES, CULTURES, domains.culture_kind),
        _beside(ACCEPT_LANGUAGES, domains.ZONE_FORMS, domains.zone_kind),
        selects,
        _take(domains.ACCEPT_ENCODINGS, n),
    ):
        out.append(
            Row(
                "Accept-Language",
                Case(
                    scheme,
                    accept=accept,
                    accept_language=language,
                    so_culture=culture,
                    so_timezone=zone,
                    select=select,
                    accept_encoding=coding,
                ),
            )
        )
    m = len(domains.SO_LANGUAGE_VALUES)
    offset = len(ACCEPT_LANGUAGES)
    for so_language, scheme, accept, culture, zone, select, coding in zip(
        domains.SO_LANGUAGE_VALUES,
        _take(schemes, m, 1),
        _take(domains.ACCEPT_FORMS, m, offset % 7),
        _take(CULTURES, m, 3),
        _take(domains.ZONE_FORMS, m, offset),
        _take(domains.SELECT_CLAUSES, m, 7),
        _take(domains.ACCEPT_ENCODINGS, m, offset),
    ):
        out.append(
            Row(
                "SO-Language",
                Case(
                    scheme,
                    accept=accept,
                    so_language=so_language,
                    accept_language="fr",
                    so_culture=culture,
                    so_timezone=zone,
                    select=select,
                    accept_encoding=coding,
                ),
            )
        )
    return out


def values_per_dimension(cases: Iterable[Case]) -> dict[str, int]:
    """How many distinct values of each dimension the cases send (for --dry-run)."""
    dimensions: dict[str, set[object]] = {
        "Accept": set(),
        "Accept-Language": set(),
        "SO-Language": set(),
        "SO-Culture": set(),
        "SO-TimeZone": set(),
        "Accept-Encoding": set(),
        "$select": set(),
        "credential": set(),
    }
    for case in cases:
        for header, value in case.headers().items():
            dimensions[header].add(value)
        if case.select is not None:
            dimensions["$select"].add(case.select)
        dimensions["credential"].add((case.scheme, case.credential))
    return {name: len(values) for name, values in dimensions.items()}
