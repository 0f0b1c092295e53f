"""The contract as data: the endpoint's constants and the JSON Schema views checks validate with.

The schema file (`schemas/ErpSyncEngineStatus.schema.json`) is the single source of the body's
shape; this module only loads it and names its views, so a check can say which one it applied.
"""

from __future__ import annotations

from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource

PATH = "/Agents/ErpSync/GetEngineStatus"
"""The operation's path below the base URL (which ends in /api/v1)."""

PROPERTIES = ("IsRunning", "StatusMessage", "Interval", "TableRight", "FieldProperties")
VALUE_TYPE_PROPERTIES = frozenset({"IsRunning", "Interval"})
RIGHT_PARTS = ("Mask", "Reason")

JSON_TYPES = (
    "application/json",
    "text/json",
    "application/json-patch+json",
    "application/merge-patch+json",
)
XML_TYPES = ("application/xml", "text/xml")
MEDIA_TYPES = (
    "application/json",
    "text/json",
    "application/xml",
    "text/xml",
    "application/json-patch+json",
    "application/merge-patch+json",
)
"""The six documented response types, in the order the vendor's Swagger lists them."""

APP_TOKEN_HEADER = "SO-AppToken"
XSRF_HEADER = "X-XSRF-TOKEN"
NS_API_SLOW_MS = 5000.0
"""The vendor's NsApiSlow threshold (CONTRACT-NOTES fact 2), HTTP-04's default."""

# Names of the schema file's $defs that checks address.
FULL_VIEW = "ErpSyncEngineStatus"
SELECT_VIEW = "SelectedErpSyncEngineStatus"
KNOWN_MASK_NAMES = "KnownMaskNames"
TIMESPAN_INTERVAL = "TimeSpanInterval"
ISO8601_INTERVAL = "Iso8601Interval"


def schemas_dir() -> Path:
    """schemas/ in a source checkout (editable install), or the copy packed into the wheel."""
    package = Path(__file__).resolve().parent.parent
    for candidate in (package.parent / "schemas", package / "_schemas"):
        if (candidate / "ErpSyncEngineStatus.schema.json").is_file():
            return candidate
    raise FileNotFoundError("ErpSyncEngineStatus.schema.json not found beside the conformance package")


@lru_cache(maxsize=None)
def body_schema() -> dict[str, Any]:
    import json

    schema: dict[str, Any] = json.loads((schemas_dir() / "ErpSyncEngineStatus.schema.json").read_text("utf-8"))
    return schema


@lru_cache(maxsize=None)
def openapi_document() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((schemas_dir() / "openapi.yaml").read_text("utf-8"))
    return document


@lru_cache(maxsize=None)
def validator(view: str) -> Draft202012Validator:
    """A validator for one named $defs entry of the body schema (a view or a convention).

    The entry is validated with its references to other $defs written in place: jsonschema looks
    up every $ref through `referencing` each time it meets one, which was half the cost of a
    validation. The errors are the same ones (tests/test_throughput_cache.py holds the two to
    it); a schema that cannot be inlined (a $ref beside other keywords, one outside $defs, a
    recursive one) is validated through its references as before."""
    defs = _body_schema_with(view)["$defs"]
    try:
        inlined = _inlined(defs[view], defs, (view,))
    except _NotInlinable:
        return referenced_validator(view)
    return Draft202012Validator(inlined, format_checker=Draft202012Validator.FORMAT_CHECKER)


@lru_cache(maxsize=None)
def referenced_validator(view: str) -> Draft202012Validator:
    """The validator of a view that resolves its $refs through a `referencing` registry."""
    schema = _body_schema_with(view)
    registry: Registry = Resource.from_contents(schema) @ Registry()
    return Draft202012Validator(
        {"$ref": f"{schema['$id']}#/$defs/{view}"},
        registry=registry,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def _body_schema_with(view: str) -> dict[str, Any]:
    schema = body_schema()
    if view not in schema["$defs"]:
        raise KeyError(f"no $defs/{view} in ErpSyncEngineStatus.schema.json")
    return schema


class _NotInlinable(ValueError):
    pass


_LOCAL_DEF = "#/$defs/"
_SCOPE_KEYWORDS = frozenset({"$id", "$anchor", "$dynamicAnchor", "$dynamicRef", "$recursiveRef", "$recursiveAnchor"})
_VALUE_KEYWORDS = frozenset({"const", "enum", "default", "examples"})
"""Keywords whose values are instances, not schemas: copied as they are."""


def _inlined(node: Any, defs: dict[str, Any], within: tuple[str, ...]) -> Any:
    """`node` with each lone {"$ref": "#/$defs/NAME"} replaced by NAME's schema, inlined in turn."""
    if isinstance(node, list):
        return [_inlined(item, defs, within) for item in node]
    if not isinstance(node, dict):
        return node
    if _SCOPE_KEYWORDS & node.keys():
        raise _NotInlinable("a subschema changes the base URI or uses dynamic references")
    ref = node.get("$ref")
    if isinstance(ref, str):
        name = ref[len(_LOCAL_DEF) :]
        if (
            len(node) != 1
            or not ref.startswith(_LOCAL_DEF)
            or "/" in name
            or "~" in name
            or name not in defs
            or name in within
        ):
            raise _NotInlinable(f"$ref {ref!r} cannot be written in place")
        return _inlined(defs[name], defs, (*within, name))
    return {key: value if key in _VALUE_KEYWORDS else _inlined(value, defs, within) for key, value in node.items()}


VIOLATIONS_KEPT = 100
"""Ways a body breaks the schema that are listed at most: a body with 120,000 broken entries is
judged by the first hundred the validator meets (a fixed order for one body and schema), not held
and sorted whole (issue 21: seconds and hundreds of MB per answer)."""


def violations(instance: Any, view: str) -> list[str]:
    """The ways `instance` breaks the view, as 'path: message' lines, sorted for stable output: all
    of them, or the first VIOLATIONS_KEPT the validator meets (no line of its own says there were
    more: the checks filter these lines by path, and such a line would be a violation to them).

    jsonschema decides and words every violation; a body the compiled validator (fast_valid)
    passes is passed without it, as jsonschema would pass it too (tests/test_contract_schemas.py
    holds the two to that over drawn bodies)."""
    if fast_valid(instance, view):
        return []
    return sorted(_describe(e) for e in islice(validator(view).iter_errors(instance), VIOLATIONS_KEPT))


def fast_valid(instance: Any, view: str) -> bool:
    """Whether jsonschema-rs (the compiled validator schemathesis brings) passes the instance; False
    when it fails it or cannot take it (a lone surrogate, an integer past 64 bits): jsonschema then
    decides. Its regular expressions are ECMA-262's: `\\s` there holds U+FEFF, which Python's does
    not (and not U+001C-U+001F or U+0085, which Python's does), so each `\\s` of a pattern is
    compiled as PY_SPACE, Python's own set. Where the engines still differ Rust's is the stricter
    (`$` before a final newline, `\\d` and `\\w` over non-ASCII), so it never passes what
    jsonschema fails; the reverse costs only time. Judging 847 distinct bodies of a drawn server
    took jsonschema 84 s."""
    check = _compiled(view)
    if check is None:
        return False
    try:
        return bool(check(instance))
    except Exception:  # a value Rust cannot take: not passed here
        return False


@lru_cache(maxsize=None)
def _compiled(view: str) -> Any:
    try:
        import jsonschema_rs
    except ImportError:  # an environment without it validates with jsonschema alone
        return None
    schema = _body_schema_with(view)
    try:
        defs = _python_spaces(schema["$defs"])
    except _NotInlinable:  # a pattern this rewrite cannot carry over: jsonschema alone
        return None
    root = {
        "$schema": schema.get("$schema", "https://json-schema.org/draft/2020-12/schema"),
        "$defs": defs,
        "$ref": f"#/$defs/{view}",
    }
    return jsonschema_rs.Draft202012Validator(root, validate_formats=True).is_valid


PY_SPACE = "[\t-\r\x1c- \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
"""The characters Python's `\\s` matches in a str (those for which str.isspace() is true), as a
class an ECMA-262 engine reads alike (tests/test_contract_schemas.py compares them over every code
point)."""


def _python_spaces(node: Any) -> Any:
    """`node` with every `\\s` of a "pattern" written as PY_SPACE."""
    if isinstance(node, list):
        return [_python_spaces(item) for item in node]
    if not isinstance(node, dict):
        return node
    return {
        key: _spelled(value)
        if key == "pattern" and isinstance(value, str)
        else value
        if key in _VALUE_KEYWORDS
        else _python_spaces(value)
        for key, value in node.items()
    }


def _spelled(pattern: str) -> str:
    """`pattern` with `\\s` (and `\\S`) outside a class spelled as PY_SPACE (and its complement)."""
    out, at, in_class = [], 0, False
    while at < len(pattern):
        char = pattern[at]
        if char == "\\" and at + 1 < len(pattern):
            pair = pattern[at : at + 2]
            if pair in ("\\s", "\\S"):
                if in_class:
                    raise _NotInlinable(f"\\s inside a class in {pattern!r}")
                out.append(PY_SPACE if pair == "\\s" else "[^" + PY_SPACE[1:])
            else:
                out.append(pair)
            at += 2
            continue
        if char == "[":
            in_class = True
        elif char == "]":
            in_class = False
        out.append(char)
        at += 1
    return "".join(out)


def _describe(error: ValidationError) -> str:
    message = error.message
    if error.context:
        # A nullable part is anyOf [null, the part]: report the deepest failure inside the branch
        # the instance came closest to; when every branch failed on type alone, say so at once.
        deepest = max(error.context, key=lambda e: (len(e.absolute_path), e.validator != "type"))
        if deepest.validator != "type" or len(deepest.absolute_path) > len(error.absolute_path):
            error, message = deepest, deepest.message
        else:
            types = " or ".join(repr(e.validator_value) for e in error.context if e.validator == "type")
            message = f"{error.instance!r} is not of type {types}"
    path = "".join(f"[{p!r}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
    return f"${path}: {message}"
