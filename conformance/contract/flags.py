"""Mask values as what they are: .NET [Flags] enums, compared as sets of flags, never as text.

A Mask may be written with its names joined by ", " (the JSON text, fact 4), separated by spaces
(the DataContract serializer's XML, fact 16), with the documented aliases (FULL, RI, Update, ...)
or as a number. Each form reads into the enum's integer value, so `RI, RestrictedUpdate`,
`RI RestrictedUpdate`, `Select, Insert, RestrictedUpdate` and `37` are one value.

Values from SuperOfficeDocs/superoffice-docs: the client library's enums (reference/webapi
SuperOffice.WebApi.Data.ETableRight.yml, EFieldRight.yml; fact 4) and the server's own, which it
writes Masks from (reference/netserver/core SuperOffice.Data.ETableRight and EFieldRight; fact 19:
URU, WRITE, and FULL as a field right). One value has several spellings ("FULL", "Update" and
"Read, Write" are one field right): compare bit values, never names.
"""

from __future__ import annotations

import operator
import re
from functools import reduce
from typing import Any

TABLE_RIGHT = {
    "None": 0,
    "Select": 1,
    "Update": 2,
    "Insert": 4,
    "Delete": 8,
    "Filtering": 16,
    "RestrictedUpdate": 32,
    "Unused1": 64,
    "Uninitialized": 128,
    "R": 1,
    "UR": 3,
    "RI": 5,
    "URI": 7,
    "UDR": 11,
    "FULL": 15,
    "F": 16,
    "RF": 17,
    "FI": 20,
    "URU": 34,
    "WRITE": 38,
}
FIELD_RIGHT = {
    "None": 0,
    "Read": 1,
    "Write": 2,
    "Update": 3,
    "FULL": 3,
    "Unused1": 4,
    "Unused2": 8,
    "Unused3": 16,
    "Unused4": 32,
    "Nullable": 32,
    "UIHintMandatory": 64,
    "UIHintReadOnly": 128,
    "UIHints": 192,
    "UndefinedValue256": 256,
}
ENUMS = {"TableRight": TABLE_RIGHT, "FieldRight": FIELD_RIGHT}
_FOLDED = {kind: {name.lower(): value for name, value in names.items()} for kind, names in ENUMS.items()}
SEPARATORS = re.compile(r"[\s,|]+")


def value(text: Any, kind: str) -> int | None:
    """The integer a Mask text stands for in enum `kind` ("TableRight" or "FieldRight"), or None
    when a part is no name of that enum and no number (or the text is not a string)."""
    if isinstance(text, bool):
        return None
    if isinstance(text, int):
        return text
    if not isinstance(text, str):
        return None
    parts = [p for p in SEPARATORS.split(text.strip()) if p]
    if not parts:
        return None
    total = 0
    names = _FOLDED[kind]
    for part in parts:
        if re.fullmatch(r"-?\d+", part):
            total |= int(part)
        elif part.lower() in names:
            total |= names[part.lower()]
        else:
            return None
    return total


ALL_BITS = {kind: reduce(operator.or_, names.values(), 0) for kind, names in ENUMS.items()}
"""Every bit some flag of the enum has: a number with any other bit names no documented flag."""


def unknown_names(text: Any, kind: str) -> list[str]:
    """The parts of a Mask text that are neither a documented name of `kind` nor a number of the
    enum's bits (a number with a bit no flag has is reported too)."""
    if isinstance(text, int) and not isinstance(text, bool):
        text = str(text)
    if not isinstance(text, str):
        return []
    names = _FOLDED[kind]
    return [
        p
        for p in SEPARATORS.split(text.strip())
        if p and (int(p) & ~ALL_BITS[kind] if re.fullmatch(r"-?\d+", p) else p.lower() not in names)
    ]


def same(a: Any, b: Any, kind: str) -> bool:
    """Equal as flag values when both read as one; else equal as sets of their parts."""
    left, right = value(a, kind), value(b, kind)
    if left is not None and right is not None:
        return left == right
    if isinstance(a, str) and isinstance(b, str):
        return {p for p in SEPARATORS.split(a) if p} == {p for p in SEPARATORS.split(b) if p}
    equal: bool = a == b
    return equal


def is_none(text: Any, kind: str) -> bool:
    """The enum's zero value (None, 0): what a value-type Mask's type default reads as."""
    return value(text, kind) == 0
