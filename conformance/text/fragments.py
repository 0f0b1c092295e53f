"""The pieces of a secret an output could carry without carrying the secret: every run of WINDOW
consecutive characters of it, in every transform a server (or a proxy, a log, a report) might
apply: as it is and case-folded, reversed, in hex, in UTF-16LE/BE, URL-, JSON- and HTML-escaped
(conformance.text.redaction decodes those escapes before it searches), and in base64 and base64url at
each of the three byte alignments, whitespace ignored (one line, wrapped over lines every 16 or 76
characters with CR LF or LF, or split by blanks within a line).

Every window is searched, ordinary words included (a secret holding "response" turns that word
into `[part of $NAME]` wherever it stands: over-redaction is the safe side). The one exception is
the bundled reference server's published sample credentials (conformance.reference.config), which
contain words such as "reference" and are no secret: conformance.text.redaction searches those whole only.

conformance.text.redaction searches for the pieces with Aho-Corasick automatons (pyahocorasick), so
the cost grows with the text, not with the number of pieces.
"""

from __future__ import annotations

import base64
from typing import Iterable

WINDOW = 8
"""Characters of a secret that make a piece of it: no output carries this many in a row."""


def windows(secret: str) -> list[str]:
    return [secret[i : i + WINDOW] for i in range(len(secret) - WINDOW + 1)]


def textual(secrets: Iterable[str]) -> set[str]:
    """The pieces searched for in text, ignoring case: plain, reversed, hex, UTF-16LE and UTF-16BE
    (as their bytes read as text: ASCII with NULs between)."""
    found: set[str] = set()
    for secret in secrets:
        for window in windows(secret):
            found |= {window, window[::-1]}
            raw = window.encode("utf-8")
            found.add(raw.hex())
            for codec in ("utf-16-le", "utf-16-be"):
                try:
                    found.add(window.encode(codec).decode("ascii"))
                except UnicodeDecodeError:
                    pass  # not ASCII: its UTF-16 bytes are no text an output would show as such
    return found


def encoded(secrets: Iterable[str]) -> set[str]:
    """The base64 and base64url characters that a window's bytes alone decide, at each alignment
    of the window in the encoded stream (case matters: searched as they are)."""
    found: set[str] = set()
    for secret in secrets:
        for window in windows(secret):
            raw = window.encode("utf-8")
            for offset in range(3):
                first = -(-8 * offset // 6)  # the first character whose 6 bits all come from the window
                last = (8 * (offset + len(raw))) // 6  # one past the last such character
                text = base64.b64encode(b"\0" * offset + raw + b"\0\0").decode("ascii")[first:last]
                found |= {text, text.translate(URLSAFE)}
    return {piece for piece in found if len(piece) >= WINDOW}


URLSAFE = str.maketrans("+/", "-_")
