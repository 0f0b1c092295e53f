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

# SuperOffice zone codes and numeric ids: the documented id=code pairs (HEADER-DOMAINS.md: TZ and
# MDO timezoneiana.md), each with the IANA zone it stands for, and a few codes of the server's own.
ZONES: dict[str, tuple[int, str]] = {
    "UTC": (1, "UTC"),
    "AU-ACT": (36, "Australia/Canberra"),
    "AU3": (37, "Australia/Lord_Howe"),
    "AU1": (38, "Australia/Eucla"),
    "AU-NSW": (39, "Australia/Sydney"),
    "AU-NT": (40, "Australia/Darwin"),
    "AU-QLD": (41, "Australia/Brisbane"),
    "AU-SA": (42, "Australia/Adelaide"),
    "AU-TAS": (43, "Australia/Hobart"),
    "AU-VIC": (44, "Australia/Melbourne"),
    "AU-WA": (45, "Australia/Perth"),
    "AT": (46, "Europe/Vienna"),
    "BD": (50, "Asia/Dhaka"),
    "BE": (53, "Europe/Brussels"),
    "BR-RJ": (81, "America/Sao_Paulo"),
    "CA-AB": (96, "America/Edmonton"),
    "CA-BC": (97, "America/Vancouver"),
    "CA-BC1": (98, "America/Dawson_Creek"),
    "CA-BC2": (99, "America/Creston"),
    "CA2": (100, "America/Regina"),
    "CA2A": (101, "America/Swift_Current"),
    "CA-MB": (102, "America/Winnipeg"),
    "CA-QC": (114, "America/Toronto"),
    "DK": (140, "Europe/Copenhagen"),
    "FR": (156, "Europe/Paris"),
    "NO": (261, "Europe/Oslo"),
    "US-CA": (425, "America/Los_Angeles"),
    "US-HI": (433, "Pacific/Honolulu"),
    "US-NY": (460, "America/New_York"),
    "AR-NQ": (900, "America/Argentina/Salta"),
    "PF2A": (901, "Pacific/Tahiti"),
    "SE": (902, "Europe/Stockholm"),
    "DE": (903, "Europe/Berlin"),
    "GB": (904, "Europe/London"),
    "NL": (905, "Europe/Amsterdam"),
    "US-CHI": (906, "America/Chicago"),
    "US-LA": (907, "America/Los_Angeles"),
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
    "SR_ERPSYNC_RIGHTS_READ_ONLY": {
        "en": "You may read the sync engine's status",
        "nb": "Du kan lese statusen til synkroniseringsmotoren",
        "sv": "Du kan läsa synkroniseringsmotorns status",
        "da": "Du kan læse synkroniseringsmotorens status",
        "de": "Sie dürfen den Status des Synchronisierungsmoduls lesen",
        "fr": "Vous pouvez lire l'état du moteur de synchronisation",
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


def resolve(
    req: LocaleRequest,
    *,
    so_language_ignored: bool = False,
    star_translates: bool = False,
    culture_without_language: bool = False,
    strict_zone_spacing: bool = False,
) -> Locale:
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
    zone, offset = _zone(req.so_timezone, unknown, strict_zone_spacing)
    return Locale(language, culture, from_header, zone, offset, tuple(unknown))


def _language(req: LocaleRequest, unknown: list[str], so_language_ignored: bool, star_translates: bool) -> str | None:
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
    ranges = parse_accept_header(header, LanguageAccept)
    if not list(ranges):
        return None  # only empty list elements (`,`): no language asked for (RFC 9110 5.6.1.2)
    best = ranges.best_match(offers)
    if best is None:
        unknown.append("Accept-Language")
        return None
    return ALIASES.get(best, best)


def _zone(value: str | None, unknown: list[str], strict_spacing: bool = False) -> tuple[str, bool]:
    """A zone code or id, optionally followed by ', includeTZOffset'. With `strict_spacing` only
    the documented spelling (one space after the comma) is known."""
    if value is None or not value.strip():
        return "UTC", False
    if strict_spacing and any(not o.startswith(" ") or o.startswith("  ") for o in value.split(",")[1:]):
        unknown.append("SO-TimeZone")
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
