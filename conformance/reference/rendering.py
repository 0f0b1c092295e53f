"""The carrier as JSON text and as DataContract-style XML (CONTRACT-NOTES facts 4, 5 and 12).

JSON: flags as names joined by ", ", Interval per profile.interval_format. XML: what the .NET
DataContract serializer writes: elements named after the properties, base-class members first
and each group alphabetical, the Security types' members in their own namespace, the
FieldProperties dictionary as key/value pair elements, flags as space-separated lists, Interval
as xs:duration, and nulls as profile.xml_nil says.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import timedelta
from typing import Any

from conformance.contract import flags
from conformance.contract.choices import Profile
from conformance.reference.variants import Options

XSI = "http://www.w3.org/2001/XMLSchema-instance"
SERVICES = "http://schemas.datacontract.org/2004/07/SuperOffice.CRM.Services"
SECURITY = "http://schemas.datacontract.org/2004/07/SuperOffice.CRM.Security"
ET.register_namespace("i", XSI)
ET.register_namespace("a", SECURITY)
ET.register_namespace("b", "http://schemas.microsoft.com/2003/10/Serialization/Arrays")
ET.register_namespace("s", SERVICES)  # used only where option xml_prefixes=prefixed asks for prefixes

ROOT_ORDER = ("FieldProperties", "TableRight", "Interval", "IsRunning", "StatusMessage")
RIGHT_ORDER = ("Mask", "Reason")
FIELD_ORDER = ("FieldLength", "FieldRight", "FieldType")


def timespan_text(value: timedelta) -> str:
    """.NET TimeSpan's invariant text: [-][d.]hh:mm:ss[.fffffff]."""
    sign = "-" if value < timedelta(0) else ""
    total = abs(value)
    days, rest = divmod(total, timedelta(days=1))
    hours, rest = divmod(rest, timedelta(hours=1))
    minutes, rest = divmod(rest, timedelta(minutes=1))
    seconds, rest = divmod(rest, timedelta(seconds=1))
    ticks = rest // timedelta(microseconds=1) * 10
    text = f"{sign}{f'{days}.' if days else ''}{hours:02}:{minutes:02}:{seconds:02}"
    return text + (f".{ticks:07}" if ticks else "")


def duration_text(value: timedelta) -> str:
    """xs:duration, as the WSDL's ser:duration: [-]P[nD][T[nH][nM][n[.f]S]]."""
    sign = "-" if value < timedelta(0) else ""
    total = abs(value)
    days, rest = divmod(total, timedelta(days=1))
    hours, rest = divmod(rest, timedelta(hours=1))
    minutes, rest = divmod(rest, timedelta(minutes=1))
    seconds = rest.total_seconds()
    clock = "".join(f"{n}{unit}" for n, unit in ((hours, "H"), (minutes, "M")) if n)
    if seconds or not (days or clock):
        clock += f"{seconds:g}S"
    return f"{sign}P{f'{days}D' if days else ''}{'T' + clock if clock else ''}"


def interval_text(value: timedelta, profile: Profile) -> str:
    if profile.interval_format == "iso8601":
        return duration_text(value)
    if profile.interval_format == "any":
        return f"{value.total_seconds() / 60:g} min"
    return timespan_text(value)


def flags_text(names: tuple[str, ...], separator: str, style: str = "names", kind: str = "FieldRight") -> str:
    """A Mask: its names as stored, aliases written out as single flags ("expanded"), or its value."""
    if style == "names":
        return separator.join(names) if names else "None"
    value = 0
    unknown = tuple(n for n in names if n not in flags.ENUMS[kind])
    for name in names:
        value |= flags.ENUMS[kind].get(name, UNDOCUMENTED_BIT)  # a name the enum lacks: a bit it lacks
    if style == "numbers":
        return str(value)
    if style == "expanded":
        names = tuple(n for n in SINGLE_FLAGS[kind] if value & flags.ENUMS[kind][n]) + unknown
    return separator.join(names) if names else "None"


UNDOCUMENTED_BIT = 1 << 14
"""The value a Mask flag name outside the server's enum is written as in numeric form (a fault)."""


SINGLE_FLAGS = {
    "TableRight": ("Select", "Update", "Insert", "Delete", "Filtering", "RestrictedUpdate", "Unused1", "Uninitialized"),
    "FieldRight": (
        "Read",
        "Write",
        "Unused1",
        "Unused2",
        "Unused3",
        "Nullable",
        "UIHintMandatory",
        "UIHintReadOnly",
        "UndefinedValue256",
    ),
}
JSON_OMITTED = object()
"""A property $select nulled that the JSON serializer leaves out (profile select_*_types=omitted);
XML writes it as a null."""


# --- JSON -------------------------------------------------------------------------------------

JSON_LAYOUTS: dict[str, dict[str, Any]] = {
    "compact": {"separators": (",", ":")},
    "spaced": {"separators": (", ", ": ")},
    "indented": {"indent": 2},
}


def to_json(body: dict[str, Any] | None, profile: Profile, faults: frozenset[str], options: Options = Options()) -> str:
    return json.dumps(
        None if body is None else _json_value("", "", body, profile, faults, options),
        ensure_ascii=options.json_escapes == "ascii",
        **JSON_LAYOUTS[options.json_layout],
    )


def ordered(keys: list[str], order: str) -> list[str]:
    """Members in the serializer's order (option key_order): as declared, sorted, or reversed."""
    return sorted(keys) if order == "sorted" else keys[::-1] if order == "reversed" else keys


def _json_value(key: str, parent: str, value: Any, profile: Profile, faults: frozenset[str], options: Options) -> Any:
    if isinstance(value, dict):
        # A dictionary's entries are data: a serializer that omits null members keeps them (fact 24).
        omit_nulls = options.json_nulls == "omitted" and key != "FieldProperties"
        out = {
            k: _json_value(k, key, value[k], profile, faults, options)
            for k in ordered(list(value), options.key_order)
            if value[k] is not JSON_OMITTED and not (omit_nulls and value[k] is None)
        }
        if key == "" and "schema-missing-property" in faults:
            out.pop("Interval", None)
        return out
    if isinstance(value, bool):
        return ("true" if value else "false") if "schema-isrunning-string" in faults else value
    if isinstance(value, timedelta):
        return "every 15 minutes" if "schema-interval-text" in faults else interval_text(value, profile)
    if isinstance(value, tuple):
        return flags_text(value, ", ", options.json_flags, "TableRight" if parent == "TableRight" else "FieldRight")
    if isinstance(value, int) and key == "FieldLength" and "schema-fieldlength-string" in faults:
        return str(value)
    return value


# --- XML --------------------------------------------------------------------------------------

ARRAYS = "http://schemas.microsoft.com/2003/10/Serialization/Arrays"
XML_FLAGS = {"spaces": (" ", "names"), "commas": (", ", "names"), "numbers": (" ", "numbers")}


def to_xml(body: dict[str, Any] | None, profile: Profile, faults: frozenset[str], options: Options = Options()) -> str:
    root = ET.Element(f"{{{SERVICES}}}{options.xml_root}")
    if body is None:
        root.set(f"{{{XSI}}}nil", "true")
    else:
        if "xml-differs-from-json" in faults and isinstance(body.get("IsRunning"), bool):
            body = body | {"IsRunning": not body["IsRunning"]}
        _members(root, body, ROOT_ORDER, SERVICES, profile, faults, options)
    if options.xml_layout == "indented":
        ET.indent(root)
    prefixed = options.xml_prefixes == "prefixed"
    text = ET.tostring(root, encoding="unicode", **({} if prefixed else {"default_namespace": SERVICES}))
    # A CR in the data survives only as a character reference: a parser turns a raw CR LF into LF
    # (XML 1.0 section 2.11). ElementTree writes it raw; the data never holds markup's own CRs.
    text = text.replace("\r", "&#13;")
    if "xml-malformed" in faults:
        text = text.rstrip().rsplit("</", 1)[0]  # the root's end tag left off, whatever its prefix
    return '<?xml version="1.0" encoding="utf-8"?>' + text


def _members(
    parent: ET.Element,
    values: dict[str, Any],
    order: tuple[str, ...],
    ns: str,
    profile: Profile,
    faults: frozenset[str],
    options: Options,
    owner: str = "",
) -> None:
    extras = tuple(k for k in values if k not in order)
    for name in ordered(list(order + extras), options.key_order):
        if name in values:
            _element(parent, name, values[name], ns, profile, faults, options, owner)


def _element(
    parent: ET.Element,
    name: str,
    value: Any,
    ns: str,
    profile: Profile,
    faults: frozenset[str],
    options: Options,
    owner: str = "",
) -> None:
    if value is None or value is JSON_OMITTED:
        if "xml-nil-wrong" in faults:
            ET.SubElement(parent, f"{{{ns}}}{name}").text = "null"
        elif profile.xml_nil == "nil-attribute":
            ET.SubElement(parent, f"{{{ns}}}{name}", {f"{{{XSI}}}nil": "true"})
        elif profile.xml_nil == "empty":
            ET.SubElement(parent, f"{{{ns}}}{name}")
        return
    element = ET.SubElement(parent, f"{{{ns}}}{name}")
    if name == "FieldProperties":
        datacontract = options.xml_dictionary == "datacontract"
        entry_ns = ARRAYS if datacontract else SECURITY
        entry = "KeyValueOfstringFieldPropertyb2uS1zbB" if datacontract else "FieldPropertyDictionaryKeyValuePair"
        for key, prop in value.items():
            pair = ET.SubElement(element, f"{{{entry_ns}}}{entry}")
            ET.SubElement(pair, f"{{{entry_ns}}}Key").text = key
            if prop is None:
                _element(pair, "Value", None, entry_ns, profile, faults, options)
            else:
                value_element = ET.SubElement(pair, f"{{{entry_ns}}}Value")
                _members(value_element, prop, FIELD_ORDER, SECURITY, profile, faults, options)
    elif isinstance(value, dict):
        _members(element, value, RIGHT_ORDER, SECURITY, profile, faults, options, owner=name)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif isinstance(value, timedelta):
        element.text = duration_text(value)
    elif isinstance(value, tuple):
        separator, style = XML_FLAGS[options.xml_flags]
        element.text = flags_text(value, separator, style, "TableRight" if owner == "TableRight" else "FieldRight")
    else:
        element.text = str(value)
