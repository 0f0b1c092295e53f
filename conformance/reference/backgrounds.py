"""Backgrounds for a fault: the conformant servers the generator draws that a named fault can show on.

A fault must be caught over every legitimate background (issue 19), not only over the reference
defaults. Some drawn servers cannot show a given fault at all, and then it is no fault there:
a Bearer fault on an installation without Bearer, a fault that amounts to a choice on a server that
made that choice, a fault in TableRight's Mask where TableRight is null. `unfit(fault, config)`
says why a background cannot show the fault (None: it can); `backgrounds(fault, K)` picks the
first K drawn seeds, from a start of the fault's own, that can. Every reason below is a fact of the server
drawn, never of the suite: a fault that is not caught over a fitting background is the suite's
defect.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import replace

from conformance.contract import requirements
from conformance.reference.config import ServerConfig
from conformance.reference.faults import Fault
from conformance.reference.generator import draw

Condition = Callable[[ServerConfig], str | None]


def _offers(scheme: str) -> Condition:
    return lambda cfg: None if scheme in cfg.offered else f"the server offers no {scheme}"


def _table_right(cfg: ServerConfig) -> str | None:
    return "TableRight is null" if cfg.engine.table_mask is None else None


def _field_properties(cfg: ServerConfig) -> str | None:
    return "FieldProperties is empty" if not cfg.engine.fields else None


def _still_engine(cfg: ServerConfig) -> str | None:
    return "a live engine's IsRunning changes on its own" if cfg.volatile_every else None


def _still_message(cfg: ServerConfig) -> str | None:
    if cfg.volatile_every or cfg.options.live_message == "on":
        return "a live engine's StatusMessage changes on its own"
    return None


def _field_reason(text: str) -> Condition:
    def has(cfg: ServerConfig) -> str | None:
        shown = [f.reason for _, f in cfg.engine.fields if f.mask is not None]  # no FieldRight, no Reason
        return None if text in shown else f"no FieldRight Reason is {text}"

    return has


def _non_ascii_text(cfg: ServerConfig) -> str | None:
    if cfg.options.json_escapes == "ascii":
        return "JSON escapes every non-ASCII character: the body is ASCII, latin-1 alike"
    reasons = [f.reason or "" for _, f in cfg.engine.fields if f.mask is not None] + [cfg.engine.table_reason or ""]
    return None if any(not r.isascii() for r in reasons) else "every text of the body is ASCII (latin-1 alike)"


def _nulled_is_null(cfg: ServerConfig) -> str | None:
    return (
        "a nulled IsRunning is its type default, which the fault writes as a string too: SELECT-03 sees it"
        if cfg.profile.select_value_types == "default"
        else None
    )


def _password_without(what: str, test: Callable[[str], bool]) -> Condition:
    def plain(cfg: ServerConfig) -> str | None:
        if "basic" not in cfg.offered:
            return "the server offers no basic"
        return f"the Basic password has {what}: the fault refuses it" if test(cfg.credentials.basic_password) else None

    return plain


def _nulls_written(cfg: ServerConfig) -> str | None:
    return (
        "null members are left out (json_nulls=omitted): a null is a missing member"
        if cfg.options.json_nulls == "omitted"
        else None
    )


def _app_token_optional(cfg: ServerConfig) -> str | None:
    return (
        "every call carries SO-AppToken (Online): the fault refuses every call but SOTicket's"
        if cfg.credentials.require_app_token
        else None
    )


def _another_scheme_than_ticket(cfg: ServerConfig) -> str | None:
    return None if set(cfg.offered) - {"soticket"} else "the server offers SOTicket only"


def _nested_case_shows(cfg: ServerConfig) -> str | None:
    p = cfg.profile
    if p.select_case == "exact":
        return "the server matches $select names in their exact case (select_case=exact)"
    if p.select_nested == "ignored" or (p.select_nested == "parent" and p.select_path_fallback_table_right == "parent"):
        return "a nested path's part is not looked at (TableRight/x selects as TableRight/Mask does)"
    return None


CONDITIONS: dict[str, tuple[Condition, ...]] = {
    "select-nested-case-sensitive": (_nested_case_shows,),
    "schema-isrunning-string": (_nulled_is_null,),
    "schema-fieldlength-string": (_field_properties,),
    "schema-unknown-mask-flag": (_table_right,),
    "schema-fieldlength-string-bearer": (_offers("bearer"), _field_properties),
    "schema-mask-unknown-session": (_offers("session"), _table_right),
    "schema-isrunning-null-soticket": (_offers("soticket"), _nulls_written),
    "auth-scheme-body-differs": (_offers("bearer"), _table_right),
    "auth-password-prefix-accepted": (_offers("basic"),),
    "auth-password-non-ascii-dropped": (_password_without("non-ASCII characters", lambda p: not p.isascii()),),
    "auth-password-colon-truncated": (_password_without("a ':'", lambda p: ":" in p),),
    "auth-empty-password-accepted": (_offers("basic"),),
    "auth-basic-any-password": (_offers("basic"),),
    "auth-ticket-case-insensitive": (_offers("soticket"),),
    "auth-bearer-prefix-accepted": (_offers("bearer"),),
    "auth-xsrf-prefix-accepted": (_offers("session"),),
    "xml-differs-from-json": (_still_engine,),
    "apptoken-scheme-limited": (_another_scheme_than_ticket, _app_token_optional),
    "lang-culture-without-language": (_still_message,),
    "lang-german-incomplete": (_field_reason("[SR_ERPSYNC_STATUS_READONLY]"), _still_message),
    "body-not-utf8": (_non_ascii_text,),
}
"""What a fault needs of the drawn server beyond what its first requirement and its choice say."""


def unfit(fault: Fault, cfg: ServerConfig) -> str | None:
    """Why this background cannot show the fault, or None when it can."""
    inapplicable = requirements.not_applicable_for(cfg.offered, True, cfg.credentials.require_app_token)
    if fault.breaks[0] in inapplicable:
        return f"{fault.breaks[0]} is not applicable: {inapplicable[fault.breaks[0]]}"
    if fault.choice is not None:
        setting, choice = fault.choice
        if getattr(cfg.profile, setting) == choice:
            return f"the server chose {setting} = {choice}, which the fault amounts to"
    for condition in CONDITIONS.get(fault.name, ()):
        why = condition(cfg)
        if why:
            return why
    return None


def with_fault(fault: Fault, cfg: ServerConfig) -> ServerConfig | str:
    """The drawn server with the fault switched on (and the options it needs), or why it cannot be."""
    try:
        shown = replace(cfg, options=cfg.options.with_(**dict(fault.needs)), faults=frozenset({fault.name}))
    except ValueError as error:
        return str(error)
    return unfit(fault, shown) or shown


def backgrounds(fault: Fault, count: int = 1, tries: int = 1000) -> list[int]:
    """The first `count` drawn seeds, from the fault's own start, over which the fault can show."""
    start = zlib.crc32(fault.name.encode()) % 10_000
    seeds: list[int] = []
    for seed in range(start, start + tries):
        if len(seeds) == count:
            return seeds
        if not isinstance(with_fault(fault, draw(seed).config), str):
            seeds.append(seed)
    if len(seeds) < count:
        raise LookupError(
            f"only {len(seeds)} drawn servers within {tries} seeds of {start} can show fault {fault.name}"
        )
    return seeds[:count]
