"""The features of a request a server may fail on its own (an XML answer, a $select, a language
header, one scheme): the guard's streaks track them, so that a transport failure that every request
with one feature meets stops only those requests, and the run grades it as that feature's failure
(conformance.run.everywhere.dead_features) instead of calling the whole target unresponsive."""

from __future__ import annotations

from typing import Any, Iterable

from conformance.contract.endpoint import XML_TYPES

LOCALE_HEADERS = ("Accept-Language", "SO-Language", "SO-Culture", "SO-TimeZone")
NAMES = {
    "xml": "an XML type in Accept",
    "select": "a $select",
    "basic": "Basic credentials",
    "soticket": "SOTicket credentials",
    "bearer": "Bearer credentials",
    "session": "the session cookie",
    "body": "a request body",
    **{h: h for h in LOCALE_HEADERS},
}
REQUIREMENTS = {
    "xml": ("ACCEPT-01", "ACCEPT-03"),
    "select": ("SELECT-02", "SELECT-03"),
    "Accept-Language": ("LANG-01",),
    "SO-Language": ("LANG-02",),
    "SO-Culture": ("LANG-03", "LANG-05"),
    "SO-TimeZone": ("LANG-06",),
    "basic": ("AUTH-01",),
    "soticket": ("AUTH-02",),
    "bearer": ("AUTH-04",),
    "session": ("AUTH-07",),
    "body": (),
}
"""The MUSTs a request with the feature exercises, which fail when every such request gets no answer."""


def of_request(headers: Iterable[tuple[str, str]], url: str, body: Any = None) -> frozenset[str]:
    """The features of a request, from its header items, URL and body. "xml" here is a cheap
    reading of Accept (an XML type named, no JSON one), for the guard's streaks."""
    sent = {name.lower(): value for name, value in headers}
    found: set[str] = set()
    accept = sent.get("accept", "").lower()
    if any(t in accept for t in XML_TYPES) and "json" not in accept:
        found.add("xml")  # conformance.run.everywhere asks the Accept oracle instead
    query = url.partition("?")[2].lower()
    if "$select=" in query or "%24select=" in query:
        found.add("select")
    found.update(h for h in LOCALE_HEADERS if h.lower() in sent)
    word = sent.get("authorization", "").split(" ", 1)[0].lower()
    if word in ("basic", "soticket", "bearer"):
        found.add(word)
    elif sent.get("cookie"):
        found.add("session")
    if body:
        found.add("body")
    return frozenset(found)
