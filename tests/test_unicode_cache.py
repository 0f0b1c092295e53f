"""conformance.plugin.unicode_cache writes Hypothesis's UTF-8 table exactly as Hypothesis builds it, where
Hypothesis reads it, and Hypothesis then uses it instead of building its own.

Each check runs in a subprocess with its own Hypothesis storage folder: Hypothesis caches the table
in memory for the life of a process, and building it costs about 200 MB.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import textwrap

from conformance.plugin import unicode_cache

SCRIPT = textwrap.dedent("""
    import gzip, json, sys
    from hypothesis.configuration import set_hypothesis_home_dir
    set_hypothesis_home_dir(sys.argv[1])
    from hypothesis.internal import charmap
    from conformance.plugin import unicode_cache
    if sys.argv[2] == "seed":
        unicode_cache.seed_utf8_table()
    folder = unicode_cache.cache_file().parent
    before = sorted(p.name for p in folder.iterdir()) if folder.exists() else []
    built = []
    def counting_chr(i, chr=chr):  # Hypothesis's build loop calls chr() for every code point
        built.append(i)
        return chr(i)
    charmap.chr = counting_chr
    encodable, non_roundtrip = charmap.intervals_from_codec("utf-8")
    print(json.dumps({"encodable": list(map(list, encodable.intervals)),
                      "non_roundtrip": list(map(list, non_roundtrip.intervals)),
                      "before": before, "after": sorted(p.name for p in folder.iterdir()),
                      "code_points_encoded": len(built)}))
""")


def hypothesis_process(home, mode: str) -> dict:
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(home), mode], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_written_table_is_the_one_hypothesis_builds(tmp_path):
    built = hypothesis_process(tmp_path / "built", "build")
    seeded = hypothesis_process(tmp_path / "seeded", "seed")
    # the same intervals, read back by Hypothesis
    assert seeded["encodable"] == built["encodable"] == UTF8_ENCODABLE
    assert seeded["non_roundtrip"] == built["non_roundtrip"] == []
    # the file Hypothesis wrote for itself has the name and the content the suite writes
    name = unicode_cache.CACHE_NAME + ".json.gz"
    assert name in built["after"]
    own = json.loads(gzip.decompress((tmp_path / "built").joinpath(*relative_parts(name)).read_bytes()))
    assert own == unicode_cache.UTF8_TABLE
    # Hypothesis read the seeded file and built none (its build loop encodes every code point)
    assert name not in built["before"] and name in seeded["before"] == seeded["after"]
    assert built["code_points_encoded"] == sys.maxunicode + 1 and seeded["code_points_encoded"] == 0


def test_an_existing_table_is_left_alone(tmp_path, monkeypatch):
    target = tmp_path / "codec.json.gz"
    target.write_bytes(b"Hypothesis's own")
    monkeypatch.setattr(unicode_cache, "cache_file", lambda: target)
    assert unicode_cache.seed_utf8_table() is None
    assert target.read_bytes() == b"Hypothesis's own"


def test_a_folder_that_cannot_be_written_is_no_error(tmp_path, monkeypatch):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    monkeypatch.setattr(unicode_cache, "cache_file", lambda: blocked / "unicode_data" / "codec.json.gz")
    assert unicode_cache.seed_utf8_table() is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]


UTF8_ENCODABLE = [[0, 0xD7FF], [0xE000, sys.maxunicode]]


def relative_parts(name: str) -> tuple[str, ...]:
    import unicodedata

    return ("unicode_data", unicodedata.unidata_version, name)
