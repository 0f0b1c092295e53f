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


def header_items(response: requests.Response) -> list[tuple[str, str]]:
    """Every header as the server sent it, repeated ones included."""
    raw = getattr(response.raw, "headers", None)
    if raw is not None and hasattr(raw, "iteritems"):
        return list(raw.iteritems())
    return list(response.headers.items())
