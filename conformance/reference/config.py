"""What the reference server knows: credentials, engine state, profile, faults.

Every field has a default so `ServerConfig()` is the documented reference installation. The
credentials are the reference server's own test values, not anyone's secrets; the Basic pair is
the one in the reference page's sample request.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone

from conformance.contract.choices import Profile
from conformance.errors import ConfigurationError
from conformance.reference import faults as fault_catalogue
from conformance.reference.variants import Options
from conformance.wire.target import SCHEMES


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


def published_credentials() -> frozenset[str]:
    """The sample credentials above: published in this repository, so no secret (outputs search
    them whole, not in pieces: conformance.text.fragments)."""
    sample = Credentials()
    return frozenset(v for v in vars(sample).values() if isinstance(v, str))


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
    table_mask: tuple[str, ...] | None = ("RI", "RestrictedUpdate")
    """None: TableRight is null (a carrier with no rights of its own, fact 14)."""
    table_reason: str | None = "[SR_ERPSYNC_RIGHTS_ADMIN_ONLY]"
    fields: tuple[tuple[str, FieldState], ...] = (
        (
            "IsRunning",
            FieldState(
                ("Read",),
                'NO:"Kun lesetilgang";US:"Read only";SE:"Endast läsbehörighet";'
                'DK:"Kun læseadgang";GE:"Nur Lesezugriff";FR:"Lecture seule"',
                "System.Boolean",
                0,
            ),
        ),
        ("StatusMessage", FieldState(("Read",), "[SR_ERPSYNC_STATUS_READONLY]", "System.String", 2000)),
        (
            "Interval",
            FieldState(("Update", "UIHintMandatory"), "[SR_ERPSYNC_INTERVAL_MANDATORY]", "System.TimeSpan", 0),
        ),
        ("TableRight", FieldState(None, None, "SuperOffice.CRM.Security.TableRight", 0)),
    )


SPARSE = EngineState(table_mask=None, table_reason=None, fields=())
"""What a carrier with no rights of its own reports (fact 14): TableRight null, FieldProperties {}."""
CLIENT_SAMPLE = EngineState(
    table_mask=("FULL",),
    table_reason="",
    fields=(
        ("IsRunning", FieldState(("Update",), "", "System.Boolean", 0)),
        ("StatusMessage", FieldState(("Update", "UIHintMandatory"), "", "System.String", -1)),
        (
            "Interval",
            FieldState(("Update", "UIHintMandatory"), "[SR_ERPSYNC_INTERVAL_MANDATORY]", "System.TimeSpan", 0),
        ),
    ),
)
"""The values real WebAPI responses show (fact 14): FULL, Update, 'Update, UIHintMandatory', an empty
Reason, FieldLength -1."""
DATA = {"default": EngineState(), "sparse": SPARSE, "client-sample": CLIENT_SAMPLE}
OTHER_PRINCIPAL = {"table_mask": ("R",), "table_reason": "[SR_ERPSYNC_RIGHTS_READ_ONLY]", "field_masks": ("Read",)}
"""Under profile principals=different, what the Bearer principal (an interactive user, fact 17) may do."""


@dataclass(frozen=True)
class ServerConfig:
    base_path: str = "/api/v1"
    schemes: tuple[str, ...] = SCHEMES
    credentials: Credentials = field(default_factory=Credentials)
    engine: EngineState = field(default_factory=EngineState)
    profile: Profile = field(default_factory=Profile.reference)
    faults: frozenset[str] = frozenset()
    options: Options = field(default_factory=Options)
    volatile_every: int | None = None
    """Flip IsRunning (and move StatusMessage on) every N served requests, as a live engine does."""
    slow_seconds: float = 5.5
    max_body_bytes: int = 1 << 20

    def __post_init__(self) -> None:
        object.__setattr__(self, "faults", fault_catalogue.validate(frozenset(self.faults)))
        if not self.profile.concrete:  # the server makes every choice: the reference default where none is given
            given = {k: v for k, v in self.profile.as_dict().items() if v != "auto"}
            object.__setattr__(self, "profile", Profile.reference().with_(**given))
        unknown = sorted(set(self.schemes) - set(SCHEMES))
        if unknown:
            raise ConfigurationError(f"unknown scheme(s) {unknown}; known: {', '.join(SCHEMES)}")
        if not self.base_path.startswith("/") or self.base_path.endswith("/"):
            raise ConfigurationError(f"base_path must start and not end with '/': {self.base_path!r}")
        if self.options.installation == "online":
            if self.profile.app_tokens == "unchecked":
                raise ConfigurationError(
                    "an Online installation checks application tokens (fact 21): choice "
                    "app_tokens=unchecked is for on-site installations"
                )
            if not self.credentials.require_app_token:  # Online requires SO-AppToken on every call (fact 21)
                object.__setattr__(self, "credentials", replace(self.credentials, require_app_token=True))
        if self.options.json_nulls == "omitted" and (
            self.profile.select_reference_types != "omitted" or self.profile.select_value_types == "null"
        ):
            raise ConfigurationError(
                "option json_nulls=omitted is the choice select_reference_types=omitted (and "
                "select_value_types omitted or default) makes under $select (fact 24)"
            )
        if self.volatile_every is not None and self.volatile_every < 1:
            raise ConfigurationError("volatile_every must be a positive number of requests")

    @property
    def offered(self) -> tuple[str, ...]:
        """The schemes this installation offers: Online has no Basic (fact 18)."""
        return tuple(s for s in self.schemes if not (s == "basic" and self.options.installation == "online"))

    def with_(self, **changes) -> "ServerConfig":
        return replace(self, **changes)

    def has(self, fault: str) -> bool:
        if fault not in fault_catalogue.BY_NAME:
            raise KeyError(f"unknown fault {fault!r}")
        return fault in self.faults
