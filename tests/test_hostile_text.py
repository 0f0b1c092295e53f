"""Server text in every output, as text (DESIGN rule 20), and a verdict that stays true whatever
breaks (issue 21): the whole CLI, serially and under -n 2, against a server whose property names
carry terminal escapes, GitHub workflow commands, HTML and a lone surrogate; and a run one of whose
workers breaks. Each output is read by what reads it in life: the terminal's bytes as a terminal
would take them, summary.md rendered as GitHub-flavoured Markdown, junit.xml by an XML parser."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from werkzeug.wrappers import Response

from tests.hostile.altered import Altered, json_bodies, serving
from tests.hostile.targets import SECRETS, write_target

HOSTILE = (
    "IsRunning\\u001b]0;pwned\\u0007\\u001b[8m\\u001b]52;c;cHduZWQ=\\u0007\\n::notice::forged\\n"
    "##[warning]forged\\n<img src=http://127.0.0.1:9/beacon.png><h1>conforms</h1>\\ud800\\u202e"
)
"""A property name as the JSON body writes it: escapes a JSON parser turns into ESC, BEL, LF, a lone
surrogate and a right-to-left override."""
HEADER = "\x1b]0;pwned-by-header\x07\x1b[8m"

WORKFLOW_LINE = re.compile(r"^\s*(::|##\[)", re.MULTILINE)
FOREIGN_ESCAPE = re.compile(r"\x1b(?!\[[0-9;]*m)|\x1b\[(?:[0-9;]*;)?8(?:;[0-9;]*)?m|[\x07\x9b]")


def renaming(server: Altered, request) -> Response:
    response = json_bodies(lambda body: body.replace(b'"IsRunning"', f'"{HOSTILE}"'.encode(), 1))(server, request)
    response.headers["X-Hostile"] = HEADER
    return response


def assert_inert_everywhere(folder: Path, output: bytes, summary_file: Path, junit: Path) -> dict:
    """Every output decodes as UTF-8 and carries the hostile text only as text."""
    text = output.decode("utf-8")  # strict: no lone surrogate reached the terminal
    assert not FOREIGN_ESCAPE.search(text), FOREIGN_ESCAPE.search(text)
    assert not WORKFLOW_LINE.search(text), WORKFLOW_LINE.search(text)
    assert "Traceback" not in text and "INTERNALERROR" not in text, text[-3000:]
    doc = json.loads((folder / "results.json").read_bytes().decode("utf-8"))
    report = (folder / "report.html").read_bytes().decode("utf-8")
    assert "<img src=http://127.0.0.1:9" not in report and "<h1>conforms" not in report
    assert "\x1b" not in report and "\ud800" not in report
    for markdown in ((folder / "summary.md").read_text("utf-8"), summary_file.read_text("utf-8")):
        assert_markdown_inert(markdown)
    ET.parse(junit)  # well-formed XML
    return doc


def assert_markdown_inert(markdown: str) -> None:
    """Markdown as GitHub renders it (linkify on): no image, no heading the server wrote, no link to
    where the server points, no escape character."""
    html = MarkdownIt("gfm-like").render(markdown)
    assert "<img" not in html and "<h1>" not in html, html
    assert not [href for href in re.findall(r'href="([^"]*)"', html) if "127.0.0.1:9" in href], html
    assert "\x1b" not in markdown


def assert_compared_inert(folder: Path, out: Path) -> None:
    """compare.md and compare.html of the hostile run beside a copy of it where SCHEMA-06 passed:
    the row differs, so the hostile reason is listed under "Why they differ", as text."""
    from conformance.report import compare

    doc = json.loads((folder / "results.json").read_text("utf-8"))
    for entry in doc["requirements"]:
        if entry["id"] == "SCHEMA-06":
            entry["outcome"], entry["reason"] = "pass", "held"
    doc["run"]["target"]["name"] = "other"
    (out / "other").mkdir(parents=True)
    (out / "other" / "results.json").write_text(json.dumps(doc), "utf-8")
    written = compare.write([folder, out / "other"], out / "matrix")
    markdown = next(p for p in written if p.suffix == ".md").read_text("utf-8")
    page = next(p for p in written if p.suffix == ".html").read_text("utf-8")
    assert "pwned" in markdown and "pwned" in page, "the hostile reason is in the matrix (the test can fail)"
    assert_markdown_inert(markdown)
    assert "<img src=http://127.0.0.1:9" not in page and "<h1>conforms" not in page and "\x1b" not in page


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_hostile_text_reaches_every_output_as_text(tmp_path, workers):
    with serving(Altered(renaming)) as base_url:
        target = write_target(tmp_path, base_url)
        summary_file, junit = tmp_path / "step-summary.md", tmp_path / "junit.xml"
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "conformance",
                "--target",
                str(target),
                "--hypothesis-profile",
                "quick",
                "--reports-dir",
                "reports",
                "--summary-file",
                str(summary_file),
                "--junitxml",
                str(junit),
                *workers,
            ],
            cwd=tmp_path,
            env={**os.environ, **SECRETS},
            capture_output=True,
            timeout=300,
        )
    folder = (tmp_path / "reports" / "latest").resolve()
    doc = assert_inert_everywhere(folder, done.stdout + done.stderr, summary_file, junit)
    # The verdict is the server's, and the same in the exit code and every output.
    assert done.returncode == doc["verdict"]["exit_code"] == 1, doc["verdict"]
    assert doc["verdict"]["status"] == "does not conform"
    assert "does not conform" in summary_file.read_text("utf-8")
    reasons = {e["id"]: e["reason"] for e in doc["requirements"]}
    assert "\\x1b]0;pwned\\x07" in reasons["SCHEMA-06"] and "\\ud800" in reasons["SCHEMA-06"], reasons["SCHEMA-06"]
    assert "\\x1b]0;pwned" in (done.stdout + done.stderr).decode(), "the escaped name is shown, not dropped"
    if not workers:
        assert_compared_inert(folder, tmp_path / "compared")


CRASHING = """
import os
def pytest_runtest_logfinish(nodeid, location):
    if os.environ.get("PYTEST_XDIST_WORKER") == "gw1" and "test_accept" in nodeid:
        raise RuntimeError("a worker breaks on purpose")
"""


def test_a_worker_that_breaks_makes_the_run_no_verdict(tmp_path):
    (tmp_path / "crashing.py").write_text(CRASHING)
    summary_file = tmp_path / "step-summary.md"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "conformance",
            "-p",
            "crashing",
            "-n",
            "2",
            "--hypothesis-profile",
            "quick",
            "--reports-dir",
            "reports",
            "--summary-file",
            str(summary_file),
        ],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
        capture_output=True,
        timeout=300,
    )
    text = (done.stdout + done.stderr).decode("utf-8", "replace")
    assert done.returncode == 2, text[-3000:]
    folder = (tmp_path / "reports").glob("reference-*")
    doc = json.loads((next(folder) / "results.json").read_text("utf-8"))
    assert doc["verdict"]["status"] == "interrupted" and doc["verdict"]["exit_code"] == 2, doc["verdict"]
    assert "RuntimeError: a worker breaks on purpose" in doc["verdict"]["reasons"][0]
    run_folder = next((tmp_path / "reports").glob("reference-*"))
    for written in (summary_file, run_folder / "summary.md"):
        said = written.read_text("utf-8")
        assert "interrupted" in said and "conforms" not in said.replace("does not conform", ""), written
    verdicts = re.findall(r'<span class="verdict ([^"]*)">([^<]*)<', (run_folder / "report.html").read_text("utf-8"))
    assert verdicts == [("interrupted", "Interrupted")], verdicts
    assert "verdict: interrupted (exit 2)" in text
