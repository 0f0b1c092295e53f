"""Hypothesis strategies for requests to GetEngineStatus: plural nouns, composable.

Values are drawn from the documented domains (conformance.contract.domains: every shipped language, the
documented tags, cultures, zone codes and ids with their suffix) plus what a parser must survive
(case, spaces, duplicates, q-values, near-miss and unknown names and values). `cases()` draws
whole requests; the case analysis (conformance.model.case) says what each may be answered with.
"""

from __future__ import annotations

from hypothesis import strategies as st

from conformance.contract import domains
from conformance.contract.endpoint import JSON_TYPES, MEDIA_TYPES, PROPERTIES
from conformance.model.case import Case

UNSUPPORTED_TYPES = ("text/csv", "text/html", "image/png", "application/pdf")
WILDCARDS = ("*/*", "text/*", "application/*")
UNKNOWN_NAMES = ("Name", "department", "category/id", "FieldProperties/x", "IsRunning/x", "TableRight/Masks")
NESTED_NAMES = ("TableRight/Mask", "TableRight/Reason")
NEAR_MISS_NAMES = tuple(n for p in PROPERTIES for n in domains.near_misses(p))


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


def language_tags() -> st.SearchStrategy[str]:
    return st.sampled_from(domains.LANGUAGE_VALUES + domains.LEGACY_CODES[:4])


def accept_languages() -> st.SearchStrategy[str | None]:
    """None, one tag, or a list of tags with q-values (and sometimes *)."""
    weighted = st.tuples(language_tags() | st.just("*"), st.sampled_from(["", ";q=0.9", ";q=0.5", ";q=0"]))
    listed = st.lists(weighted.map("".join), min_size=2, max_size=3).map(", ".join)
    return st.none() | language_tags() | listed | st.sampled_from(domains.ACCEPT_LANGUAGE_LISTS)


def so_languages() -> st.SearchStrategy[str | None]:
    return st.none() | st.sampled_from(domains.SO_LANGUAGE_VALUES) | language_tags()


def cultures() -> st.SearchStrategy[str | None]:
    return st.none() | st.sampled_from(domains.CULTURES + domains.UNKNOWN_CULTURES)


def time_zones() -> st.SearchStrategy[str | None]:
    spelled = st.tuples(st.sampled_from(("NO", "261", "US-NY")), st.sampled_from(domains.UNDOCUMENTED_SPELLINGS)).map(
        "".join
    )
    return st.none() | st.sampled_from(domains.zone_values() + list(domains.ZONE_FORMS)) | spelled


def select_names() -> st.SearchStrategy[str]:
    known = st.sampled_from(PROPERTIES + NESTED_NAMES).flatmap(_cased)
    padded = st.tuples(st.sampled_from(["", " "]), known, st.sampled_from(["", " "])).map("".join)
    return st.one_of(known, known, padded, st.sampled_from(UNKNOWN_NAMES + NEAR_MISS_NAMES))


def _joined(*parts: st.SearchStrategy[list[str]]) -> st.SearchStrategy[str]:
    """Lists of names, concatenated, in any order, joined by commas."""
    return (
        st.tuples(*parts)
        .map(lambda lists: [n for names in lists for n in names])
        .flatmap(st.permutations)
        .map(",".join)
    )


def select_clauses(names: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[str | None]:
    """None, empty, or names joined by commas: mixtures of everything a clause may hold (subsets,
    case, spaces, duplicates, unknown and nested names), and, as often, the clean shapes the
    plain requirements need, which a mixture seldom is: documented names only (SELECT-02/03),
    unknown names beside documented ones (SELECT-06), unknown names only (SELECT-09)."""
    names = names or select_names()
    listed = st.lists(names, max_size=5).flatmap(
        lambda chosen: st.sampled_from([chosen, chosen + chosen[:1]])
    )  # duplicates, sometimes
    mixed = listed.map(",".join)
    documented = st.lists(st.sampled_from(PROPERTIES), min_size=1, max_size=len(PROPERTIES), unique=True)
    unknown = st.lists(st.sampled_from(UNKNOWN_NAMES), min_size=1, max_size=2, unique=True)
    return st.one_of(
        st.none(), st.just(""), mixed, mixed, _joined(documented), _joined(documented, unknown), _joined(unknown)
    )


def credentials(scheme: str) -> st.SearchStrategy[str]:
    """The right credential most often (so that everything else is judged), else any other form
    of the scheme's credential (domains.CREDENTIAL_STATES)."""
    return st.one_of(
        st.just("valid"), st.just("valid"), st.just("valid"), st.sampled_from(domains.CREDENTIAL_STATES[scheme])
    )


def schemes_or_none(scheme: str) -> st.SearchStrategy[str | None]:
    """A scheme's test sends its scheme, and sometimes no credentials at all."""
    return st.one_of(st.just(scheme), st.just(scheme), st.just(scheme), st.just(scheme), st.none())


@st.composite
def cases(
    draw: st.DrawFn,
    schemes: st.SearchStrategy[str | None],
    credentials: st.SearchStrategy[str] | None = None,
    accepts: st.SearchStrategy[str | None] | None = None,
    languages: st.SearchStrategy[str | None] | None = None,
    so_language: st.SearchStrategy[str | None] | None = None,
    culture: st.SearchStrategy[str | None] | None = None,
    zones: st.SearchStrategy[str | None] | None = None,
    selects: st.SearchStrategy[str | None] | None = None,
    codings: st.SearchStrategy[str | None] | None = None,
) -> Case:
    scheme = draw(schemes, label="scheme")
    credential = (
        "none"
        if scheme is None
        else draw(credentials if credentials is not None else st.just("valid"), label="credential")
    )
    return Case(
        scheme=scheme,
        credential=credential,
        accept=draw(accepts or accept_headers(), label="Accept"),
        accept_language=draw(languages or accept_languages(), label="Accept-Language"),
        so_language=draw(so_language or so_languages(), label="SO-Language"),
        so_culture=draw(culture or cultures(), label="SO-Culture"),
        so_timezone=draw(zones or time_zones(), label="SO-TimeZone"),
        select=draw(selects or select_clauses(), label="$select"),
        accept_encoding=draw(codings or accept_encodings(), label="Accept-Encoding"),
    )


def accept_encodings() -> st.SearchStrategy[str | None]:
    """None (the client's identity) most often, else a value of the covering design's domain."""
    return st.one_of(st.none(), st.none(), st.sampled_from([c for c in domains.ACCEPT_ENCODINGS if c]))
