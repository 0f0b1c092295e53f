"""The per-sink sanitisers (conformance/text/sinks.py): whatever text a server sends, each output holds
it as text: encodable, one line where a line is meant, and inert for the tool that reads it (a
terminal, the GitHub Actions runner, a Markdown renderer, a TOML parser)."""

from __future__ import annotations

import html
import json
import re
import tomllib

from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from conformance.text import sinks

HOSTILE = (
    "IsRunning\x1b]0;pwned\x07\x1b[8m\n::notice::forged\r\n  ::add-mask::x\n##[error]y"
    "<img src=http://x/b>\ud800\u202e\x9b2J"
)
WORKFLOW_LINE = re.compile(r"(?:^|\r)\s*(::|##\[)", re.MULTILINE)
"""A workflow command at a line's start, or after a carriage return (a rewritten line)."""
ANY_TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=60)
"""Any string Python can hold: lone surrogates, controls, bidi overrides included."""


def test_shown_escapes_what_no_sink_may_hold_raw():
    text = sinks.shown(HOSTILE)
    assert "\x1b" not in text and "\x07" not in text and "\ud800" not in text and "\u202e" not in text
    assert "\x9b" not in text and "\r" not in text and "\n" not in text
    assert "\\x1b]0;pwned\\x07" in text and "\\ud800" in text and "\\u202e" in text and "\\n::notice" in text
    text.encode("utf-8")  # any encoding of it works
    assert sinks.shown("body\nline two\ttab", lines=True) == "body\nline two\ttab"
    assert sinks.shown("plain text: åäö, 日本") == "plain text: åäö, 日本"


@given(ANY_TEXT)
def test_shown_is_encodable_and_one_line_for_any_string(text):
    out = sinks.shown(text)
    out.encode("utf-8")
    assert "\n" not in out and "\x1b" not in out


def test_the_terminal_keeps_pytests_colours_and_escapes_every_other_sequence():
    out = sinks.terminal("\x1b[31m\x1b[1mFAILED\x1b[0m " + HOSTILE + "\n")
    assert out.startswith("\x1b[31m\x1b[1mFAILED\x1b[0m ")  # pytest's own markup
    assert "\x1b]" not in out and "\x1b[8m" not in out and "\x07" not in out and "\x9b" not in out
    assert "\\x1b]0;pwned" in out and "\\x1b[8m" in out
    assert not WORKFLOW_LINE.search(out), out
    assert "\\x3a:notice::forged" in out and "\\x23#[error]" in out
    assert sinks.terminal("\x1b[38;5;208mcolour\x1b[39m") == "\x1b[38;5;208mcolour\x1b[39m"
    assert sinks.terminal("\x1b[2J\x1b[H") == "\\x1b[2J\\x1b[H"  # a screen clear, the cursor home


def test_the_terminal_knows_whether_a_write_begins_a_line():
    assert sinks.terminal("::text", line_start=False) == "::text"  # the middle of a line
    assert sinks.terminal("::text\n::more", line_start=False) == "::text\n\\x3a:more"
    # A carriage return begins the line again (pytest's rewrites; a log keeps what follows it).
    assert sinks.terminal("3 of 9 tests\r::error::forged", line_start=False) == "3 of 9 tests\r\\x3a:error::forged"
    assert sinks.terminal("\r ##[group]x", line_start=False) == "\r \\x23#[group]x"


@given(ANY_TEXT)
def test_no_terminal_line_is_a_workflow_command_and_no_escape_survives_but_colour(text):
    out = sinks.terminal(text)
    assert not WORKFLOW_LINE.search(out)
    assert not re.search(r"\x1b(?!\[[0-9;]*m)", out)
    assert not re.search(r"\x1b\[(?:[0-9;]*;)?0*8(?:;[0-9;]*)?m", out.replace("\x1b[38;5;8m", ""))
    out.encode("utf-8")


def test_json_text_writes_a_lone_surrogate_as_its_escape():
    text = sinks.json_text({"\ud800": "x\udfff", "å": 1})
    text.encode("utf-8")
    assert json.loads(text) == {"\ud800": "x\udfff", "å": 1}
    assert "å" in text  # UTF-8 as written, not ASCII-escaped


@given(st.dictionaries(ANY_TEXT, ANY_TEXT, max_size=4))
def test_json_text_round_trips_any_strings(value):
    text = sinks.json_text(value, indent=1)
    text.encode("utf-8")
    assert json.loads(text) == value


GFM = MarkdownIt("gfm-like")
"""CommonMark with GitHub's tables, strikethrough and autolinks: how a job summary is read."""


def rendered_as_text(markdown: str, text: str) -> bool:
    """`markdown` renders as one paragraph, without any element in it, that reads `text` (its
    whitespace collapsed)."""
    out = GFM.render(markdown).strip()
    inner = out.removeprefix("<p>").removesuffix("</p>")
    return out == f"<p>{inner}</p>" and "<" not in inner and html.unescape(inner) == " ".join(text.split())


def test_markdown_is_text_never_markup():
    for text in (
        "<img src=http://x/b> # [a](b) | www.x.com **bold** `code` &lt; ~~gone~~",
        "# conforms",
        "1. item",
        "- item",
        "> quote",
        "![beacon](http://x/b.png)",
        "<h1>conforms</h1>",
        "see http://x.y/z and www.a.com",
        "two\n\n# lines",
        "===",
        "a_b_c *x* \\*",
    ):
        assert rendered_as_text(sinks.markdown(text), text), (text, GFM.render(sinks.markdown(text)))
    assert sinks.markdown("tenant-staging: $select='IsRunning'") == "tenant-staging: $select='IsRunning'"


@given(
    st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp", "Cf")), max_size=40).filter(
        str.strip
    )
)
def test_any_text_reads_as_itself_in_markdown(text):
    assert rendered_as_text(sinks.markdown(text), text), GFM.render(sinks.markdown(text))


def test_a_table_cell_stays_one_cell():
    table = f"| a | b |\n|---|---|\n| {sinks.markdown('x | y <b>')} | {sinks.markdown_code('q|`r', in_table=True)} |\n"
    assert "<td>x | y &lt;b&gt;</td>" in GFM.render(table) and "<td><code>q|`r</code></td>" in GFM.render(table)


def test_markdown_code_is_fenced_longer_than_any_backtick_run():
    assert sinks.markdown_code("a``b") == "```a``b```"
    assert sinks.markdown_code("`x`") == "`` `x` ``"
    assert sinks.markdown_code("a|b", in_table=True) == "`a\\|b`"
    assert sinks.markdown_code("") == "`   `"  # a space, padded: CommonMark strips one each side


@given(ANY_TEXT)
def test_toml_strings_and_comments_parse_for_any_string(text):
    doc = tomllib.loads(f"key = {sinks.toml_string(text)} # {sinks.toml_comment(text)}\nnext = 1\n")
    assert doc["next"] == 1
    assert doc["key"] == sinks.shown(text)
