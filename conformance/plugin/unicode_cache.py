"""Hypothesis's table of the characters UTF-8 encodes, written before schemathesis needs it.

schemathesis draws its strings from `st.characters(codec="utf-8")`. The first time that happens
in a folder, Hypothesis builds the codec's table by encoding all 1,114,112 code points one by one
and holding a tuple per character: about 200 MB of peak memory (two thirds of a whole run's) and
seconds of CPU, once per folder, after which it is cached under `.hypothesis/unicode_data`. The
table is known in closed form: UTF-8 encodes every code point except the surrogates
U+D800..U+DFFF, and every one of them decodes back to itself. So the suite writes it, in
Hypothesis's own cache format, where Hypothesis looks for it, when it is not there yet.

The file name and format are Hypothesis's (`hypothesis.internal.charmap`, "codec-v2");
`tests/test_unicode_cache.py` compares the file written here with the one Hypothesis builds
itself, so a Hypothesis release that changes either fails that test. At run time such a change
costs only the build again: Hypothesis ignores a file it does not look for.
"""

from __future__ import annotations

import gzip
import json
import os
import sys
import tempfile
from pathlib import Path

from hypothesis.internal import charmap

CACHE_NAME = "codec-v2-utf-8"
SURROGATES = (0xD800, 0xDFFF)
# [encodable intervals, encodable intervals that do not round-trip]
UTF8_TABLE = [[[0, SURROGATES[0] - 1], [SURROGATES[1] + 1, sys.maxunicode]], []]


def cache_file() -> Path:
    """Where Hypothesis looks for the UTF-8 table (under the current Hypothesis storage folder)."""
    return charmap.charmap_file(CACHE_NAME)


def seed_utf8_table() -> Path | None:
    """Write the UTF-8 table unless it is there; the file written, or None when nothing was.
    A folder that cannot be written leaves Hypothesis to build the table as it always did."""
    path = cache_file()
    if path.exists():
        return None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=1) as packed:
                packed.write(json.dumps(UTF8_TABLE).encode())
            os.replace(temporary, path)  # atomic: a parallel worker reads the old state or the whole file
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError:
        return None
    return path
