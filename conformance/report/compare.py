"""The vendor matrix: several runs side by side, one column per run, one row per requirement.
Per run its verdict, its counts and a link to its own report.html; the rows whose outcomes differ
between the runs first, each cell with its reason (in the HTML under the badge, in the Markdown in
a list below the table); then the rows where every run agrees; then each run's choices on the
open points. Reads results.json files only.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any, Mapping, Sequence

from conformance.contract.choices import SETTINGS
from conformance.report import selection
from conformance.report.render import ENV
from conformance.report.tell import tell
from conformance.verdict import results


def _labels(docs: Sequence[Mapping[str, Any]]) -> list[str]:
    """Target names (with the faults of a bundled server); where two runs share one, their start
    times tell them apart."""
    names = [
        d["run"]["target"]["name"]
        + (f" ({', '.join(d['run']['target']['faults'])})" if d["run"]["target"]["faults"] else "")
        for d in docs
    ]
    labels = [n if names.count(n) == 1 else f"{n} {d['run']['started'][:19]}" for n, d in zip(names, docs)]
    return [label if labels.count(label) == 1 else f"{label} #{i + 1}" for i, label in enumerate(labels)]


LEGEND = (
    ("pass", "the requirement holds"),
    ("fail", "a MUST requirement is broken: the run does not conform"),
    ("non-strict", "a SHOULD requirement is broken: fails the run only under --strict-should"),
    ("informational", "an INFO requirement: what the server does, listed, never judged"),
    ("not-applicable", "the installation does not offer what it is about (e.g. a scheme it does not declare)"),
    (
        "untested",
        "not judged: no credentials for it, the budget ran out, or a live engine kept a comparison from settling",
    ),
    ("waived", "failed, but the target's waiver file accepts it (with a reason and maybe an expiry date)"),
    ("absent", "not in that run (deselected with -m/-k, or an older suite)"),
)


TOLD = ("fail", "non-strict")
"""The outcomes a vendor is told about (a waived one is the user's own decision)."""


def matrix(docs: Sequence[Mapping[str, Any]], reports: Sequence[str | None] | None = None) -> dict[str, Any]:
    """`reports`: per run, the path of its report.html relative to where the matrix is written."""
    reports = list(reports) if reports is not None else [None] * len(docs)
    columns = [
        {
            "label": label,
            "target": d["run"]["target"],
            "started": d["run"]["started"],
            "suite_version": d["run"]["suite_version"],
            "verdict": d["verdict"],
            "requests": d["run"]["requests"],
            "report": report,
            "counts": {o: n for o, n in d["verdict"]["counts"].items() if n},
        }
        for label, d, report in zip(_labels(docs), docs, reports)
    ]
    by_run = [{e["id"]: e for e in d["requirements"]} for d in docs]
    ids = list(dict.fromkeys(rid for table in by_run for rid in table))
    rows = []
    for rid in ids:
        cells = [table.get(rid) for table in by_run]
        known = next(c for c in cells if c is not None)
        outcomes = [c["outcome"] if c else "absent" for c in cells]
        rows.append(
            {
                "id": rid,
                "level": known["level"],
                "title": known["title"],
                "area": known["area"],
                "cells": [
                    {"outcome": o, "reason": c["reason"] if c else "not in this run"} for o, c in zip(outcomes, cells)
                ],
                "differs": len(set(outcomes)) > 1,
            }
        )
    rows.sort(key=lambda r: not r["differs"])  # stable: catalogue order within each group
    told = [
        {
            "label": c["label"],
            "items": [
                {"id": e["id"], "title": e["title"], "outcome": e["outcome"], "text": tell(e)}
                for e in d["requirements"]
                if e["outcome"] in TOLD
            ],
        }
        for c, d in zip(columns, docs)
    ]
    return {
        "columns": columns,
        "rows": rows,
        "differing": [r["id"] for r in rows if r["differs"]],
        "behaviours": behaviours(docs),
        "legend": LEGEND,
        "told": [t for t in told if t["items"]],
    }


def behaviours(docs: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One row per open point: each run's observed choice (or, where the target pinned it and the
    run did not look, the declared one), so a vendor report shows how each server behaves."""
    rows = []
    for setting in SETTINGS:
        cells = []
        for doc in docs:
            entry = doc["run"]["choices"].get(setting.key, {})
            observed = entry.get("observed")
            declared = entry.get("declared", "auto")
            shown = observed if observed is not None else (declared if declared != "auto" else "undecided")
            how = "observed" if observed is not None else ("declared" if declared != "auto" else "")
            cells.append({"choice": shown, "how": how, "reason": entry.get("reason", "")})
        rows.append(
            {
                "key": setting.key,
                "question": setting.question,
                "cells": cells,
                "differs": len({c["choice"] for c in cells}) > 1,
            }
        )
    return rows


def _report_of(path: Path, folder: Path) -> str | None:
    """The run's report.html as a link from the matrix's folder (relative, so the folders can move
    together), or None when the run has none."""
    run_folder = path if path.is_dir() else path.parent
    report = run_folder / "report.html"
    if not report.exists():
        return None
    return Path(os.path.relpath(report.resolve(), folder.resolve())).as_posix()


def write(
    paths: Sequence[str | os.PathLike], out: str | os.PathLike | None = None, *, every: bool = True
) -> tuple[Path, Path]:
    """compare.html and compare.md for the runs at `paths` (run folders, results.json files or
    folders of runs): every run given, or (every=False, the CLI's default) the newest complete one
    of each target (conformance.report.selection)."""
    return write_selected(selection.choose(paths, every), out)


def write_selected(chosen: selection.Selection, out: str | os.PathLike | None = None) -> tuple[Path, Path]:
    if len(chosen.runs) < 2:
        left = f"; {chosen.left()}" if chosen.left_out else ""
        raise results.ResultsError(f"compare needs at least two runs; found {len(chosen.runs)}{left}")
    folder = Path(out) if out else Path("reports") / f"compare-{dt.datetime.now(dt.timezone.utc):%Y%m%dT%H%M%SZ}"
    folder.mkdir(parents=True, exist_ok=True)
    data = matrix([r.doc for r in chosen.runs], [_report_of(r.path, folder) for r in chosen.runs])
    data["left_out"] = chosen.said()
    page, text = folder / "compare.html", folder / "compare.md"
    page.write_text(ENV.get_template("matrix.html.j2").render(**data), "utf-8")
    text.write_text(ENV.get_template("matrix.md.j2").render(**data), "utf-8")
    return page, text
