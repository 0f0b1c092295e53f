"""`$select` as the reference page and the profile define it.

"Optional comma separated list of properties to include in the result. Other fields are then
nulled out to reduce payload size ... Default = show all fields." Names are trimmed, empty items
and duplicates dropped. A nested path `TableRight/Mask` or `TableRight/Reason` follows
profile.select_nested; any other path (into the FieldProperties dictionary, whose keys are data,
not properties, or into a property with no such part) follows that property's
select_path_fallback setting (profile.PATH_FALLBACK): an unknown name, or the whole property kept. A clause of separators only is no $select, or (option
separators_only=unknown) a clause of names no installation has.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from conformance.contract.choices import PATH_FALLBACK, Profile
from conformance.contract.endpoint import PROPERTIES, RIGHT_PARTS, VALUE_TYPE_PROPERTIES
from conformance.reference.rendering import JSON_OMITTED
from conformance.reference.variants import Options

OMIT = object()
"""Marker for a property left out of the body in every format (the select-drops-fields fault)."""

NESTED = {"TableRight": RIGHT_PARTS}
VALUE_TYPE_DEFAULTS: dict[str, Any] = {"IsRunning": False, "Interval": timedelta(0), "Mask": ()}


class SelectRejected(ValueError):
    """A $select the server refuses with 400."""


class SelectCrash(RuntimeError):
    """A $select that a faulty server answers with 500."""


@dataclass(frozen=True)
class Selection:
    everything: bool
    whole: frozenset[str] = frozenset()
    parts: dict[str, frozenset[str]] = field(default_factory=dict)
    unknown: tuple[str, ...] = ()


ALL = Selection(everything=True)


def parse(raw: str | None, profile: Profile, faults: frozenset[str], options: Options = Options()) -> Selection:
    if raw is None:
        return ALL
    items = [item.strip() for item in raw.split(",")]
    if "select-space-after-comma" in faults:
        items = [item if i == 0 else item.rstrip() for i, item in enumerate(raw.split(","))]  # ", x" kept as " x"
    names = [n for n in items if n]
    if not names and raw.strip() and options.separators_only == "unknown":
        names = [""]  # separators only: read as a name no installation has
    if not names:
        return Selection(everything=False) if "select-empty-nulls-all" in faults and raw == "" else ALL
    if "select-spaces-rejected" in faults:
        raw_items = [i for i in raw.split(",") if i.strip()]
        if any(i != i.strip() for i in raw_items) or len({n.lower() for n in names}) < len(names):
            raise SelectRejected("$select items must not contain spaces or repeat")
    exact = profile.select_case == "exact" or "select-case-sensitive" in faults
    nested_mode = "ignored" if "select-nested-ignored" in faults else profile.select_nested
    whole: set[str] = set()
    parts: dict[str, set[str]] = {}
    unknown: list[str] = []
    toggled = {n for n in names if names.count(n) % 2 == 0} if "select-duplicate-toggles" in faults else set()
    for name in dict.fromkeys(names):
        if name in toggled:
            continue  # named twice: selected, then unselected again
        path = [p if "select-space-after-comma" in faults else p.strip() for p in name.split("/")]
        top = _match(path[0], PROPERTIES, exact) or _loose(path[0], faults)
        if top is not None and len(path) == 1:
            whole.add(top)
            continue
        sub = (
            _match(path[1], NESTED.get(top, ()), exact or "select-nested-case-sensitive" in faults)
            if top and len(path) == 2
            else None
        )
        if top is not None and sub is None and getattr(profile, PATH_FALLBACK[top]) == "parent":
            whole.add(top)  # a path into what has no such part keeps the whole property
        elif sub is None or nested_mode == "ignored":
            unknown.append(name)
        elif nested_mode == "parent":
            whole.add(top)
        else:
            parts.setdefault(top, set()).add(sub)
    if unknown:
        if "select-unknown-500" in faults:  # crashes where it would reject or ignore the name
            raise SelectCrash(f"NullReferenceException resolving {unknown[0]!r}")
        if "select-only-unknown-500" in faults and not whole and not parts:
            raise SelectCrash("Sequence contains no elements")
        if profile.select_unknown == "reject":
            raise SelectRejected(f"unknown $select name(s): {', '.join(unknown)}")
        if not whole and not parts and profile.select_only_unknown == "as-no-select":
            return ALL
    return Selection(False, frozenset(whole), {k: frozenset(v) for k, v in parts.items()}, tuple(unknown))


def _loose(name: str, faults: frozenset[str]) -> str | None:
    """How a faulty matcher takes a name for a property it is not: a prefix, or a plural."""
    for candidate in PROPERTIES:
        if "select-prefix-matches" in faults and len(name) >= 3 and candidate.lower().startswith(name.lower()):
            return candidate
        if "select-plural-matches" in faults and name.lower() == candidate.lower() + "s":
            return candidate
    return None


def _match(name: str, candidates: tuple[str, ...], exact: bool) -> str | None:
    for candidate in candidates:
        if name == candidate or (not exact and name.lower() == candidate.lower()):
            return candidate
    return None


def apply(body: dict[str, Any], selection: Selection, profile: Profile, faults: frozenset[str]) -> dict[str, Any]:
    """The body with every property the selection does not keep nulled (or as the profile says)."""
    if selection.everything or "select-ignored" in faults:
        return body
    drop = "select-drops-fields" in faults
    out: dict[str, Any] = {}
    for name, value in body.items():
        if name in selection.whole:
            kept = _stale(name, value) if "select-stale-values" in faults else value
        elif name in selection.parts and isinstance(value, dict):
            kept = _without_omitted(
                {
                    part: v if part in selection.parts[name] else (OMIT if drop else _unselected(part, profile))
                    for part, v in value.items()
                }
            )
        else:
            kept = OMIT if drop else _unselected(name, profile)
        if kept is not OMIT:
            out[name] = kept
    return out


def _without_omitted(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not OMIT}


def _unselected(name: str, profile: Profile) -> Any:
    if name not in VALUE_TYPE_PROPERTIES and name != "Mask":
        return JSON_OMITTED if profile.select_reference_types == "omitted" else None
    if profile.select_value_types == "default":
        return VALUE_TYPE_DEFAULTS[name]
    if profile.select_value_types == "omitted":
        return JSON_OMITTED
    return None


def _stale(name: str, value: Any) -> Any:
    return {"StatusMessage": "", "FieldProperties": {}}.get(name, value)
