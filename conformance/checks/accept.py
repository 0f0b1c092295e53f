"""ACCEPT-01..08: content negotiation over the six types, JSON and XML bodies, XML nulls."""

from __future__ import annotations

from typing import Any

from conformance.checks import Check, Context, Exchanges, answered, check, described, left_out, new_violations
from conformance.checks.outcome import Finding, passed, untested, violated
from conformance.contract import endpoint, xmlbody
from conformance.contract.endpoint import JSON_TYPES, MEDIA_TYPES
from conformance.contract.xmlbody import interval_value
from conformance.model.oracle import differences, predict_media
from conformance.wire.exchange import Exchange, read_json


@check("ACCEPT-01", answered("probe"))
def accept_01(ex: Exchanges, ctx: Context) -> Finding:
    """Role "probe", ctx.case["accept"]: one documented type, asked for alone."""
    probe, wanted = ex["probe"], ctx.case["accept"]
    if probe.status != 200 or probe.response.media_type != wanted.lower():
        return violated(
            f"Accept: {wanted} was not answered in that type",
            expected=f"200 {wanted}",
            actual=described(probe),
            evidence=[probe],
        )
    return passed(f"Accept: {wanted} -> {probe.response.media_type}", [probe])


@check("ACCEPT-02", answered("probe"))
def accept_02(ex: Exchanges, ctx: Context) -> Finding:
    """Role "probe": a JSON-family 200, and "reference": the application/json baseline. The
    body parses and has no schema violation the application/json body does not have."""
    probe = ex["probe"]
    if probe.status != 200 or probe.response.media_type not in JSON_TYPES:
        return untested(f"no JSON-family 200 to judge (ACCEPT-01 judges the type): {described(probe)}", [probe])
    if not probe.decoded.ok:
        return violated(
            f"the {probe.response.media_type} body does not parse",
            expected="valid JSON",
            actual=probe.decoded.problem or "",
            evidence=[probe],
        )
    found = new_violations(probe, ex.get("reference"), selected=ctx.case.get("select") is not None)
    if found:
        return violated(
            f"the {probe.response.media_type} body does not validate",
            expected="ErpSyncEngineStatus",
            actual="; ".join(found[:5]),
            evidence=[probe],
        )
    return passed(f"{probe.response.media_type}: valid ErpSyncEngineStatus", [probe])


@check("ACCEPT-03", answered("xml"))
def accept_03(ex: Exchanges, ctx: Context) -> Finding:
    """Roles "xml" (an XML-family 200) and "json" (the same request as JSON). Compared as data:
    flags as flag sets, Interval as a duration, an empty element as an empty string. Without a
    "json" role (conformance.run.everywhere), the XML body is only read."""
    as_xml, as_json = ex["xml"], ex.get("json")
    if as_xml.status != 200 or as_xml.response.media_type not in endpoint.XML_TYPES:
        return untested(f"no XML 200 to judge (ACCEPT-01 judges the type): {described(as_xml)}", [as_xml])
    if not as_xml.decoded.ok:
        return violated(
            "the XML body cannot be read",
            expected="well-formed XML carrying the ErpSyncEngineStatus",
            actual=as_xml.decoded.problem or "",
            evidence=[as_xml],
        )
    if as_json is None:
        # the XML reader fills in members an element leaves out: the carrier (its root, as either
        # name a server writes) or a member must be there as written; a $select may null them all
        written = any(
            f"<{name}".encode() in as_xml.response.body or f":{name}".encode() in as_xml.response.body
            for name in (*endpoint.PROPERTIES, "ErpSyncEngineStatus", "GetEngineStatusResult")
        )
        if not isinstance(as_xml.body, dict) or not written:
            return violated(
                "the XML body carries no ErpSyncEngineStatus",
                expected="an ErpSyncEngineStatus element",
                actual=repr(as_xml.body)[:120],
                evidence=[as_xml],
            )
        return passed(f"{as_xml.response.media_type}: well-formed, an ErpSyncEngineStatus", [as_xml])
    if as_json.response is None:
        return untested(f"the json request got no response: {as_json.error}", [as_json])
    if as_json.engine_body is None:
        return untested(f"no JSON body to compare with: {described(as_json)}", [as_json])
    if not isinstance(as_xml.body, dict):
        return violated(
            "the XML body carries no ErpSyncEngineStatus",
            expected="the JSON body's values",
            actual=repr(as_xml.body)[:120],
            evidence=[as_xml, as_json],
        )
    comparable = _schema_valid_parts(as_json) - ctx.volatile
    found = [
        d
        for d in differences(as_xml.body, as_json.body, xml=True, ignore=ctx.volatile)
        if d.split(":")[0].split(".")[1] in comparable
    ]
    if found:
        return violated(
            "the XML body carries other data than the JSON body",
            expected="the JSON body's values" + left_out(ctx),
            actual="; ".join(found[:6]),
            evidence=[as_xml, as_json],
        )
    return passed(f"{as_xml.response.media_type} carries the same data as JSON{left_out(ctx)}", [as_xml, as_json])


def _schema_valid_parts(as_json: Exchange) -> set[str]:
    """Top-level properties of a JSON body that are valid by the schema: only those are compared
    with XML, so a JSON-only schema fault is SCHEMA's finding, not a difference between formats."""
    body = as_json.body
    broken = {
        v.split(":")[0].split(".")[1].split("[")[0]
        for v in as_json.violations(endpoint.FULL_VIEW)
        if v.startswith("$.")
    }
    if interval_value(body.get("Interval")) is None:
        broken.add("Interval")  # not a duration text: SCHEMA-05's finding, nothing to compare
    return set(body) - broken


def mislabelled(exchange: Exchange) -> bool:
    """A 200 labelled with a type the vendor does not list whose body is the JSON carrier anyway:
    a lie about the body, not a legitimate other answer (an HTML page is one)."""
    if exchange.status != 200 or exchange.response.media_type in MEDIA_TYPES:
        return False
    try:
        body = read_json(exchange.response.body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return False
    return isinstance(body, dict) and bool(set(body) & set(endpoint.PROPERTIES))


def _negotiated(rid: str, what: str) -> Check:
    @check(rid, answered("probe"))
    def negotiated(ex: Exchanges, ctx: Context) -> Finding:
        """Role "probe", ctx.case["accept"] (None: no Accept header sent)."""
        probe, accept = ex["probe"], ctx.case.get("accept")
        prediction = predict_media(accept, ctx.profile)
        shown = "no Accept" if accept is None else f"Accept: {accept}"
        if not prediction.admits(probe.status, probe.response.media_type):
            return violated(
                f"{shown} was not {what}", expected=prediction.describe(), actual=described(probe), evidence=[probe]
            )
        if mislabelled(probe):
            return violated(
                f"{shown} got the JSON carrier labelled {probe.response.media_type}",
                expected=prediction.describe(),
                actual=described(probe),
                evidence=[probe],
            )
        return passed(f"{shown} -> {described(probe)}", [probe])

    return negotiated


accept_04 = _negotiated("ACCEPT-04", "answered by its q-values")
accept_06 = _negotiated("ACCEPT-06", "answered as the server's choice unsupported_accept says")
accept_07 = _negotiated("ACCEPT-07", "matched case-insensitively and with its parameters")


@check("ACCEPT-05", answered())
def accept_05(ex: Exchanges, ctx: Context) -> Finding:
    """Roles: "none" (no Accept) and "any" (*/*)."""
    bad = [(role, e) for role, e in ex.items() if e.status != 200 or e.response.media_type not in JSON_TYPES]
    if bad:
        return violated(
            "no Accept or */* did not give JSON",
            expected="200 application/json",
            actual="; ".join(f"{role}: {described(e)}" for role, e in bad),
            evidence=[e for _, e in bad],
        )
    return passed("; ".join(f"{role}: {e.response.media_type}" for role, e in ex.items()), list(ex.values()))


NIL_FORMS = {"nil-attribute": "nil-attribute", "empty": "empty", "omitted": "absent"}


@check("ACCEPT-08", answered())
def accept_08(ex: Exchanges, ctx: Context) -> Finding:
    """Pairs of roles "<name> xml" and "<name> json" (the same request in both formats; the
    $select=IsRunning pair and the unfiltered one): every member that is null in the JSON body is
    written in the XML body in a form the profile's xml_nil admits. Members the XML body carries
    with a value where JSON has a null are SELECT-08's and ACCEPT-03's to judge, not this."""
    expected = [NIL_FORMS[c] for c in ctx.profile.choices("xml_nil")]
    seen: list[tuple[str, str, Exchange]] = []
    for role, as_xml in ex.items():
        if not role.endswith(" xml") or f"{role[:-4]} json" not in ex:
            continue
        as_json = ex[f"{role[:-4]} json"]
        if (
            as_xml.status != 200
            or as_xml.response.media_type not in endpoint.XML_TYPES
            or as_json.status != 200
            or not isinstance(as_json.body, dict)
        ):
            continue
        try:
            _, root = xmlbody.parse(as_xml.response.body)
        except xmlbody.XmlBodyError:
            continue  # ACCEPT-03 judges an XML body that cannot be read
        omitted = "omitted" in {
            *ctx.profile.choices("select_reference_types"),
            *ctx.profile.choices("select_value_types"),
        }
        for path in null_paths(as_json.body, absent=omitted):
            form = nil_form(xmlbody.element_at(root, path[:-1]), path[-1])
            if not form.startswith("text") or form in NULL_TEXTS:
                seen.append((".".join(path), form, as_xml))
    if not seen:
        return untested(
            "no XML answer wrote a member that is null in JSON (SELECT-08 judges $select in XML)",
            [e for e in ex.values()][:2],
        )
    wrong = [(where, form, e) for where, form, e in seen if form not in expected]
    if wrong:
        return violated(
            "a null in XML is not written as the server's choice says",
            expected=f"nulls as {' or '.join(expected)} (choice xml_nil)",
            actual="; ".join(f"{where} as {form}" for where, form, _ in wrong[:4]),
            evidence=list(dict.fromkeys(e for _, _, e in wrong))[:2],
        )
    forms = sorted({form for _, form, _ in seen})
    return passed(f"{len(seen)} nulls written as {' and '.join(forms)}", [seen[0][2]])


NULL_TEXTS = ("text 'null'", "text 'nil'", "text 'none'")


def null_paths(
    body: dict[str, Any], path: tuple[str, ...] = (), kind: str = "", absent: bool = False
) -> list[tuple[str, ...]]:
    """The paths of the members a JSON body holds as null, and with `absent` (the server's choice
    admits omitted nulls, fact 24) those it leaves out; FieldProperties keys as entries."""
    found = [path + (m,) for m in xmlbody.MEMBERS.get(kind, ()) if m not in body] if absent else []
    for key, value in body.items():
        if value is None:
            found.append(path + (key,))
        elif isinstance(value, dict):
            inner = "Value" if kind == "FieldProperties" else key
            found += null_paths(value, path + (key,), inner, absent)
    return found


def nil_form(element: Any, member: str) -> str:
    """How an XML element writes a member: nil-attribute, empty, absent or `text '...'`."""
    value = element.get(member, "absent") if isinstance(element, dict) else "absent"
    if isinstance(value, str) and value == "absent":
        return "absent"
    if value is None:
        return "empty"
    if isinstance(value, dict) and str(value.get("@nil")).lower() == "true":
        return "nil-attribute"
    text = value.get("#text", "") if isinstance(value, dict) else value
    if not isinstance(text, str):
        return "text (an element)"
    return f"text {text.strip().lower()!r}" if text.strip().lower() in ("null", "nil", "none") else f"text {text!r}"
