"""XML bodies: parsed with xmltodict (expat, entities off, DTDs refused), then brought into shape.

Two shapes come out of one parse. The DataContract shape mirrors the wire (FieldProperties as a
list of key/value pairs, Mask as a space-separated list, Interval as xs:duration), with types
restored from the schema (booleans, integers, nulls): schemathesis validates it against the
OpenAPI's XML schema. The JSON shape goes one step further (pairs into an object, Mask names
joined by ", ") so that XML and JSON bodies can be compared field by field. Interval keeps its
text: comparing it across formats is `same_interval`'s business.
"""

from __future__ import annotations

import re
from xml.parsers.expat import ExpatError
from datetime import timedelta
from typing import Any

import xmltodict

from conformance.profile import Profile

XSI_NIL = "@nil"
PAIR = "FieldPropertyDictionaryKeyValuePair"
BOOLEANS = {"IsRunning"}
INTEGERS = {"FieldLength"}
OBJECTS = {"TableRight", "FieldRight", "Value"}


class XmlBodyError(ValueError):
    """An XML body the suite refuses to read (not well-formed, a DTD, entities) or cannot shape."""


def _local(path, key: str, value: Any):
    """xmltodict postprocessor: drop namespace prefixes and xmlns declarations."""
    if key.startswith("@xmlns"):
        return None
    prefix = "@" if key.startswith("@") else ""
    return prefix + key.lstrip("@").rsplit(":", 1)[-1], value


# In each encoding expat reads: a UTF-16 document declares its DTD in UTF-16 bytes.
DECLARATIONS = tuple(marker.encode(encoding) for marker in ("<!DOCTYPE", "<!ENTITY")
                     for encoding in ("utf-8", "utf-16-le", "utf-16-be"))


def parse(data: bytes) -> tuple[str, Any]:
    """(root element name, tree) of a document; refuses DTDs and entities before expat sees them."""
    if any(marker in data for marker in DECLARATIONS):
        raise XmlBodyError("the XML body declares a DTD or entities; refused (never expanded or fetched)")
    try:
        tree = xmltodict.parse(data, disable_entities=True, postprocessor=_local, force_list=(PAIR,))
    except (ExpatError, ValueError) as problem:
        if "entities" in str(problem):  # xmltodict refused an entity declaration the check above missed
            raise XmlBodyError("the XML body declares entities; refused (never expanded or fetched)") from None
        raise XmlBodyError(f"the XML body is not well-formed: {problem}") from None
    if not isinstance(tree, dict) or len(tree) != 1:
        raise XmlBodyError("the XML body has no single root element")
    [(root, content)] = tree.items()
    return root, content


def datacontract_shape(data: bytes, profile: Profile) -> Any:
    """The body in DataContract shape, types restored; None for a nil root."""
    root, content = parse(data)
    if root != "ErpSyncEngineStatus":
        raise XmlBodyError(f"the XML root element is {root!r}, expected 'ErpSyncEngineStatus'")
    return _typed("ErpSyncEngineStatus", content, profile)


MEMBERS = {"ErpSyncEngineStatus": ("IsRunning", "StatusMessage", "Interval", "TableRight", "FieldProperties"),
           "TableRight": ("Mask", "Reason"), "FieldRight": ("Mask", "Reason"),
           "Value": ("FieldRight", "FieldType", "FieldLength")}


def json_shape(data: bytes, profile: Profile) -> Any:
    """The body in the shape of the JSON body, for field-by-field comparison. Where the profile
    says XML leaves nulls out (xml_nil=omitted), a missing member is a null."""
    body = datacontract_shape(data, profile)
    if profile.xml_nil == "omitted":
        body = _fill_nulls("ErpSyncEngineStatus", body)
    return to_json_shape(body)


def _fill_nulls(name: str, value: Any) -> Any:
    if isinstance(value, list):
        return [{**pair, "Value": _fill_nulls("Value", pair.get("Value"))} for pair in value]
    if not isinstance(value, dict):
        return value
    filled = {k: _fill_nulls(k, v) for k, v in value.items()}
    return {member: None for member in MEMBERS.get(name, ())} | filled


def _is_nil(value: Any, profile: Profile) -> bool:
    if isinstance(value, dict) and str(value.get(XSI_NIL, "")).lower() == "true":
        return True
    return value is None and profile.xml_nil == "empty"


def _typed(name: str, value: Any, profile: Profile) -> Any:
    if _is_nil(value, profile):
        return None
    if isinstance(value, dict):
        value = {k: v for k, v in value.items() if not k.startswith("@")}
        if name == "FieldProperties":
            pairs = value.get(PAIR, [])
            return [{"Key": _text(p.get("Key")), "Value": _typed("Value", p.get("Value"), profile)}
                    for p in pairs if isinstance(p, dict)]
        if "#text" in value and len(value) == 1:
            value = value["#text"]
        else:
            return {k: _typed(k, v, profile) for k, v in value.items()}
    if value is None:
        return {} if name in OBJECTS else ([] if name == "FieldProperties" else "")
    if name in BOOLEANS and value in ("true", "false"):
        return value == "true"
    if name in INTEGERS and re.fullmatch(r"-?\d+", value):
        return int(value)
    return value


def _text(value: Any) -> Any:
    return value.get("#text") if isinstance(value, dict) else value


def to_json_shape(body: Any) -> Any:
    if not isinstance(body, dict):
        return body
    out = {}
    for key, value in body.items():
        if key == "FieldProperties" and isinstance(value, list):
            out[key] = {pair["Key"]: to_json_shape(pair["Value"]) for pair in value}
        elif key == "Mask" and isinstance(value, str):
            out[key] = ", ".join(value.split())
        else:
            out[key] = to_json_shape(value)
    return out


TIMESPAN = re.compile(r"^(?P<sign>-)?(?:(?P<days>\d+)\.)?(?P<h>\d{1,2}):(?P<m>\d{2}):(?P<s>\d{2}(?:\.\d{1,7})?)$")
DURATION = re.compile(r"^(?P<sign>-)?P(?:(?P<days>\d+)D)?(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$")


def interval_value(text: Any) -> timedelta | None:
    """A TimeSpan text or an xs:duration as a timedelta; None when it is neither."""
    if not isinstance(text, str):
        return None
    match = TIMESPAN.match(text) or DURATION.match(text)
    if not match or text in ("P", "-P", "PT"):
        return None
    parts = {k: float(v) for k, v in match.groupdict().items() if v and k != "sign"}
    value = timedelta(days=parts.get("days", 0), hours=parts.get("h", 0), minutes=parts.get("m", 0),
                      seconds=parts.get("s", 0))
    return -value if match["sign"] else value


def same_interval(a: Any, b: Any) -> bool:
    """Equal as durations when both read as one, else equal as text."""
    left, right = interval_value(a), interval_value(b)
    return left == right if left is not None and right is not None else a == b
