"""One sanitiser per output sink (DESIGN rule 20): server text is untrusted wherever it lands.

A server chooses every byte of its answers, and the suite quotes them: property names and values
in reasons, media types and headers in evidence, bodies in reports. Each kind of output gets its
text through one function here, after redaction (conformance.text.redaction), so that what a server
sends can neither act on the reader's tools nor break the file it lands in:

- `shown`: any text an outcome carries (reasons, evidence), before it goes anywhere: a lone
  surrogate (valid in a JSON string, not in any encoding) and every control character but tab
  (and newline, in a body) are written as escapes (`\\ud800`, `\\x1b`, `\\r`, `\\n`), as are the
  bidirectional overrides (U+202A-U+202E, U+2066-U+2069) that reorder what a reader sees. So every
  output can encode it, and a one-line field stays one line.
- `terminal`: everything the terminal (and so a CI log) receives. Escape sequences other than the
  colours pytest itself writes (SGR without conceal) are escaped, so nothing can set a window
  title, write the clipboard (OSC 52), draw a link, clear the screen or hide text; and no line
  begins with a GitHub Actions workflow command (`::name::`, `##[name]`, leading blanks ignored
  as the runner ignores them), whose first character is escaped instead.
- `json_text`: results.json and every JSON string passed between processes: encodable whatever
  the strings hold.
- `markdown` and `markdown_code`: summary.md and compare.md (CI job summaries render Markdown with
  inline HTML): text is escaped to be read as text, never as a tag, image, link or heading.
- `toml_comment` and `toml_string`: what `discover` writes into a target file.
HTML is Jinja2's autoescape (conformance.report), over text that has been `shown`.
"""

from __future__ import annotations

import json
import re
from typing import Any

_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_UNSHOWN = re.compile(f"[\x00-\x08\x0a-\x1f\x7f-\x9f\ud800-\udfff{_BIDI}]")
_UNSHOWN_LINES = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff{_BIDI}]")


def _escape(char: str) -> str:
    code = ord(char)
    if char in "\r\n":
        return "\\r" if char == "\r" else "\\n"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def shown(text: str, lines: bool = False) -> str:
    """The text with lone surrogates, control characters (but tab, and newline where `lines`: a
    body) and bidirectional overrides written as escapes: safe for every sink's encoding, the same
    in all of them, and one line unless it is a body."""
    unshown = _UNSHOWN_LINES if lines else _UNSHOWN
    return unshown.sub(lambda m: _escape(m.group()), text) if unshown.search(text) else text


def shown_deep(value: Any) -> Any:
    """A JSON-like value with every string in it (keys too) `shown`."""
    if isinstance(value, str):
        return shown(value)
    if isinstance(value, dict):
        return {shown(k) if isinstance(k, str) else k: shown_deep(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [shown_deep(v) for v in value]
    return value


# --- the terminal and CI logs ----------------------------------------------------------------

_SGR_ALLOWED = {
    0,
    1,
    2,
    3,
    4,
    5,
    7,
    21,
    22,
    23,
    24,
    25,
    27,
    39,
    49,
    *range(30, 38),
    *range(40, 48),
    *range(90, 98),
    *range(100, 108),
}
"""The SGR parameters of colour and weight (what pytest and pygments write); not 8 (conceal),
which hides text, nor 28 and 29."""
_ESCAPES = re.compile(r"\x1b\[([0-9;]*)m|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff" + _BIDI + "]")
_WORKFLOW = re.compile(r"(?:^|(?<=\r))([ \t\f\v]*)(::|##\[)", re.MULTILINE)
"""A workflow command's start at a line's start, or after a carriage return (a rewritten line,
which a log keeps as the start of a line of its own)."""


def _sgr_allowed(params: str) -> bool:
    if not params:
        return True
    values = params.split(";")
    out, i = [], 0
    while i < len(values):
        if not values[i].isdigit():
            return False
        value = int(values[i])
        if value in (38, 48) and i + 2 < len(values) and values[i + 1] == "5":  # 256 colours
            i += 3
            continue
        out.append(value)
        i += 1
    return all(v in _SGR_ALLOWED for v in out)


def _terminal_escape(match: re.Match[str]) -> str:
    if match.group(1) is not None:  # an SGR sequence
        return match.group() if _sgr_allowed(match.group(1)) else "\\x1b" + match.group()[1:]
    return _escape(match.group())


def terminal(text: str, line_start: bool = True) -> str:
    """What a terminal or CI log may receive: colours, text, tabs, newlines and carriage returns
    (pytest rewrites its progress line); any other control character escaped; no line that the
    GitHub Actions runner would read as a workflow command. `line_start`: the text begins a line
    (else its first characters continue one, and are no line's start)."""
    text = _ESCAPES.sub(_terminal_escape, text)

    def neutral(match: re.Match[str]) -> str:
        if match.start() == 0 and not line_start:
            return match.group()
        return match.group(1) + ("\\x3a:" if match.group(2) == "::" else "\\x23#[")

    return _WORKFLOW.sub(neutral, text)


# --- JSON -----------------------------------------------------------------------------------

_SURROGATE = re.compile("[\ud800-\udfff]")


def json_text(value: Any, indent: int | None = None) -> str:
    """JSON text (UTF-8 as written, not ASCII-escaped) that any encoding of it can hold: a lone
    surrogate in a string is written as its JSON escape."""
    text = json.dumps(value, indent=indent, ensure_ascii=False)
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text) if _SURROGATE.search(text) else text


# --- Markdown (CI job summaries) -------------------------------------------------------------

_INLINE = re.compile(r"[\\`*_\[\]<>|~&@]|:(?=//)|\.(?=[^\W\d_])")
"""What can begin markup anywhere in a line: emphasis, code, links and images, HTML and entities,
cell borders, strikethrough, and autolinks (`scheme://`, `www.`, `user@host`, and the bare
`host.name` that renderers with fuzzy linking take for a link)."""
_BLOCK = re.compile(r"^([#+=>-]|\d+[.)])")
"""What begins a block at the start of a list item's or line's text: a heading, a list, a quote."""


def markdown(text: Any) -> str:
    """Text for a Markdown table cell or line: one line, each character that could begin markup
    backslash-escaped (CommonMark reads an escaped ASCII punctuation character as itself), so no
    tag, image, link, autolink, heading, emphasis or cell border comes out of it."""
    flat = shown(" ".join(str(text).split()))
    flat = _INLINE.sub(lambda m: "\\" + m.group(), flat)
    return _BLOCK.sub(lambda m: m.group()[:-1] + "\\" + m.group()[-1], flat)


def markdown_code(text: Any, in_table: bool = False) -> str:
    """Text as a Markdown code span, fenced by more backticks than any run in it (CommonMark 6.1),
    on one line; in a table cell, `|` escaped as GFM tables require even inside code."""
    flat = shown(" ".join(str(text).split())) or " "
    longest = max((len(run) for run in re.findall("`+", flat)), default=0)
    fence = "`" * (longest + 1)
    if flat.startswith("`") or flat.endswith("`") or (flat.startswith(" ") and flat.endswith(" ")):
        flat = f" {flat} "
    if in_table:
        flat = flat.replace("|", "\\|")
    return f"{fence}{flat}{fence}"


# --- TOML (discover's output) ----------------------------------------------------------------

_TOML_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f\ud800-\udfff]")


def toml_comment(text: str) -> str:
    """Text for after `#` in TOML: one line, no control character but tab (TOML 1.0, Comment)."""
    return shown(text).replace("\n", "\\n")


def toml_string(text: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped."""
    escaped = shown(text).replace("\\", "\\\\").replace('"', '\\"')
    return '"' + _TOML_CONTROL.sub(lambda m: f"\\u{ord(m.group()):04X}", escaped) + '"'
