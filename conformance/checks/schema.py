"""SCHEMA-01..06: the body of an authorised, unfiltered 200 response. Exchange role: "probe".

The body is validated through the exchange (Exchange.violations), once per view however many
checks read it: SCHEMA-01 and SCHEMA-03 split one full-view validation between them."""

from __future__ import annotations

import re
from typing import Any

from conformance.checks import Context, Exchanges, Precondition, answered, check, described
from conformance.checks.outcome import Finding, not_applicable, observed, passed, untested, violated
from conformance.contract import endpoint, flags

NESTED = ("$.TableRight", "$.FieldProperties")
NILLABLE = ("StatusMessage", "TableRight", "FieldProperties")
NILLABLE_PARTS = re.compile(r": '(Reason|FieldRight|FieldType)' is a required property$")
"""The members the WSDL makes nillable (fact 3): a serializer that omits nulls leaves them out (fact 24)."""


def omits_nulls(ctx: Context) -> bool:
    """Whether the server's choice admits null members left out: the same choice it makes for the
    properties $select nulls (select_reference_types, fact 24), pinned, decided or still open."""
    return "omitted" in ctx.profile.choices("select_reference_types")


def body_200(role: str) -> Precondition:
    """A 200 whose body reads as an object: else untested (no 200) or a MUST violation (a 200 body
    that cannot be read is the contract broken, whatever the requirement's own level)."""

    def precondition(ex: Exchanges, ctx: Context) -> Finding | None:
        probe = ex[role]
        if probe.status != 200:
            return untested(f"no 200 response to judge: {described(probe)}", [probe])
        if probe.decoded.ok and probe.body is None and "null-body" in ctx.profile.choices("refusal"):
            return untested("the 200 body is null: a refusal (fact 23), which the scheme's requirement judges", [probe])
        if not probe.decoded.ok:
            return violated(
                "the 200 body could not be read",
                expected="a JSON object",
                actual=probe.decoded.problem or "",
                evidence=[probe],
                level="MUST",
            )
        if not isinstance(probe.body, dict):
            return violated(
                "the 200 body is not an object",
                expected="a JSON object",
                actual=repr(probe.body)[:200],
                evidence=[probe],
                level="MUST",
            )
        return None

    return precondition


BODY = (answered("probe"), body_200("probe"))


@check("SCHEMA-01", *BODY)
def schema_01(ex: Exchanges, ctx: Context) -> Finding:
    """The body is an object and its documented properties have the documented types (those of
    the $select view when the case had a $select: conformance.run.everywhere judges every answer)."""
    view = endpoint.SELECT_VIEW if ctx.case.get("select") is not None else endpoint.FULL_VIEW
    found = [v for v in ex["probe"].violations(view) if not v.startswith(NESTED) and "is a required property" not in v]
    if found:
        return violated(
            "property types differ from ErpSyncEngineStatus",
            expected="IsRunning boolean, StatusMessage string|null, Interval string, "
            "TableRight object|null, FieldProperties object|null",
            actual="; ".join(found),
            evidence=[ex["probe"]],
        )
    return passed("the body is an ErpSyncEngineStatus object", [ex["probe"]])


@check("SCHEMA-02", *BODY)
def schema_02(ex: Exchanges, ctx: Context) -> Finding:
    body = ex["probe"].body
    absent = [p for p in endpoint.PROPERTIES if p not in body]
    missing = [p for p in absent if not (p in NILLABLE and omits_nulls(ctx))]
    if missing:
        omitting = (
            " (a nillable member may be left out as a null only where the server omits nulls: "
            f"select_reference_types={'/'.join(ctx.profile.choices('select_reference_types'))}, fact 24)"
        )
        return violated(
            "documented properties are missing without $select",
            expected=", ".join(endpoint.PROPERTIES) + (omitting if set(missing) & set(NILLABLE) else ""),
            actual=f"missing {', '.join(missing)}",
            evidence=[ex["probe"]],
        )
    if absent:
        return passed(
            f"every property present but the nulls the server omits ({', '.join(absent)}; fact 24)", [ex["probe"]]
        )
    return passed("all five properties are present", [ex["probe"]])


def _parts(body: dict[str, Any]) -> int:
    """How many TableRight and FieldProperties parts a body carries (a null TableRight and an empty
    FieldProperties are documented answers with nothing inside to judge, fact 14)."""
    fields = body.get("FieldProperties")
    return int(body.get("TableRight") is not None) + (len(fields) if isinstance(fields, dict) else 0)


@check("SCHEMA-03", *BODY)
def schema_03(ex: Exchanges, ctx: Context) -> Finding:
    probe = ex["probe"]
    found = [
        v
        for v in probe.violations(endpoint.FULL_VIEW)
        if v.startswith(NESTED) and not (omits_nulls(ctx) and NILLABLE_PARTS.search(v))
    ]
    if found:
        return violated(
            "TableRight or FieldProperties parts differ from the contract",
            expected="TableRight {Mask, Reason}; FieldProperty {FieldRight, FieldType, FieldLength int32}",
            actual="; ".join(found[:10]),
            evidence=[probe],
        )
    if not _parts(probe.body):
        return not_applicable("the body has no TableRight and no FieldProperties entries: no part to judge", [probe])
    fields = probe.body.get("FieldProperties") or {}
    return passed(f"TableRight and {len(fields)} FieldProperties values have the documented parts", [probe])


def masks(body: dict[str, Any]) -> list[tuple[str, str, object]]:
    """(where, enum, text) of every Mask a body carries."""
    found = []
    table = body.get("TableRight")
    if isinstance(table, dict) and table.get("Mask") is not None:
        found.append(("TableRight.Mask", "TableRight", table["Mask"]))
    for name, prop in (
        (body.get("FieldProperties") or {}).items() if isinstance(body.get("FieldProperties"), dict) else ()
    ):
        right = prop.get("FieldRight") if isinstance(prop, dict) else None
        if isinstance(right, dict) and right.get("Mask") is not None:
            found.append((f"FieldProperties.{name}.FieldRight.Mask", "FieldRight", right["Mask"]))
    return found


@check("SCHEMA-04", *BODY)
def schema_04(ex: Exchanges, ctx: Context) -> Finding:
    probe = ex["probe"]
    present = masks(probe.body)
    if not present:
        return not_applicable("the body carries no Mask to judge", [probe])
    unknown = [
        f"{where}: {', '.join(flags.unknown_names(text, kind))} in {text!r}"
        for where, kind, text in present
        if flags.unknown_names(text, kind)
    ]
    if unknown:
        return violated(
            "a Mask uses undocumented flag names",
            expected="ETableRight / EFieldRight names and aliases, or numbers of their bits",
            actual="; ".join(unknown),
            evidence=[probe],
        )
    return passed(f"{len(present)} Masks use documented flag names", [probe])


FORMS = {
    "timespan": (endpoint.TIMESPAN_INTERVAL, "hh:mm:ss or d.hh:mm:ss"),
    "iso8601": (endpoint.ISO8601_INTERVAL, "an ISO 8601 duration"),
}


@check("SCHEMA-05", *BODY)
def schema_05(ex: Exchanges, ctx: Context) -> Finding:
    probe = ex["probe"]
    choices = ctx.profile.choices("interval_format")
    if "any" in choices:
        return not_applicable("choice interval_format=any: any Interval text is accepted", [probe])
    interval = probe.body.get("Interval")
    if interval is None:
        return not_applicable("the body carries no Interval", [probe])
    fitting = [c for c in choices if not probe.violations(FORMS[c][0])]
    if not fitting:
        return violated(
            f"Interval is not a {' or '.join(choices)} text",
            expected=" or ".join(FORMS[c][1] for c in choices),
            actual=repr(interval),
            evidence=[probe],
        )
    return passed(f"Interval {interval!r} is a {fitting[0]} text", [probe])


@check("SCHEMA-06", *BODY)
def schema_06(ex: Exchanges, ctx: Context) -> Finding:
    extra = sorted(set(ex["probe"].body) - set(endpoint.PROPERTIES))
    if extra:
        return observed(f"undocumented properties: {', '.join(extra)}", [ex["probe"]])
    return observed("no properties beyond the documented five", [ex["probe"]])
