"""Hypothesis strategies for requests to GetEngineStatus: plural nouns, composable.

Values are drawn from what the contract names (the six types, the five properties, documented
zone codes) plus what it must survive (case, spaces, duplicates, q-values, unknown names and
values). Languages drawn as "known" are en and sv only (sv is the reference page's sample):
the suite cannot know which other languages an installation has.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from hypothesis import strategies as st

from conformance.contract import JSON_TYPES, MEDIA_TYPES, PROPERTIES

UNSUPPORTED_TYPES = ("text/csv", "text/html", "image/png", "application/pdf")
WILDCARDS = ("*/*", "text/*", "application/*")
KNOWN_LANGUAGES = ("en", "sv", "en-US", "sv-SE")
UNKNOWN_LANGUAGES = ("zz", "x-klingon")
KNOWN_CULTURES = ("en", "de", "fr-FR", "sv")
UNKNOWN_CULTURES = ("xx-YY",)
KNOWN_ZONES = ("UTC", "NO", "261", "US-NY", "DK", "NO, includeTZOffset", "261,includeTZOffset")
UNKNOWN_ZONES = ("Mars/Olympus_Mons", "99999")
UNKNOWN_NAMES = ("Name", "department", "category/id", "FieldProperties/x", "IsRunning/x")
NESTED_NAMES = ("TableRight/Mask", "TableRight/Reason")


def auth_schemes(schemes: Sequence[str]) -> st.SearchStrategy[str]:
    return st.sampled_from(list(schemes))


def _cased(text: str) -> st.SearchStrategy[str]:
    return st.sampled_from([text, text.lower(), text.upper(), text.title()])


def media_ranges() -> st.SearchStrategy[str]:
    """One Accept item: a type in some case, maybe with parameters and a q-value."""
    base = st.sampled_from(MEDIA_TYPES + UNSUPPORTED_TYPES + WILDCARDS).flatmap(_cased)
    charset = st.sampled_from(["", "; charset=utf-8", ";charset=UTF-8"])
    quality = st.sampled_from(["", ";q=1", ";q=0.9", ";q=0.5", ";q=0.1", ";q=0"])
    return st.tuples(base, charset, quality).map("".join)


def accept_headers(ranges: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[str | None]:
    items = st.lists(ranges or media_ranges(), min_size=1, max_size=3).map(", ".join)
    # Plain JSON types weigh more, so that $select and languages are judged often too.
    return st.one_of(st.none(), st.sampled_from(JSON_TYPES), items)


def language_tags() -> st.SearchStrategy[str | None]:
    return st.none() | st.sampled_from(KNOWN_LANGUAGES + UNKNOWN_LANGUAGES)


def so_languages() -> st.SearchStrategy[str | None]:
    return st.none() | st.sampled_from(("en", "sv", "*", "x") + UNKNOWN_LANGUAGES)


def cultures() -> st.SearchStrategy[str | None]:
    return st.none() | st.sampled_from(KNOWN_CULTURES + UNKNOWN_CULTURES)


def time_zones() -> st.SearchStrategy[str | None]:
    return st.none() | st.sampled_from(KNOWN_ZONES + UNKNOWN_ZONES)


def select_names() -> st.SearchStrategy[str]:
    known = st.sampled_from(PROPERTIES + NESTED_NAMES).flatmap(_cased)
    padded = st.tuples(st.sampled_from(["", " "]), known, st.sampled_from(["", " "])).map("".join)
    return st.one_of(known, known, padded, st.sampled_from(UNKNOWN_NAMES))


def _joined(*parts: st.SearchStrategy[list[str]]) -> st.SearchStrategy[str]:
    """Lists of names, concatenated, in any order, joined by commas."""
    return st.tuples(*parts).map(lambda lists: [n for names in lists for n in names]).flatmap(
        st.permutations).map(",".join)


def select_clauses(names: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[str | None]:
    """None, empty, or names joined by commas: mixtures of everything a clause may hold (subsets,
    case, spaces, duplicates, unknown and nested names), and, as often, the clean shapes the
    plain requirements need, which a mixture seldom is: documented names only (SELECT-02/03),
    unknown names beside documented ones (SELECT-06), unknown names only (SELECT-09)."""
    names = names or select_names()
    listed = st.lists(names, max_size=5).flatmap(
        lambda chosen: st.sampled_from([chosen, chosen + chosen[:1]]))  # duplicates, sometimes
    mixed = listed.map(",".join)
    documented = st.lists(st.sampled_from(PROPERTIES), min_size=1, max_size=len(PROPERTIES), unique=True)
    unknown = st.lists(st.sampled_from(UNKNOWN_NAMES), min_size=1, max_size=2, unique=True)
    return st.one_of(st.none(), st.just(""), mixed, mixed, _joined(documented),
                     _joined(documented, unknown), _joined(unknown))


@dataclass(frozen=True)
class HeaderSet:
    scheme: str
    accept: str | None
    accept_language: str | None
    so_language: str | None
    so_culture: str | None
    so_timezone: str | None
    select: str | None

    def headers(self) -> dict[str, str]:
        pairs = {"Accept": self.accept, "Accept-Language": self.accept_language, "SO-Language": self.so_language,
                 "SO-Culture": self.so_culture, "SO-TimeZone": self.so_timezone}
        return {k: v for k, v in pairs.items() if v is not None}

    def locale_headers(self) -> dict[str, str]:
        return {k: v for k, v in self.headers().items() if k != "Accept"}

    def unknown_locale(self) -> list[str]:
        """The headers a server consults here whose value no installation knows. SO-Language
        overrides Accept-Language; an unknown SO-Language is ignored, so Accept-Language counts
        again; a culture counts only with a language set."""
        out = []
        so, accept_language = self.so_language, self.accept_language
        consults_accept_language = so is None or so in UNKNOWN_LANGUAGES
        if so in UNKNOWN_LANGUAGES:
            out.append("SO-Language")
        if consults_accept_language and accept_language in UNKNOWN_LANGUAGES:
            out.append("Accept-Language")
        language_set = so in ("en", "sv") or (consults_accept_language and accept_language in KNOWN_LANGUAGES)
        if self.so_culture in UNKNOWN_CULTURES and language_set:
            out.append("SO-Culture")
        if self.so_timezone in UNKNOWN_ZONES:
            out.append("SO-TimeZone")
        return out

    def describe(self) -> str:
        parts = [f"via {self.scheme}"] + [f"{k}: {v}" for k, v in self.headers().items()]
        if self.select is not None:
            parts.append(f"$select={self.select!r}")
        return ", ".join(parts)


@st.composite
def header_sets(draw, schemes: st.SearchStrategy[str], accepts=None, languages=None, so_language=None,
                culture=None, zones=None, selects=None) -> HeaderSet:
    return HeaderSet(
        scheme=draw(schemes, label="scheme"),
        accept=draw(accepts or accept_headers(), label="Accept"),
        accept_language=draw(languages or language_tags(), label="Accept-Language"),
        so_language=draw(so_language or so_languages(), label="SO-Language"),
        so_culture=draw(culture or cultures(), label="SO-Culture"),
        so_timezone=draw(zones or time_zones(), label="SO-TimeZone"),
        select=draw(selects or select_clauses(), label="$select"),
    )
