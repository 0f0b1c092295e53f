"""The model of a conformant server: from a request, the target's profile and a baseline response,
what the answer must be.

It predicts the status, the media types a response may have, which properties a `$select` keeps
or nulls, and which values must equal the baseline (same principal, no `$select`, same language
headers). It knows nothing of the server's data: every value it expects comes from the baseline.
It is written from the contract, independently of the reference server's code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header, parse_options_header

from conformance.contract import JSON_TYPES, MEDIA_TYPES, PROPERTIES, RIGHT_PARTS, VALUE_TYPE_PROPERTIES
from conformance.profile import Profile
from conformance.xmlbody import interval_value, same_interval

NESTABLE = {"TableRight": RIGHT_PARTS}
VALUE_TYPE_PARTS = {"Mask"}


# --- $select ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SelectPrediction:
    status: int
    """200, or 400 when the profile rejects an unknown name."""
    everything: bool
    whole: frozenset[str] = frozenset()
    parts: dict[str, frozenset[str]] = field(default_factory=dict)
    unknown: tuple[str, ...] = ()

    def describe(self) -> str:
        if self.status != 200:
            return f"{self.status} (unknown names {', '.join(self.unknown)})"
        if self.everything:
            return "every property as without $select"
        kept = sorted(self.whole) + [f"{p}/{s}" for p, subs in sorted(self.parts.items()) for s in sorted(subs)]
        return f"kept: {', '.join(kept) or 'nothing'}; every other property nulled"


def predict_select(clause: str | None, profile: Profile) -> SelectPrediction:
    if clause is None:
        return SelectPrediction(200, True)
    names = list(dict.fromkeys(n.strip() for n in clause.split(",") if n.strip()))
    if not names:
        return SelectPrediction(200, True)
    whole: set[str] = set()
    parts: dict[str, set[str]] = {}
    unknown: list[str] = []
    for name in names:
        segments = [s.strip() for s in name.split("/")]
        top = _known(segments[0], PROPERTIES, profile)
        if len(segments) == 1 and top:
            whole.add(top)
        elif len(segments) == 2 and top in NESTABLE and _known(segments[1], NESTABLE[top], profile) \
                and profile.select_nested != "ignored":
            if profile.select_nested == "parent":
                whole.add(top)
            else:
                parts.setdefault(top, set()).add(_known(segments[1], NESTABLE[top], profile))
        else:
            unknown.append(name)
    if unknown and profile.select_unknown == "reject":
        return SelectPrediction(400, False, unknown=tuple(unknown))
    if unknown and not whole and not parts and profile.select_only_unknown == "as-no-select":
        return SelectPrediction(200, True, unknown=tuple(unknown))
    return SelectPrediction(200, False, frozenset(whole), {k: frozenset(v) for k, v in parts.items()},
                            tuple(unknown))


def _known(name: str, candidates: tuple[str, ...], profile: Profile) -> str | None:
    exact = profile.select_case == "exact"
    return next((c for c in candidates if name == c or (not exact and name.lower() == c.lower())), None)


@dataclass(frozen=True)
class SelectFindings:
    changed: list[str]
    """Kept properties whose value differs from the baseline (SELECT-02)."""
    not_nulled: list[str]
    """Properties not kept that are not nulled as the profile says (SELECT-03)."""


def compare_select(observed: dict, baseline: dict, prediction: SelectPrediction, profile: Profile) -> SelectFindings:
    changed: list[str] = []
    not_nulled: list[str] = []
    for name in PROPERTIES:
        if name not in baseline:
            continue  # missing even unfiltered: SCHEMA-02's finding, not $select's
        if prediction.everything or name in prediction.whole:
            if name not in observed or not same_value(name, observed[name], baseline.get(name)):
                changed.append(f"{name}: {_show(observed, name)} (unfiltered: {baseline.get(name)!r})")
        elif name in prediction.parts and isinstance(baseline.get(name), dict):
            value = observed.get(name)
            if not isinstance(value, dict):
                changed.append(f"{name}: {_show(observed, name)} (expected an object keeping "
                               f"{', '.join(sorted(prediction.parts[name]))})")
                continue
            for part in NESTABLE[name]:
                where = f"{name}/{part}"
                if part in prediction.parts[name]:
                    if part not in value or not same_value(part, value[part], baseline[name].get(part)):
                        changed.append(f"{where}: {_show(value, part)} (unfiltered: {baseline[name].get(part)!r})")
                elif problem := _nulling_problem(part, value, profile, value_type=part in VALUE_TYPE_PARTS):
                    not_nulled.append(f"{where}: {problem}")
        elif problem := _nulling_problem(name, observed, profile, value_type=name in VALUE_TYPE_PROPERTIES):
            not_nulled.append(f"{name}: {problem}")
    return SelectFindings(changed, not_nulled)


def _show(container: dict, key: str) -> str:
    return repr(container[key]) if key in container else "absent"


def _nulling_problem(name: str, container: dict, profile: Profile, value_type: bool) -> str | None:
    mode = profile.select_value_types if value_type else "null"
    if mode == "omitted":
        return None if name not in container else f"{container[name]!r}, expected absent (profile omitted)"
    if name not in container:
        return "absent, expected present and null" if mode == "null" else "absent, expected its type default"
    value = container[name]
    if mode == "null":
        return None if value is None else f"{value!r}, expected null"
    return None if _is_type_default(name, value) else f"{value!r}, expected the type default (profile default)"


def _is_type_default(name: str, value: Any) -> bool:
    if name == "IsRunning":
        return value is False
    if name == "Interval":
        return interval_value(value) is not None and interval_value(value).total_seconds() == 0
    if name == "Mask":
        return value in ("None", "0")
    return value is None


def same_value(name: str, a: Any, b: Any) -> bool:
    """Equal as the contract means it: Interval as a duration, Mask as a set of flag names."""
    if name == "Interval":
        return same_interval(a, b)
    if name == "Mask" and isinstance(a, str) and isinstance(b, str):
        return {f.strip() for f in a.split(",")} == {f.strip() for f in b.split(",")}
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_value(k, a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


def differences(a: Any, b: Any, path: str = "$") -> list[str]:
    """Where two bodies in JSON shape differ, as the contract compares them."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for key in sorted(set(a) | set(b)):
            if key not in a or key not in b:
                out.append(f"{path}.{key}: {'absent' if key not in a else repr(a[key])} vs "
                           f"{'absent' if key not in b else repr(b[key])}")
            elif isinstance(a[key], dict) and isinstance(b[key], dict):
                out += differences(a[key], b[key], f"{path}.{key}")
            elif not same_value(key, a[key], b[key]):
                out.append(f"{path}.{key}: {a[key]!r} vs {b[key]!r}")
        return out
    return [] if same_value("", a, b) else [f"{path}: {a!r} vs {b!r}"]


def non_string_differences(a: Any, b: Any, path: str = "$") -> list[str]:
    """Differences in anything but string values: structure, booleans, numbers, nulls (LANG-05)."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for key in sorted(set(a) | set(b)):
            if key not in a or key not in b:
                out.append(f"{path}.{key}: present in only one body")
            else:
                out += non_string_differences(a[key], b[key], f"{path}.{key}")
        return out
    if isinstance(a, str) and isinstance(b, str):
        return []
    return [] if (type(a) is type(b) and a == b) else [f"{path}: {a!r} vs {b!r}"]


# --- content negotiation ---------------------------------------------------------------------

@dataclass(frozen=True)
class MediaPrediction:
    statuses: frozenset[int]
    allowed: frozenset[str]
    """The types a 200 may have."""

    @property
    def status(self) -> int:
        """The one status when there is no choice; 200 when a 200 is among the choices."""
        return 200 if 200 in self.statuses else min(self.statuses)

    def admits(self, status: int | None, media: str | None) -> bool:
        return status in self.statuses and (status != 200 or media in self.allowed)

    def describe(self) -> str:
        statuses = " or ".join(map(str, sorted(self.statuses)))
        return statuses + (f" ({' or '.join(sorted(self.allowed))})" if 200 in self.statuses else "")


def predict_media(accept: str | None, profile: Profile) -> MediaPrediction:
    """RFC 9110 12.5.1 over the six types: the highest q wins; equal q lets the server pick.

    Parameters are compared leniently: when the same type is listed with and without parameters
    at different q-values (`application/json, application/json;charset=utf-8;q=0`), whether the
    parameterised range governs the server's `charset=utf-8` answer is the server's choice, so
    both readings are admitted."""
    if accept is None or not accept.strip():
        return MediaPrediction(frozenset({200}), frozenset(JSON_TYPES))
    ranges = [(parse_options_header(value)[0].lower(), quality)
              for value, quality in parse_accept_header(accept, MIMEAccept)]
    readings = {_reading(ranges, max, profile), _reading(ranges, min, profile)}
    return MediaPrediction(frozenset(s for s, _ in readings), frozenset(t for _, ts in readings for t in ts))


def _reading(ranges: list[tuple[str, float]], pick, profile: Profile) -> tuple[int, frozenset[str]]:
    weights = {t: _weight(t, ranges, pick) for t in MEDIA_TYPES}
    best = max(weights.values())
    if best <= 0:
        if profile.unsupported_accept == "json":
            return 200, frozenset({"application/json"})
        return 406, frozenset()
    return 200, frozenset(t for t, w in weights.items() if w == best)


def _weight(media: str, ranges: list[tuple[str, float]], pick) -> float:
    """The q of the most specific range matching `media` (exact, then type/*, then */*); when
    that range is listed more than once, `pick` (max or min) chooses among its q-values."""
    kind = media.split("/")[0]
    for candidate in (media, f"{kind}/*", "*/*"):
        qualities = [quality for value, quality in ranges if value == candidate]
        if qualities:
            return pick(qualities)
    return 0.0
