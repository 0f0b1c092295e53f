"""What the reference server knows: credentials, engine state, profile, faults.

Every field has a default so `ServerConfig()` is the documented reference installation. The
credentials are the reference server's own test values, not anyone's secrets; the Basic pair is
the one in the reference page's sample request.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone

from conformance.profile import Profile
from conformance.reference import faults as fault_catalogue

SCHEMES = ("basic", "soticket", "bearer", "session")


@dataclass(frozen=True)
class Credentials:
    basic_user: str = "tje0"
    basic_password: str = "Tje0"
    ticket: str = "7T:dGhpcyBpcyBhIHJlZmVyZW5jZSB0aWNrZXQ="
    bearer: str = "8A:Cust12345.AXRrCITpPBvQX3UbIohbReference"
    session_cookie: str = "ASP.NET_SessionId"
    session_id: str = "refsession0123456789abcdef"
    xsrf_token: str = "refxsrf-9f8e7d6c5b4a"
    app_token_granted: str = "reference-app-granted-0001"
    app_token_restricted: str = "reference-app-restricted-0002"
    require_app_token: bool = False


@dataclass(frozen=True)
class FieldState:
    mask: tuple[str, ...] | None
    reason: str | None
    field_type: str | None
    length: int


@dataclass(frozen=True)
class EngineState:
    running: bool = True
    interval: timedelta = timedelta(minutes=15)
    last_sync: datetime = datetime(2026, 11, 27, 9, 30, 0, tzinfo=timezone.utc)
    records: int = 1234
    seconds: float = 12.5
    table_mask: tuple[str, ...] = ("RI", "RestrictedUpdate")
    table_reason: str | None = "[SR_ERPSYNC_RIGHTS_ADMIN_ONLY]"
    fields: tuple[tuple[str, FieldState], ...] = (
        ("IsRunning", FieldState(("Read",), 'NO:"Kun lesetilgang";US:"Read only";SE:"Endast läsbehörighet";'
                                            'DK:"Kun læseadgang";GE:"Nur Lesezugriff";FR:"Lecture seule"',
                                 "System.Boolean", 0)),
        ("StatusMessage", FieldState(("Read",), "[SR_ERPSYNC_STATUS_READONLY]", "System.String", 2000)),
        ("Interval", FieldState(("Update", "UIHintMandatory"), "[SR_ERPSYNC_INTERVAL_MANDATORY]",
                                "System.TimeSpan", 0)),
        ("TableRight", FieldState(None, None, "SuperOffice.CRM.Security.TableRight", 0)),
    )


@dataclass(frozen=True)
class ServerConfig:
    base_path: str = "/api/v1"
    schemes: tuple[str, ...] = SCHEMES
    credentials: Credentials = field(default_factory=Credentials)
    engine: EngineState = field(default_factory=EngineState)
    profile: Profile = field(default_factory=Profile)
    faults: frozenset[str] = frozenset()
    volatile_every: int | None = None
    """Flip IsRunning (and move StatusMessage on) every N served requests, as a live engine does."""
    slow_seconds: float = 5.5
    max_body_bytes: int = 1 << 20

    def __post_init__(self) -> None:
        object.__setattr__(self, "faults", fault_catalogue.validate(frozenset(self.faults)))
        unknown = sorted(set(self.schemes) - set(SCHEMES))
        if unknown:
            raise ValueError(f"unknown scheme(s) {unknown}; known: {', '.join(SCHEMES)}")
        if not self.base_path.startswith("/") or self.base_path.endswith("/"):
            raise ValueError(f"base_path must start and not end with '/': {self.base_path!r}")
        if self.volatile_every is not None and self.volatile_every < 1:
            raise ValueError("volatile_every must be a positive number of requests")

    def with_(self, **changes) -> "ServerConfig":
        return replace(self, **changes)

    def has(self, fault: str) -> bool:
        if fault not in fault_catalogue.BY_NAME:
            raise KeyError(f"unknown fault {fault!r}")
        return fault in self.faults
