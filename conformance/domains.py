"""The documented domains of the request's dimensions, from ../shared/spec/HEADER-DOMAINS.md (H, TZ,
REF, RO, MDO, D there), and the near-misses a parser gets wrong. Strategies draw from them; the
case analysis (conformance.case) says what a server may answer to each kind of value.

Kinds of a language, culture or zone value: "known" (an installation certainly knows it),
"maybe" (documented, but an installation may not ship it), "unknown" (no installation knows
it), "spelling" (an undocumented spelling of a known zone), "off" (SO-Language * or x).
"""

from __future__ import annotations

import re

from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

# --- languages ------------------------------------------------------------------------------------
CERTAIN_LANGUAGES = ("en",)
"""English is every installation's language (the String API defaults to it, D)."""
SHIPPED_LANGUAGES = ("zh-cn", "cs", "da", "nl", "en", "fi", "fr", "de", "de-ch", "it", "ja", "ko", "no", "pl",
                     "pt-br", "ru", "es", "sv", "uk", "vi")
"""MDO culture.md: the languages SuperOffice ships resources for."""
DOCUMENTED_TAGS = ("nb-no", "nb", "en-us", "en-gb", "en-US", "sv", "fr", "nb-NO", "sv-SE", "da-DK", "de-DE")
"""Tags the docs show in headers (H, RO, D custom-objects) and region forms of shipped languages."""
LEGACY_CODES = ("NO", "SP", "US", "CZ", "SW", "CN", "DA", "JP", "GE", "FI", "NL", "RU", "FR", "PL", "IT")
"""SuperOffice's own legacy language codes (D table-legacy-language-codes); as header values undocumented."""
UNKNOWN_LANGUAGES = ("zz", "x-klingon", "qq-ZZ")
TRANSLATION_OFF = ("*", "x")

_PRIMARIES = {tag.split("-")[0].lower() for tag in SHIPPED_LANGUAGES + DOCUMENTED_TAGS} | {"nb", "nn"}


def language_kind(tag: str) -> str:
    value = tag.strip()
    if not value:
        return "maybe"  # an empty header: read as not given, or as a value no installation knows
    if value.lower() in TRANSLATION_OFF:
        return "off"
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
    ranges = [value for value, quality in parse_accept_header(header, LanguageAccept) if quality > 0]
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
    "UTC": 1, "AU-ACT": 36, "AU3": 37, "AU1": 38, "AU-NSW": 39, "AU-NT": 40, "AU-QLD": 41, "AU-SA": 42,
    "AU-TAS": 43, "AU-VIC": 44, "AU-WA": 45, "AT": 46, "BD": 50, "BE": 53, "BR-RJ": 81, "CA-AB": 96, "CA-BC": 97,
    "CA-BC1": 98, "CA-BC2": 99, "CA2": 100, "CA2A": 101, "CA-MB": 102, "CA-QC": 114, "DK": 140, "FR": 156,
    "NO": 261, "US-CA": 425, "US-HI": 433, "US-NY": 460,
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
