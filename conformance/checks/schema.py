"""SCHEMA-01..06: the body of an authorised, unfiltered 200 response. Exchange role: "probe".

The body is validated through the exchange (Exchange.violations), once per view however many
checks read it: SCHEMA-01 and SCHEMA-03 split one full-view validation between them."""

from __future__ import annotations

from conformance import contract
from conformance.checks import Context, Exchanges, answered, described
from conformance.outcome import Outcome, informational, not_applicable, passed, untested, violated

NESTED = ("$.TableRight", "$.FieldProperties")


def _body(rid: str, ex: Exchanges) -> tuple[dict | None, Outcome | None]:
    if (missing := answered(rid, ex, "probe")) is not None:
        return None, missing
    probe = ex["probe"]
    if probe.status != 200:
        return None, untested(rid, f"no 200 response to judge: {described(probe)}", [probe])
    if not probe.decoded.ok:
        return None, violated(rid, "the 200 body could not be read", expected="a JSON object",
                              actual=probe.decoded.problem or "", evidence=[probe], level="MUST")
    if not isinstance(probe.body, dict):
        return None, violated(rid, "the 200 body is not an object", expected="a JSON object",
                              actual=repr(probe.body)[:200], evidence=[probe], level="MUST")
    return probe.body, None


def schema_01(ex: Exchanges, ctx: Context) -> Outcome:
    """The body is an object and its documented properties have the documented types."""
    body, early = _body("SCHEMA-01", ex)
    if early:
        return early
    found = [v for v in ex["probe"].violations(contract.FULL_VIEW)
             if not v.startswith(NESTED) and "is a required property" not in v]
    if found:
        return violated("SCHEMA-01", "property types differ from ErpSyncEngineStatus",
                        expected="IsRunning boolean, StatusMessage string|null, Interval string, "
                                 "TableRight object|null, FieldProperties object|null",
                        actual="; ".join(found), evidence=[ex["probe"]])
    return passed("SCHEMA-01", "the body is an ErpSyncEngineStatus object", [ex["probe"]])


def schema_02(ex: Exchanges, ctx: Context) -> Outcome:
    body, early = _body("SCHEMA-02", ex)
    if early:
        return early
    missing = [p for p in contract.PROPERTIES if p not in body]
    if missing:
        return violated("SCHEMA-02", "documented properties are missing without $select",
                        expected=", ".join(contract.PROPERTIES), actual=f"missing {', '.join(missing)}",
                        evidence=[ex["probe"]])
    return passed("SCHEMA-02", "all five properties are present", [ex["probe"]])


def schema_03(ex: Exchanges, ctx: Context) -> Outcome:
    body, early = _body("SCHEMA-03", ex)
    if early:
        return early
    found = [v for v in ex["probe"].violations(contract.FULL_VIEW) if v.startswith(NESTED)]
    if found:
        return violated("SCHEMA-03", "TableRight or FieldProperties parts differ from the contract",
                        expected="TableRight {Mask, Reason}; FieldProperty {FieldRight, FieldType, FieldLength int32}",
                        actual="; ".join(found[:10]), evidence=[ex["probe"]])
    fields = body.get("FieldProperties") or {}
    return passed("SCHEMA-03", f"TableRight and {len(fields)} FieldProperties values have the documented parts",
                  [ex["probe"]])


def schema_04(ex: Exchanges, ctx: Context) -> Outcome:
    body, early = _body("SCHEMA-04", ex)
    if early:
        return early
    found = ex["probe"].violations(contract.KNOWN_MASK_NAMES)
    if found:
        return violated("SCHEMA-04", "a Mask uses undocumented flag names",
                        expected="ETableRight / EFieldRight names joined by ', '", actual="; ".join(found),
                        evidence=[ex["probe"]])
    return passed("SCHEMA-04", "every Mask uses documented flag names", [ex["probe"]])


def schema_05(ex: Exchanges, ctx: Context) -> Outcome:
    view = {"timespan": contract.TIMESPAN_INTERVAL, "iso8601": contract.ISO8601_INTERVAL}.get(
        ctx.profile.interval_format)
    if view is None:
        return not_applicable("SCHEMA-05", "profile interval_format=any: any Interval text is accepted")
    body, early = _body("SCHEMA-05", ex)
    if early:
        return early
    found = ex["probe"].violations(view)
    if found:
        return violated("SCHEMA-05", f"Interval is not a {ctx.profile.interval_format} text",
                        expected="hh:mm:ss or d.hh:mm:ss" if view == contract.TIMESPAN_INTERVAL else "an ISO 8601 duration",
                        actual=repr(body.get("Interval")), evidence=[ex["probe"]])
    return passed("SCHEMA-05", f"Interval {body.get('Interval')!r} is a {ctx.profile.interval_format} text",
                  [ex["probe"]])


def schema_06(ex: Exchanges, ctx: Context) -> Outcome:
    body, early = _body("SCHEMA-06", ex)
    if early:
        return early
    extra = sorted(set(body) - set(contract.PROPERTIES))
    if extra:
        return informational("SCHEMA-06", f"undocumented properties: {', '.join(extra)}", [ex["probe"]])
    return informational("SCHEMA-06", "no properties beyond the documented five", [ex["probe"]])


CHECKS = {"SCHEMA-01": schema_01, "SCHEMA-02": schema_02, "SCHEMA-03": schema_03,
          "SCHEMA-04": schema_04, "SCHEMA-05": schema_05, "SCHEMA-06": schema_06}
