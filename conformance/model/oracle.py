"""The model of a conformant server: from a request, the target's profile and a baseline response,
what the answer must be.

It predicts the status, the media types a response may have, which properties a `$select` keeps
or nulls, and which values must equal the baseline (same principal, no `$select`, same language
headers). It knows nothing of the server's data: every value it expects comes from the baseline.
It is written from the contract, independently of the reference server's code.

Where the profile leaves a setting `auto` (undecided), every choice of it is admitted: a
prediction is the set of readings a conformant server may take, and an answer conforms when it
matches one of them.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header, parse_options_header

from conformance.contract import flags
from conformance.contract.choices import PATH_FALLBACK, Profile
from conformance.contract.endpoint import JSON_TYPES, MEDIA_TYPES, PROPERTIES, RIGHT_PARTS, VALUE_TYPE_PROPERTIES
from conformance.contract.xmlbody import interval_value, same_interval
from conformance.text.sinks import json_text

NESTABLE = {"TableRight": RIGHT_PARTS}
VALUE_TYPE_PARTS = {"Mask"}
SELECT_SETTINGS = ("select_case", "select_unknown", "select_nested", "select_only_unknown")


# --- $select ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Selection:
    """One reading of a clause: what a server that made these choices keeps."""

    status: int
    """200, or 400 when the profile rejects an unknown name."""
    everything: bool
    whole: frozenset[str] = frozenset()
    parts: tuple[tuple[str, frozenset[str]], ...] = ()
    unknown: tuple[str, ...] = ()

    @property
    def part_map(self) -> dict[str, frozenset[str]]:
        return dict(self.parts)

    def keeps(self, name: str) -> bool:
        return self.everything or name in self.whole or name in self.part_map

    def describe(self) -> str:
        if self.status != 200:
            return f"{self.status} (unknown names {', '.join(self.unknown)})"
        if self.everything:
            return "every property as without $select"
        kept = sorted(self.whole) + [f"{p}/{s}" for p, subs in sorted(self.parts) for s in sorted(subs)]
        return f"kept: {', '.join(kept) or 'nothing'}; every other property nulled"


@dataclass(frozen=True)
class SelectPrediction:
    readings: tuple[Selection, ...]

    @property
    def statuses(self) -> frozenset[int]:
        return frozenset(r.status for r in self.readings)

    @property
    def status(self) -> int:
        """200 when a 200 is among the readings, else the one status."""
        return 200 if 200 in self.statuses else min(self.statuses)

    @property
    def everything(self) -> bool:
        return all(r.everything for r in self.readings if r.status == 200)

    def with_status(self, status: int | None) -> list[Selection]:
        return [r for r in self.readings if r.status == status]

    def describe(self) -> str:
        return " or ".join(dict.fromkeys(r.describe() for r in self.readings))


def clause_names(clause: str) -> list[str]:
    return list(dict.fromkeys(n.strip() for n in clause.split(",") if n.strip()))


def predict_select(clause: str | None, profile: Profile) -> SelectPrediction:
    if clause is None or not clause.strip():
        return SelectPrediction((Selection(200, True),))
    names = clause_names(clause)
    # Only the situations the clause is in: a path into each property is its own open point.
    keys = SELECT_SETTINGS + tuple(
        dict.fromkeys(
            PATH_FALLBACK[top]
            for name in names
            if "/" in name
            for top in [_known(name.split("/")[0].strip(), PROPERTIES, False)]
            if top is not None
        )
    )
    choices = [profile.choices(key) for key in keys]
    readings: dict[Selection, None] = {}
    for combination in itertools.product(*choices):
        chosen = dict(zip(keys, combination))
        if names:
            readings[_reading(names, chosen)] = None
        else:
            # Separators only (",,"): no vendor source says what that is. A server may read it as no
            # $select, or as a $select of names it does not know.
            readings[Selection(200, True)] = None
            readings[_reading([], chosen, only_separators=True)] = None
    return SelectPrediction(tuple(readings))


def _reading(names: list[str], chosen: dict[str, str], only_separators: bool = False) -> Selection:
    exact = chosen["select_case"] == "exact"
    whole: set[str] = set()
    parts: dict[str, set[str]] = {}
    unknown: list[str] = []
    for name in names:
        segments = [s.strip() for s in name.split("/")]
        top = _known(segments[0], PROPERTIES, exact)
        if top is None:
            unknown.append(name)
        elif len(segments) == 1:
            whole.add(top)
        elif len(segments) == 2 and top in NESTABLE and (sub := _known(segments[1], NESTABLE[top], exact)):
            nested = chosen["select_nested"]
            if nested == "sub-property":
                parts.setdefault(top, set()).add(sub)
            elif nested == "parent":
                whole.add(top)
            else:
                unknown.append(name)
        elif chosen[PATH_FALLBACK[top]] == "parent":
            whole.add(top)  # a path into what has no such documented part keeps the property
        else:
            unknown.append(name)
    if only_separators:
        unknown.append("(empty names)")
    if unknown and chosen["select_unknown"] == "reject":
        return Selection(400, False, unknown=tuple(unknown))
    if unknown and not whole and not parts and chosen["select_only_unknown"] == "as-no-select":
        return Selection(200, True, unknown=tuple(unknown))
    return Selection(
        200, False, frozenset(whole), tuple(sorted((k, frozenset(v)) for k, v in parts.items())), tuple(unknown)
    )


def _known(name: str, candidates: tuple[str, ...], exact: bool) -> str | None:
    return next((c for c in candidates if name == c or (not exact and name.lower() == c.lower())), None)


@dataclass(frozen=True)
class SelectFindings:
    changed: list[str]
    """Kept properties whose value differs from the baseline (SELECT-02)."""
    not_nulled: list[str]
    """Properties not kept that are not nulled as the profile says (SELECT-03)."""

    @property
    def count(self) -> int:
        return len(self.changed) + len(self.not_nulled)


def compare_select(
    observed: dict[str, Any],
    baseline: dict[str, Any],
    reading: Selection,
    profile: Profile,
    volatile: Iterable[str] = (),
    xml: bool = False,
) -> SelectFindings:
    """How an answer differs from one reading. A volatile property (one that changes on its own
    between identical reads) is judged kept when it is present with its baseline's type. `xml`:
    the answer was read from XML, where a null and a member left out are one (JSON's omission of
    nulls is a serializer's choice the XML formatter need not share)."""
    volatile = frozenset(volatile)
    changed: list[str] = []
    not_nulled: list[str] = []
    parts = reading.part_map
    for name in PROPERTIES:
        if name not in baseline:
            continue  # missing even unfiltered: SCHEMA-02's finding, not $select's
        if reading.everything or name in reading.whole:
            if name not in observed or not _kept(name, observed[name], baseline[name], volatile):
                changed.append(f"{name}: {_show(observed, name)} (unfiltered: {baseline.get(name)!r})")
        elif name in parts:
            unfiltered = baseline.get(name)
            value = observed.get(name, None)
            if not isinstance(unfiltered, dict):
                # Nothing to keep a part of (TableRight null, fact 14): nulled in any form is right.
                if problem := _nulling_problem(name, observed, profile, False, xml, unfiltered):
                    changed.append(f"{name}: {problem} (unfiltered: {unfiltered!r})")
                continue
            if not isinstance(value, dict):
                changed.append(
                    f"{name}: {_show(observed, name)} (expected an object keeping {', '.join(sorted(parts[name]))})"
                )
                continue
            for part in NESTABLE[name]:
                where = f"{name}/{part}"
                if part in parts[name]:
                    if part not in value or not same_value(part, value[part], unfiltered.get(part), name):
                        changed.append(f"{where}: {_show(value, part)} (unfiltered: {unfiltered.get(part)!r})")
                elif problem := _nulling_problem(
                    part, value, profile, part in VALUE_TYPE_PARTS, xml, unfiltered.get(part)
                ):
                    not_nulled.append(f"{where}: {problem}")
        elif problem := _nulling_problem(
            name, observed, profile, name in VALUE_TYPE_PROPERTIES, xml, baseline.get(name)
        ):
            not_nulled.append(f"{name}: {problem}")
    return SelectFindings(changed, not_nulled)


def best_reading(
    observed: dict[str, Any],
    baseline: dict[str, Any],
    prediction: SelectPrediction,
    profile: Profile,
    volatile: Iterable[str] = (),
    xml: bool = False,
) -> tuple[Selection, SelectFindings]:
    """The 200 reading the answer comes closest to, and how it differs from it."""
    scored = [
        (reading, compare_select(observed, baseline, reading, profile, volatile, xml))
        for reading in prediction.with_status(200)
    ]
    return min(scored, key=lambda pair: pair[1].count)


def _kept(name: str, value: Any, unfiltered: Any, volatile: frozenset[str]) -> bool:
    if name in volatile:
        return value is not None and type(value) is type(unfiltered) or (value == unfiltered)
    return same_value(name, value, unfiltered)


def _show(container: dict[str, Any], key: str) -> str:
    return repr(container[key])[:120] if key in container else "absent"


NULL_FORMS = {"null": "null", "default": "its type default", "omitted": "absent"}


def _nulling_problem(
    name: str, container: dict[str, Any], profile: Profile, value_type: bool, xml: bool = False, unfiltered: Any = None
) -> str | None:
    """None when a property not kept is nulled in a form the profile admits; else what it is."""
    modes = profile.choices("select_value_types" if value_type else "select_reference_types")
    if xml and {"null", "omitted"} & set(modes) and container.get(name) is None:
        return None
    if name not in container:
        if "omitted" in modes:
            return None
    else:
        value = container[name]
        if value is None and "null" in modes:
            return None
        if "default" in modes and (
            _is_type_default(name, value) or free_text_default(name, value, unfiltered, profile)
        ):
            return None
    admitted = " or ".join(NULL_FORMS[m] for m in modes)
    return f"{_show(container, name)}, expected {admitted}"


def free_text_default(name: str, value: Any, unfiltered: Any, profile: Profile) -> bool:
    """An Interval in a free text form (interval_format=any) whose zero the suite cannot read: a text
    other than the unfiltered one may be the server's TimeSpan.Zero."""
    return (
        name == "Interval"
        and "any" in profile.choices("interval_format")
        and isinstance(value, str)
        and interval_value(value) is None
        and value != unfiltered
    )


def _is_type_default(name: str, value: Any) -> bool:
    if name == "IsRunning":
        return value is False
    if name == "Interval":
        span = interval_value(value)
        return span is not None and span.total_seconds() == 0
    if name == "Mask":
        return flags.value(value, "TableRight") == 0
    return value is None


def looks_nulled(name: str, value: Any) -> bool:
    """Nulled in any form a profile may choose (null, type default); absence is checked apart."""
    return (
        value is None
        or (name == "IsRunning" and value is False)
        or (name == "Interval" and _is_type_default(name, value))
    )


def same_value(name: str, a: Any, b: Any, parent: str = "") -> bool:
    """Equal as the contract means it: Interval as a duration, Mask as a set of flags."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_value(k, a[k], b[k], name) for k in a)
    if name == "Interval" and parent == "":
        return same_interval(a, b)
    if name == "Mask":
        return flags.same(a, b, "TableRight" if parent == "TableRight" else "FieldRight")
    return type(a) is type(b) and a == b


def differences(
    a: Any, b: Any, path: str = "$", *, ignore: Iterable[str] = (), xml: bool = False, parent: str = ""
) -> list[str]:
    """Where two bodies in JSON shape differ, as the contract compares them. `ignore`: top-level
    properties left out (they change on their own); `xml`: `a` was read from XML, where an empty
    element may stand for an empty string."""
    ignored = frozenset(ignore)
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for key in sorted(set(a) | set(b)):
            if path == "$" and key in ignored:
                continue
            if key not in a or key not in b:
                if a.get(key) is None and b.get(key) is None:
                    continue  # a null and a member left out are one (fact 24; SCHEMA-02 judges the omission)
                out.append(
                    f"{path}.{key}: {'absent' if key not in a else spelled(a[key])} vs "
                    f"{'absent' if key not in b else spelled(b[key])}"
                )
            elif isinstance(a[key], dict) and isinstance(b[key], dict):
                out += differences(a[key], b[key], f"{path}.{key}", xml=xml, parent=key)
            elif not (
                same_value(key, a[key], b[key], parent if path != "$" else "")
                or (xml and _empty(a[key]) and _empty(b[key]))
            ):
                out.append(f"{path}.{key}: {spelled(a[key], 140)} vs {spelled(b[key], 140)}")
        return out
    return [] if same_value("", a, b) else [f"{path}: {spelled(a, 140)} vs {spelled(b, 140)}"]


def spelled(value: Any, cap: int = 80) -> str:
    """A value as JSON writes it (null, true, "text"), not as Python does, cut at `cap` characters."""
    try:
        text = json_text(value)
    except (TypeError, ValueError):
        text = str(value)
    return text if len(text) <= cap else text[:cap] + "..."


def _empty(value: Any) -> bool:
    """What an empty XML element may stand for: a null, an empty string, an empty dictionary."""
    return value is None or value == "" or value == {}


def non_string_differences(a: Any, b: Any, path: str = "$") -> list[str]:
    """Differences in anything but string values: structure, booleans, numbers, nulls (LANG-05)."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for key in sorted(set(a) | set(b)):
            if key not in a or key not in b:
                if a.get(key) is None and b.get(key) is None:
                    continue  # a null and a member left out are one (fact 24; SCHEMA-02 judges the omission)
                out.append(f"{path}.{key}: present in only one body")
            else:
                out += non_string_differences(a[key], b[key], f"{path}.{key}")
        return out
    if isinstance(a, str) and isinstance(b, str):
        return []
    return [] if (type(a) is type(b) and a == b) else [f"{path}: {spelled(a, 140)} vs {spelled(b, 140)}"]


# --- content negotiation ---------------------------------------------------------------------


@dataclass(frozen=True)
class MediaPrediction:
    statuses: frozenset[int]
    allowed: frozenset[str]
    """The documented types a 200 may have."""
    undocumented: bool = False
    """A 200 may also carry a type the vendor does not list (profile unsupported_accept=any)."""
    unsupported: bool = False
    """No documented type is acceptable: the answer is the profile's unsupported_accept choice."""

    @property
    def status(self) -> int:
        """The one status when there is no choice; 200 when a 200 is among the choices."""
        return 200 if 200 in self.statuses else min(self.statuses)

    def admits(self, status: int | None, media: str | None) -> bool:
        if status not in self.statuses:
            return False
        return status != 200 or media in self.allowed or (self.undocumented and media not in MEDIA_TYPES)

    def describe(self) -> str:
        statuses = " or ".join(map(str, sorted(self.statuses)))
        if 200 not in self.statuses:
            return statuses
        types = sorted(self.allowed) + (["another type"] if self.undocumented else [])
        return f"{statuses} ({' or '.join(types)})"


def predict_media(accept: str | None, profile: Profile) -> MediaPrediction:
    """RFC 9110 12.5.1 over the six types: the highest q wins; equal q lets the server pick.

    Parameters are compared leniently: when the same type is listed with and without parameters
    at different q-values (`application/json, application/json;charset=utf-8;q=0`), whether the
    parameterised range governs the server's `charset=utf-8` answer is the server's choice, so
    both readings are admitted. An Accept no documented type satisfies is answered as the profile's
    unsupported_accept says: 406, JSON (ASP.NET Web API's default negotiator), or either or another
    type (`any`)."""
    if accept is None or not accept.strip():
        return MediaPrediction(frozenset({200}), frozenset(JSON_TYPES))
    ranges = [
        (parse_options_header(value)[0].lower(), quality) for value, quality in parse_accept_header(accept, MIMEAccept)
    ]
    statuses: set[int] = set()
    allowed: set[str] = set()
    undocumented = unsupported = False
    for pick in (max, min):
        weights = {t: _weight(t, ranges, pick) for t in MEDIA_TYPES}
        best = max(weights.values())
        if best > 0:
            statuses.add(200)
            allowed |= {t for t, w in weights.items() if w == best}
            continue
        unsupported = True
        for choice in profile.choices("unsupported_accept"):
            if choice in ("406", "any"):
                statuses.add(406)
            if choice in ("json", "any"):
                statuses.add(200)
                allowed.add("application/json")  # ASP.NET's first formatter (fact 15)
            if choice == "any":
                allowed |= set(MEDIA_TYPES)
                undocumented = True
    return MediaPrediction(frozenset(statuses), frozenset(allowed), undocumented, unsupported)


def _weight(media: str, ranges: list[tuple[str, float]], pick: Callable[[list[float]], float]) -> float:
    """The q of the most specific range matching `media` (exact, then type/*, then */*); when
    that range is listed more than once, `pick` (max or min) chooses among its q-values."""
    kind = media.split("/")[0]
    for candidate in (media, f"{kind}/*", "*/*"):
        qualities = [quality for value, quality in ranges if value == candidate]
        if qualities:
            return pick(qualities)
    return 0.0
