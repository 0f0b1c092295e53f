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
"""Characters of header values one exchange keeps in all: 90 fields of 64 KB on every answer (the
most http.client reads) cost a run 660 MB when each was kept to HEADER_CAP. Past it, the longest
values are cut alike, to the length that brings the sum within it; a server's usual header fields
(a few KB together) are never touched."""


def header_items(response: requests.Response) -> tuple[list[tuple[str, str]], int, int]:
    """Every header as the server sent it, repeated ones included, each value cut at HEADER_CAP
    and the longest ones shorter still if their sum passes HEADERS_CAP; how many were cut, and to
    how many characters at most."""
    raw = getattr(response.raw, "headers", None)
    items = list(raw.iteritems()) if raw is not None and hasattr(raw, "iteritems") else list(response.headers.items())
    limit = _level([len(value) for _, value in items])
    cut = sum(len(value) > limit for _, value in items)
    return ([(name, value[:limit]) for name, value in items] if cut else items), cut, limit


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
