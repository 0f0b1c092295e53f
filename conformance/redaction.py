"""Secrets never leave the process: one Redactor that every output channel goes through.

The run judges raw exchanges; what it writes or prints is redacted at the edge: the terminal
(a stream wrapper around pytest's terminal writer), JUnit (each report's longrepr, sections and
properties), results.json (and so every report rendered from it), the failure messages of tests,
and log records. A secret is found in any form a server might echo it in: as it is; in Base64
(standard, URL-safe, padded or not); URL-encoded (`%20` and `+`); JSON-escaped (`\\u0041`, with
any mixture of escaped and plain characters); as XML/HTML character references (`&#65;`,
`&#x41;`, `&amp;`); and Basic's `user:password` in each. It is replaced by `$NAME`, the environment
variable that holds it (in curl lines, by the shell expression that rebuilds what was sent).
"""

from __future__ import annotations

import base64
import html
import io
import json
import logging
import re
import shlex
from dataclasses import dataclass
from typing import Any, Iterable
from urllib.parse import quote, quote_plus

MIN_SECRET = 4
"""Shorter values are not searched for: they would match ordinary text everywhere."""


@dataclass(frozen=True)
class Needle:
    text: str
    placeholder: str
    """What stands for it in plain output."""
    shell: str
    """What stands for it in a curl line (expands to the same bytes in a POSIX shell)."""


def _forms(value: str) -> set[str]:
    raw = value.encode("utf-8")
    forms = {value, quote(value, safe=""), quote_plus(value, safe=""), json.dumps(value)[1:-1],
             json.dumps(value, ensure_ascii=False)[1:-1]}
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        text = encode(raw).decode("ascii")
        forms |= {text, text.rstrip("=")}
    forms |= {"".join(f"\\u{ord(c):04x}" for c in value), "".join(f"\\u{ord(c):04X}" for c in value),
              "".join(f"&#{ord(c)};" for c in value), "".join(f"&#x{ord(c):x};" for c in value)}
    return {f for f in forms if len(f) >= MIN_SECRET}


class Redactor:
    """Built from (value, variable) pairs, and for Basic (user as sent, user as shown, password,
    its variable): Basic sends base64(`user:password`), which is a secret of its own."""

    def __init__(self, secrets: Iterable[tuple[str, str]] = (),
                 basic: tuple[str, str, str, str] | None = None) -> None:
        needles: dict[str, Needle] = {}
        plain: dict[str, str] = {}

        def add(value: str, shown: str, sent_shell: str) -> None:
            plain[value] = shown
            padded = base64.b64encode(value.encode("utf-8")).decode("ascii")
            for form in _forms(value):
                if form == value:
                    needles[form] = Needle(form, shown, sent_shell)
                else:
                    placeholder = shown if form != padded else f"base64({shown})"
                    shell = f"$(printf %s \"{shown}\" | base64 -w0)" if form == padded else placeholder
                    needles.setdefault(form, Needle(form, placeholder, shell))

        for value, env in secrets:
            if len(value) >= MIN_SECRET:
                add(value, f"${env}", f"${env}")
        if basic is not None:
            user, user_shown, password, password_env = basic
            shown = f"{user_shown}:${password_env}"
            add(f"{user}:{password}", shown, shown)
        # Longest first, so that a secret inside a longer one is not half-replaced.
        self._needles = sorted(needles.values(), key=lambda n: -len(n.text))
        self._plain = sorted(plain.items(), key=lambda kv: -len(kv[0]))
        self._find = re.compile("|".join(re.escape(n.text) for n in self._needles)).finditer if self._needles else None
        self._by_text = {n.text: n for n in self._needles}
        self._plus = any(" " in value for value in plain)
        self.longest = max((len(n.text) for n in self._needles), default=0)

    def __bool__(self) -> bool:
        return bool(self._needles)

    # --- finding ------------------------------------------------------------------------------

    def spans(self, text: str) -> list[tuple[int, int, Needle]]:
        """Where secrets stand in `text`, in any of their forms, as (start, end, needle)."""
        if self._find is None:
            return []
        found = [(m.start(), m.end(), self._by_text[m.group()]) for m in self._find(text)]
        if ESCAPED.search(text) or (self._plus and "+" in text):
            found += self._escaped_spans(text)
        return _merged(found)

    def _escaped_spans(self, text: str) -> list[tuple[int, int, Needle]]:
        """Secrets written with escapes mixed into them (a JSON body escaping some characters, an
        HTML page with character references, a URL): found in the text with its escapes decoded,
        each found place mapped back to the characters that wrote it."""
        decoded, origins = _decoded(text, plus=self._plus)
        found = []
        for value, shown in self._plain:
            start = decoded.find(value)
            while start != -1:
                end = start + len(value)
                found.append((origins[start][0], origins[end - 1][1], Needle(value, shown, shown)))
                start = decoded.find(value, end)
        return found

    # --- replacing ----------------------------------------------------------------------------

    def text(self, text: str) -> str:
        spans = self.spans(text)
        if not spans:
            return text
        out, at = [], 0
        for start, end, needle in spans:
            out += [text[at:start], needle.placeholder]
            at = end
        out.append(text[at:])
        return "".join(out)

    def bytes(self, data: bytes) -> bytes:
        return self.text(data.decode("utf-8", "surrogateescape")).encode("utf-8", "surrogateescape")

    def deep(self, value: Any) -> Any:
        """A JSON-like value with every string in it redacted (keys too)."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.text(k) if isinstance(k, str) else k: self.deep(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.deep(v) for v in value]
        return value

    def curl_quoted(self, text: str) -> str:
        """Quoted for a POSIX shell: literal parts stay literal, secrets become the shell expression
        that rebuilds what was sent."""
        spans = self.spans(text)
        if not spans:
            return shlex.quote(text)
        out, at = [], 0
        for start, end, needle in spans:
            out += [_escape_double(text[at:start]), needle.shell]
            at = end
        out.append(_escape_double(text[at:]))
        return f'"{"".join(out)}"'


ESCAPED = re.compile(r"\\u[0-9a-fA-F]{4}|\\[\"\\/bfnrt]|&#\d{1,7};|&#[xX][0-9a-fA-F]{1,6};|&[a-zA-Z]{2,8};|%[0-9a-fA-F]{2}")


def _decoded(text: str, plus: bool) -> tuple[str, list[tuple[int, int]]]:
    """The text with JSON, HTML and URL escapes decoded, and for each decoded character the span
    of the text that wrote it."""
    chars: list[str] = []
    origins: list[tuple[int, int]] = []
    at = 0
    pending: list[tuple[int, int, int]] = []  # %XX bytes of one UTF-8 run: (byte, start, end)

    def flush_bytes() -> None:
        if not pending:
            return
        data = bytes(b for b, _, _ in pending)
        try:
            decoded = data.decode("utf-8")
        except UnicodeDecodeError:
            decoded = data.decode("latin-1")
        start, end = pending[0][1], pending[-1][2]
        for ch in decoded:
            chars.append(ch)
            origins.append((start, end))
        pending.clear()

    for match in ESCAPED.finditer(text):
        if match.start() > at:
            flush_bytes()
            for i in range(at, match.start()):
                chars.append(" " if plus and text[i] == "+" else text[i])
                origins.append((i, i + 1))
        token = match.group()
        if token.startswith("%"):
            if pending and pending[-1][2] != match.start():
                flush_bytes()
            pending.append((int(token[1:], 16), match.start(), match.end()))
        else:
            flush_bytes()
            chars.append(_unescape(token))
            origins.append((match.start(), match.end()))
        at = match.end()
    flush_bytes()
    for i in range(at, len(text)):
        chars.append(" " if plus and text[i] == "+" else text[i])
        origins.append((i, i + 1))
    return "".join(chars), origins


def _unescape(token: str) -> str:
    if token.startswith("\\u"):
        return chr(int(token[2:], 16))
    if token.startswith("\\"):
        return {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}.get(token[1], token[1])
    return html.unescape(token)


def _merged(spans: list[tuple[int, int, Needle]]) -> list[tuple[int, int, Needle]]:
    out: list[tuple[int, int, Needle]] = []
    for start, end, needle in sorted(spans, key=lambda s: (s[0], -s[1])):
        if out and start < out[-1][1]:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end, out[-1][2])
            continue
        out.append((start, end, needle))
    return out


def _escape_double(text: str) -> str:
    return "".join("\\" + c if c in '"\\$`' else c for c in text)


# --- output channels ---------------------------------------------------------------------------

class RedactingStream(io.TextIOBase):
    """A text stream that writes through a Redactor, a line at a time (a secret split across two
    writes is still one line), the rest when flushed at the end of a line or when it grows long."""

    HOLD = 8192

    def __init__(self, inner: Any, redactor: Redactor) -> None:
        self.inner, self.redactor, self._held = inner, redactor, ""

    def write(self, text: str) -> int:
        self._held += text
        cut = self._held.rfind("\n") + 1
        if cut == 0 and len(self._held) > self.HOLD:
            cut = len(self._held) - max(self.redactor.longest, 1)
        if cut:
            self.inner.write(self.redactor.text(self._held[:cut]))
            self._held = self._held[cut:]
        return len(text)

    def flush(self) -> None:
        self.inner.flush()

    def release(self) -> None:
        """Write what is held (the end of the output)."""
        if self._held:
            self.inner.write(self.redactor.text(self._held))
            self._held = ""
        self.inner.flush()

    def isatty(self) -> bool:
        return self.inner.isatty()

    def fileno(self) -> int:
        return self.inner.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.inner, "encoding", "utf-8")


class RedactingRecords:
    """A logging record factory whose records carry their message already redacted."""

    def __init__(self, inner: Any, redactor: Redactor) -> None:
        self.inner, self.redactor = inner, redactor

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record = self.inner(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to logging to report
            return record
        redacted = self.redactor.text(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return record
