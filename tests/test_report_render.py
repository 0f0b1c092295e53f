"""Rendering from results.json alone: pinned text of a small fixed results file (snapshots), the
response-time picture, and the matrix of two such files.

To accept a deliberate change of the rendered text: UPDATE_SNAPSHOTS=1 pytest tests/test_report_render.py
"""

from __future__ import annotations

import copy
import json
import os
import shutil
from pathlib import Path

import pytest

from conformance import results
from conformance.report import compare, render
from conformance.report.chart import response_chart

DATA = Path(__file__).parent / "data" / "results-small.json"
SNAPSHOTS = Path(__file__).parent / "snapshots"


def _matches_snapshot(name: str, text: str) -> None:
    path = SNAPSHOTS / name
    if os.getenv("UPDATE_SNAPSHOTS"):
        path.write_text(text, "utf-8")
    assert path.exists(), f"no snapshot {path.name}: run with UPDATE_SNAPSHOTS=1 once and review it"
    assert text == path.read_text("utf-8"), f"{name} differs from its snapshot (UPDATE_SNAPSHOTS=1 to accept)"


@pytest.fixture
def small() -> dict:
    return results.load(DATA)


def test_summary_snapshot(small):
    _matches_snapshot("summary.md", render.summary(small))


def test_report_snapshot(small):
    _matches_snapshot("report.html", render.html(small))


def test_matrix_snapshot(small, tmp_path):
    other = copy.deepcopy(small)
    other["run"]["target"]["name"] = "other-vendor"
    for entry in other["requirements"]:
        if entry["id"] == "AUTH-06":
            entry.update(outcome="pass", reason="refused: wrong basic (401)")
    (tmp_path / "other.json").write_text(json.dumps(other))
    page, text = compare.write([DATA, tmp_path / "other.json"], tmp_path / "out")
    assert compare.matrix([small, other])["differing"] == ["AUTH-06"]
    _matches_snapshot("compare.md", text.read_text())
    _matches_snapshot("compare.html", page.read_text())


def test_the_report_escapes_what_the_server_sent(small):
    page = render.html(small)
    assert "&lt;b&gt;ok&lt;/b&gt; &amp; done" in page and "<b>ok</b>" not in page


def test_the_report_is_self_contained(small):
    page = render.html(small)
    assert "default-src 'none'" in page
    for outside in ("<script", "<link", "@import", "url(http", "src=\"http"):
        assert outside not in page


def test_the_summary_lists_only_what_is_red(small):
    text = render.summary(small)
    assert "| AUTH-06 " in text and "| SELECT-04 " in text and "| AUTH-10 " in text
    assert "waived (was non-strict)" in text and "the gateway strips WWW-Authenticate" in text
    assert "SCHEMA-01" not in text.split("Untested")[0]
    assert "Untested: LANG-08." in text


def test_render_run_writes_both_files_from_results_json_only(tmp_path):
    folder = tmp_path / "run"
    folder.mkdir()
    shutil.copy(DATA, folder / "results.json")
    report, brief = render.render_run(folder)
    assert report.read_text() == render.html(results.load(DATA)) and brief.name == "summary.md"


# --- the response-time picture --------------------------------------------------------------------

def test_the_chart_bins_every_response_and_marks_the_slow_ones():
    times = [1.5, 2.0, 2.2, 30.0, 4000.0, 5200.0, 12000.0]
    chart = response_chart(times, 5000.0)
    assert sum(b.count for b in chart.bars) == len(times) == chart.count
    assert chart.over == 2 and chart.max_ms == 12000.0
    assert sum(b.slow_count for b in chart.bars) == 2  # 5200 (in the bin 3981..6310 ms) and 12000
    assert all(b.slow_count == 0 for b in chart.bars if b.high_ms <= 5000.0)
    assert all(0 < b.slow_height <= b.height for b in chart.bars if b.slow_count)
    assert chart.plot_left < chart.threshold_x < chart.plot_right
    assert [t.label for t in chart.ticks] == ["1 ms", "10 ms", "100 ms", "1 s", "10 s", "100 s"]


def test_the_threshold_is_on_the_axis_even_when_every_response_is_fast():
    chart = response_chart([0.8, 1.1, 1.3], 5000.0)
    assert chart.ticks[-1].label == "10 s" and chart.threshold_x < chart.plot_right
    assert chart.over == 0 and chart.median_ms == 1.1


def test_no_responses_no_chart():
    assert response_chart([], 5000.0) is None
