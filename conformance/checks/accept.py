"""ACCEPT-01..08: content negotiation over the six types, JSON and XML bodies, XML nulls."""

from __future__ import annotations

from conformance import contract, xmlbody
from conformance.checks import Context, Exchanges, answered, described, new_violations
from conformance.contract import JSON_TYPES
from conformance.exchange import Exchange
from conformance.oracle import differences, predict_media
from conformance.outcome import Outcome, passed, untested, violated
from conformance.xmlbody import interval_value


def accept_01(ex: Exchanges, ctx: Context) -> Outcome:
    """Role "probe", ctx.case["accept"]: one documented type, asked for alone."""
    if (missing := answered("ACCEPT-01", ex, "probe")) is not None:
        return missing
    probe, wanted = ex["probe"], ctx.case["accept"]
    if probe.status != 200 or probe.response.media_type != wanted.lower():
        return violated("ACCEPT-01", f"Accept: {wanted} was not answered in that type",
                        expected=f"200 {wanted}", actual=described(probe), evidence=[probe])
    return passed("ACCEPT-01", f"Accept: {wanted} -> {probe.response.media_type}", [probe])


def accept_02(ex: Exchanges, ctx: Context) -> Outcome:
    """Role "probe": a JSON-family 200, and "reference": the application/json baseline. The
    body parses and has no schema violation the application/json body does not have."""
    if (missing := answered("ACCEPT-02", ex, "probe")) is not None:
        return missing
    probe = ex["probe"]
    if probe.status != 200 or probe.response.media_type not in JSON_TYPES:
        return untested("ACCEPT-02", f"no JSON-family 200 to judge (ACCEPT-01 judges the type): {described(probe)}",
                        [probe])
    if not probe.decoded.ok:
        return violated("ACCEPT-02", f"the {probe.response.media_type} body does not parse",
                        expected="valid JSON", actual=probe.decoded.problem or "", evidence=[probe])
    found = new_violations(probe, ex.get("reference"))
    if found:
        return violated("ACCEPT-02", f"the {probe.response.media_type} body does not validate",
                        expected="ErpSyncEngineStatus", actual="; ".join(found[:5]), evidence=[probe])
    return passed("ACCEPT-02", f"{probe.response.media_type}: valid ErpSyncEngineStatus", [probe])


def accept_03(ex: Exchanges, ctx: Context) -> Outcome:
    """Roles "xml" (an XML-family 200) and "json" (the same request as JSON)."""
    if (missing := answered("ACCEPT-03", ex, "xml", "json")) is not None:
        return missing
    as_xml, as_json = ex["xml"], ex["json"]
    if as_xml.status != 200 or as_xml.response.media_type not in contract.XML_TYPES:
        return untested("ACCEPT-03", f"no XML 200 to judge (ACCEPT-01 judges the type): {described(as_xml)}", [as_xml])
    if not as_xml.decoded.ok:
        return violated("ACCEPT-03", "the XML body cannot be read", expected="well-formed DataContract XML",
                        actual=as_xml.decoded.problem or "", evidence=[as_xml])
    if as_json.status != 200 or not isinstance(as_json.body, dict):
        return untested("ACCEPT-03", f"no JSON body to compare with: {described(as_json)}", [as_json])
    comparable = _schema_valid_parts(as_json)
    found = [d for d in differences(as_xml.body, as_json.body) if d.split(":")[0].split(".")[1] in comparable]
    if found:
        return violated("ACCEPT-03", "the XML body carries other data than the JSON body",
                        expected="the JSON body's values", actual="; ".join(found[:6]), evidence=[as_xml, as_json])
    return passed("ACCEPT-03", f"{as_xml.response.media_type} carries the same data as JSON", [as_xml, as_json])


def _schema_valid_parts(as_json: Exchange) -> set[str]:
    """Top-level properties of a JSON body that are valid by the schema: only those are compared
    with XML, so a JSON-only schema fault is SCHEMA's finding, not a difference between formats."""
    body = as_json.body
    broken = {v.split(":")[0].split(".")[1].split("[")[0] for v in as_json.violations(contract.FULL_VIEW)
              if v.startswith("$.")}
    if interval_value(body.get("Interval")) is None:
        broken.add("Interval")  # not a duration text: SCHEMA-05's finding, nothing to compare
    return set(body) - broken


def _negotiated(rid: str, what: str):
    def check(ex: Exchanges, ctx: Context) -> Outcome:
        """Role "probe", ctx.case["accept"] (None: no Accept header sent)."""
        if (missing := answered(rid, ex, "probe")) is not None:
            return missing
        probe, accept = ex["probe"], ctx.case.get("accept")
        prediction = predict_media(accept, ctx.profile)
        ok = prediction.admits(probe.status, probe.response.media_type)
        shown = "no Accept" if accept is None else f"Accept: {accept}"
        if not ok:
            return violated(rid, f"{shown} was not {what}", expected=prediction.describe(),
                            actual=described(probe), evidence=[probe])
        return passed(rid, f"{shown} -> {described(probe)}", [probe])
    return check


accept_04 = _negotiated("ACCEPT-04", "answered by its q-values")
accept_06 = _negotiated("ACCEPT-06", "answered as profile unsupported_accept says")
accept_07 = _negotiated("ACCEPT-07", "matched case-insensitively and with its parameters")


def accept_05(ex: Exchanges, ctx: Context) -> Outcome:
    """Roles: "none" (no Accept) and "any" (*/*)."""
    if (missing := answered("ACCEPT-05", ex)) is not None:
        return missing
    bad = [(role, e) for role, e in ex.items() if e.status != 200 or e.response.media_type not in JSON_TYPES]
    if bad:
        return violated("ACCEPT-05", "no Accept or */* did not give JSON", expected="200 application/json",
                        actual="; ".join(f"{role}: {described(e)}" for role, e in bad), evidence=[e for _, e in bad])
    return passed("ACCEPT-05", "; ".join(f"{role}: {e.response.media_type}" for role, e in ex.items()),
                  list(ex.values()))


def accept_08(ex: Exchanges, ctx: Context) -> Outcome:
    """Role "probe": XML with $select=IsRunning, so StatusMessage must be a null in XML."""
    if (missing := answered("ACCEPT-08", ex, "probe")) is not None:
        return missing
    probe = ex["probe"]
    if probe.status != 200 or probe.response.media_type not in contract.XML_TYPES:
        return untested("ACCEPT-08", f"no XML 200 to judge: {described(probe)}", [probe])
    try:
        _, root = xmlbody.parse(probe.response.body)
    except xmlbody.XmlBodyError as problem:
        return untested("ACCEPT-08", f"the XML cannot be read (ACCEPT-03 judges it): {problem}", [probe])
    element = root.get("StatusMessage", "absent") if isinstance(root, dict) else "absent"
    form = ("absent" if element == "absent" else "empty" if element is None
            else "nil-attribute" if isinstance(element, dict) and str(element.get("@nil")).lower() == "true"
            else f"text {element!r}")
    expected = {"nil-attribute": "nil-attribute", "empty": "empty", "omitted": "absent"}[ctx.profile.xml_nil]
    if form.startswith("text") and element.strip().lower() not in ("null", "nil", "none"):
        return untested("ACCEPT-08", "StatusMessage came back with its value: $select had no effect in XML, "
                                     "so there is no null to judge (SELECT-08 judges $select in XML)", [probe])
    if form != expected:
        return violated("ACCEPT-08", "a null in XML is not written as the profile says",
                        expected=f"StatusMessage as {expected} (profile xml_nil={ctx.profile.xml_nil})",
                        actual=f"StatusMessage as {form}", evidence=[probe])
    return passed("ACCEPT-08", f"nulls written as {form}", [probe])


CHECKS = {"ACCEPT-01": accept_01, "ACCEPT-02": accept_02, "ACCEPT-03": accept_03, "ACCEPT-04": accept_04,
          "ACCEPT-05": accept_05, "ACCEPT-06": accept_06, "ACCEPT-07": accept_07, "ACCEPT-08": accept_08}
