"""The open points of the contract, each a per-target setting: pinned by the target, or `auto`.

CONTRACT-NOTES ends with a table of what no vendor document settles. Each row is a Setting here.
A target file may pin a setting to one of its choices; a setting it leaves out is `auto`: the run
decides the server's choice from the first decisive exchanges (conformance.run.discovery) and holds
every later exchange to it. A setting no exchange could decide stays `auto`, and the oracle then
admits every one of its choices. The reference server always runs with every setting pinned; its
defaults (`Profile.reference()`) are the table's last column.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any, Mapping

from conformance.errors import ConfigurationError

AUTO = "auto"


@dataclass(frozen=True)
class Setting:
    key: str
    choices: tuple[str, ...]
    default: str
    """The reference server's choice."""
    question: str
    decided_by: str
    """What the run sends to decide it when the target leaves it `auto`."""


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "select_case",
        ("insensitive", "exact"),
        "insensitive",
        "How $select names are matched against property names.",
        "$select naming one property in lower case beside another in its own case",
    ),
    Setting(
        "select_value_types",
        ("null", "default", "omitted"),
        "null",
        "What a value-type property that was not selected becomes (IsRunning, Interval; under a "
        "nested path also Mask): null, its type's default (false, 00:00:00, None) or left out.",
        "$select naming one reference-type property: how IsRunning and Interval come back",
    ),
    Setting(
        "select_reference_types",
        ("null", "omitted"),
        "null",
        "What a reference-type property that was not selected becomes (StatusMessage, TableRight, "
        "FieldProperties; under a nested path also Reason): null, or left out of the body (a "
        "serializer that omits nulls).",
        "$select naming IsRunning: how StatusMessage, TableRight and FieldProperties come back",
    ),
    Setting(
        "select_unknown",
        ("ignore", "reject"),
        "ignore",
        "An unknown name in $select is ignored, or the request is rejected with 400.",
        "$select naming one property and one name no installation has",
    ),
    Setting(
        "select_nested",
        ("sub-property", "parent", "ignored"),
        "sub-property",
        "A nested path such as TableRight/Mask keeps that sub-property only, keeps the whole "
        "parent, or is ignored like an unknown name.",
        "$select naming StatusMessage and TableRight/Mask (decided only when TableRight has a Reason)",
    ),
    Setting(
        "select_only_unknown",
        ("null-all", "as-no-select"),
        "null-all",
        "A $select naming only unknown properties nulls every property, or is treated as if no $select had been given.",
        "$select naming only a name no installation has",
    ),
    Setting(
        "select_path_fallback",
        ("unknown", "parent"),
        "unknown",
        "A path into the FieldProperties dictionary (FieldProperties/x: its keys are data, not "
        "properties) is an unknown name, or keeps the whole dictionary.",
        "$select naming StatusMessage and paths into the properties with no such part",
    ),
    Setting(
        "select_path_fallback_table_right",
        ("unknown", "parent"),
        "unknown",
        "A path into TableRight naming no documented part (TableRight/x) is an unknown name, or keeps "
        "the whole TableRight.",
        "the same $select: how TableRight comes back",
    ),
    Setting(
        "select_path_fallback_is_running",
        ("unknown", "parent"),
        "unknown",
        "A path into IsRunning (IsRunning/x, a value with no parts) is an unknown name, or keeps IsRunning.",
        "$select naming IsRunning/x among the paths",
    ),
    Setting(
        "select_path_fallback_status_message",
        ("unknown", "parent"),
        "unknown",
        "A path into StatusMessage (StatusMessage/x) is an unknown name, or keeps StatusMessage.",
        "$select naming IsRunning and StatusMessage/x",
    ),
    Setting(
        "select_path_fallback_interval",
        ("unknown", "parent"),
        "unknown",
        "A path into Interval (Interval/x) is an unknown name, or keeps Interval.",
        "$select naming Interval/x among the paths",
    ),
    Setting(
        "interval_format",
        ("timespan", "iso8601", "any"),
        "timespan",
        "The JSON text of Interval: .NET TimeSpan '[d.]hh:mm:ss', ISO 8601 duration, or any string. "
        "Inferred as timespan or iso8601 only: free text is no documented choice.",
        "the Interval of the unfiltered body",
    ),
    Setting(
        "unsupported_accept",
        ("406", "json", "any"),
        "406",
        "A request accepting only unsupported media types gets 406, JSON (ASP.NET Web API's default "
        "negotiator, fact 15), or either or another type such as an HTML page.",
        "Accept: text/csv and Accept: text/html",
    ),
    Setting(
        "refusal",
        ("status", "null-body"),
        "status",
        "Refused access (bad credentials, restricted app) is answered 401/403, or 200 with a null body "
        "as agent endpoints may do (fact 11).",
        "a wrong credential of the first declared scheme",
    ),
    Setting(
        "www_authenticate",
        ("required", "optional"),
        "required",
        "Whether a 401 must carry WWW-Authenticate (RFC 9110 section 15.5.2). An omission is AUTH-10's "
        "finding (SHOULD) whether the run pins `required` or infers the choice; only a target that pins "
        "`optional` accepts it.",
        "the same refused request's headers",
    ),
    Setting(
        "unknown_accept_language",
        ("ignore", "reject", "406"),
        "ignore",
        "An Accept-Language no installation knows is ignored, rejected with 400, or answered 406 (RFC 9110 "
        "12.5.1: a server may answer 406 when Accept-Language cannot be satisfied, or disregard it).",
        "Accept-Language: zz",
    ),
    Setting(
        "unknown_so_language",
        ("ignore", "reject"),
        "ignore",
        "An SO-Language no installation knows is ignored, or rejected with 400.",
        "SO-Language: x-klingon",
    ),
    Setting(
        "unknown_culture",
        ("ignore", "reject"),
        "ignore",
        "An SO-Culture no installation knows (with a language set) is ignored, or rejected with 400.",
        "SO-Language: en with SO-Culture: xx-YY",
    ),
    Setting(
        "unknown_timezone",
        ("ignore", "reject"),
        "ignore",
        "An SO-TimeZone no installation knows is ignored, or rejected with 400; an undocumented "
        "spelling of a known zone (no space before includeTZOffset, lower case) is treated like it "
        "or accepted.",
        "SO-TimeZone: Mars/Olympus_Mons",
    ),
    Setting(
        "xml_nil",
        ("nil-attribute", "empty", "omitted"),
        "nil-attribute",
        'How XML responses carry a null: i:nil="true", an empty element, or no element.',
        "Accept: application/xml with $select=IsRunning: how StatusMessage comes back",
    ),
    Setting(
        "principals",
        ("same", "different"),
        "same",
        "Whether the target's auth schemes act as one principal (the same TableRight and "
        "FieldProperties through each), or as different users (fact 17: only IsRunning, "
        "StatusMessage and Interval are the engine's own).",
        "the unfiltered body through each declared scheme",
    ),
    Setting(
        "app_tokens",
        ("checked", "unchecked"),
        "checked",
        "Whether the server checks SO-AppToken: Online refuses an app without ErpSync access; "
        "on-site installations do not check application tokens (fact 18).",
        "the target's restricted app token",
    ),
)

SETTINGS_BY_KEY: dict[str, Setting] = {s.key: s for s in SETTINGS}
PATH_FALLBACK: dict[str, str] = {
    "FieldProperties": "select_path_fallback",
    "TableRight": "select_path_fallback_table_right",
    "IsRunning": "select_path_fallback_is_running",
    "StatusMessage": "select_path_fallback_status_message",
    "Interval": "select_path_fallback_interval",
}
"""The situations of one open point: a path into each property is decided on its own (CONTRACT-NOTES,
"Open points": a choice seen for FieldProperties/x says nothing of TableRight/x or IsRunning/x)."""
ALIASES: dict[str, tuple[str, ...]] = {
    "unknown_locale": ("unknown_accept_language", "unknown_so_language", "unknown_culture", "unknown_timezone"),
    "select_paths": tuple(PATH_FALLBACK.values()),
}
"""Keys a target file may use that stand for several settings (one value for each)."""


class ProfileError(ConfigurationError):
    """A profile value that is not one of the documented choices, or an unknown key."""


@dataclass(frozen=True)
class Profile:
    select_case: str = AUTO
    select_value_types: str = AUTO
    select_reference_types: str = AUTO
    select_unknown: str = AUTO
    select_nested: str = AUTO
    select_only_unknown: str = AUTO
    select_path_fallback: str = AUTO
    select_path_fallback_table_right: str = AUTO
    select_path_fallback_is_running: str = AUTO
    select_path_fallback_status_message: str = AUTO
    select_path_fallback_interval: str = AUTO
    interval_format: str = AUTO
    unsupported_accept: str = AUTO
    refusal: str = AUTO
    www_authenticate: str = AUTO
    unknown_accept_language: str = AUTO
    unknown_so_language: str = AUTO
    unknown_culture: str = AUTO
    unknown_timezone: str = AUTO
    xml_nil: str = AUTO
    principals: str = AUTO
    app_tokens: str = AUTO

    def __post_init__(self) -> None:
        for f in fields(self):
            setting = SETTINGS_BY_KEY[f.name]
            value = getattr(self, f.name)
            if value != AUTO and value not in setting.choices:
                raise ProfileError(
                    f"choices.{f.name}: expected one of {', '.join(setting.choices)} or auto, got {value!r}"
                )

    @classmethod
    def reference(cls) -> "Profile":
        """Every setting at the reference server's default choice."""
        return cls(**{s.key: s.default for s in SETTINGS})

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> "Profile":
        values: dict[str, str] = {}
        for key, value in data.items():
            if key in ALIASES:
                values.update({k: str(value) for k in ALIASES[key] if k not in data})
            elif key in SETTINGS_BY_KEY:
                values[key] = str(value)
            else:
                raise ProfileError(
                    f"choices.{key}: unknown setting; expected one of {', '.join([*SETTINGS_BY_KEY, *ALIASES])}"
                )
        return cls(**values)

    def with_(self, **changes: str) -> "Profile":
        return replace(self, **changes)

    def as_dict(self) -> dict[str, str]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def choices(self, key: str) -> tuple[str, ...]:
        """The choices the oracle admits for a setting: the pinned or decided one, else all."""
        value = getattr(self, key)
        return SETTINGS_BY_KEY[key].choices if value == AUTO else (value,)

    def undecided(self) -> list[str]:
        return [f.name for f in fields(self) if getattr(self, f.name) == AUTO]

    @property
    def concrete(self) -> bool:
        return not self.undecided()


def key_values(items: list[str], flag: str) -> dict[str, str]:
    """KEY=VALUE command-line values (--reference-choice, --reference-option, ...) as a mapping."""
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep:
            raise ProfileError(f"{flag} {item!r}: expected KEY=VALUE")
        out[key.strip()] = value.strip()
    return out


def flipped_profiles() -> list[Profile]:
    """One profile per non-default choice of each setting: what a 'no false alarms' run sweeps."""
    out = []
    for setting in SETTINGS:
        for choice in setting.choices:
            if choice != setting.default:
                out.append(Profile.reference().with_(**{setting.key: choice}))
    return out
