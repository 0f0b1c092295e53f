"""A target file for a hostile server: every scheme, with the reference server's credentials
read from environment variables (as any target's secrets are), and limits small enough that a
server that never answers costs seconds, not minutes."""

from __future__ import annotations

import json
from pathlib import Path

from conformance.reference import Credentials

_C = Credentials()
SECRETS = {
    "HOSTILE_PASSWORD": _C.basic_password,
    "HOSTILE_TICKET": _C.ticket,
    "HOSTILE_BEARER": _C.bearer,
    "HOSTILE_SESSION": _C.session_id,
    "HOSTILE_XSRF": _C.xsrf_token,
    "HOSTILE_APP": _C.app_token_granted,
    "HOSTILE_APP_RESTRICTED": _C.app_token_restricted,
}
"""Environment variable -> value; set them (monkeypatch.setenv) before the suite loads the file."""

LIMITS = {
    "max_requests": 3000,
    "rate": 1000,
    "connect_timeout": 0.5,
    "read_timeout": 1.5,
    "retries": 1,
    "max_retry_wait": 1,
}

SCHEMES = f"""
[basic]
user = "{_C.basic_user}"
password = "env:HOSTILE_PASSWORD"

[soticket]
ticket = "env:HOSTILE_TICKET"

[bearer]
token = "env:HOSTILE_BEARER"

[session]
cookie_name = "{_C.session_cookie}"
cookie = "env:HOSTILE_SESSION"
xsrf_token = "env:HOSTILE_XSRF"

[apptoken]
granted = "env:HOSTILE_APP"
restricted = "env:HOSTILE_APP_RESTRICTED"
"""


def write_target(directory: Path, base_url: str, **limits: object) -> Path:
    """hostile.toml in `directory`, aimed at `base_url`; `limits` override LIMITS."""
    lines = ['name = "hostile"', f"base_url = {json.dumps(base_url)}", SCHEMES, "[limits]"]
    lines += [f"{key} = {_toml(value)}" for key, value in {**LIMITS, **limits}.items()]
    path = directory / "hostile.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value if isinstance(value, (int, float)) else str(value))  # a JSON string is a TOML one
