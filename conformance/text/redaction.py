"""Secrets never leave the process: one Redactor that every output channel goes through.

The run judges raw exchanges; what it writes or prints is redacted at the edge: the terminal
(a stream wrapper around pytest's terminal writer), JUnit (each report's longrepr, sections and
properties), results.json (and so every report rendered from it), the failure messages of tests,
and log records. A secret is found in any form a server might echo it in: as it is; in Base64
(standard, URL-safe, padded or not); URL-encoded (`%20` and `+`); JSON-escaped (`\\u0041`, with
any mixture of escaped and plain characters); as XML/HTML character references (`&#65;`,
`&#x41;`, `&amp;`); and Basic's `user:password` in each. It is replaced by `$NAME`, the environment
variable that holds it (in curl lines, by the shell expression that rebuilds what was sent).

Beyond the whole secret in those forms, no run of fragments.WINDOW characters of one appears in
any output in any transform conformance.text.fragments lists (case-folded, reversed, hex, UTF-16,
base64 at every alignment, whitespace ignored, and the escapes above): such a piece becomes
`[part of $NAME]`. tests/test_redaction.py holds it as a property, over drawn secrets and transforms.
"""

from __future__ import annotations

import base64
import html
import io
import json
import logging
import re
import shlex
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Iterable
from urllib.parse import quote, quote_plus

from conformance.text import fragments, sinks

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
    forms = {
        value,
        quote(value, safe=""),
        quote_plus(value, safe=""),
        json.dumps(value)[1:-1],
        json.dumps(value, ensure_ascii=False)[1:-1],
    }
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        text = encode(raw).decode("ascii")
        forms |= {text, text.rstrip("=")}
    forms |= {
        "".join(f"\\u{ord(c):04x}" for c in value),
        "".join(f"\\u{ord(c):04X}" for c in value),
        "".join(f"&#{ord(c)};" for c in value),
        "".join(f"&#x{ord(c):x};" for c in value),
    }
    return {f for f in forms if len(f) >= MIN_SECRET}


class Redactor:
    """Built from (value, variable) pairs; for Basic (user as sent, user as shown, password, its
    variable), as Basic sends base64(`user:password`), which is a secret of its own; and `derived`
    values (value, as written, as a shell expression): near-misses of secrets the run sends.
    `public`: published sample values (the reference server's), searched whole but not in pieces.
    The pieces of the password cover Basic's pair (its base64 holds the password's at some
    alignment), so the user name, which is no secret, is not redacted in pieces."""

    def __init__(
        self,
        secrets: Iterable[tuple[str, str]] = (),
        basic: tuple[str, str, str, str] | None = None,
        derived: Iterable[tuple[str, str, str]] = (),
        public: Iterable[str] = (),
    ) -> None:
        needles: dict[str, Needle] = {}
        plain: dict[str, str] = {}

        def add(value: str, shown: str, sent_shell: str) -> None:
            plain[value] = shown
            padded = base64.b64encode(value.encode("utf-8")).decode("ascii")
            for form in _forms(value):
                if form == value:
                    needles[form] = Needle(form, shown, _braced(sent_shell))
                else:
                    placeholder = shown if form != padded else f"base64({shown})"
                    shell = (
                        f'$(printf %s "{_braced(sent_shell)}" | base64 -w0)' if form == padded else _braced(placeholder)
                    )
                    needles.setdefault(form, Needle(form, placeholder, shell))

        published = set(public)
        whole: list[tuple[str, str]] = []  # (secret, its variable as shown): the values pieces come from
        for value, env in secrets:
            if len(value) >= MIN_SECRET:
                add(value, f"${env}", f"${env}")
                if value not in published:
                    whole.append((value, f"${env}"))
        if basic is not None:
            user, user_shown, password, password_env = basic
            shown = f"{user_shown}:${password_env}"
            add(f"{user}:{password}", shown, f"{shell_word(user, user_shown)}:${password_env}")
        for value, shown, shell in derived:  # near-misses made from secrets (wrong credentials sent)
            if len(value) >= MIN_SECRET and value not in plain:
                add(value, shown, shell)
        # Longest first, so that a secret inside a longer one is not half-replaced.
        self._needles = sorted(needles.values(), key=lambda n: -len(n.text))
        self._plain = sorted(plain.items(), key=lambda kv: -len(kv[0]))
        self._find = _automaton(self._needles)
        self._plus = any(" " in value for value in plain)
        self.longest = max((len(n.text) for n in self._needles), default=0)
        self._pieces = Pieces(whole)
        self._seen: dict[str, str] = {}
        """Texts already redacted (labels, curl lines, reasons recur in every output channel), and
        each redacted text as itself: redaction leaves nothing to redact (held as a property in
        tests/test_redaction.py), so an outcome redacted when recorded is not searched again when
        its report is written."""
        self._seen_size = 0

    def __bool__(self) -> bool:
        return bool(self._needles)

    # --- finding ------------------------------------------------------------------------------

    def spans(self, text: str) -> list[tuple[int, int, Needle]]:
        """Where secrets stand in `text`, in any of their forms, as (start, end, needle)."""
        if self._find is None:
            return []
        # Every place any form stands, overlapping ones too: _merged joins those into one span, so
        # two secrets that overlap are both covered (a first-match scan would leave the second's tail).
        found = [(end + 1 - len(needle.text), end + 1, needle) for end, needle in self._find.iter(text)]
        if ESCAPED.search(text) or (self._plus and "+" in text):
            found += self._escaped_spans(text)
        return _merged(found + self._pieces.spans(text, found))

    def _escaped_spans(self, text: str) -> list[tuple[int, int, Needle]]:
        """Secrets written with escapes mixed into them (a JSON body escaping some characters, an
        HTML page with character references, a URL): found in the text with its escapes decoded,
        each found place mapped back to the characters that wrote it."""
        quick = _decoded_text(text, self._plus)
        if not any(value in quick for value, _ in self._plain) and not self._pieces.spans(quick, []):
            return []  # the usual case, found without mapping each decoded character back
        decoded, origin = _decoded(text, plus=self._plus)
        found = []
        for value, shown in self._plain:
            start = decoded.find(value)
            while start != -1:
                end = start + len(value)
                found.append((origin(start)[0], origin(end - 1)[1], Needle(value, shown, shown)))
                start = decoded.find(value, end)
        for start, end, needle in self._pieces.spans(decoded, []):
            found.append((origin(start)[0], origin(end - 1)[1], needle))
        return found

    # --- replacing ----------------------------------------------------------------------------

    def text(self, text: str) -> str:
        done = self._seen.get(text)
        if done is not None:
            return done
        done = self._redacted(text)
        if len(text) <= SEEN_LENGTH:
            if self._seen_size + len(text) + len(done) > SEEN_SIZE:
                self._seen.clear()
                self._seen_size = 0
            self._seen[text] = self._seen[done] = done
            self._seen_size += len(text) + (len(done) if done is not text else 0)
        return done

    def _redacted(self, text: str) -> str:
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


class Pieces:
    """The pieces of the secrets (conformance.text.fragments) and where they stand in a text: two
    Aho-Corasick automatons (pyahocorasick), one over the text case-folded, one over the text as
    it is with its whitespace taken out (base64 wrapped over lines or split by blanks), so the cost
    grows with the text, not with the number of pieces."""

    def __init__(self, secrets: list[tuple[str, str]]) -> None:
        import ahocorasick

        self._textual, self._encoded = ahocorasick.Automaton(), ahocorasick.Automaton()
        for value, shown in secrets:
            textual = fragments.textual([value]) | ({value} if len(value) >= fragments.WINDOW else set())
            for piece in textual:  # the whole secret too, in any case
                key = _folded(piece)
                if key not in self._textual:
                    self._textual.add_word(key, (len(key), shown))
            for piece in fragments.encoded([value]):
                if piece not in self._encoded:
                    self._encoded.add_word(piece, (len(piece), shown))
        self._any = bool(len(self._textual))
        for automaton in (self._textual, self._encoded):
            if len(automaton):
                automaton.make_automaton()

    def spans(self, text: str, whole: list[tuple[int, int, Needle]]) -> list[tuple[int, int, Needle]]:
        """The pieces in `text` that no span of `whole` (the secrets found whole) covers already,
        overlapping pieces merged into one span."""
        if not self._any or len(text) < fragments.WINDOW:
            return []
        hits = [(end + 1 - size, end + 1, shown) for end, (size, shown) in self._textual.iter(_folded(text))]
        joined = BLANKS.sub("", text)  # base64 split by blanks or wrapped over lines: whitespace ignored
        encoded = list(self._encoded.iter(joined))
        if encoded:
            origin = _origin(text) if len(joined) != len(text) else (lambda index: index)
            hits += [(origin(end + 1 - size), origin(end) + 1, shown) for end, (size, shown) in encoded]
        runs: list[list[Any]] = []  # a run inside a secret found whole is dropped by _merged, which keeps the longer
        for start, end, shown in sorted(hits):
            if runs and start <= runs[-1][1]:
                runs[-1][1] = max(runs[-1][1], end)
            else:
                runs.append([start, end, shown])
        return [
            (start, end, Needle(text[start:end], f"[part of {shown}]", f"[part of {shown.replace('$', '_')}]"))
            for start, end, shown in runs
        ]


def _folded(text: str) -> str:
    """The text in lower case, character for character, the same for a secret's pieces and for
    any text searched: ASCII by str.lower; otherwise each character on its own (no final sigma
    by context; a character whose lower case is longer, such as U+0130, kept as it is), so
    positions stay those of `text`."""
    return text.lower() if text.isascii() else "".join(map(_fold, text))


@lru_cache(maxsize=4096)
def _fold(char: str) -> str:
    lower = char.lower()
    return lower if len(lower) == 1 else char


BLANKS = re.compile(r"\s+")


def _origin(text: str) -> Callable[[int], int]:
    """A function from a position in `text` with its whitespace taken out (BLANKS) to the position
    of the same character in `text`."""
    starts, removed, total = [], [], 0
    for match in BLANKS.finditer(text):
        starts.append(match.start() - total)  # where, in the joined text, the removal happened
        total += match.end() - match.start()
        removed.append(total)

    def origin(index: int) -> int:
        k = bisect_right(starts, index)
        return index + (removed[k - 1] if k else 0)

    return origin


ESCAPED = re.compile(
    r"\\u[0-9a-fA-F]{4}|\\[\"\\/bfnrt]|&#\d{1,7};|&#[xX][0-9a-fA-F]{1,6};|&[a-zA-Z]{2,8};|%[0-9a-fA-F]{2}"
)


SEEN_LENGTH, SEEN_SIZE = 1 << 20, 16 << 20
"""Redacted texts kept to answer again: each up to SEEN_LENGTH characters, SEEN_SIZE in all (the
outcomes a run records hold evidence of several exchanges: tens of KB each)."""


def _decoded(text: str, plus: bool) -> tuple[str, Callable[[int], tuple[int, int]]]:
    """The text with JSON, HTML and URL escapes decoded, and a function giving, for each decoded
    character, the span of the text that wrote it. Kept as segments (a literal run, or the escape
    or run of %XX bytes that wrote some characters), so the work is per escape, not per character."""
    parts: list[str] = []
    segments: list[tuple[int, int, int, bool]] = []  # (decoded start, text start, text end, literal)
    size = 0
    pending: list[tuple[int, int, int]] = []  # %XX bytes of one UTF-8 run: (byte, start, end)

    def add(chunk: str, start: int, end: int, literal: bool) -> None:
        nonlocal size
        if chunk:
            parts.append(chunk)
            segments.append((size, start, end, literal))
            size += len(chunk)

    def flush_bytes() -> None:
        if not pending:
            return
        data = bytes(b for b, _, _ in pending)
        try:
            decoded = data.decode("utf-8")
        except UnicodeDecodeError:
            decoded = data.decode("latin-1")
        add(decoded, pending[0][1], pending[-1][2], False)
        pending.clear()

    def literal(start: int, end: int) -> None:
        chunk = text[start:end]
        add(chunk.replace("+", " ") if plus else chunk, start, end, True)

    at = 0
    for match in ESCAPED.finditer(text):
        if match.start() > at:
            flush_bytes()
            literal(at, match.start())
        token = match.group()
        if token.startswith("%"):
            if pending and pending[-1][2] != match.start():
                flush_bytes()
            pending.append((int(token[1:], 16), match.start(), match.end()))
        else:
            flush_bytes()
            add(_unescape(token), match.start(), match.end(), False)
        at = match.end()
    flush_bytes()
    literal(at, len(text))
    starts = [segment[0] for segment in segments]

    def origin(index: int) -> tuple[int, int]:
        decoded_start, start, end, is_literal = segments[bisect_right(starts, index) - 1]
        return (start + index - decoded_start, start + index - decoded_start + 1) if is_literal else (start, end)

    return "".join(parts), origin


ESCAPES_RUN = re.compile(
    r"(?:%[0-9a-fA-F]{2})+|\\u[0-9a-fA-F]{4}|\\[\"\\/bfnrt]|&#\d{1,7};|&#[xX][0-9a-fA-F]{1,6};|&[a-zA-Z]{2,8};"
)
"""ESCAPED, with a run of %XX bytes as one token (decoded together, as _decoded does)."""


def _decoded_text(text: str, plus: bool) -> str:
    """_decoded's text alone: the same characters, built by one substitution. No escape holds a
    "+", so a literal "+" read as a space (plus) can be replaced before the escapes are decoded."""
    return ESCAPES_RUN.sub(_decode_token, text.replace("+", " ") if plus else text)


def _automaton(needles: list[Needle]) -> Any:
    """An Aho-Corasick automaton of the needles' texts (one pass over a text finds every form of
    every secret; a regular expression of 150 alternatives took ~80 ns a character)."""
    if not any(needle.text for needle in needles):
        return None
    import ahocorasick

    automaton = ahocorasick.Automaton()
    for needle in needles:
        if needle.text:
            automaton.add_word(needle.text, needle)
    automaton.make_automaton()
    return automaton


_TOKENS: dict[str, str] = {}
"""Escape tokens already decoded (a JSON body repeats the same few escapes, a page its &amp;)."""


def _decode_token(match: re.Match[str]) -> str:
    token = match.group()
    done = _TOKENS.get(token)
    if done is None:
        done = _decoded_token(token)
        if len(token) <= 12 and len(_TOKENS) < 4096:
            _TOKENS[token] = done
    return done


def _decoded_token(token: str) -> str:
    if not token.startswith("%"):
        return _unescape(token)
    data = bytes(int(token[i + 1 : i + 3], 16) for i in range(0, len(token), 3))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


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


SHELL_NAME = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


def _braced(shell: str) -> str:
    """`$NAME` as `${NAME}`: a curl line may write the sent value's next characters right after it
    (a ticket with an "x" appended: `"$SO_TICKETx"` names another, unset variable)."""
    return _ESCAPED_OR_NAME.sub(lambda m: m.group(0) if m.group(1) is None else f"${{{m.group(1)}}}", shell)


_ESCAPED_OR_NAME = re.compile(r"\\.|\$([A-Za-z_][A-Za-z0-9_]*)", re.DOTALL)
"""An escaped character (left as it is: `\\$x` is a literal dollar), or a variable to brace."""


def shell_word(value: str, shown: str) -> str:
    """`shown` inside a double-quoted shell word: a variable (`$NAME`, shown for a value that is
    not that text) as it is, a literal (a Basic user name written in the target) escaped."""
    return shown if shown != value and SHELL_NAME.fullmatch(shown) else _escape_double(shown)


def _escape_double(text: str) -> str:
    return "".join("\\" + c if c in '"\\$`' else c for c in text)


# --- output channels ---------------------------------------------------------------------------


class RedactingStream(io.TextIOBase):
    """The terminal's sink: a text stream that writes through a Redactor and then the terminal's
    sanitiser (conformance.text.sinks.terminal), a line at a time (a secret split across two writes is
    still one line), the rest when flushed at the end of a line or when it grows long. A write
    that begins with a carriage return and holds no newline rewrites the line (pytest's rewrite,
    the progress line): it goes out whole at once, what was held before it too, since a line begun
    again ends what came before on screen and in a log alike."""

    HOLD = 8192

    def __init__(self, inner: Any, redactor: Redactor) -> None:
        self.inner, self.redactor, self._held = inner, redactor, ""
        self._line_start = True

    def _out(self, text: str) -> None:
        self.inner.write(sinks.terminal(self.redactor.text(text), self._line_start))
        self._line_start = text.endswith("\n")

    def write(self, text: str) -> int:
        self._held += text
        rewrite = text.startswith("\r") and "\n" not in text
        cut = len(self._held) if rewrite else self._held.rfind("\n") + 1
        if cut == 0 and len(self._held) > self.HOLD:
            cut = len(self._held) - max(self.redactor.longest, 1)
        if cut:
            self._out(self._held[:cut])
            self._held = self._held[cut:]
        if rewrite:
            self.inner.flush()  # a rewritten line is to be seen now
        return len(text)

    def flush(self) -> None:
        self.inner.flush()

    def release(self) -> None:
        """Write what is held (the end of the output)."""
        if self._held:
            self._out(self._held)
            self._held = ""
        self.inner.flush()

    def isatty(self) -> bool:
        tty: bool = self.inner.isatty()
        return tty

    def fileno(self) -> int:
        descriptor: int = self.inner.fileno()
        return descriptor

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.inner, "encoding", "utf-8")


class RedactingRecords:
    """A logging record factory whose records carry their message already redacted."""

    def __init__(self, inner: Any, redactor: Redactor) -> None:
        self.inner, self.redactor = inner, redactor

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record: logging.LogRecord = self.inner(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to logging to report
            return record
        redacted = self.redactor.text(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return record
