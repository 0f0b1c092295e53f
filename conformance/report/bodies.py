"""A response body as report.html shows it: XML indented for reading (issue 23), every other body
as received. Only the page's copy is indented; results.json keeps the bytes as they came, and the
checks never read this.

The indenting parses with xml.dom.minidom (expat, which expands no external entity and limits
entity amplification); a body with a DOCTYPE is shown as received, since expanding its internal
entities would show what the server did not send, and so is anything that does not parse.
"""

from __future__ import annotations

from typing import Any, Mapping
from xml.dom import minidom
from xml.parsers.expat import ExpatError

INDENT_CAP = 256 * 1024
"""Characters of body at most that are indented (a bigger one is shown as received)."""


def _media_type(headers: Any) -> str:
    for pair in headers or ():
        if len(pair) == 2 and str(pair[0]).lower() == "content-type":
            return str(pair[1]).split(";", 1)[0].strip().lower()
    return ""


def is_xml(media_type: str) -> bool:
    return media_type in ("application/xml", "text/xml") or media_type.endswith("+xml")


def readable_body(response: Mapping[str, Any]) -> tuple[str, bool]:
    """(the body to show, whether it was indented)."""
    body = response.get("body") or ""
    if (
        not isinstance(body, str)
        or response.get("truncated")
        or len(body) > INDENT_CAP
        or not is_xml(_media_type(response.get("headers")))
        or "<!DOCTYPE" in body.upper()
    ):
        return body, False
    try:  # toprettyxml recurses per level: a deeply nested body is shown as received
        text = minidom.parseString(body.encode("utf-8")).toprettyxml(indent="  ")
    except (ExpatError, ValueError, RecursionError):
        return body, False
    declared = body.lstrip().startswith("<?xml")
    if not declared:
        text = text.split("\n", 1)[1] if text.startswith("<?xml") else text
    return text.rstrip("\n"), text.rstrip("\n") != body.rstrip("\n")
