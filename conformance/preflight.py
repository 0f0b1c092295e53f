"""Before any check: can the target's host be reached at all? A TCP connection only (no request
is sent, none of the budget is spent), so an unreachable base URL is a configuration error with
one clear line rather than every requirement failing with the same transport error."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

from conformance.target import Target


def unreachable(target: Target) -> str | None:
    """None when a TCP connection to the base URL's host and port opens; else the problem."""
    parts = urlsplit(target.base_url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((parts.hostname, port), timeout=target.limits.connect_timeout):
            return None
    except OSError as problem:
        reason = problem.strerror or str(problem) or type(problem).__name__
        return f"{target.source}: base_url {target.base_url} is unreachable ({parts.hostname}:{port}: {reason})"
