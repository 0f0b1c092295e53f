"""Rendering from results.json alone: pinned text of a small fixed results file (snapshots), the
response-time picture, and the matrix of two such files.

To accept a deliberate change of the rendered text: UPDATE_SNAPSHOTS=1 pytest tests/test_report_render.py
"""

from __future__ import annotations

import base64
import copy
import hashlib
import html
import json
import os
import re
import shutil
from pathlib import Path

import markupsafe
import pytest

from conformance.report import bodies, compare, render, selection
from conformance.report.chart import response_chart
from conformance.verdict import results

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
    for outside in ("<link", "@import", "url(http", 'src="http', "<script src", "<script "):
        assert outside not in page
    # One script, the copy buttons', allowed by its hash and by nothing else.
    scripts = re.findall(r"<script>(.*?)</script>", page, re.S)
    assert scripts == [render.COPY_SCRIPT], scripts
    digest = base64.b64encode(hashlib.sha256(scripts[0].encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in page and "unsafe-inline'; img" in page
    assert page.count("<script") == 1


def test_the_report_opens_on_the_verdict_and_the_failures(small):
    page = render.html(small)
    failures, others, run = page.index('id="failures"'), page.index('id="requirements"'), page.index('id="run"')
    assert page.index('class="verdict') < failures < others < run < page.index('id="choices"')
    first = page[failures:others]
    assert [rid for rid in ("AUTH-06", "AUTH-10", "SELECT-04", "SCHEMA-01", "LANG-08") if f'id="{rid}"' in first] == [
        "AUTH-06",
        "AUTH-10",
        "SELECT-04",
    ]  # the red ones, open, ahead of everything else
    assert all(page.count(f'id="{e["id"]}"') == 1 for e in small["requirements"])  # each row once


def test_a_waived_row_says_the_waivers_reason_and_keeps_what_the_run_found(small):
    page = render.html(small)
    row = page[page.index('id="AUTH-10"') :]
    row = row[: row.index("</tr>")]
    waiver = next(e for e in small["requirements"] if e["id"] == "AUTH-10")
    summary_line = row[row.index("<summary>") : row.index("</summary>")]
    assert f"waived: {html.escape(waiver['waiver']['reason'])}" in summary_line, summary_line
    assert html.escape(waiver["reason"]) not in summary_line
    assert "What this run found" in row and html.escape(waiver["reason"]) in row


def test_the_report_names_the_command_that_produced_it(small):
    assert 'class="command"' not in render.html(small)  # results.json written before it was recorded
    small["run"]["command"] = "erpsync-conformance --target my-tenant.toml -k 'AUTH or SELECT'"
    page = render.html(small)
    command = page[page.index('class="command"') : page.index('id="failures"')]
    assert "erpsync-conformance --target my-tenant.toml -k &#39;AUTH or SELECT&#39;" in command
    assert 'button type="button" class="copy"' in command


def _response(body: str, media_type: str = "application/xml", **more) -> dict:
    return {"body": body, "headers": [["Content-Type", f"{media_type}; charset=utf-8"]], **more}


def test_an_xml_body_is_indented_for_reading_and_its_text_kept():
    body = '<ErpSyncEngineStatus xmlns:i="u"><StatusMessage>  two  spaces </StatusMessage><Interval i:nil="true"/></ErpSyncEngineStatus>'
    shown, indented = bodies.readable_body(_response(body))
    assert indented and shown.splitlines() == [
        '<ErpSyncEngineStatus xmlns:i="u">',
        "  <StatusMessage>  two  spaces </StatusMessage>",
        '  <Interval i:nil="true"/>',
        "</ErpSyncEngineStatus>",
    ], shown
    declared = '<?xml version="1.0"?><a><b>x</b></a>'
    assert bodies.readable_body(_response(declared))[0].startswith("<?xml")


@pytest.mark.parametrize(
    "response",
    [
        _response('{"IsRunning": true}', "application/json"),
        _response("<a><b>x</b></a>", "application/xml", truncated=True),
        _response('<!DOCTYPE a [<!ENTITY e "expanded">]><a>&e;</a>'),
        _response("<a><b>not closed</a>"),
        _response("<a>x</a>", "text/plain"),
        _response("<a>" * 3000 + "</a>" * 3000),
    ],
    ids=["json", "truncated", "doctype", "broken", "not-xml", "nested-3000-deep"],
)
def test_every_other_body_is_shown_as_received(response):
    assert bodies.readable_body(response) == (response["body"], False)


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


def _run_folder(root: Path, doc: dict, name: str, started: str, status: str | None = None) -> Path:
    doc = copy.deepcopy(doc)
    doc["run"]["target"]["name"], doc["run"]["started"] = name, started
    if status is not None:
        doc["verdict"]["status"] = status
    folder = root / f"{name}-{started[:19].replace('-', '').replace(':', '')}Z"
    folder.mkdir(parents=True)
    (folder / "results.json").write_text(json.dumps(doc))
    return folder


def test_compare_takes_the_newest_complete_run_of_each_target(small, tmp_path, capsys):
    """A glob over reports/ holds every past run (issue 23: 23 columns): the matrix takes the newest
    run of each target that ended with a verdict; --all keeps the history."""
    from conformance.report.__main__ import main as report_main

    reports = tmp_path / "reports"
    _run_folder(reports, small, "vendor-a", "2026-11-30T10:00:00+00:00")
    newest_a = _run_folder(reports, small, "vendor-a", "2026-12-01T10:00:00+00:00", "does not conform")
    _run_folder(reports, small, "vendor-a", "2026-12-01T11:00:00+00:00", "interrupted")
    _run_folder(reports, small, "vendor-b", "2026-12-01T12:00:00+00:00", "dry run")
    newest_b = _run_folder(reports, small, "vendor-b", "2026-11-29T09:00:00+00:00")
    (reports / "broken-20261201T000000Z").mkdir()
    (reports / "broken-20261201T000000Z" / "results.json").write_text("{")
    os.symlink(newest_a.name, reports / "latest")
    assert report_main(["compare", str(reports), "--out", str(tmp_path / "m")]) == 0
    said = capsys.readouterr().err
    assert (
        said.count("\n") == 1
        and "compared 2 run(s), the newest complete one of each target; left out 4: "
        "1 unreadable (no valid results.json), 1 interrupted, 1 dry run(s), 1 older than their target's newest "
        "(--all compares every run given)"
        in said
    ), said
    markdown = (tmp_path / "m" / "compare.md").read_text()
    header = next(line for line in markdown.splitlines() if line.startswith("| Requirement |"))
    assert header.count("vendor-") == 2 and "Runs: compared 2 run(s)" in markdown
    assert f"{newest_a.name}/report.html" not in markdown  # no report rendered here: '-'
    chosen = selection.choose([reports])
    assert [r.path for r in chosen.runs] == [newest_a, newest_b]
    # The same, as a shell glob passes them, latest's target named twice: each folder once.
    globbed = sorted(str(p) for p in reports.glob("vendor-*")) + [str(reports / "latest")]
    assert [r.path.resolve() for r in selection.choose(globbed).runs] == [newest_a, newest_b]
    assert (
        report_main(
            ["compare", "--all", *sorted(str(p) for p in reports.glob("vendor-*")), "--out", str(tmp_path / "all")]
        )
        == 0
    )
    header = next(
        line
        for line in (tmp_path / "all" / "compare.md").read_text().splitlines()
        if line.startswith("| Requirement |")
    )
    assert header.count("vendor-") == 5
    capsys.readouterr()
    only_one = _run_folder(tmp_path / "one", small, "vendor-c", "2026-12-01T10:00:00+00:00")
    assert report_main(["compare", str(only_one), str(reports / "vendor-a-20261201T110000Z")]) == 2
    assert capsys.readouterr().err.strip() == (
        "erpsync-report: compare needs at least two runs; found 1; left out "
        "1: 1 interrupted (--all compares every run given)"
    )


def test_two_results_files_side_by_side_are_two_runs(small, tmp_path):
    other = copy.deepcopy(small)
    other["run"]["target"]["name"] = "other-vendor"
    (tmp_path / "a.json").write_text(json.dumps(small))
    (tmp_path / "b.json").write_text(json.dumps(other))
    chosen = selection.choose([tmp_path / "a.json", tmp_path / "b.json"], every=True)
    assert [run.path.name for run in chosen.runs] == ["a.json", "b.json"]


def test_each_failure_says_what_to_tell_the_vendor(small, tmp_path):
    """What was sent, what came back, what the contract says and what was wrong, in words, once for
    every sink: report.html, summary.md and the vendor matrix (a waived row is not told)."""
    from conformance.report.tell import tell

    entry = next(e for e in small["requirements"] if e["id"] == "AUTH-06")
    text = tell(entry)
    assert text.startswith(
        "We sent POST /Cust12345/api/v1/Agents/ErpSync/GetEngineStatus with Accept: "
        "application/json, Basic credentials; the server answered 200 OK, application/json"
    ), text
    assert f"The contract ({entry['authority']}) says: {entry['title']}" in text
    assert f"What we saw: {entry['reason']}" in text and "$WRONG" not in text and "None" not in text
    assert str(markupsafe.escape(text)) in render.html(small)
    summary = render.summary(small)
    told = summary[summary.index("What to tell the vendor:") :]
    assert "- **AUTH-06**: We sent POST" in told and "**SELECT-04**" in told and "AUTH-10" not in told
    other = copy.deepcopy(small)
    other["run"]["target"]["name"] = "other-vendor"
    (tmp_path / "other.json").write_text(json.dumps(other))
    page, md = compare.write([DATA, tmp_path / "other.json"], tmp_path / "out")
    assert "What to tell each vendor" in page.read_text() and "  - **AUTH-06** (fail): We sent POST" in md.read_text()


def test_what_to_tell_a_vendor_without_an_exchange_is_the_contract_and_the_finding():
    from conformance.report.tell import tell

    entry = {
        "title": "401 responses carry WWW-Authenticate",
        "authority": "RFC 9110",
        "reason": "a 401 without it",
        "expected": "WWW-Authenticate",
        "actual": "",
        "evidence": [],
    }
    assert tell(entry) == (
        "The contract (RFC 9110) says: 401 responses carry WWW-Authenticate; expected "
        "WWW-Authenticate. What we saw: a 401 without it."
    )


def test_report_says_the_verdict_once_and_the_headline_where_it_adds_to_it(small):
    """The badge says the status and exit code; the headline line follows only when it says more
    (partial, cut by the budget), never the same words a second time."""
    doc = copy.deepcopy(small)
    doc["verdict"]["headline"] = f"verdict: {doc['verdict']['status']} (exit {doc['verdict']['exit_code']})"
    assert 'class="headline"' not in render.html(doc)
    doc["verdict"]["headline"] += ": partial: 9 of 51 requirements selected"
    assert '<p class="headline">' + doc["verdict"]["headline"] + "</p>" in render.html(doc)
