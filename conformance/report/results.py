"""results.json: assembled on the pytest controller from what every test report carried, checked
against schemas/results.schema.json, written to reports/<target>-<UTC timestamp>/, with
reports/latest pointing at the newest run. Renderers read only this file.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

from jsonschema import Draft202012Validator

from conformance import gate, requirements
from conformance.contract import schemas_dir
from conformance.outcome import BUDGET_CUT, STATUSES
from conformance.waivers import Waiver

FORMAT = "erpsync-conformance/results/1"
EVIDENCE_LIMIT = 6
"""Exchanges kept per requirement: enough to see what decided it, not a whole property run."""


class ResultsError(ValueError):
    """A results file that cannot be read; the message is one line naming the file."""


def choose(recorded: list[Mapping[str, Any]]) -> Mapping[str, Any]:
    """The judgement a requirement is reported by: the worst; among equals, one the request budget
    cut short (more budget is the remedy, which is what the reader needs to know), then a whole-run
    judgement (HTTP-03/04), then by test id and order, so serial and xdist runs choose alike."""
    return min(recorded, key=lambda d: (STATUSES.index(d["status"]), not d.get("reason", "").startswith(BUDGET_CUT),
                                        d.get("test") is not None, d.get("test") or "", d.get("order", 0)))


def entries(recorded: Mapping[str, list[Mapping[str, Any]]]) -> list[dict[str, Any]]:
    """One entry per catalogue requirement, in catalogue order."""
    out = []
    for requirement in requirements.CATALOGUE:
        judged = recorded.get(requirement.id, [])
        chosen = choose(judged) if judged else {"status": "untested", "reason": gate.NOT_RUN, "expected": "",
                                                "actual": "", "evidence": [], "test": None}
        out.append({
            "id": requirement.id, "level": requirement.level, "area": requirement.area,
            "title": requirement.title, "source": requirement.source, "profile_setting": requirement.profile,
            "outcome": chosen["status"], "reason": chosen["reason"], "expected": chosen.get("expected", ""),
            "actual": chosen.get("actual", ""), "test": chosen.get("test"), "judgements": len(judged),
            "evidence": list(chosen.get("evidence", []))[:EVIDENCE_LIMIT], "waiver": None,
        })
    return out


def assemble(run: dict[str, Any], recorded: Mapping[str, list[Mapping[str, Any]]], *,
             waivers: Mapping[str, Waiver], today: dt.date, response_ms: list[float],
             no_response: int) -> dict[str, Any]:
    rows = entries(recorded)
    problems = [] if run["dry_run"] else gate.apply_waivers(rows, waivers, today)
    doc = {
        "format": FORMAT,
        "run": run,
        "verdict": gate.verdict(rows, problems, strict=run["strict"], dry_run=run["dry_run"]),
        "requirements": rows,
        "waiver_problems": problems,
        "timings": {"response_ms": [round(ms, 1) for ms in response_ms], "no_response": no_response},
    }
    validate(doc, "the assembled results")
    return doc


@lru_cache(maxsize=None)
def _validator() -> Draft202012Validator:
    schema = json.loads((schemas_dir() / "results.schema.json").read_text("utf-8"))
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def validate(doc: Any, name: str) -> None:
    error = next(iter(sorted(_validator().iter_errors(doc), key=lambda e: list(e.absolute_path))), None)
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
        raise ResultsError(f"{name}: not a results file of this suite: at {where}: {error.message[:200]}")


def write(doc: Mapping[str, Any], reports_dir: str | os.PathLike) -> Path:
    """A new folder <target>-<UTC timestamp> holding results.json; `latest` then points at it."""
    root = Path(reports_dir)
    root.mkdir(parents=True, exist_ok=True)
    started = dt.datetime.fromisoformat(doc["run"]["started"]).astimezone(dt.timezone.utc)
    stem = f"{doc['run']['target']['name']}-{started:%Y%m%dT%H%M%SZ}"
    folder = root / stem
    suffix = 1
    while True:
        try:
            folder.mkdir()
            break
        except FileExistsError:
            suffix += 1
            folder = root / f"{stem}-{suffix}"
    (folder / "results.json").write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", "utf-8")
    _point_latest(root, folder.name)
    return folder


def _point_latest(root: Path, name: str) -> None:
    """Replace reports/latest atomically (a relative symlink), so a reader never sees it missing."""
    temporary = root / f".latest-{os.getpid()}"
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(name, target_is_directory=True)
    os.replace(temporary, root / "latest")


def load(path: str | os.PathLike) -> dict[str, Any]:
    """A run folder (or its results.json) as written by `write`, checked against the schema."""
    path = Path(path)
    file = path / "results.json" if path.is_dir() else path
    try:
        doc = json.loads(file.read_text("utf-8"))
    except FileNotFoundError:
        raise ResultsError(f"{file}: no such results file") from None
    except (OSError, UnicodeDecodeError) as problem:
        raise ResultsError(f"{file}: cannot be read: {problem}") from None
    except ValueError as problem:
        raise ResultsError(f"{file}: not valid JSON: {problem}") from None
    validate(doc, str(file))
    return doc
