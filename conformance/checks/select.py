"""SELECT-01..09: $select against the oracle's prediction and the unfiltered baseline.

Roles: "probe" (the request with the clause in ctx.case["select"]) and "baseline" (the same
request without $select); SELECT-08 compares roles "json" and "xml". Where the profile leaves a
setting undecided, the oracle admits each of its choices, and the answer is judged against the
reading it comes closest to.
"""

from __future__ import annotations

from typing import Any, cast

from conformance.checks import Check, Context, Exchanges, answered, check, described, left_out
from conformance.checks.outcome import Finding, not_applicable, passed, untested, violated
from conformance.contract import flags
from conformance.contract.choices import Profile
from conformance.contract.endpoint import PROPERTIES, XML_TYPES
from conformance.model.oracle import (
    Selection,
    SelectPrediction,
    best_reading,
    free_text_default,
    looks_nulled,
    predict_select,
    same_value,
)
from conformance.wire.exchange import Received

ROLES = answered("probe", "baseline")


def _judge(ex: Exchanges, ctx: Context, kind: str) -> Finding:
    """What is judged beyond the status: "changed" (kept values equal the baseline: SELECT-02),
    "nulled" (the rest nulled as the profile says: SELECT-03) or "pattern" (which properties are
    kept and which are nulled in any form: the name-matching requirements)."""
    clause = ctx.case.get("select")
    probe, baseline = ex["probe"], ex["baseline"]
    prediction = predict_select(clause, ctx.profile)
    shown = f"$select={clause!r}"
    if cast(int, probe.status) >= 500:  # answered: ROLES
        return violated(
            f"{shown} got a server error", expected=prediction.describe(), actual=described(probe), evidence=[probe]
        )
    if probe.status not in prediction.statuses:
        return violated(
            f"{shown} was not answered as the server's choice says",
            expected=prediction.describe(),
            actual=described(probe),
            evidence=[probe],
        )
    if probe.status != 200:
        return passed(f"{shown}: {probe.status} as the server's choice says", [probe])
    if not isinstance(probe.body, dict):
        return violated(
            f"{shown} was not answered with a body",
            expected="200 and the carrier",
            actual=described(probe),
            evidence=[probe],
        )
    if baseline.engine_body is None:
        return untested(f"no unfiltered baseline to compare with: {described(baseline)}", [baseline])
    if kind == "pattern":
        reading, problems = _best_pattern(probe.body, baseline.body, prediction, ctx)
    else:
        xml = cast(Received, probe.response).media_type in XML_TYPES
        reading, found = best_reading(probe.body, baseline.body, prediction, ctx.profile, ctx.volatile, xml)
        problems = found.changed if kind == "changed" else found.not_nulled
        if kind == "nulled" and not problems and not _left_out_with_value(baseline.body, reading):
            return not_applicable(
                f"{shown}: every property it leaves out is already null unfiltered, so nulling cannot be seen",
                [probe, baseline],
            )
    if problems:
        return violated(
            f"{shown} does not give what the contract predicts",
            expected=prediction.describe() + left_out(ctx),
            actual="; ".join(problems[:6]),
            evidence=[probe, baseline],
        )
    return passed(f"{shown}: {reading.describe()}{left_out(ctx)}", [probe, baseline])


def _left_out_with_value(baseline: dict[str, Any], reading: Selection) -> list[str]:
    """The properties (and nested parts) a reading does not keep that have a value unfiltered: what
    SELECT-03 can see nulled. None of them: a pass would be vacuous."""
    out = []
    parts = reading.part_map
    for name in PROPERTIES:
        value = baseline.get(name)
        if reading.everything or name in reading.whole or value is None:
            continue
        if name in parts and isinstance(value, dict):
            out += [f"{name}/{p}" for p, v in value.items() if p not in parts[name] and v is not None]
        elif name not in parts:
            out.append(name)
    return out


def _best_pattern(
    observed: dict[str, Any], baseline: dict[str, Any], prediction: SelectPrediction, ctx: Context
) -> tuple[Selection, list[str]]:
    scored = [
        (r, pattern_problems(observed, baseline, r, ctx.volatile, ctx.profile)) for r in prediction.with_status(200)
    ]
    return min(scored, key=lambda pair: len(pair[1]))


def pattern_problems(
    observed: dict[str, Any],
    baseline: dict[str, Any],
    reading: Selection,
    volatile: frozenset[str] = frozenset(),
    profile: Profile | None = None,
) -> list[str]:
    """Which properties are kept and which nulled: a kept one is not nulled (where the baseline has
    a value), the others are nulled in some form (null, absent, default). Whether a kept value
    equals the baseline is SELECT-02's, how a nulled one is written SELECT-03's."""
    problems = []
    parts = reading.part_map
    for name in PROPERTIES:
        if name not in baseline:
            continue
        kept = reading.keeps(name)
        value, unfiltered = observed.get(name), baseline.get(name)
        if (
            kept
            and name not in parts
            and not looks_nulled(name, unfiltered)
            and looks_nulled(name, value)
            and not (name in volatile and value is not None and type(value) is type(unfiltered))
        ):
            # (a property that changes on its own may have moved to a value that looks nulled: false)
            problems.append(f"{name}: expected kept, got {_shown(observed, name)}")
        elif kept and name in parts and isinstance(unfiltered, dict):
            kept_parts = {p: unfiltered.get(p) for p in parts[name]}
            if all(v is None for v in kept_parts.values()) and _hollow(value):
                continue  # the kept parts are null unfiltered: an object of nulls and a null look alike in XML
            if not isinstance(value, dict) or any(
                not same_value(p, value.get(p), v, name) for p, v in kept_parts.items()
            ):
                problems.append(
                    f"{name}: expected its {'/'.join(sorted(parts[name]))} kept, got {_shown(observed, name)}"
                )
            elif name not in reading.whole and any(
                p not in parts[name] and not _part_nulled(v) and not _part_nulled(unfiltered.get(p))
                for p, v in value.items()
            ):
                problems.append(
                    f"{name}: expected only its {'/'.join(sorted(parts[name]))} kept, got {_shown(observed, name)}"
                )
        elif (
            not kept
            and not looks_nulled(name, value)
            and unfiltered is not None
            and not (profile and free_text_default(name, value, unfiltered, profile))
        ):
            problems.append(f"{name}: expected nulled, got {_shown(observed, name)}")
    return problems


def _part_nulled(value: Any) -> bool:
    """A part of TableRight a $select leaves out, nulled in any form: null, an empty text, no flags."""
    return value is None or value == "" or flags.is_none(value, "TableRight")


def _shown(body: dict[str, Any], name: str) -> str:
    return repr(body[name])[:80] if name in body else "absent"


def _select(rid: str, kind: str = "pattern") -> Check:
    @check(rid, ROLES)
    def select(ex: Exchanges, ctx: Context) -> Finding:
        return _judge(ex, ctx, kind)

    return select


select_01 = _select("SELECT-01", "changed")
select_02 = _select("SELECT-02", "changed")
select_03 = _select("SELECT-03", "nulled")
select_04 = _select("SELECT-04")
select_05 = _select("SELECT-05")
select_06 = _select("SELECT-06")
select_09 = _select("SELECT-09")


@check("SELECT-07", ROLES)
def select_07(ex: Exchanges, ctx: Context) -> Finding:
    baseline = ex["baseline"]
    if baseline.engine_body is not None and baseline.body.get("TableRight") is None:
        return not_applicable("the server's TableRight is null: there is no nested part to keep (fact 14)", [baseline])
    return _judge(ex, ctx, "pattern")


REFERENCE_TYPES = ("StatusMessage", "TableRight", "FieldProperties")
"""What SELECT-08 compares: a value type nulled to its default (false, 00:00:00) looks like a value."""


def _null_pattern(body: dict[str, Any]) -> dict[str, str]:
    """Nulled or a value, per reference-type property; an empty value counts as nulled, as XML
    writes an empty dictionary and a null alike as an empty element (and so does an object of nulls)."""
    return {p: ("nulled" if _hollow(body.get(p)) else "value") for p in REFERENCE_TYPES}


def _hollow(value: Any) -> bool:
    """Null, empty, or an object whose every member is null: XML may write the last as an empty
    element (every member a null left out), which reads as a null where xml_nil is undecided."""
    return value in (None, {}, "") or (isinstance(value, dict) and all(v is None for v in value.values()))


@check("SELECT-08", answered("json", "xml"))
def select_08(ex: Exchanges, ctx: Context) -> Finding:
    """Roles "json" and "xml": the same $select in both formats keeps and nulls the same properties."""
    as_json, as_xml = ex["json"], ex["xml"]
    clause = ctx.case.get("select")
    if as_json.engine_body is None:
        return untested(f"no JSON body to compare: {described(as_json)}", [as_json])
    if as_xml.engine_body is None:
        return untested(f"no readable XML body to compare (ACCEPT-03 judges it): {described(as_xml)}", [as_xml])
    left, right = _null_pattern(as_json.body), _null_pattern(as_xml.body)
    if left != right:
        diff = "; ".join(f"{p}: JSON {left[p]}, XML {right[p]}" for p in REFERENCE_TYPES if left[p] != right[p])
        return violated(
            f"$select={clause!r} acts differently in XML",
            expected="the same nulls",
            actual=diff,
            evidence=[as_json, as_xml],
        )
    return passed(f"$select={clause!r}: same properties kept and nulled in JSON and XML", [as_json, as_xml])
