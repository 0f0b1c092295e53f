"""The documented domains of the request's dimensions, from ../shared/spec/HEADER-DOMAINS.md (H, TZ,
REF, RO, MDO, D there), and the near-misses a parser gets wrong. Strategies draw from them; the
case analysis (conformance.model.case) says what a server may answer to each kind of value.

Kinds of a language, culture or zone value: "known" (an installation certainly knows it),
"maybe" (documented, but an installation may not ship it), "unknown" (no installation knows
it), "spelling" (an undocumented spelling of a known zone), "off" (SO-Language * or x).
"""

from __future__ import annotations

import re
from typing import Callable

from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from conformance.contract.endpoint import MEDIA_TYPES

# --- languages ------------------------------------------------------------------------------------
CERTAIN_LANGUAGES = ("en",)
"""English is every installation's language (the String API defaults to it, D)."""
SHIPPED_LANGUAGES = (
    "zh-cn",
    "cs",
    "da",
    "nl",
    "en",
    "fi",
    "fr",
    "de",
    "de-ch",
    "it",
    "ja",
    "ko",
    "no",
    "pl",
    "pt-br",
    "ru",
    "es",
    "sv",
    "uk",
    "vi",
)
"""MDO culture.md: the languages SuperOffice ships resources for."""
DOCUMENTED_TAGS = ("nb-no", "nb", "en-us", "en-gb", "en-US", "sv", "fr", "nb-NO", "sv-SE", "da-DK", "de-DE")
"""Tags the docs show in headers (H, RO, D custom-objects) and region forms of shipped languages."""
LEGACY_CODES = ("NO", "SP", "US", "CZ", "SW", "CN", "DA", "JP", "GE", "FI", "NL", "RU", "FR", "PL", "IT")
"""SuperOffice's own legacy language codes (D table-legacy-language-codes); as header values undocumented."""
UNKNOWN_LANGUAGES = ("zz", "x-klingon", "qq-ZZ")
TRANSLATION_OFF = ("*", "x")

LANGUAGE_VALUES = tuple(dict.fromkeys(CERTAIN_LANGUAGES + SHIPPED_LANGUAGES + DOCUMENTED_TAGS + UNKNOWN_LANGUAGES))
"""Every language tag the suite sends: each shipped language, the documented tags, unknown ones."""
ACCEPT_LANGUAGE_LISTS = (
    "en-US, en;q=0.9",
    "en-us; en-gb",
    "sv, *;q=0.5",
    "zz, en;q=0.1",
    "*",
    "de;q=0, en",
    ",",
    ", en",
)
"""Accept-Language as lists with q-values and *: H's own `en-us; en-gb`, what RFC 9110 allows, and
lists with empty elements (RFC 9110 5.6.1.2: ignored; `,` names no language at all)."""
SO_LANGUAGE_VALUES = ("nb-no", "en-US", "sv", "de") + TRANSLATION_OFF + ("X", "x-klingon")
"""SO-Language values: the documented ones (H, D, RO), * and x (translation off), an unknown one."""


def language_kind(tag: str) -> str:
    value = tag.strip()
    if not value:
        return "maybe"  # an empty header: read as not given, or as a value no installation knows
    if value in TRANSLATION_OFF:
        return "off"  # as the vendor writes them: `*` and a lower-case `x`; an upper-case X is a choice
        # (translation off, or a language no installation has), so it reads as "maybe" below
    if value in UNKNOWN_LANGUAGES or not value or not re.fullmatch(r"[A-Za-z]{1,8}(?:[-_][A-Za-z0-9]{1,8})*", value):
        return "unknown"
    primary = re.split(r"[-_]", value)[0].lower()
    if primary in CERTAIN_LANGUAGES:
        return "known"
    return "maybe"  # a shipped or legacy code, or another well-formed tag: an installation may know it


def accept_language_kind(header: str) -> str:
    """The best kind among the ranges a client accepts (q > 0): a server answers in the best
    language it has, so one known range makes the header known."""
    if not header.strip():
        return "maybe"  # an empty header: read as not given, or as a value no installation knows
    listed = list(parse_accept_header(header, LanguageAccept))
    if not listed:
        return "absent"  # only empty list elements (`,`): no value at all (RFC 9110 5.6.1.2, fact 22)
    ranges = [value for value, quality in listed if quality > 0]
    kinds = {language_kind(value) if value != "*" else "maybe" for value in ranges}
    for kind in ("known", "maybe", "unknown"):
        if kind in kinds:
            return kind
    return "unknown"


# --- cultures -------------------------------------------------------------------------------------
CULTURES = ("en", "sv", "nb-no", "de", "fr-FR", "de-CH", "da", "en-GB")
"""SO-Culture values: iso2 language codes (REF), RO's "nb-no", "en", "sv", and region forms."""
UNKNOWN_CULTURES = ("xx-YY", "zz")


def culture_kind(value: str) -> str:
    if not value.strip():
        return "maybe"
    if value.strip() in UNKNOWN_CULTURES:
        return "unknown"
    return {"off": "unknown"}.get(language_kind(value), language_kind(value))


# --- time zones -----------------------------------------------------------------------------------
ZONES: dict[str, int] = {
    "UTC": 1,
    "AU-ACT": 36,
    "AU3": 37,
    "AU1": 38,
    "AU-NSW": 39,
    "AU-NT": 40,
    "AU-QLD": 41,
    "AU-SA": 42,
    "AU-TAS": 43,
    "AU-VIC": 44,
    "AU-WA": 45,
    "AT": 46,
    "BD": 50,
    "BE": 53,
    "BR-RJ": 81,
    "CA-AB": 96,
    "CA-BC": 97,
    "CA-BC1": 98,
    "CA-BC2": 99,
    "CA2": 100,
    "CA2A": 101,
    "CA-MB": 102,
    "CA-QC": 114,
    "DK": 140,
    "FR": 156,
    "NO": 261,
    "US-CA": 425,
    "US-HI": 433,
    "US-NY": 460,
}
"""The documented id=code pairs (TZ, MDO timezoneiana.md)."""
CODES_WITHOUT_IDS = ("AR-NQ", "PF2A")
"""Codes the TimeZone Swagger shows as examples, without their ids."""
OFFSET_OPTION = "includeTZOffset"
OFFSET_SPELLINGS = (", includeTZOffset", ", includeTZoffset")
"""The documented suffixes (comma and one space; the prose writes both cases of 'offset')."""
UNDOCUMENTED_SPELLINGS = (",includeTZOffset", ",  includeTZOffset", " , includeTZOffset", ", INCLUDETZOFFSET")
UNKNOWN_ZONES = ("Mars/Olympus_Mons", "99999", "XX-YY")


def zone_kind(value: str) -> str:
    head, sep, rest = value.partition(",")
    code = head.strip()
    if not value.strip():
        return "maybe"
    if code not in ZONES and code not in CODES_WITHOUT_IDS and not (code.isdigit() and int(code) in ZONES.values()):
        if code.upper() in ZONES or code.upper() in CODES_WITHOUT_IDS:
            return "spelling"  # a documented code in another case
        # Only values made up to be unknown are unknown: the full zone table is not public, so any
        # other code, id or time-zone name (H: "either an ID or a time-zone name") may be known.
        return "unknown" if code in UNKNOWN_ZONES or not code else "maybe"
    if head != code:
        return "spelling"
    if not sep:
        return "known"
    return "known" if f",{rest}" in OFFSET_SPELLINGS else "spelling"


def zone_values() -> list[str]:
    """Every documented zone form: each code and each id, alone and with the documented suffix."""
    values = list(ZONES) + list(CODES_WITHOUT_IDS) + [str(i) for i in ZONES.values()]
    return values + [v + OFFSET_SPELLINGS[0] for v in ("NO", "261", "US-NY", "UTC", "460")]


ZONE_FORMS = (
    "NO",
    "DK",
    "UTC",
    "US-NY",
    "AU-NSW",
    "CA-QC",
    "BR-RJ",
    "261",
    "140",
    "460",
    "1",
    "36",
    "NO, includeTZOffset",
    "US-NY, includeTZOffset",
    "261, includeTZOffset",
    "460, includeTZoffset",
    "NO,includeTZOffset",
    "261,  includeTZOffset",
    "no",
    "Europe/Oslo",
    "Mars/Olympus_Mons",
    "99999",
)
"""The covering design's zone values: a country code, area codes of three continents, numeric ids,
each form with the documented suffix (both spellings of its case), the undocumented spacing and
case variants, an IANA name (H: "an ID or a time-zone name"), and unknown ones."""

# --- $select ------------------------------------------------------------------------------------


def near_misses(name: str) -> tuple[str, ...]:
    """Names a matcher may take for `name` and must not: a prefix, a suffix added, one letter
    dropped, a plural."""
    return (name[: max(3, len(name) // 2)], name + "X", name[:-2] + name[-1], name + "s")


SELECT_CLAUSES = (
    "IsRunning",
    "StatusMessage",
    "Interval",
    "TableRight",
    "FieldProperties",
    "TableRight/Mask",
    "TableRight/Reason",
    "isrunning",
    "STATUSMESSAGE",
    "tableRight/mask",
    " Interval , IsRunning ",
    "IsRunning,IsRunning",
    ",IsRunning,,Interval,",
    "StatusMessage, TableRight",
    "Status",
    "IsRunningX",
    "Intrval",
    "TableRights",
    "FieldPropertie",
    "TableRight/Masks",
    "FieldProperties/Interval",
    "IsRunning/x",
    "Name,department,category/id",
    "IsRunning,Name",
    "",
)
"""The covering design's clauses: each property and sub-property, case variants, spaces and
duplicates and stray separators, near-miss names (prefix, suffix, one letter off, plural), paths into
what has no such part, unknown names, and the empty clause."""

# --- Accept -------------------------------------------------------------------------------------
ACCEPT_FORMS = (
    *MEDIA_TYPES,
    "APPLICATION/XML",
    "Text/Json",
    "application/json; charset=utf-8",
    "text/xml;charset=UTF-8",
    "application/json;q=0.5, application/xml",
    "text/*",
    "application/*",
    "*/*",
    "text/csv",
    "text/html",
    "image/png, text/csv;q=0.5",
)
"""The covering design's Accept values: each documented type, case and parameters, q-lists,
wildcards, unsupported types."""

# --- Accept-Encoding ------------------------------------------------------------------------------
ACCEPT_ENCODINGS = (
    None,
    "gzip, deflate, br",
    None,
    "gzip",
    None,
    "deflate",
    None,
    "br",
    "identity",
    "gzip;q=0, deflate",
    "x-gzip",
)
"""The covering design's Accept-Encoding values (None: the client's own `identity`): the codings
real clients ask for, one at a time and together, a coding refused by q=0, and the x-gzip alias
(RFC 9110 8.4.1, 12.5.3). Which coding a server applies is its choice; the coding it names must be
the coding applied (HTTP-08), and the decoded body is judged as any other. Not `*`: a server may
answer it with a coding the client cannot decode (zstd), whose body would then be misjudged. A
third of the rows ask for none, so that a server that compresses only when asked is seen both ways."""

# --- credentials ----------------------------------------------------------------------------------
CREDENTIAL_STATES = {
    "basic": (
        "wrong-password",
        "empty-password",
        "password-with-colon",
        "password-non-ascii",
        "password-prefix",
        "wrong-user",
        "no-colon",
        "not-base64",
        "empty",
        "spelled-lower",
        "spelled-upper",
    ),
    "soticket": (
        "wrong",
        "prefix",
        "extended",
        "case-variant",
        "empty",
        "spelled-lower",
        "spelled-upper",
        "spelled-camel",
    ),
    "bearer": ("wrong", "prefix", "extended", "case-variant", "empty", "spelled-lower", "spelled-upper"),
    "session": ("no-xsrf", "wrong-xsrf", "xsrf-prefix", "wrong-cookie"),
}
"""Per scheme, the credential forms besides the right one: wrong values and near-misses of the
right one (a prefix, one character more, another case), empty parts, a password holding ':' or a
non-ASCII character, malformed encodings, and the scheme word in other spellings (still valid)."""
MALFORMED_STATES = frozenset({"no-colon", "not-base64", "empty"})
"""Forms that are no well-formed credential of the scheme (AUTH-08's)."""
SPELLINGS: dict[str, Callable[[str], str]] = {
    "spelled-lower": str.lower,
    "spelled-upper": str.upper,
    "spelled-camel": lambda w: "SoTicket",
}


def credential_kind(state: str) -> str:
    """valid (the right credential, in any spelling of the scheme word), malformed, or wrong."""
    if state == "valid" or state in SPELLINGS:
        return "valid"
    return "malformed" if state in MALFORMED_STATES else "wrong"
