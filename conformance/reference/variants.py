"""Ways a conformant server may differ from the reference server that are no open point of the
contract: serialisation (how XML writes flags and dictionaries, how JSON writes flags), data (what
the engine reports), and undocumented corners the suite must accept either way. The suite must
pass each of them, pinned or not (tests/test_no_false_alarms.py); none is a fault.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any, Mapping

from conformance.errors import ConfigurationError


@dataclass(frozen=True)
class Variant:
    key: str
    choices: tuple[str, ...]
    doc: str


VARIANTS: tuple[Variant, ...] = (
    Variant(
        "xml_flags",
        ("spaces", "commas", "numbers"),
        "XML Masks: space-separated names as the DataContract serializer writes them (fact 16), the JSON "
        "text ('RI, RestrictedUpdate'), or the flags' integer value.",
    ),
    Variant(
        "xml_dictionary",
        ("pairs", "datacontract"),
        "FieldProperties in XML: FieldPropertyDictionaryKeyValuePair elements (the WSDL's), or DataContract's "
        "KeyValueOfstringFieldPropertyXXXX entries in the Arrays namespace (fact 16).",
    ),
    Variant(
        "xml_root",
        ("ErpSyncEngineStatus", "GetEngineStatusResult"),
        "The XML root element's name (undocumented, fact 12).",
    ),
    Variant(
        "json_flags",
        ("names", "expanded", "numbers"),
        "JSON Masks: names and aliases as stored ('RI, RestrictedUpdate'), aliases written out ('Select, "
        "Insert, RestrictedUpdate'), or the integer value ('37').",
    ),
    Variant(
        "live_message",
        ("off", "on"),
        "StatusMessage changes on every read (it carries a moving count), as a live engine's may.",
    ),
    Variant(
        "data",
        ("default", "sparse", "client-sample"),
        "What the engine reports: the reference data; TableRight null and FieldProperties {} (fact 14); or "
        "the values real WebAPI responses show (fact 14: FULL, Update, 'Update, UIHintMandatory', an empty "
        "Reason, FieldLength -1).",
    ),
    Variant(
        "installation",
        ("onsite", "online"),
        "On-site (every scheme), or Online: no Basic authentication, and a Basic credential is refused "
        "with 400 as a scheme the installation does not offer (fact 18).",
    ),
    Variant(
        "zone_spacing",
        ("lenient", "strict"),
        "An SO-TimeZone without the documented space before includeTZOffset ('261,includeTZOffset') is "
        "accepted, or treated as an unknown zone.",
    ),
    Variant(
        "separators_only",
        ("everything", "unknown"),
        "A $select of separators only (',,') reads as no $select, or as names no installation has.",
    ),
    Variant(
        "json_nulls",
        ("written", "omitted"),
        "JSON null members written, or left out by a serializer that omits nulls (fact 24; the WSDL gives "
        "every member minOccurs=0). The same choice as select_reference_types=omitted under $select.",
    ),
    Variant(
        "json_layout",
        ("compact", "spaced", "indented"),
        "JSON whitespace: none, a space after ',' and ':', or indented over lines (RFC 8259: insignificant).",
    ),
    Variant(
        "json_escapes",
        ("raw", "ascii"),
        "Non-ASCII characters in JSON strings as UTF-8, or as \\u escapes (RFC 8259 section 7).",
    ),
    Variant(
        "key_order",
        ("declared", "sorted", "reversed"),
        "The order of members in JSON objects (RFC 8259: unordered) and of the elements of XML objects.",
    ),
    Variant(
        "xml_prefixes",
        ("default", "prefixed"),
        "The XML carrier's namespace as the default namespace, or bound to a prefix on every element.",
    ),
    Variant(
        "xml_layout",
        ("compact", "indented"),
        "XML elements on one line, or indented over lines (whitespace between elements is not data).",
    ),
    Variant("framing", ("sized", "chunked"), "Bodies with Content-Length, or chunked (RFC 9112 section 7.1)."),
    Variant(
        "connection",
        ("keep-alive", "close"),
        "Connections kept open between requests, or `Connection: close` on every answer.",
    ),
    Variant(
        "header_case",
        ("canonical", "lower"),
        "Response header names as usually written, or in lower case (RFC 9110 5.1: case-insensitive).",
    ),
    Variant(
        "front_end",
        ("none", "proxy"),
        "Answers straight from the application, or through a front end that adds its own headers (Server, "
        "Via, X-Powered-By, a load balancer's affinity cookie, caching and security headers).",
    ),
    Variant(
        "content_coding",
        ("identity", "gzip", "br"),
        "Bodies never compressed, or compressed with gzip (else deflate), or with br (else gzip, else deflate), "
        "when the request's Accept-Encoding accepts it, with Vary: Accept-Encoding (RFC 9110 8.4, 12.5.3).",
    ),
    Variant(
        "message_layout",
        ("plain", "multiline"),
        "StatusMessage on one line, or long over several lines (CR LF, U+2028) with trailing whitespace.",
    ),
)
VARIANTS_BY_KEY = {v.key: v for v in VARIANTS}
GENERATED = (
    "json_nulls",
    "json_layout",
    "json_escapes",
    "key_order",
    "xml_prefixes",
    "xml_layout",
    "framing",
    "connection",
    "header_case",
    "front_end",
    "message_layout",
)
"""Variants the one-at-a-time no-false-alarm sweep leaves to the generator's seeds (json_nulls goes with
a choice on an open point, which ServerConfig checks; tests/test_sweep.py holds its small
sweep to draw every choice of each); the others are also swept one at a time."""


@dataclass(frozen=True)
class Options:
    xml_flags: str = "spaces"
    xml_dictionary: str = "pairs"
    xml_root: str = "ErpSyncEngineStatus"
    json_flags: str = "names"
    live_message: str = "off"
    data: str = "default"
    installation: str = "onsite"
    zone_spacing: str = "lenient"
    separators_only: str = "everything"
    json_nulls: str = "written"
    json_layout: str = "compact"
    json_escapes: str = "raw"
    key_order: str = "declared"
    xml_prefixes: str = "default"
    xml_layout: str = "compact"
    framing: str = "sized"
    connection: str = "keep-alive"
    header_case: str = "canonical"
    front_end: str = "none"
    message_layout: str = "plain"
    content_coding: str = "identity"

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if value not in VARIANTS_BY_KEY[f.name].choices:
                raise ConfigurationError(
                    f"option {f.name}: expected one of {', '.join(VARIANTS_BY_KEY[f.name].choices)}, got {value!r}"
                )

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> "Options":
        unknown = sorted(set(data) - set(VARIANTS_BY_KEY))
        if unknown:
            raise ConfigurationError(f"option {unknown[0]}: unknown; expected one of {', '.join(VARIANTS_BY_KEY)}")
        return cls(**{k: str(v) for k, v in data.items()})

    def with_(self, **changes: str) -> "Options":
        return replace(self, **changes)


def varied_options() -> list[Options]:
    """One Options per non-default choice of each variant: what the no-false-alarm sweep runs."""
    out = []
    for variant in VARIANTS:
        if variant.key in GENERATED:
            continue
        default = getattr(Options(), variant.key)
        out += [Options().with_(**{variant.key: c}) for c in variant.choices if c != default]
    return out
