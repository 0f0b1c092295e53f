"""Waivers: requirement IDs a team accepts as failing (or untested) for one target, each with a
reason and an optional expiry date, read from a TOML file:

    [[waiver]]
    requirement = "AUTH-10"
    reason = "the proxy in front of staging drops WWW-Authenticate (OPS-123)"
    expires = 2027-03-31          # optional; a TOML date or "YYYY-MM-DD"

A waiver turns a failure into "waived", never into a pass. It cannot rot: one whose requirement
now passes, that matches nothing, or that has expired fails the gate (see conformance.verdict.gate).
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance.contract import requirements
from conformance.errors import ConfigurationError

KEYS = ("requirement", "reason", "expires")
WAIVABLE = ("fail", "non-strict", "untested")
"""Outcomes a waiver may cover: a broken requirement, or one this target cannot test."""


class WaiverError(ConfigurationError):
    """A waiver file that cannot be used; the message is one line naming the file and the entry."""


@dataclass(frozen=True)
class Waiver:
    requirement: str
    reason: str
    expires: dt.date | None
    source: str

    def expired(self, today: dt.date) -> bool:
        return self.expires is not None and self.expires < today

    def as_dict(self) -> dict[str, Any]:
        return {
            "requirement": self.requirement,
            "reason": self.reason,
            "expires": self.expires.isoformat() if self.expires else None,
            "source": self.source,
        }


def load(path: str | Path) -> dict[str, Waiver]:
    """The waivers of a file by requirement ID; every problem raises WaiverError in one line."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise WaiverError(f"{path}: no such waiver file") from None
    except (OSError, UnicodeDecodeError) as problem:
        raise WaiverError(f"{path}: cannot be read: {problem}") from None
    except tomllib.TOMLDecodeError as problem:
        raise WaiverError(f"{path}: not valid TOML: {problem}") from None
    except RecursionError:
        raise WaiverError(
            f"{path}: nests its arrays or tables too deeply to read; expected [[waiver]] tables"
        ) from None
    extra = sorted(set(data) - {"waiver"})
    if extra:
        raise WaiverError(f"{path}: {extra[0]}: unknown key; expected [[waiver]] tables only")
    entries = data.get("waiver", [])
    if not isinstance(entries, list):
        raise WaiverError(f"{path}: waiver: expected [[waiver]] tables (an array of tables)")
    waivers: dict[str, Waiver] = {}
    for number, entry in enumerate(entries, 1):
        waiver = _entry(path, number, entry)
        if waiver.requirement in waivers:
            raise WaiverError(f"{path}: waiver {number}: {waiver.requirement} is waived twice")
        waivers[waiver.requirement] = waiver
    return waivers


def _entry(path: Path, number: int, entry: object) -> Waiver:
    where = f"{path}: waiver {number}"
    if not isinstance(entry, dict):
        raise WaiverError(f"{where}: expected a table")
    unknown = sorted(set(entry) - set(KEYS))
    if unknown:
        raise WaiverError(f"{where}: {unknown[0]}: unknown key; expected one of {', '.join(KEYS)}")
    rid = entry.get("requirement")
    if not isinstance(rid, str) or not rid:
        raise WaiverError(f'{where}: requirement: missing; expected a requirement ID such as "AUTH-10"')
    if rid not in requirements.BY_ID:
        raise WaiverError(f"{where}: requirement: {rid!r} is not in the catalogue")
    reason = entry.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise WaiverError(f"{where} ({rid}): reason: missing; every waiver says why it is accepted")
    expires = entry.get("expires")
    if isinstance(expires, str):
        try:
            expires = dt.date.fromisoformat(expires)
        except ValueError:
            raise WaiverError(f"{where} ({rid}): expires: expected a date YYYY-MM-DD, got {expires!r}") from None
    elif isinstance(expires, dt.datetime) or not (expires is None or isinstance(expires, dt.date)):
        raise WaiverError(f"{where} ({rid}): expires: expected a date YYYY-MM-DD, got {expires!r}")
    return Waiver(rid, reason.strip(), expires, str(path))
