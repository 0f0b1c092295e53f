"""A response's body, read up to BODY_CAP whatever its framing (a Content-Length, chunks, or until
the connection closes); the rest is never read and the connection is closed, not drained."""

from __future__ import annotations

import requests

BODY_CAP = 2 * 1024 * 1024
"""Bytes of a response body the client reads at most; the rest is dropped and marked truncated."""


def read_capped(response: requests.Response) -> tuple[bytes, bool]:
    """The body up to BODY_CAP, and whether there was more."""
    chunks, size = [], 0
    try:
        for chunk in response.iter_content(chunk_size=65536):
            chunks.append(chunk)
            size += len(chunk)
            if size > BODY_CAP:
                return b"".join(chunks)[:BODY_CAP], True
    finally:
        response.close()
    return b"".join(chunks), False


HEADER_CAP = 8192
"""Characters of one header value the run keeps: no header a check reads needs more."""

HEADERS_CAP = 65536
"""Characters of header values one exchange keeps in all, in each of two pools (the fields checks
read, READ_FIELDS, and the others): 90 fields of 64 KB on every answer (the most http.client reads)
cost a run 660 MB when each was kept to HEADER_CAP. Past it, the longest values of the pool are cut
alike, to the length that brings its sum within it; a server's usual header fields (a few KB
together) are never touched, and no pile of other fields shortens one a check reads."""

READ_FIELDS = frozenset({"content-type", "content-encoding", "location", "allow", "www-authenticate"})
"""The response fields the checks read (Exchange.header and header_values)."""

NAME_CAP = 256
"""Characters of one header name kept: every name a check reads is shorter; 100 names of 64 KB
would otherwise be 6 MB an exchange, outside either pool."""


def header_items(response: requests.Response) -> tuple[list[tuple[str, str]], int, int]:
    """Every header as the server sent it, repeated ones included, each name cut at NAME_CAP, each
    value at HEADER_CAP, and the longest values of a pool shorter still if its sum passes
    HEADERS_CAP; how many values were cut, and to how many characters at most."""
    raw = getattr(response.raw, "headers", None)
    items = list(raw.iteritems()) if raw is not None and hasattr(raw, "iteritems") else list(response.headers.items())
    items = [(name[:NAME_CAP], value) for name, value in items]
    read = [name.lower() in READ_FIELDS for name, _ in items]
    limits = {pool: _level([len(v) for (_, v), r in zip(items, read) if r is pool]) for pool in (True, False)}
    cut = sum(len(value) > limits[r] for (_, value), r in zip(items, read))
    if not cut:
        return items, 0, HEADER_CAP
    kept = [(name, value[: limits[r]]) for (name, value), r in zip(items, read)]
    return kept, cut, max(limits[r] for (_, value), r in zip(items, read) if len(value) > limits[r])


def _level(lengths: list[int]) -> int:
    """The largest length L <= HEADER_CAP such that the values, each cut to L, sum to HEADERS_CAP
    at most (water-filling: the short values are kept whole, the long ones share what is left)."""
    if sum(min(n, HEADER_CAP) for n in lengths) <= HEADERS_CAP:
        return HEADER_CAP
    left, count = HEADERS_CAP, len(lengths)
    for n in sorted(lengths):
        if n * count > left:
            return left // count
        left, count = left - n, count - 1
    return HEADER_CAP  # not reached: the sum passed HEADERS_CAP
