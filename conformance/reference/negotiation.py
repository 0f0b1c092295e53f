"""Content negotiation over the six documented media types, with werkzeug's Accept parsing.

werkzeug matches parameters exactly, so `application/json; charset=utf-8` (the reference page's
own sample Accept) would match nothing; the server drops media-type parameters before matching,
keeping the q weight werkzeug has already read.
"""

from __future__ import annotations

from dataclasses import dataclass

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header, parse_list_header, parse_options_header

from conformance.contract.choices import Profile
from conformance.contract.endpoint import MEDIA_TYPES, XML_TYPES

DEFAULT = "application/json"
PATCH_TYPES = ("application/json-patch+json", "application/merge-patch+json")


@dataclass(frozen=True)
class Negotiated:
    media_type: str | None
    """The type to render, or None for 406."""
    label: str | None = None
    """The Content-Type to declare when a fault mislabels the body; None means media_type."""

    @property
    def is_xml(self) -> bool:
        return self.media_type in XML_TYPES


def negotiate(header: str | None, profile: Profile, faults: frozenset[str]) -> Negotiated:
    if header is None or not header.strip():
        return Negotiated("application/xml" if "accept-default-xml" in faults else DEFAULT)
    parsed = parse_accept_header(header, MIMEAccept)
    stripped: list[tuple[str, float]] = []
    for value, quality in parsed:
        media, params = parse_options_header(value)
        if params and "accept-parameters-rejected" in faults:
            return Negotiated(None)
        if params and media.lower() == "text/xml" and "accept-text-xml-charset-406" in faults:
            return Negotiated(None)
        if media.lower() == "text/*" and "accept-text-wildcard-406" in faults:
            return Negotiated(None)
        if media != media.lower() and "accept-case-sensitive" in faults:
            continue
        stripped.append((media.lower(), quality))
    accept = MIMEAccept(stripped)
    if "accept-qvalues-ignored" in faults:
        best = _first_listed(header)
    else:
        best = accept.best_match(MEDIA_TYPES)
    if best is not None and "accept-default-xml" in faults and best not in dict(stripped):
        best = "application/xml"  # reached through a wildcard
    if best is None:
        if "accept-unsupported-mislabelled" in faults and stripped:
            return Negotiated(DEFAULT, label=stripped[0][0])
        if profile.unsupported_accept == "any" and any(media == "text/html" and q > 0 for media, q in stripped):
            return Negotiated("text/html")  # a page, as ASP.NET may answer a browser (fact 15)
        return Negotiated(DEFAULT if profile.unsupported_accept in ("json", "any") else None)
    if best in PATCH_TYPES and "accept-patch-types-406" in faults:
        return Negotiated(None)
    return Negotiated(best)


def _first_listed(header: str) -> str | None:
    """The first supported type in the order the client wrote them, q-values disregarded."""
    for item in parse_list_header(header):
        media = parse_options_header(item)[0].lower()
        if media in MEDIA_TYPES:
            return media
        if media == "*/*":
            return DEFAULT
    return None
