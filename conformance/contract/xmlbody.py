"""XML bodies: parsed with xmltodict (expat, entities off, DTDs refused), then read into the JSON
shape so that XML and JSON bodies can be compared field by field.

How the WebAPI's XML formatter renders the carrier is not documented (CONTRACT-NOTES facts 12
and 16), so the reading is tolerant where the difference is only serialisation: any root element
name; namespaces ignored; the FieldProperties dictionary as any entry elements that have `Key`
and `Value` children (DataContract's `KeyValueOfstring...` in the Arrays namespace, or another
name); booleans as xs:boolean (true/false/1/0); FieldLength as an integer. Mask texts are kept as
written: they are compared as flag sets (conformance.contract.flags), never as text. Interval keeps its
text: comparing it across formats is `same_interval`'s business. A null is read as the profile's
xml_nil admits: i:nil="true" always, an empty element and a missing member where those choices
are admitted.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from xml.parsers import expat as pyexpat
from xml.parsers.expat import ExpatError, XMLParserType

import xmltodict

from conformance.contract.choices import Profile

XSI_NIL = "@nil"
BOOLEANS = {"IsRunning"}
INTEGERS = {"FieldLength"}
OBJECTS = {"TableRight", "FieldRight", "Value", "FieldProperties"}
MEMBERS = {
    "": ("IsRunning", "StatusMessage", "Interval", "TableRight", "FieldProperties"),
    "TableRight": ("Mask", "Reason"),
    "FieldRight": ("Mask", "Reason"),
    "Value": ("FieldRight", "FieldType", "FieldLength"),
}
MAX_DEPTH = 64
"""Elements nested deeper than this are refused: the carrier is four levels deep, and a hostile
body nested 200 000 deep would otherwise cost recursion and memory to read."""


class XmlBodyError(ValueError):
    """An XML body the suite refuses to read (not well-formed, a DTD, entities, nested too deep)
    or cannot shape."""


def _local(path: list[tuple[str, Any]], key: str, value: Any) -> tuple[str, Any] | None:
    """xmltodict postprocessor: drop namespace prefixes and xmlns declarations."""
    if key.startswith("@xmlns"):
        return None
    prefix = "@" if key.startswith("@") else ""
    return prefix + key.lstrip("@").rsplit(":", 1)[-1], value


# In each encoding expat reads: a UTF-16 document declares its DTD in UTF-16 bytes.
DECLARATIONS = tuple(
    marker.encode(encoding) for marker in ("<!DOCTYPE", "<!ENTITY") for encoding in ("utf-8", "utf-16-le", "utf-16-be")
)


class _TooDeep(Exception):
    pass


class _DepthLimitedExpat:
    """The expat module as xmltodict's `expat=` parameter wants it (as for defusedexpat), whose
    parsers count element depth: a document nested 200 000 deep is stopped at MAX_DEPTH as expat
    reads it, before xmltodict has built more than MAX_DEPTH levels of it."""

    ExpatError = ExpatError

    def ParserCreate(self, *args: Any, **kwargs: Any) -> _DepthLimitedParser:  # noqa: N802 (expat's name)
        return _DepthLimitedParser(pyexpat.ParserCreate(*args, **kwargs))


class _DepthLimitedParser:
    def __init__(self, parser: XMLParserType) -> None:
        object.__setattr__(self, "_parser", parser)
        object.__setattr__(self, "_depth", 0)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._parser, name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "StartElementHandler":

            def start(*args: Any, _inner: Any = value) -> Any:
                object.__setattr__(self, "_depth", self._depth + 1)
                if self._depth > MAX_DEPTH:
                    raise _TooDeep()
                return _inner(*args)

            value = start
        elif name == "EndElementHandler":

            def end(*args: Any, _inner: Any = value) -> Any:
                object.__setattr__(self, "_depth", self._depth - 1)
                return _inner(*args)

            value = end
        setattr(self._parser, name, value)


_EXPAT = _DepthLimitedExpat()


def parse(data: bytes) -> tuple[str, Any]:
    """(root element name, tree) of a document; refuses DTDs and entities before expat sees them,
    and documents nested deeper than MAX_DEPTH as expat reads them (in bounded memory)."""
    if any(marker in data for marker in DECLARATIONS):
        raise XmlBodyError("the XML body declares a DTD or entities; refused (never expanded or fetched)")
    try:
        # Text as written: XML passes every character to the application (XML 1.0 section 2.10), so a
        # Reason ending in a blank or a line break is that Reason (xmltodict trims by default).
        tree = xmltodict.parse(data, expat=_EXPAT, disable_entities=True, postprocessor=_local, strip_whitespace=False)
    except _TooDeep:
        raise XmlBodyError(
            f"the XML body nests elements deeper than {MAX_DEPTH} levels; refused unread "
            "(the carrier is four levels deep)"
        ) from None
    except (ExpatError, ValueError) as problem:
        if "entities" in str(problem):  # xmltodict refused an entity declaration the check above missed
            raise XmlBodyError("the XML body declares entities; refused (never expanded or fetched)") from None
        raise XmlBodyError(f"the XML body is not well-formed: {problem}") from None
    if not isinstance(tree, dict) or len(tree) != 1:
        raise XmlBodyError("the XML body has no single root element")
    [(root, content)] = tree.items()
    return root, content


def element_at(root: Any, path: tuple[str, ...]) -> Any:
    """The raw element (xmltodict's value) at a path of JSON names: FieldProperties keys are found
    as the entry with that Key, whatever the entry elements are called. "absent" where there is none."""
    current = root
    for i, name in enumerate(path):
        if not isinstance(current, dict):
            return "absent"
        if i > 0 and path[i - 1] == "FieldProperties":
            entries = [
                e
                for value in current.values()
                if not isinstance(value, str)
                for e in (value if isinstance(value, list) else [value])
            ]
            match = [e for e in entries if isinstance(e, dict) and _key_text(e.get("Key")) == name]
            current = match[0].get("Value", "absent") if match else "absent"
        else:
            current = current.get(name, "absent")
    return current


def _key_text(key: Any) -> Any:
    return key.get("#text", "") if isinstance(key, dict) else (key or "")


def json_shape(data: bytes, profile: Profile) -> Any:
    """The body in the shape of the JSON body, for field-by-field comparison; None for a nil root."""
    _, content = parse(data)
    return shaped("", content, profile)


def shaped(name: str, value: Any, profile: Profile) -> Any:
    nils = profile.choices("xml_nil")
    if isinstance(value, dict) and str(value.get(XSI_NIL, "")).strip().lower() == "true":
        return None
    if isinstance(value, str) and not value.strip() and (name in OBJECTS or name == ""):
        value = None  # an object element holding only the whitespace of indentation is an empty one
    elif (
        isinstance(value, dict)
        and isinstance(value.get("#text"), str)
        and not value["#text"].strip()
        and any(not k.startswith("@") and k != "#text" for k in value)
    ):
        value = {k: v for k, v in value.items() if k != "#text"}  # indentation between child elements
    if value is None and name == "":
        value = {}  # a root with no members: every member left out (or the carrier is empty)
    if value is None:  # an empty element
        if "empty" in nils:
            return None
        if name in OBJECTS and "omitted" in nils:
            return {m: None for m in MEMBERS.get(name, ())}  # an object whose every member is a null left out
        return {} if name in OBJECTS else ""
    if isinstance(value, list):
        raise XmlBodyError(f"the XML body repeats the element {name!r}")
    if isinstance(value, dict):
        members = {k: v for k, v in value.items() if not k.startswith("@")}
        if name == "FieldProperties":
            return _dictionary(members, profile)
        if "#text" in members and len(members) == 1:
            value = members["#text"]
            if name in OBJECTS and isinstance(value, str) and not value.strip():
                return shaped(name, None, profile)
        else:
            members.pop("#text", None)
            out = {k: shaped(k, v, profile) for k, v in members.items()}
            if "omitted" in nils:
                out = {m: None for m in MEMBERS.get(name, ())} | out
            return out
    return _typed(name, value)


def _dictionary(members: dict[str, Any], profile: Profile) -> dict[str, Any]:
    """A dictionary's entries, whatever the entry elements are called: each has Key and Value."""
    out: dict[str, Any] = {}
    for element, entries in members.items():
        for entry in entries if isinstance(entries, list) else [entries]:
            if not isinstance(entry, dict) or "Key" not in entry:
                raise XmlBodyError(f"a FieldProperties entry <{element}> has no Key child")
            key = entry["Key"]
            key = key.get("#text", "") if isinstance(key, dict) else (key or "")
            out[key] = shaped("Value", entry.get("Value"), profile) if "Value" in entry else None
    return out


def _typed(name: str, text: Any) -> Any:
    if not isinstance(text, str):
        return text
    if name in BOOLEANS and text.strip() in ("true", "false", "1", "0"):
        return text.strip() in ("true", "1")
    if name in INTEGERS and re.fullmatch(r"\s*-?\d+\s*", text):
        return int(text)
    return text


TIMESPAN = re.compile(r"^(?P<sign>-)?(?:(?P<days>\d+)\.)?(?P<h>\d{1,2}):(?P<m>\d{2}):(?P<s>\d{2}(?:\.\d{1,7})?)$")
DURATION = re.compile(
    r"^(?P<sign>-)?P(?:(?P<days>\d+)D)?(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)


def interval_value(text: Any) -> timedelta | None:
    """A TimeSpan text or an xs:duration as a timedelta; None when it is neither."""
    if not isinstance(text, str):
        return None
    match = TIMESPAN.match(text) or DURATION.match(text)
    if not match or text in ("P", "-P", "PT"):
        return None
    parts = {k: float(v) for k, v in match.groupdict().items() if v and k != "sign"}
    value = timedelta(
        days=parts.get("days", 0), hours=parts.get("h", 0), minutes=parts.get("m", 0), seconds=parts.get("s", 0)
    )
    return -value if match["sign"] else value


def interval_form(text: Any) -> str | None:
    """ "timespan" or "iso8601" for a text of that form, else None."""
    if not isinstance(text, str):
        return None
    if TIMESPAN.match(text):
        return "timespan"
    if DURATION.match(text) and text not in ("P", "-P", "PT"):
        return "iso8601"
    return None


def same_interval(a: Any, b: Any) -> bool:
    """Equal as durations when both read as one, else equal as text."""
    left, right = interval_value(a), interval_value(b)
    return left == right if left is not None and right is not None else a == b
