"""Requests to reference servers in the project's own tests, with each auth scheme's headers."""

from __future__ import annotations

import base64

import requests

from conformance.reference import ReferenceServer
from conformance.reference.config import Credentials

SCHEME_WORDS = {"basic": "Basic", "soticket": "SOTicket", "bearer": "Bearer"}


def auth_headers(creds: Credentials, scheme: str | None, word: str | None = None) -> dict[str, str]:
    """Headers that authenticate with `scheme` (None: no credentials at all)."""
    if scheme is None:
        return {}
    if scheme == "session":
        return {"Cookie": f"{creds.session_cookie}={creds.session_id}", "X-XSRF-TOKEN": creds.xsrf_token}
    secret = {
        "basic": base64.b64encode(f"{creds.basic_user}:{creds.basic_password}".encode()).decode(),
        "soticket": creds.ticket,
        "bearer": creds.bearer,
    }[scheme]
    return {"Authorization": f"{word or SCHEME_WORDS[scheme]} {secret}"}


def post(
    server: ReferenceServer,
    *,
    scheme: str | None = "basic",
    headers: dict | None = None,
    params: dict | str | None = None,
    method: str = "POST",
    **kwargs,
) -> requests.Response:
    sent = auth_headers(server.config.credentials, scheme) | (headers or {})
    return requests.request(method, server.endpoint_url, headers=sent, params=params, timeout=10, **kwargs)


def body(response: requests.Response):
    assert response.headers["Content-Type"].startswith(
        ("application/json", "text/json", "application/json-patch+json", "application/merge-patch+json")
    ), response.headers
    return response.json()
