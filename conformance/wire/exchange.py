"""One request as sent and its response as received, body decoded, with a curl line that
reproduces it.

An exchange holds what went over the wire, raw: the checks judge that. Nothing of it is written
anywhere except through the run's Redactor (conformance.text.redaction): `as_dict` and `summary` give
the redacted forms, and the curl line is redacted when it is made. After judging, the run keeps a
slim copy (`slim`): the body's head, its length and its hash, so that a run of thousands of
exchanges with 2 MiB bodies holds megabytes, not gigabytes.
"""

from __future__ import annotations

import hashlib
import json
import shlex
import weakref
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

from conformance.contract import endpoint, xmlbody
from conformance.contract.choices import Profile
from conformance.contract.endpoint import JSON_TYPES, XML_TYPES
from conformance.contract.xmlbody import MAX_DEPTH
from conformance.text.sinks import shown
from conformance.wire.transport.reading import BODY_CAP

if TYPE_CHECKING:
    from conformance.text.redaction import Redactor

SKIPPED_IN_CURL = {"connection", "host", "user-agent", "accept-encoding"}
HEAD = 4096
"""Bytes of a body a slim exchange keeps (evidence shows at most 4000 characters of it)."""


@dataclass(frozen=True)
class SentRequest:
    method: str
    url: str
    headers: tuple[tuple[str, str], ...]
    body_length: int = 0


@dataclass(frozen=True)
class Received:
    status: int
    reason: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    elapsed_ms: float
    truncated: bool = False
    note: str = ""
    """How the client met the answer, where it matters to a reader: Retry-After waited for or not."""
    length: int | None = None
    """The body's length as read, when `body` holds only its head (a slim copy)."""
    sha256: str | None = None

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    def header_values(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key.lower() == name.lower()]

    @property
    def media_type(self) -> str | None:
        content_type = self.header("Content-Type")
        return content_type.split(";")[0].strip().lower() if content_type else None


@dataclass(frozen=True)
class Decoded:
    kind: str  # "json", "xml", "empty", "other"
    value: Any = None
    problem: str | None = None
    key: Any = None
    """What the value was read from (the body's digest, its kind, the choices XML was read under):
    bodies alike are validated once per run, however many answers carry them."""
    _violations: dict[str, tuple[str, ...]] = field(default_factory=dict, init=False, repr=False, compare=False)
    """endpoint.violations of `value` by view, computed on first use: a recorded body never changes,
    and several checks (SCHEMA-01 and SCHEMA-03 alike) read the same validation."""

    @property
    def ok(self) -> bool:
        return self.problem is None and self.kind in ("json", "xml")

    def violations(self, view: str) -> list[str]:
        """endpoint.violations(self.value, view), validated once per view for this body; each
        caller gets a list of its own."""
        found = self._violations.get(view)
        if found is None:
            shared = None if self.key is None else (self.key, view)
            found = _VALIDATED.get(shared) if shared is not None else None
            if found is None:
                found = tuple(endpoint.violations(self.value, view))
                if shared is not None:
                    if len(_VALIDATED) >= VALIDATED_KEPT:
                        _VALIDATED.pop(next(iter(_VALIDATED)))
                    _VALIDATED[shared] = found
            self._violations[view] = found
        return list(found)


_READ: "weakref.WeakValueDictionary[Any, Decoded]" = weakref.WeakValueDictionary()
"""Each body read once while any exchange holds its reading: a server that answers every request
with the same 2 MB of FieldProperties costs one parsed copy, not one per answer."""
VALIDATED_KEPT = 512
_VALIDATED: dict[Any, tuple[str, ...]] = {}
"""endpoint.violations by (Decoded.key, view), the oldest dropped first: a server that answers
every request with the same 2 MB body has it validated once (issue 21's big bodies)."""


@dataclass(frozen=True)
class Exchange:
    label: str
    request: SentRequest
    response: Received | None
    error: str | None = None
    curl: str = ""
    profile: Profile = field(default_factory=Profile, compare=False)
    redactor: Any = field(default=None, compare=False, repr=False)
    """The run's Redactor: what `as_dict` and `summary` write goes through it."""
    answer_of: str | None = None
    """The label of an earlier exchange of the run whose request was the same on the wire, when
    this one is its answer reused rather than sent again (conformance.wire.transport.client)."""

    @cached_property
    def decoded(self) -> Decoded:
        """The body read (once per body: answers alike share one reading, and so its memory)."""
        if not self.response:
            return Decoded("empty", problem=self.error)
        r = self.response
        key = (hashlib.sha256(r.body).digest(), r.media_type, r.truncated, self.profile)
        found = _READ.get(key)
        if found is None:
            found = decode(r, self.profile)
            _READ[key] = found
        return found

    @property
    def status(self) -> int | None:
        return self.response.status if self.response else None

    @property
    def body(self) -> Any:
        """The decoded body in JSON shape, or None when there is none or it did not decode."""
        return self.decoded.value if self.decoded.ok else None

    @property
    def engine_body(self) -> dict[str, Any] | None:
        """The body of a 200 whose body is an object (engine data, or a refusal's object), else None:
        the guard most checks and the discovery stand on."""
        body = self.body
        return body if self.status == 200 and isinstance(body, dict) else None

    def violations(self, view: str) -> list[str]:
        """endpoint.violations(self.body, view), validated once per view for this exchange."""
        decoded = self.decoded
        return decoded.violations(view) if decoded.ok else endpoint.violations(None, view)

    def _redacted(self, text: str, lines: bool = False) -> str:
        """Redacted, then `shown` (conformance.text.sinks): evidence is server text."""
        return shown(self.redactor.text(text) if self.redactor else text, lines)

    def summary(self) -> str:
        got = (
            f"{self.response.status} {self.response.media_type or '-'}"
            if self.response
            else f"no response ({self.error})"
        )
        notes = [self.response.note] if self.response and self.response.note else []
        if self.answer_of is not None:
            notes.append(f"the answer to the identical request {self.answer_of!r}, not sent again")
        note = f" ({'; '.join(notes)})" if notes else ""
        return self._redacted(f"{self.request.method} {self.label} -> {got}{note}")

    def slim(self) -> "Exchange":
        """A copy that keeps the body's head, its length and its hash: what evidence shows."""
        r = self.response
        if r is None or r.length is not None or len(r.body) <= HEAD:
            return self
        return replace(
            self, response=replace(r, body=r.body[:HEAD], length=len(r.body), sha256=hashlib.sha256(r.body).hexdigest())
        )

    def as_dict(self, body_limit: int = 4000) -> dict[str, Any]:
        """The exchange as results.json holds it: redacted, the body's head only."""
        clean = self._redacted
        response = None
        if self.response:
            r = self.response
            text = r.body[: body_limit * 4].decode("utf-8", "replace")
            length = r.length if r.length is not None else len(r.body)
            cut = len(text) > body_limit or length > len(r.body)
            response = {
                "status": r.status,
                "reason": clean(r.reason),
                "headers": [[clean(k), clean(v)] for k, v in r.headers],
                "body": clean(text[:body_limit].replace("\r\n", "\n"), lines=True) + ("..." if cut else ""),
                "elapsed_ms": round(r.elapsed_ms, 1),
                "truncated": r.truncated,
            }
        return {
            "label": clean(self.label),
            "request": {
                "method": self.request.method,
                "url": clean(self.request.url),
                "headers": [[clean(k), clean(v)] for k, v in self.request.headers],
                "body_length": self.request.body_length,
            },
            "response": response,
            "error": clean(self.error) if self.error else self.error,
            "curl": self.curl,
            **({"answer_of": clean(self.answer_of)} if self.answer_of is not None else {}),
        }


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value (RFC 8259, section 6: no NaN or Infinity)")


def _unique_names(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for name, value in pairs:
        if name in seen:
            raise ValueError(
                f"the name {name!r} appears twice in one object (RFC 8259, section 4: names "
                "SHOULD be unique; a receiver cannot know which value the sender meant)"
            )
        seen[name] = value
    return seen


def read_json(data: bytes) -> Any:
    """JSON text as RFC 8259 defines it, strictly: Python's json module also reads NaN, Infinity and
    -Infinity, and keeps the last of a repeated name without a word; here each is a ValueError."""
    return json.loads(data.decode("utf-8"), parse_constant=_no_constant, object_pairs_hook=_unique_names)


def decode(response: Received, profile: Profile) -> Decoded:
    media = response.media_type
    data = response.body
    kind = "json" if media in JSON_TYPES else "xml" if media in XML_TYPES else "other"
    if response.truncated:
        # A prefix can parse (a JSON object and then padding) while the whole is not what it
        # seems: a body cut off is never judged as if it were all there.
        return Decoded(
            kind,
            problem=f"the body is larger than {BODY_CAP // (1024 * 1024)} MiB, the most the "
            "suite reads; cut off there, it cannot be read as a whole",
        )
    if not data.strip():
        return Decoded("empty", problem="the body is empty")
    if kind == "json":
        if data.startswith(b"\xef\xbb\xbf"):
            return Decoded(
                "json",
                problem="the body starts with a UTF-8 byte order mark, which JSON text on the "
                "wire must not have (RFC 8259, section 8.1)",
            )
        try:
            value = read_json(data)
        except UnicodeDecodeError as problem:
            return Decoded("json", problem=f"the body is not valid UTF-8: {problem}")
        except RecursionError:
            return Decoded(
                "json",
                problem=f"the body nests deeper than {MAX_DEPTH} levels; not read (the carrier is four levels deep)",
            )
        except ValueError as problem:
            return Decoded("json", problem=f"the body is not valid JSON: {problem}; it begins {_start(data)}")
        if _depth(value) > MAX_DEPTH:
            return Decoded(
                "json",
                problem=f"the body nests deeper than {MAX_DEPTH} levels; not read (the carrier is four levels deep)",
            )
        return Decoded("json", value, key=(hashlib.sha256(data).digest(), "json"))
    if kind == "xml":
        try:
            return Decoded(
                "xml", xmlbody.json_shape(data, profile), key=(hashlib.sha256(data).digest(), "xml", profile)
            )
        except xmlbody.XmlBodyError as problem:
            shown = f"; it begins {_start(data)}" if "not well-formed" in str(problem) else ""
            return Decoded("xml", problem=f"{problem}{shown}")
    return Decoded("other", problem=f"the body's media type is {media or 'not declared'}")


def _depth(value: Any) -> int:
    """How deeply arrays and objects nest in a decoded JSON value (iteratively: a hostile body
    must not cost the judging code its recursion)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        current, depth = stack.pop()
        if isinstance(current, (dict, list)):
            deepest = max(deepest, depth)
            if deepest > MAX_DEPTH:
                return deepest
            stack += [(v, depth + 1) for v in (current.values() if isinstance(current, dict) else current)]
    return deepest


def _start(data: bytes) -> str:
    return repr(data[:40]) + ("..." if len(data) > 40 else "")


def curl_line(redactor: Redactor | None, method: str, url: str, headers: list[tuple[str, str]]) -> str:
    """A curl command that sends the same request; secrets appear as $NAME of their variables."""
    parts = ["curl", "-sS", "-i", "-X", method, redactor.curl_quoted(url) if redactor else shlex.quote(url)]
    if not any(name.lower() == "accept" for name, _ in headers):
        parts += ["-H", "'Accept:'"]  # curl sends Accept: */* unless told not to
    for name, value in headers:
        if name.lower() in SKIPPED_IN_CURL and not (name.lower() == "accept-encoding" and value != "identity"):
            continue
        line = f"{name}: {value}"
        parts += ["-H", redactor.curl_quoted(line) if redactor else shlex.quote(line)]
    return " ".join(parts)
