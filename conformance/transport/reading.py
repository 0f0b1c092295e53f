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
"""Characters of one header value the run keeps: no header a check reads needs more, and 90 fields
of 64 KB on every answer (http.client's own limits) would otherwise fill memory and every report."""


def header_items(response: requests.Response) -> tuple[list[tuple[str, str]], int]:
    """Every header as the server sent it, repeated ones included, each value cut at HEADER_CAP;
    and how many were cut."""
    raw = getattr(response.raw, "headers", None)
    items = list(raw.iteritems()) if raw is not None and hasattr(raw, "iteritems") else list(response.headers.items())
    cut = sum(len(value) > HEADER_CAP for _, value in items)
    return ([(name, value[:HEADER_CAP]) for name, value in items] if cut else items), cut
