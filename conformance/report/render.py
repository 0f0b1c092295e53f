"""report.html and summary.md of one run, rendered by Jinja2 templates from its results.json."""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import quote

import jinja2

from conformance.contract.endpoint import NS_API_SLOW_MS
from conformance.contract.requirements import AREAS, BY_ID
from conformance.report.bodies import readable_body
from conformance.report.chart import response_chart
from conformance.report.tell import tell
from conformance.text import sinks
from conformance.verdict import gate, results
from conformance.verdict.gate import OUTCOMES

AREA_TITLES = {
    "schema": "Response schema",
    "http": "HTTP behaviour",
    "auth": "Authentication",
    "select": "$select",
    "accept": "Accept: JSON and XML",
    "language": "Language, culture, time zone and app token",
}
VERDICT_MARKS = {
    "conforms": "✅",
    "does not conform": "❌",
    "incomplete": "⚠️",
    "waivers out of date": "⚠️",
    "dry run": "📝",
    "interrupted": "⛔",
    "configuration error": "⛔",
}
RED = ("fail", "non-strict", "waived")


def _reason_link(reason: str) -> tuple[str | None, str]:
    """A verdict reason that begins with a requirement ID: (the ID, the reason), to link to its row."""
    head = reason.split(" ", 1)[0]
    return (head if head in BY_ID else None), reason


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("conformance.report", "templates"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2", "svg.j2"), default_for_string=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = sinks.markdown
    env.filters["md_code"] = lambda text, in_table=False: sinks.markdown_code(text, in_table)
    env.filters["md_url"] = lambda path: quote(str(path), safe="/:.-_~")
    env.filters["ms"] = lambda ms: f"{ms:,.1f} ms" if ms < 1000 else f"{ms / 1000:,.2f} s"
    env.filters["reason_link"] = _reason_link
    env.filters["readable_body"] = readable_body
    env.filters["tell"] = tell
    env.globals["bare_headline"] = gate.headline  # the headline of a whole run: what the badge says
    env.globals.update(
        OUTCOMES=OUTCOMES,
        AREA_TITLES=AREA_TITLES,
        VERDICT_MARKS=VERDICT_MARKS,
        RED=RED,
        COPY_SCRIPT=COPY_SCRIPT,
        COPY_SCRIPT_HASH=_csp_hash(COPY_SCRIPT),
    )
    return env


COPY_SCRIPT = (Path(__file__).parent / "templates" / "copy.js").read_text("utf-8")
"""The page's one script (the copy buttons), allowed by its hash in the page's Content-Security-
Policy: no other script, inline or fetched, runs, whatever a server's text holds."""


def _csp_hash(script: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")


ENV = _environment()


def _areas(doc: Mapping[str, Any]) -> list[tuple[str, list[Mapping[str, Any]]]]:
    order = list(dict.fromkeys(AREAS.values()))
    grouped: dict[str, list] = {area: [] for area in order}
    for entry in doc["requirements"]:
        if entry["outcome"] not in RED:  # the failures have a section of their own, first
            grouped.setdefault(entry["area"], []).append(entry)
    return [(area, rows) for area, rows in grouped.items() if rows]


def html(doc: Mapping[str, Any]) -> str:
    chart = response_chart(doc["timings"]["response_ms"], doc["run"].get("slow_ms", NS_API_SLOW_MS))
    red = [e for e in doc["requirements"] if e["outcome"] in RED]
    return ENV.get_template("report.html.j2").render(
        doc=doc, run=doc["run"], verdict=doc["verdict"], red=red, areas=_areas(doc), chart=chart
    )


def summary(doc: Mapping[str, Any], report_link: str | None = "report.html", folder: str = "") -> str:
    """summary.md; report_link None: the page is read elsewhere (a CI job summary, where a relative
    link leads nowhere), so the report is named by its run `folder` instead."""
    red = [e for e in doc["requirements"] if e["outcome"] in RED]
    return ENV.get_template("summary.md.j2").render(
        doc=doc, run=doc["run"], verdict=doc["verdict"], red=red, report_link=report_link, folder=folder
    )


def render_run(folder: str | os.PathLike) -> tuple[Path, Path]:
    """Write report.html and summary.md beside the folder's results.json (read from disk only)."""
    folder = Path(folder)
    doc = results.load(folder)
    report, brief = folder / "report.html", folder / "summary.md"
    report.write_text(html(doc), "utf-8")
    brief.write_text(summary(doc), "utf-8")
    return report, brief
