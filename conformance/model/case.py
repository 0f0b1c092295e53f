"""A request in the contract's terms: the scheme and credential state, the Accept header, the
language, culture and time-zone headers, and `$select`; and what the contract lets a server answer
it with, feature by feature (conformance.model.oracle does the $select and Accept parts).

Languages, cultures and zones come in three kinds (conformance.contract.domains): documented values an
installation certainly knows (English; the documented zone codes and ids), documented values an
installation may or may not ship (other languages), and values no installation knows. A header
whose value may be unknown to the server may be ignored or rejected as the profile's unknown_*
setting says; the server consults a header only where the page says it does (SO-Language overrides
Accept-Language, `*` or `x` turns translation off, SO-Culture is ignored with no language set).
"""

from __future__ import annotations

from dataclasses import dataclass

from conformance.contract import domains
from conformance.contract.choices import Profile
from conformance.model.oracle import predict_media, predict_select


@dataclass(frozen=True)
class Case:
    scheme: str | None
    """The scheme whose credentials are sent (None: none at all)."""
    credential: str = "valid"
    """valid, or another form of the scheme's credential (domains.CREDENTIAL_STATES)."""
    accept: str | None = None
    accept_language: str | None = None
    so_language: str | None = None
    so_culture: str | None = None
    so_timezone: str | None = None
    select: str | None = None
    accept_encoding: str | None = None
    """Accept-Encoding, or None for the client's own (identity): domains.ACCEPT_ENCODINGS."""

    @property
    def authorised(self) -> bool:
        return self.scheme is not None and domains.credential_kind(self.credential) == "valid"

    def headers(self) -> dict[str, str]:
        pairs = {
            "Accept": self.accept,
            "Accept-Language": self.accept_language,
            "SO-Language": self.so_language,
            "SO-Culture": self.so_culture,
            "SO-TimeZone": self.so_timezone,
            "Accept-Encoding": self.accept_encoding,
        }
        return {k: v for k, v in pairs.items() if v is not None}

    def locale_headers(self) -> dict[str, str]:
        return {k: v for k, v in self.headers().items() if k not in ("Accept", "Accept-Encoding")}

    def describe(self) -> str:
        who = f"via {self.scheme}" if self.scheme else "no credentials"
        if self.scheme and self.credential != "valid":
            who += f" ({self.credential} credential)"
        parts = [who] + [f"{k}: {v}" for k, v in self.headers().items()]
        if self.select is not None:
            parts.append(f"$select={self.select!r}")
        return ", ".join(parts)

    # --- the locale the server consults --------------------------------------------------------

    def consulted(self) -> dict[str, str]:
        """The language headers a server consults for this request, each with the kind of its
        value: "known", "maybe" (documented, perhaps not shipped), "unknown", or "off" (SO-Language
        * or x). An SO-Language that may be unknown leaves Accept-Language consulted too (a server
        that ignores it falls back to Accept-Language)."""
        out: dict[str, str] = {}
        so = domains.language_kind(self.so_language) if self.so_language is not None else None
        if so is not None:
            out["SO-Language"] = so
        kind = domains.accept_language_kind(self.accept_language) if self.accept_language is not None else "absent"
        if kind != "absent" and so in (None, "unknown", "maybe"):
            # Beside an SO-Language the installation may ship, Accept-Language may go unconsulted.
            out["Accept-Language"] = "maybe" if kind == "unknown" and so == "maybe" else kind
        language_set = so in ("known", "maybe") or (
            so in (None, "unknown", "maybe") and out.get("Accept-Language") in ("known", "maybe")
        )
        if self.so_culture is not None and language_set:
            kind = domains.culture_kind(self.so_culture)
            certain = so == "known" or (so is None and out.get("Accept-Language") == "known")
            # With only a language the installation may not ship, the culture may go unconsulted.
            out["SO-Culture"] = "maybe" if kind == "unknown" and not certain else kind
        if self.so_timezone is not None:
            out["SO-TimeZone"] = domains.zone_kind(self.so_timezone)
        return out

    def unknown_locale(self) -> list[str]:
        """Consulted headers whose value an installation may not know."""
        return [h for h, kind in self.consulted().items() if kind in ("unknown", "maybe", "spelling")]

    def language_maybe_in_effect(self) -> bool:
        """A language perhaps set (one the installation may ship): translation may be on."""
        consulted = self.consulted()
        so = consulted.get("SO-Language")
        return so in ("known", "maybe") or (
            so in (None, "unknown") and consulted.get("Accept-Language") in ("known", "maybe")
        )

    def language_in_effect(self) -> bool:
        """A language certainly set: translation is on for this request."""
        consulted = self.consulted()
        return consulted.get("SO-Language") == "known" or (
            "SO-Language" not in consulted and consulted.get("Accept-Language") == "known"
        )


@dataclass(frozen=True)
class Expectation:
    """What the contract lets a server answer a case with: each admissible status and the features
    that make it admissible (200 needs every feature to admit it). Features: "select", "accept",
    "locale:<header>"."""

    statuses: dict[int, frozenset[str]]

    def admits(self, status: int | None) -> bool:
        return status in self.statuses

    def describe(self) -> str:
        return " or ".join(str(s) for s in sorted(self.statuses))


UNKNOWN_SETTINGS = {
    "Accept-Language": "unknown_accept_language",
    "SO-Language": "unknown_so_language",
    "SO-Culture": "unknown_culture",
    "SO-TimeZone": "unknown_timezone",
}


def expect(case: Case, profile: Profile) -> Expectation:
    """The statuses an authorised request of this case may get (refusals are AUTH's business)."""
    errors: dict[int, set[str]] = {}
    admits_200 = True
    select = predict_select(case.select, profile)
    for status in select.statuses - {200}:
        errors.setdefault(status, set()).add("select")
    admits_200 &= 200 in select.statuses
    for header in case.unknown_locale():
        choices = profile.choices(UNKNOWN_SETTINGS[header])
        if "reject" in choices:
            errors.setdefault(400, set()).add(f"locale:{header}")
        if "406" in choices:  # Accept-Language only: RFC 9110 12.5.1 lets a server answer 406
            errors.setdefault(406, set()).add(f"locale:{header}")
        kind = case.consulted()[header]
        admits_200 &= "ignore" in choices or kind in ("maybe", "spelling")
    media = predict_media(case.accept, profile)
    for status in media.statuses - {200}:
        errors.setdefault(status, set()).add("accept")
    admits_200 &= 200 in media.statuses
    statuses = {status: frozenset(features) for status, features in errors.items()}
    if admits_200:
        statuses[200] = frozenset({"*"})
    return Expectation(statuses)
