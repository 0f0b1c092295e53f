"""A generator of conformant servers: every choice the contract leaves open, drawn from a seed.

The reference server with its defaults is one conformant server; the suite must pass all of them
(DESIGN rule 19). `draw(seed)` gives the configuration of one: each open point's choice drawn per
situation (each setting of conformance.contract.choices is one situation: one open point for one property,
one header or one kind of path), every serialisation variant (conformance.reference.variants), the
base path, the credentials, the engine's data (TableRight null or not, a few or 300+ FieldProperties
of varied types, Reasons empty, raw resource references, multi-language values or free text with
trailing whitespace and line breaks) and a live engine. Nothing drawn is a fault: whatever the
seed, the server keeps every documented rule. The same seed always draws the same server.

    python -m conformance.reference --random-choices 7     # serve it, and print what was drawn
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from conformance.contract.choices import SETTINGS, Profile
from conformance.reference.config import OTHER_PRINCIPAL, Credentials, EngineState, FieldState, ServerConfig
from conformance.reference.variants import VARIANTS, VARIANTS_BY_KEY, Options

LATER = ("content_coding",)
"""Variants drawn from their own stream (see draw)."""
TABLE_MASKS = (
    ("RI", "RestrictedUpdate"),
    ("FULL",),
    ("R",),
    ("Select", "Insert"),
    ("None",),
    ("URU",),
    ("WRITE",),
    ("UDR", "Filtering"),
    ("Select",),
    ("RF",),
)
FIELD_MASKS = (
    ("Read",),
    ("Update",),
    ("Update", "UIHintMandatory"),
    ("FULL",),
    ("Read", "Write"),
    ("Read", "UIHintReadOnly"),
    ("None",),
    ("Read", "Nullable"),
    ("UIHints", "Read"),
    ("Write",),
)
FIELD_TYPES = (
    "System.String",
    "System.Int32",
    "System.Boolean",
    "System.DateTime",
    "System.TimeSpan",
    "System.Decimal",
    "SuperOffice.CRM.Security.TableRight",
    "System.Int32[]",
    "ListItem",
    "",
)
REASONS = (
    "",
    "[SR_ERPSYNC_RIGHTS_ADMIN_ONLY]",
    "[SR_ERPSYNC_STATUS_READONLY]",
    "[SR_ERPSYNC_INTERVAL_MANDATORY]",
    'NO:"Kun lesetilgang";US:"Read only";SE:"Endast läsbehörighet";DK:"Kun læseadgang";GE:"Nur Lesezugriff";'
    'FR:"Lecture seule"',
    'US:"Supplier";NO:"Leverandør"',
    "Reserved for the ERP connector ",
    "Managed by the sync engine\r\nsee the connector's log  ",
    "Feld gesperrt\u2028(ERP)\t",
    "Ændringer synkroniseres fra ERP ",
    "   ",
)


@dataclass(frozen=True)
class Drawn:
    """One conformant server: the seed, its configuration, and what a pinned target declares."""

    seed: int
    config: ServerConfig

    def describe(self) -> list[str]:
        """What was drawn, a line per decision, for a person reproducing a sweep's seed."""
        cfg = self.config
        lines = [
            f"seed {self.seed}: base path {cfg.base_path}, schemes {', '.join(cfg.offered)}, "
            f"live engine {'every %d requests' % cfg.volatile_every if cfg.volatile_every else 'off'}"
        ]
        lines += [f"  choice {k} = {v}" for k, v in cfg.profile.as_dict().items()]
        lines += [f"  option {k} = {v}" for k, v in cfg.options.__dict__.items()]
        engine = cfg.engine
        lines.append(
            f"  data: TableRight {'null' if engine.table_mask is None else ', '.join(engine.table_mask)}, "
            f"{len(engine.fields)} FieldProperties, IsRunning {engine.running}, Interval {engine.interval}"
        )
        return lines


def draw(seed: int) -> Drawn:
    rng = random.Random(seed)
    options = Options(
        **{v.key: rng.choice(v.choices) for v in VARIANTS if v.key not in LATER + ("data", "json_nulls")},
        data="default",
    )
    # Variants added after the sweeps were recorded draw from a stream of their own, so that every
    # seed still draws the server it drew before (bench/sweep.json, the regression seeds).
    later = random.Random(f"later:{seed}")
    options = options.with_(**{key: later.choice(VARIANTS_BY_KEY[key].choices) for key in LATER})
    choices = {s.key: rng.choice(s.choices) for s in SETTINGS}
    if options.installation == "online":
        choices["app_tokens"] = "checked"  # Online checks application tokens (fact 21)
    # RFC 9110 15.5.2: a 401 MUST carry WWW-Authenticate; a server that omits it is accepted only
    # where the target pins www_authenticate = "optional", so a drawn server always sends it.
    choices["www_authenticate"] = "required"
    # A serializer that omits nulls omits them with and without $select (fact 24).
    omits_nulls = (
        choices["select_reference_types"] == "omitted"
        and choices["select_value_types"] != "null"
        and rng.random() < 0.7
    )
    options = options.with_(json_nulls="omitted" if omits_nulls else "written")
    base_path = rng.choice(("/api/v1", f"/Cust{rng.randrange(10000, 99999)}/api/v1", "/sod/api/v1"))
    schemes = _schemes(rng)
    credentials = _credentials(rng, options.installation == "online")
    engine = _engine(rng)
    offered = [s for s in schemes if not (s == "basic" and options.installation == "online")]
    if not offered:  # an installation offers some scheme: Online's basic-only draw gets a ticket
        schemes, offered = schemes + ("soticket",), ["soticket"]
    if not (
        "bearer" in offered and len(offered) > 1 and engine.table_mask not in (None, OTHER_PRINCIPAL["table_mask"])
    ):
        choices["principals"] = "same"  # the Bearer user's other rights (config.OTHER_PRINCIPAL) would not show
    return Drawn(
        seed,
        ServerConfig(
            base_path=base_path,
            schemes=schemes,
            credentials=credentials,
            engine=engine,
            profile=Profile(**choices),
            options=options,
            volatile_every=rng.choice((None, None, None, 2, 3, 5, 8)),
        ),
    )


def _schemes(rng: random.Random) -> tuple[str, ...]:
    schemes = [s for s in ("basic", "soticket", "bearer", "session") if rng.random() < 0.75]
    return tuple(schemes) or ("soticket",)


def _token(rng: random.Random, size: int, alphabet: str = string.ascii_letters + string.digits) -> str:
    return "".join(rng.choice(alphabet) for _ in range(size))


def _credentials(rng: random.Random, online: bool) -> Credentials:
    password = _token(rng, rng.randrange(6, 20), string.ascii_letters + string.digits + ":!$%&/()=?ÆØåé ")
    return Credentials(
        basic_user=rng.choice(("tje0", "erp.sync", "Åse", "svc-erp")) + _token(rng, 3, string.digits),
        basic_password=password.strip() or "pw",
        ticket="7T:" + _token(rng, rng.randrange(24, 64), string.ascii_letters + string.digits + "+/") + "==",
        bearer=f"8A:Cust{rng.randrange(10000, 99999)}." + _token(rng, rng.randrange(30, 200)),
        session_id=_token(rng, 24).lower(),
        xsrf_token=_token(rng, 32, string.hexdigits.lower() + "-"),
        app_token_granted=_token(rng, 32),
        app_token_restricted=_token(rng, 32),
        require_app_token=online,
    )


def _engine(rng: random.Random) -> EngineState:
    count = rng.choice((0, 1, 3, 4, 12, 40, 320))
    names = ["IsRunning", "StatusMessage", "Interval", "TableRight"][: min(count, 4)]
    names += [rng.choice(("userdef_", "x_erp_", "udf", "ErpField")) + str(i) for i in range(count - len(names))]
    fields = tuple(
        (
            name,
            FieldState(
                None if rng.random() < 0.08 else rng.choice(FIELD_MASKS),
                None if rng.random() < 0.1 else rng.choice(REASONS),
                None if rng.random() < 0.05 else rng.choice(FIELD_TYPES),
                rng.choice((0, -1, 1, 40, 255, 2000, 4000)),
            ),
        )
        for name in names
    )
    table = rng.random() < 0.85
    return EngineState(
        running=rng.random() < 0.6,
        interval=rng.choice(
            (
                timedelta(minutes=15),
                timedelta(seconds=30),
                timedelta(hours=1, minutes=5),
                timedelta(days=1, hours=2),
                timedelta(minutes=1, seconds=30.5),
            )
        ),
        last_sync=datetime(
            2026, rng.randrange(1, 12), rng.randrange(1, 28), rng.randrange(24), rng.randrange(60), tzinfo=timezone.utc
        ),
        records=rng.randrange(0, 10_000_000),
        seconds=round(rng.uniform(0, 9999), 1),
        table_mask=rng.choice(TABLE_MASKS) if table else None,
        table_reason=(None if rng.random() < 0.15 else rng.choice(REASONS)) if table else None,
        fields=fields,
    )


def reference_config(
    seed: int | None = None,
    choices: dict[str, str] | None = None,
    options: dict[str, str] | None = None,
    faults=(),
    volatile: int | None = None,
    slow_seconds: float | None = None,
) -> ServerConfig:
    """The bundled server as the --reference-* options describe it: the server drawn from `seed`
    (the reference defaults without one), then the given choices, options, faults and live engine
    on top. Raises ProfileError or ValueError naming a bad value."""
    from dataclasses import replace

    base = draw(seed).config if seed is not None else ServerConfig()
    chosen = {k: v for k, v in Profile.from_mapping(choices or {}).as_dict().items() if v != "auto"}
    given = Options.from_mapping(options or {})
    changed = {k: getattr(given, k) for k in (options or {})}
    return replace(
        base,
        profile=base.profile.with_(**chosen),
        options=base.options.with_(**changed),
        faults=frozenset(faults) | base.faults,
        volatile_every=volatile if volatile is not None else base.volatile_every,
        slow_seconds=slow_seconds if slow_seconds is not None else base.slow_seconds,
    )
