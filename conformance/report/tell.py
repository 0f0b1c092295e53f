"""What to tell the vendor (issue 23): for a requirement that failed, one plain paragraph a person
who never read the suite can act on: what was sent, what came back, what the contract says, and
what was wrong. Written once here, from a results entry alone (so it also reads results.json files
of older runs), and shown by report.html, summary.md and the vendor matrix, each through its own
sanitiser.
"""

from __future__ import annotations

from typing import Any, Mapping
from urllib.parse import unquote, urlsplit

from conformance.text.sinks import shown

SHOWN_REQUEST_HEADERS = (
    "Accept",
    "Accept-Language",
    "SO-Language",
    "SO-Culture",
    "SO-TimeZone",
    "SO-AppToken",
    "Content-Type",
    "X-XSRF-TOKEN",
    "Cookie",
)
"""Request headers the paragraph names (the others are the client's own: User-Agent, lengths)."""
EXCERPT = 160
"""Characters of a response body the paragraph quotes."""


def _header(pairs: Any, name: str) -> str | None:
    for pair in pairs or ():
        if len(pair) == 2 and str(pair[0]).lower() == name.lower():
            return str(pair[1])
    return None


def _cut(text: str, cap: int) -> str:
    text = " ".join(shown(text).split())
    return text if len(text) <= cap else text[:cap] + "..."


def sent(request: Mapping[str, Any]) -> str:
    """The request in words: method, path and query (decoded), the headers that matter, the
    credentials by scheme only."""
    url = urlsplit(str(request.get("url", "")))
    target = unquote(url.path) + (f"?{unquote(url.query)}" if url.query else "")
    parts = []
    for name in SHOWN_REQUEST_HEADERS:
        value = _header(request.get("headers"), name)
        if value is None:
            continue
        if name in ("SO-AppToken", "X-XSRF-TOKEN", "Cookie"):
            parts.append(f"a {name}" if value else f"an empty {name}")
        else:
            parts.append(f"{name}: {_cut(value, 80)}" if value else f"an empty {name}")
    authorization = _header(request.get("headers"), "Authorization")
    if authorization is None:
        parts.append("no credentials")
    else:
        scheme = authorization.split(" ", 1)[0]
        parts.append(f"{_cut(scheme, 20)} credentials" if scheme.strip() else "an Authorization header of spaces")
    if request.get("body_length"):
        parts.append(f"a body of {request['body_length']} bytes")
    return f"{request.get('method', 'POST')} {_cut(target, 200)} with " + ", ".join(parts)


def came_back(exchange: Mapping[str, Any]) -> str:
    response = exchange.get("response")
    if not response:
        return f"no response ({_cut(str(exchange.get('error') or 'none'), 200)})"
    words = f"{response.get('status')} {_cut(str(response.get('reason') or ''), 40)}".strip()
    media = _header(response.get("headers"), "Content-Type")
    words += f", {_cut(media, 60)}" if media else ", no Content-Type"
    body = str(response.get("body") or "")
    return words + (f", body beginning {_cut(body, EXCERPT)}" if body.strip() else ", no body")


def tell(entry: Mapping[str, Any]) -> str:
    """The paragraph for a results entry (any outcome; meant for the red ones)."""
    evidence = [e for e in entry.get("evidence") or () if isinstance(e, Mapping) and e.get("request")]
    contract = f"The contract ({entry.get('authority') or 'the catalogue'}) says: {entry.get('title', '')}"
    expected = f"; expected {_cut(str(entry['expected']), 200)}" if entry.get("expected") else ""
    actual = f" ({_cut(str(entry['actual']), 200)})" if entry.get("actual") else ""
    found = f"{contract}{expected}. What we saw: {_cut(str(entry.get('reason', '')), 300)}{actual}."
    if not evidence:
        return found
    first = evidence[0]
    more = (
        f" (and {len(evidence) - 1} more exchange{'s' if len(evidence) > 2 else ''} in the report)"
        if len(evidence) > 1
        else ""
    )
    return (
        f"We sent {sent(first['request'])}; the server answered {came_back(first)}{more}. {found} "
        "To reproduce: the curl line beside it in the report."
    )
