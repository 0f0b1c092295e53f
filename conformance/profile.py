"""The open points of the contract, each a per-target setting with a documented default.

CONTRACT-NOTES ends with a table of what no vendor document settles. Each row is a field here;
the reference server is configured with a Profile and a target file declares one. The defaults
are the reference server's defaults from that table.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any, Mapping


@dataclass(frozen=True)
class Setting:
    key: str
    choices: tuple[str, ...]
    default: str
    question: str


SETTINGS: tuple[Setting, ...] = (
    Setting("select_case", ("insensitive", "exact"), "insensitive",
            "How $select names are matched against property names."),
    Setting("select_value_types", ("null", "default", "omitted"), "null",
            "What a value-type property that was not selected becomes (IsRunning, Interval; "
            "under a nested path also Mask and FieldLength): null, its type's default "
            "(false, 00:00:00, None, 0) or left out of the body."),
    Setting("select_unknown", ("ignore", "reject"), "ignore",
            "An unknown name in $select is ignored, or the request is rejected with 400."),
    Setting("select_nested", ("sub-property", "parent", "ignored"), "sub-property",
            "A nested path such as TableRight/Mask keeps that sub-property only, keeps the whole "
            "parent, or is ignored like an unknown name."),
    Setting("select_only_unknown", ("null-all", "as-no-select"), "null-all",
            "A $select naming only unknown properties nulls every property, or is treated as "
            "if no $select had been given."),
    Setting("interval_format", ("timespan", "iso8601", "any"), "timespan",
            "The JSON text of Interval: .NET TimeSpan '[d.]hh:mm:ss', ISO 8601 duration, or any string."),
    Setting("unsupported_accept", ("406", "json"), "406",
            "A request accepting only unsupported media types gets 406, or JSON."),
    Setting("refusal", ("status", "null-body"), "status",
            "Refused access (bad credentials, restricted app) is answered 401/403, or 200 with a "
            "null body as agent endpoints may do."),
    Setting("www_authenticate", ("required", "optional"), "required",
            "Whether a 401 must carry WWW-Authenticate."),
    Setting("unknown_locale", ("ignore", "reject"), "ignore",
            "An unknown language, culture or time zone is ignored, or rejected with 400."),
    Setting("xml_nil", ("nil-attribute", "empty", "omitted"), "nil-attribute",
            "How XML responses carry a null: i:nil=\"true\", an empty element, or no element."),
)

SETTINGS_BY_KEY: dict[str, Setting] = {s.key: s for s in SETTINGS}


class ProfileError(ValueError):
    """A profile value that is not one of the documented choices, or an unknown key."""


@dataclass(frozen=True)
class Profile:
    select_case: str = "insensitive"
    select_value_types: str = "null"
    select_unknown: str = "ignore"
    select_nested: str = "sub-property"
    select_only_unknown: str = "null-all"
    interval_format: str = "timespan"
    unsupported_accept: str = "406"
    refusal: str = "status"
    www_authenticate: str = "required"
    unknown_locale: str = "ignore"
    xml_nil: str = "nil-attribute"

    def __post_init__(self) -> None:
        for f in fields(self):
            setting = SETTINGS_BY_KEY[f.name]
            value = getattr(self, f.name)
            if value not in setting.choices:
                raise ProfileError(
                    f"profile.{f.name}: expected one of {', '.join(setting.choices)}, got {value!r}"
                )

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> "Profile":
        unknown = sorted(set(data) - set(SETTINGS_BY_KEY))
        if unknown:
            raise ProfileError(
                f"profile.{unknown[0]}: unknown setting; expected one of {', '.join(SETTINGS_BY_KEY)}"
            )
        return cls(**{k: str(v) for k, v in data.items()})

    def with_(self, **changes: str) -> "Profile":
        return replace(self, **changes)

    def as_dict(self) -> dict[str, str]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def flipped_profiles() -> list[Profile]:
    """One profile per non-default choice of each setting: what a 'no false alarms' run sweeps."""
    out = []
    for setting in SETTINGS:
        for choice in setting.choices:
            if choice != setting.default:
                out.append(Profile().with_(**{setting.key: choice}))
    return out
