"""SELECT-01..09: $select against the oracle's prediction and the unfiltered baseline.

Roles: "probe" (the request with the clause in ctx.case["select"]) and "baseline" (the same
request without $select); SELECT-08 compares roles "json" and "xml".
"""

from __future__ import annotations

from conformance.checks import Context, Exchanges, answered, described
from conformance.contract import PROPERTIES
from conformance.oracle import compare_select, predict_select, same_value
from conformance.xmlbody import interval_value
from conformance.outcome import Outcome, passed, untested, violated


def _judge(rid: str, ex: Exchanges, ctx: Context, *, kind: str = "pattern") -> Outcome:
    """What is judged beyond the status: "changed" (kept values equal the baseline: SELECT-02),
    "nulled" (the rest nulled as the profile says: SELECT-03) or "pattern" (which properties are
    kept and which are nulled in any form: the name-matching requirements)."""
    if (missing := answered(rid, ex, "probe", "baseline")) is not None:
        return missing
    clause = ctx.case.get("select")
    probe, baseline = ex["probe"], ex["baseline"]
    prediction = predict_select(clause, ctx.profile)
    shown = f"$select={clause!r}"
    if probe.status is not None and probe.status >= 500:
        return violated(rid, f"{shown} got a server error", expected=prediction.describe(),
                        actual=described(probe), evidence=[probe])
    if prediction.status != 200:
        if probe.status == prediction.status:
            return passed(rid, f"{shown}: {probe.status} as the profile says", [probe])
        return violated(rid, f"{shown} was not rejected as profile select_unknown=reject says",
                        expected=prediction.describe(), actual=described(probe), evidence=[probe])
    if probe.status != 200 or not isinstance(probe.body, dict):
        return violated(rid, f"{shown} was not answered with a body", expected="200 and the carrier",
                        actual=described(probe), evidence=[probe])
    if baseline.status != 200 or not isinstance(baseline.body, dict):
        return untested(rid, f"no unfiltered baseline to compare with: {described(baseline)}", [baseline])
    if kind == "pattern":
        problems = pattern_problems(probe.body, baseline.body, prediction)
    else:
        found = compare_select(probe.body, baseline.body, prediction, ctx.profile)
        problems = found.changed if kind == "changed" else found.not_nulled
    if problems:
        return violated(rid, f"{shown} does not give what the contract predicts",
                        expected=prediction.describe(), actual="; ".join(problems[:6]), evidence=[probe, baseline])
    return passed(rid, f"{shown}: {prediction.describe()}", [probe])


def pattern_problems(observed: dict, baseline: dict, prediction) -> list[str]:
    """Kept properties equal the baseline; the others are nulled in some form (null, absent, default)."""
    problems = []
    for name in PROPERTIES:
        if name not in baseline:
            continue
        kept = prediction.everything or name in prediction.whole or name in prediction.parts
        value, unfiltered = observed.get(name), baseline.get(name)
        if kept and name not in prediction.parts and not same_value(name, value, unfiltered):
            problems.append(f"{name}: expected kept, got {_shown(observed, name)}")
        elif kept and name in prediction.parts and not isinstance(value, dict):
            problems.append(f"{name}: expected its {'/'.join(sorted(prediction.parts[name]))} kept, got {_shown(observed, name)}")
        elif not kept and not _looks_nulled(name, value) and unfiltered is not None:
            problems.append(f"{name}: expected nulled, got {_shown(observed, name)}")
    return problems


def _looks_nulled(name: str, value) -> bool:
    return value is None or (name == "IsRunning" and value is False) or (
        name == "Interval" and interval_value(value) is not None and interval_value(value).total_seconds() == 0)


def _shown(body: dict, name: str) -> str:
    return repr(body[name])[:80] if name in body else "absent"


def select_01(ex: Exchanges, ctx: Context) -> Outcome:
    return _judge("SELECT-01", ex, ctx, kind="changed")


def select_02(ex: Exchanges, ctx: Context) -> Outcome:
    return _judge("SELECT-02", ex, ctx, kind="changed")


def select_03(ex: Exchanges, ctx: Context) -> Outcome:
    return _judge("SELECT-03", ex, ctx, kind="nulled")


def select_04(ex: Exchanges, ctx: Context) -> Outcome:
    return _judge("SELECT-04", ex, ctx)


def select_05(ex: Exchanges, ctx: Context) -> Outcome:
    return _judge("SELECT-05", ex, ctx)


def select_06(ex: Exchanges, ctx: Context) -> Outcome:
    return _judge("SELECT-06", ex, ctx)


def select_07(ex: Exchanges, ctx: Context) -> Outcome:
    return _judge("SELECT-07", ex, ctx)


def select_09(ex: Exchanges, ctx: Context) -> Outcome:
    return _judge("SELECT-09", ex, ctx)


def _null_pattern(body: dict) -> dict[str, str]:
    return {p: ("nulled" if body.get(p) is None else "value") for p in PROPERTIES}


def select_08(ex: Exchanges, ctx: Context) -> Outcome:
    """Roles "json" and "xml": the same $select in both formats keeps and nulls the same properties."""
    if (missing := answered("SELECT-08", ex, "json", "xml")) is not None:
        return missing
    as_json, as_xml = ex["json"], ex["xml"]
    clause = ctx.case.get("select")
    if as_json.status != 200 or not isinstance(as_json.body, dict):
        return untested("SELECT-08", f"no JSON body to compare: {described(as_json)}", [as_json])
    if as_xml.status != 200 or not isinstance(as_xml.body, dict):
        return untested("SELECT-08", f"no readable XML body to compare (ACCEPT-03 judges it): {described(as_xml)}",
                        [as_xml])
    left, right = _null_pattern(as_json.body), _null_pattern(as_xml.body)
    if left != right:
        diff = "; ".join(f"{p}: JSON {left[p]}, XML {right[p]}" for p in PROPERTIES if left[p] != right[p])
        return violated("SELECT-08", f"$select={clause!r} acts differently in XML", expected="the same nulls",
                        actual=diff, evidence=[as_json, as_xml])
    return passed("SELECT-08", f"$select={clause!r}: same properties kept and nulled in JSON and XML",
                  [as_json, as_xml])


CHECKS = {"SELECT-01": select_01, "SELECT-02": select_02, "SELECT-03": select_03, "SELECT-04": select_04,
          "SELECT-05": select_05, "SELECT-06": select_06, "SELECT-07": select_07, "SELECT-08": select_08,
          "SELECT-09": select_09}
