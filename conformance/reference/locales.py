"""Languages, cultures and time zones of the reference server (CONTRACT-NOTES facts 6 and 7).

Resolution follows the reference page: SO-Language overrides Accept-Language, `*` or `x` turns
translation off, SO-Culture applies only when a language is set (defaulting to the language),
and SO-TimeZone converts the one date/time the engine reports (the last-sync time inside
StatusMessage).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

LANGUAGES = ("en", "nb", "sv", "da", "de", "fr")
ALIASES = {"no": "nb", "nn": "nb"}
TRANSLATION_OFF = ("*", "x")

# Multi-language values (fact 6) carry SuperOffice's country-style codes.
MULTI_LANGUAGE_CODE = {"en": "US", "nb": "NO", "sv": "SE", "da": "DK", "de": "GE", "fr": "FR"}


@dataclass(frozen=True)
class Culture:
    date_format: str
    decimal: str
    group: str


CULTURES = {
    "en": Culture("%m/%d/%Y %H:%M:%S", ".", ","),
    "nb": Culture("%d.%m.%Y %H:%M:%S", ",", "\u00a0"),
    "sv": Culture("%Y-%m-%d %H:%M:%S", ",", "\u00a0"),
    "da": Culture("%d-%m-%Y %H:%M:%S", ",", "."),
    "de": Culture("%d.%m.%Y %H:%M:%S", ",", "."),
    "fr": Culture("%d/%m/%Y %H:%M:%S", ",", "\u202f"),
}
INVARIANT = Culture("%Y-%m-%d %H:%M:%S", ".", "")

# SuperOffice zone codes and numeric ids. 261 = Norway is documented (fact 7); the other ids are
# the reference server's own, since the vendor's id table is not public.
ZONES: dict[str, tuple[int, str]] = {
    "UTC": (0, "UTC"),
    "NO": (261, "Europe/Oslo"),
    "SE": (262, "Europe/Stockholm"),
    "DK": (263, "Europe/Copenhagen"),
    "DE": (264, "Europe/Berlin"),
    "FR": (265, "Europe/Paris"),
    "GB": (266, "Europe/London"),
    "NL": (267, "Europe/Amsterdam"),
    "US-NY": (301, "America/New_York"),
    "US-CHI": (302, "America/Chicago"),
    "US-LA": (304, "America/Los_Angeles"),
}
ZONE_IDS = {str(zid): code for code, (zid, _) in ZONES.items()}
INCLUDE_OFFSET = "includetzoffset"

RESOURCES: dict[str, dict[str, str]] = {
    "SR_ERPSYNC_STATUS_RUNNING": {
        "en": "Engine running. Last synchronisation {time}: {count} records in {seconds} s.",
        "nb": "Motoren kjører. Siste synkronisering {time}: {count} poster på {seconds} s.",
        "sv": "Motorn körs. Senaste synkronisering {time}: {count} poster på {seconds} s.",
        "da": "Motoren kører. Seneste synkronisering {time}: {count} poster på {seconds} s.",
        "de": "Modul läuft. Letzte Synchronisierung {time}: {count} Datensätze in {seconds} s.",
        "fr": "Moteur en marche. Dernière synchronisation {time} : {count} enregistrements en {seconds} s.",
    },
    "SR_ERPSYNC_STATUS_STOPPED": {
        "en": "Engine stopped. Last synchronisation {time}: {count} records in {seconds} s.",
        "nb": "Motoren er stoppet. Siste synkronisering {time}: {count} poster på {seconds} s.",
        "sv": "Motorn är stoppad. Senaste synkronisering {time}: {count} poster på {seconds} s.",
        "da": "Motoren er stoppet. Seneste synkronisering {time}: {count} poster på {seconds} s.",
        "de": "Modul angehalten. Letzte Synchronisierung {time}: {count} Datensätze in {seconds} s.",
        "fr": "Moteur arrêté. Dernière synchronisation {time} : {count} enregistrements en {seconds} s.",
    },
    "SR_ERPSYNC_RIGHTS_ADMIN_ONLY": {
        "en": "Only administrators can change the sync engine",
        "nb": "Bare administratorer kan endre synkroniseringsmotoren",
        "sv": "Endast administratörer kan ändra synkroniseringsmotorn",
        "da": "Kun administratorer kan ændre synkroniseringsmotoren",
        "de": "Nur Administratoren können das Synchronisierungsmodul ändern",
        "fr": "Seuls les administrateurs peuvent modifier le moteur de synchronisation",
    },
    "SR_ERPSYNC_STATUS_READONLY": {
        "en": "The status is reported by the engine",
        "nb": "Statusen rapporteres av motoren",
        "sv": "Statusen rapporteras av motorn",
        "da": "Status rapporteres af motoren",
        "de": "Der Status wird vom Modul gemeldet",
        "fr": "L'état est fourni par le moteur",
    },
    "SR_ERPSYNC_INTERVAL_MANDATORY": {
        "en": "An interval is required",
        "nb": "Intervall må fylles ut",
        "sv": "Intervall måste anges",
        "da": "Interval skal udfyldes",
        "de": "Ein Intervall ist erforderlich",
        "fr": "Un intervalle est obligatoire",
    },
}
YES = {"en": "Yes", "nb": "Ja", "sv": "Ja", "da": "Ja", "de": "Ja", "fr": "Oui"}
NO = {"en": "No", "nb": "Nei", "sv": "Nej", "da": "Nej", "de": "Nein", "fr": "Non"}

RESOURCE_REFERENCE = re.compile(r"^\[(SR_[A-Z0-9_]+)\]$")
MULTI_LANGUAGE_PART = re.compile(r'([A-Z]{2}):"([^"]*)"')


@dataclass(frozen=True)
class Locale:
    language: str | None
    culture: str | None
    culture_from_header: bool
    zone_code: str
    include_offset: bool
    unknown: tuple[str, ...] = ()
    """Headers whose value the server did not know and ignored (the app may reject instead)."""

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(ZONES[self.zone_code][1])


def language_code(tag: str) -> str | None:
    primary = re.split(r"[-_]", tag.strip(), maxsplit=1)[0].lower()
    primary = ALIASES.get(primary, primary)
    return primary if primary in LANGUAGES else None


@dataclass(frozen=True)
class LocaleRequest:
    accept_language: str | None = None
    so_language: str | None = None
    so_culture: str | None = None
    so_timezone: str | None = None


def resolve(req: LocaleRequest, *, so_language_ignored: bool = False, star_translates: bool = False,
            culture_without_language: bool = False) -> Locale:
    """The locale a request asks for; values the server does not know are ignored and listed."""
    unknown: list[str] = []
    language = _language(req, unknown, so_language_ignored, star_translates)
    culture, from_header = language, False
    if req.so_culture and req.so_culture.strip() and (language or culture_without_language):
        code = language_code(req.so_culture)
        if code is not None:
            culture, from_header = code, True
        elif language is not None:
            unknown.append("SO-Culture")
    zone, offset = _zone(req.so_timezone, unknown)
    return Locale(language, culture, from_header, zone, offset, tuple(unknown))


def _language(req: LocaleRequest, unknown: list[str], so_language_ignored: bool,
              star_translates: bool) -> str | None:
    so = (req.so_language or "").strip()
    if so and not so_language_ignored and not (star_translates and so.lower() in TRANSLATION_OFF):
        if so.lower() in TRANSLATION_OFF:
            return None
        code = language_code(so)
        if code is not None:
            return code
        unknown.append("SO-Language")
    header = (req.accept_language or "").strip()
    if not header:
        return None
    offers = list(LANGUAGES) + list(ALIASES)
    best = parse_accept_header(header, LanguageAccept).best_match(offers)
    if best is None:
        unknown.append("Accept-Language")
        return None
    return ALIASES.get(best, best)


def _zone(value: str | None, unknown: list[str]) -> tuple[str, bool]:
    if value is None or not value.strip():
        return "UTC", False
    head, *options = [part.strip() for part in value.split(",")]
    code = ZONE_IDS.get(head) if head.isdigit() else head.upper()
    if code in ZONES and all(o.lower() == INCLUDE_OFFSET for o in options):
        return code, bool(options)
    unknown.append("SO-TimeZone")
    return "UTC", False


def is_numeric_or_optioned_zone(value: str | None) -> bool:
    head = (value or "").split(",")[0].strip()
    return head.isdigit() or "," in (value or "")


def culture_of(code: str | None) -> Culture:
    return CULTURES[code] if code else INVARIANT


def format_number(value: float, culture: Culture, decimals: int = 0) -> str:
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", culture.decimal).replace("\0", culture.group)


def format_time(moment: datetime, locale: Locale, culture: Culture) -> str:
    local = moment.astimezone(locale.zone)
    text = local.strftime(culture.date_format)
    if locale.include_offset:
        text += " " + local.strftime("%z")[:3] + ":" + local.strftime("%z")[3:]
    return text


def translate(text: str | None, language: str | None) -> str | None:
    """Resolve a resource reference or a multi-language value; raw when no language is set."""
    if text is None or language is None:
        return text
    reference = RESOURCE_REFERENCE.match(text)
    if reference:
        return RESOURCES.get(reference.group(1), {}).get(language, text)
    parts = dict(MULTI_LANGUAGE_PART.findall(text))
    if parts:
        return parts.get(MULTI_LANGUAGE_CODE[language], parts.get("US", text))
    return text
