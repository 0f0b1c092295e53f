"""One request as sent and its response as received, secrets redacted, body decoded, with a curl
line that reproduces it.

Redaction happens when the exchange is recorded: every secret of the target (and the Base64
form Basic auth sends) is replaced by a shell expression naming its environment variable, in
request headers, response headers and the response body alike. Nothing unredacted is stored.
"""

from __future__ import annotations

import base64
import json
import re
import shlex
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from conformance import contract, xmlbody
from conformance.contract import JSON_TYPES, XML_TYPES
from conformance.xmlbody import MAX_DEPTH
from conformance.profile import Profile
from conformance.target import Basic, Secret, Target, reveal

SKIPPED_IN_CURL = {"connection", "host", "user-agent", "accept-encoding"}


class Redactor:
    """Replaces secret values by `$NAME` (or, for Basic, the expression that rebuilds it)."""

    def __init__(self, target: Target | None) -> None:
        pairs: dict[str, str] = {}
        if target is not None:
            for secret in target.secrets():
                pairs[secret.value] = f"${secret.env}"
                pairs[base64.b64encode(secret.value.encode()).decode()] = f"$(printf %s \"${secret.env}\" | base64 -w0)"
            if isinstance(target.basic, Basic):
                plain = f"{reveal(target.basic.user)}:{target.basic.password.value}"
                shown = f"{_shell(target.basic.user)}:${target.basic.password.env}"
                pairs[base64.b64encode(plain.encode()).decode()] = f"$(printf %s \"{shown}\" | base64 -w0)"
        # Longest first, so a secret inside a longer one is not half-replaced.
        self._pairs = sorted(((k, v) for k, v in pairs.items() if len(k) >= 4), key=lambda kv: -len(kv[0]))
        self._byte_pairs = [(k.encode("utf-8"), v.encode("utf-8")) for k, v in self._pairs]
        # Most texts hold no secret: one search says so, instead of cutting them once per secret.
        self._holds_secret = (re.compile("|".join(re.escape(k) for k, _ in self._pairs)).search
                              if self._pairs else None)

    def segments(self, text: str) -> list[tuple[str, bool]]:
        """The text cut into (piece, is_placeholder) segments."""
        out: list[tuple[str, bool]] = [(text, False)]
        if self._holds_secret is None or not self._holds_secret(text):
            return out
        for secret, placeholder in self._pairs:
            next_out: list[tuple[str, bool]] = []
            for piece, is_placeholder in out:
                if is_placeholder or secret not in piece:
                    next_out.append((piece, is_placeholder))
                    continue
                parts = piece.split(secret)
                for i, part in enumerate(parts):
                    if part:
                        next_out.append((part, False))
                    if i < len(parts) - 1:
                        next_out.append((placeholder, True))
            out = next_out
        return out

    def text(self, text: str) -> str:
        return "".join(piece for piece, _ in self.segments(text))

    def bytes(self, data: bytes) -> bytes:
        for secret, placeholder in self._byte_pairs:
            data = data.replace(secret, placeholder)
        return data

    def curl_quoted(self, text: str) -> str:
        """Quoted for a POSIX shell: literal parts stay literal, placeholders expand."""
        segments = self.segments(text)
        if not any(is_placeholder for _, is_placeholder in segments):
            return shlex.quote(text)
        body = "".join(piece if ph else _escape_double(piece) for piece, ph in segments)
        return f'"{body}"'


def _escape_double(text: str) -> str:
    return "".join("\\" + c if c in '"\\$`' else c for c in text)


def _shell(value: str | Secret) -> str:
    return f"${value.env}" if isinstance(value, Secret) else _escape_double(value)


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
    _violations: dict[str, tuple[str, ...]] = field(default_factory=dict, init=False, repr=False, compare=False)
    """contract.violations of `value` by view, computed on first use: a recorded body never changes,
    and several checks (SCHEMA-01 and SCHEMA-03 alike) read the same validation."""

    @property
    def ok(self) -> bool:
        return self.problem is None and self.kind in ("json", "xml")

    def violations(self, view: str) -> list[str]:
        """contract.violations(self.value, view), validated once per view for this body; each
        caller gets a list of its own."""
        found = self._violations.get(view)
        if found is None:
            found = self._violations[view] = tuple(contract.violations(self.value, view))
        return list(found)


@dataclass(frozen=True)
class Exchange:
    label: str
    request: SentRequest
    response: Received | None
    error: str | None = None
    curl: str = ""
    profile: Profile = field(default_factory=Profile, compare=False)

    @cached_property
    def decoded(self) -> Decoded:
        return decode(self.response, self.profile) if self.response else Decoded("empty", problem=self.error)

    @property
    def status(self) -> int | None:
        return self.response.status if self.response else None

    @property
    def body(self) -> Any:
        """The decoded body in JSON shape, or None when there is none or it did not decode."""
        return self.decoded.value if self.decoded.ok else None

    def violations(self, view: str) -> list[str]:
        """contract.violations(self.body, view), validated once per view for this exchange."""
        decoded = self.decoded
        return decoded.violations(view) if decoded.ok else contract.violations(None, view)

    def summary(self) -> str:
        got = f"{self.response.status} {self.response.media_type or '-'}" if self.response else f"no response ({self.error})"
        note = f" ({self.response.note})" if self.response and self.response.note else ""
        return f"{self.request.method} {self.label} -> {got}{note}"

    def as_dict(self, body_limit: int = 4000) -> dict[str, Any]:
        response = None
        if self.response:
            text = self.response.body.decode("utf-8", "replace")
            response = {"status": self.response.status, "reason": self.response.reason,
                        "headers": [list(h) for h in self.response.headers],
                        "body": text[:body_limit] + ("..." if len(text) > body_limit else ""),
                        "elapsed_ms": round(self.response.elapsed_ms, 1), "truncated": self.response.truncated}
        return {"label": self.label, "request": {"method": self.request.method, "url": self.request.url,
                                                 "headers": [list(h) for h in self.request.headers],
                                                 "body_length": self.request.body_length},
                "response": response, "error": self.error, "curl": self.curl}


def decode(response: Received, profile: Profile) -> Decoded:
    media = response.media_type
    data = response.body
    kind = "json" if media in JSON_TYPES else "xml" if media in XML_TYPES else "other"
    if response.truncated:
        # A prefix can parse (a JSON object and then padding) while the whole is not what it
        # seems: a body cut off is never judged as if it were all there. (The cap is the client's,
        # imported late as the client imports this module.)
        from conformance.client import BODY_CAP
        return Decoded(kind, problem=f"the body is larger than {BODY_CAP // (1024 * 1024)} MiB, the most the "
                                     "suite reads; cut off there, it cannot be read as a whole")
    if not data.strip():
        return Decoded("empty", problem="the body is empty")
    if kind == "json":
        if data.startswith(b"\xef\xbb\xbf"):
            return Decoded("json", problem="the body starts with a UTF-8 byte order mark, which JSON text on the "
                                           "wire must not have (RFC 8259, section 8.1)")
        try:
            value = json.loads(data.decode("utf-8"))
        except UnicodeDecodeError as problem:
            return Decoded("json", problem=f"the body is not valid UTF-8: {problem}")
        except RecursionError:
            return Decoded("json", problem=f"the body nests deeper than {MAX_DEPTH} levels; not read (the carrier "
                                           "is four levels deep)")
        except ValueError as problem:
            return Decoded("json", problem=f"the body is not valid JSON: {problem}; it begins {_start(data)}")
        if _depth(value) > MAX_DEPTH:
            return Decoded("json", problem=f"the body nests deeper than {MAX_DEPTH} levels; not read (the carrier "
                                           "is four levels deep)")
        return Decoded("json", value)
    if kind == "xml":
        try:
            return Decoded("xml", xmlbody.json_shape(data, profile))
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


def curl_line(redactor: Redactor, method: str, url: str, headers: list[tuple[str, str]]) -> str:
    """A curl command that sends the same request; secrets appear as $NAME of their variables."""
    parts = ["curl", "-sS", "-i", "-X", method, shlex.quote(url)]
    if not any(name.lower() == "accept" for name, _ in headers):
        parts += ["-H", "'Accept:'"]  # curl sends Accept: */* unless told not to
    for name, value in headers:
        if name.lower() in SKIPPED_IN_CURL:
            continue
        parts += ["-H", redactor.curl_quoted(f"{name}: {value}")]
    return " ".join(parts)
