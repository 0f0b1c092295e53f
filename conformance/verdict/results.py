"""results.json: a run's outcomes and metadata assembled on the pytest controller (or a serial
run) from what every test report carried and what each process measured and learned; checked
against schemas/results.schema.json; written to reports/<target>-<UTC timestamp>/, with
reports/latest pointing at the newest run. Renderers (conformance.report) read only this file.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import re
import shutil
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from jsonschema import Draft202012Validator

from conformance import __version__
from conformance.checks.outcome import BUDGET_CUT, Status
from conformance.contract import requirements
from conformance.contract.choices import SETTINGS
from conformance.contract.endpoint import schemas_dir
from conformance.errors import ConfigurationError
from conformance.text import sinks
from conformance.verdict import gate
from conformance.verdict.waivers import Waiver

FORMAT = "erpsync-conformance/results/2"
EVIDENCE_LIMIT = 6
"""Exchanges kept per requirement: enough to see what decided it, not a whole property run."""
PACKAGES = (
    "pytest",
    "hypothesis",
    "schemathesis",
    "jsonschema",
    "requests",
    "xmltodict",
    "werkzeug",
    "jinja2",
    "pytest-xdist",
    "brotli",
    "jsonschema-rs",
)


class ResultsError(ConfigurationError):
    """A results file that cannot be read; the message is one line naming the file."""


def choose(recorded: Sequence[Mapping[str, Any]]) -> Mapping[str, Any]:
    """The judgement a requirement is reported by: the worst; among equals, one the request budget
    cut short (more budget is the remedy, which is what the reader needs to know), then a test's own
    over one judged across the run (conformance.run.everywhere: its counts differ per xdist worker),
    then a whole-run judgement (HTTP-03/04), then by test id and order, so serial and xdist runs
    choose alike."""
    return min(
        recorded,
        key=lambda d: (
            Status(d["status"]).rank,
            not d.get("reason", "").startswith(BUDGET_CUT),
            bool(d.get("across_run")),
            d.get("test") is not None,
            d.get("test") or "",
            d.get("order", 0),
        ),
    )


def entries(
    recorded: Mapping[str, Sequence[Mapping[str, Any]]], inapplicable: Mapping[str, str] | None = None
) -> list[dict[str, Any]]:
    """One entry per catalogue requirement, in catalogue order. `inapplicable`: the requirements the
    target makes not applicable (requirements.not_applicable_for), with why; one of them that ended
    untested (the budget ran out, its test stopped on another requirement's failure) is reported
    not-applicable, since applicability comes from the target alone."""
    out = []
    for requirement in requirements.CATALOGUE:
        judged = recorded.get(requirement.id, [])
        chosen = (
            choose(judged)
            if judged
            else {
                "status": "untested",
                "reason": gate.NOT_RUN,
                "expected": "",
                "actual": "",
                "evidence": [],
                "test": None,
            }
        )
        why = (inapplicable or {}).get(requirement.id)
        if why and judged and chosen["status"] == "untested":
            chosen = {**chosen, "status": "not-applicable", "reason": why, "evidence": []}
        out.append(
            {
                "id": requirement.id,
                "level": requirement.level,
                "area": requirement.area,
                "title": requirement.title,
                "source": requirement.source,
                "authority": requirement.authority,
                "settings": list(requirement.settings),
                "outcome": chosen["status"],
                "reason": chosen["reason"],
                "expected": chosen.get("expected", ""),
                "actual": chosen.get("actual", ""),
                "test": chosen.get("test"),
                "judgements": len(judged),
                "evidence": list(chosen.get("evidence", []))[:EVIDENCE_LIMIT],
                "waiver": None,
            }
        )
    return out


def packages() -> dict[str, str]:
    found = {}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return found


def profile_table(
    declared: Mapping[str, str], processes: Iterable[Mapping[str, Any]]
) -> tuple[dict[str, Any], list[str]]:
    """Per setting: declared and observed choice; and the settings different processes of one run
    (xdist workers) saw the server choose differently."""
    table: dict[str, dict[str, Any]] = {}
    inconsistent: list[str] = []
    for setting in SETTINGS:
        seen = [p["observations"][setting.key] for p in processes if setting.key in p.get("observations", {})]
        decided = [o for o in seen if o["choice"] is not None]
        entry: dict[str, Any] = {
            "declared": declared.get(setting.key, "auto"),
            "observed": None,
            "reason": "pinned by the target" if declared.get(setting.key, "auto") != "auto" else "not observed",
            "evidence": [],
        }
        if decided:
            first = decided[0]
            entry.update(observed=first["choice"], reason=first["reason"], evidence=first["evidence"][:2])
            choices = sorted({o["choice"] for o in decided})
            if len(choices) > 1:
                entry["inconsistent"] = choices
                inconsistent.append(setting.key)
        elif seen:
            entry.update(reason=seen[0]["reason"], evidence=seen[0]["evidence"][:2])
        table[setting.key] = entry
    return table, inconsistent


def inconsistency_outcomes(table: Mapping[str, Any], keys: list[str]) -> dict[str, list[dict[str, Any]]]:
    """A server that showed one choice to one worker and another to another fails every
    requirement that rests on the setting, with the exchanges of both."""
    out: dict[str, list[dict[str, Any]]] = {}
    for key in keys:
        entry = table[key]
        for requirement in requirements.CATALOGUE:
            if key not in requirement.settings or requirement.level == "INFO":
                continue
            status = "fail" if requirement.level == "MUST" else "non-strict"
            out.setdefault(requirement.id, []).append(
                {
                    "requirement": requirement.id,
                    "status": status,
                    "test": None,
                    "order": 0,
                    "reason": f"the server answered {key} one way and then another: {', '.join(entry['inconsistent'])}",
                    "expected": "one choice throughout the run",
                    "actual": ", ".join(entry["inconsistent"]),
                    "evidence": entry["evidence"],
                }
            )
    return out


def assemble(
    run: dict[str, Any],
    recorded: Mapping[str, Sequence[Mapping[str, Any]]],
    *,
    waivers: Mapping[str, Waiver],
    today: dt.date,
    response_ms: list[float],
    no_response: int,
    interrupted: bool | str = False,
    inapplicable: Mapping[str, str] | None = None,
    coverage: Mapping[str, Any] | None = None,
    require_complete: bool = False,
    stopped: str | None = None,
) -> dict[str, Any]:
    """`stopped`: the configuration error that ended the run before its first judged request."""
    rows = entries(recorded, inapplicable)
    problems = [] if run["dry_run"] or interrupted or stopped else gate.apply_waivers(rows, waivers, today)
    doc = {
        "format": FORMAT,
        "run": run,
        "verdict": gate.verdict(
            rows,
            problems,
            strict=run["strict"],
            dry_run=run["dry_run"],
            interrupted=interrupted,
            coverage=coverage,
            require_complete=require_complete,
            budget=run["budget"],
            requests=run["requests"],
            stopped=stopped,
        ),
        "requirements": rows,
        "waiver_problems": problems,
        "timings": {"response_ms": [round(ms, 1) for ms in response_ms], "no_response": no_response},
    }
    validate(doc, "the assembled results")
    return doc


def run_metadata(
    *,
    target: Mapping[str, Any],
    processes: Sequence[Mapping[str, Any]],
    declared: Mapping[str, str],
    hypothesis: Mapping[str, Any],
    started: dt.datetime,
    duration_s: float,
    strict: bool,
    dry_run: bool,
    slow_ms: float,
    workers: int,
    budget_option: int | None,
    tls: Mapping[str, Any],
    preflight: Sequence[Mapping[str, Any]] = (),
    preflight_spent: int = 0,
    command: str = "",
) -> tuple[dict[str, Any], list[str]]:
    """The `run` object of results.json, and the settings seen chosen inconsistently. `preflight`:
    the controller's requests before the tests (conformance.run.preflight), counted in the run's
    requests and budget. `command`: the command line that produced the run."""
    profile, inconsistent = profile_table(declared, processes)
    volatile: dict[str, list[Any]] = {}
    for process in processes:
        for item in process.get("volatile", []):
            volatile.setdefault(item["property"], item["evidence"])
    run = {
        "target": dict(target),
        "choices": profile,
        "volatile": [{"property": k, "evidence": v} for k, v in sorted(volatile.items())],
        "suite_version": __version__,
        "python": platform.python_version(),
        "packages": packages(),
        "hypothesis": dict(hypothesis),
        "started": started.isoformat(timespec="seconds"),
        "duration_s": round(duration_s, 2),
        "requests": sum(p["requests"] for p in processes) + preflight_spent,
        "budget": (sum(p["budget"] for p in processes) + preflight_spent) if processes else (budget_option or 0),
        "rate": round(sum(p["rate"] for p in processes), 3) if processes else 1.0,
        "slow_ms": slow_ms,
        "strict": strict,
        "workers": workers,
        "dry_run": dry_run,
        "tls": dict(tls),
        "preflight": [dict(entry) for entry in preflight],
    }
    if command:
        run["command"] = command
    return run, inconsistent


@lru_cache(maxsize=None)
def _validator() -> Draft202012Validator:
    schema = json.loads((schemas_dir() / "results.schema.json").read_text("utf-8"))
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def validate(doc: Any, name: str) -> None:
    error = next(iter(sorted(_validator().iter_errors(doc), key=lambda e: list(e.absolute_path))), None)
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
        raise ResultsError(f"{name}: not a results file of this suite: at {where}: {error.message[:200]}")


def write(doc: Mapping[str, Any], reports_dir: str | os.PathLike[str], *, point_latest: bool = True) -> Path:
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
    (folder / "results.json").write_text(sinks.json_text(doc, indent=1) + "\n", "utf-8")
    if point_latest:
        _point_latest(root, folder.name)
    return folder


def prune(reports_dir: str | os.PathLike[str], name: str, keep: int, written: Path) -> list[Path]:
    """Delete the run folders of target `name` in `reports_dir` beyond the newest `keep` (by the
    UTC timestamp of their names; `written`, the run just written, and whatever `latest` points at
    are always kept); the folders deleted. Only folders named as `write` names them and holding a
    results.json are touched."""
    root = Path(reports_dir)
    pattern = re.compile(re.escape(name) + r"-(\d{8}T\d{6}Z)(?:-(\d+))?")
    latest = (root / "latest").resolve() if (root / "latest").is_symlink() else None
    runs = []
    for folder in root.iterdir():
        matched = pattern.fullmatch(folder.name)
        if matched and folder.is_dir() and not folder.is_symlink() and (folder / "results.json").is_file():
            runs.append(((matched.group(1), int(matched.group(2) or 1)), folder))
    runs.sort(reverse=True)
    deleted = []
    for _, folder in runs[keep:]:
        if folder.resolve() in (written.resolve(), latest):
            continue
        shutil.rmtree(folder)
        deleted.append(folder)
    return deleted


def _point_latest(root: Path, name: str) -> None:
    """Replace reports/latest atomically (a relative symlink), so a reader never sees it missing."""
    temporary = root / f".latest-{os.getpid()}"
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(name, target_is_directory=True)
    os.replace(temporary, root / "latest")


def load(path: str | os.PathLike[str]) -> dict[str, Any]:
    """A run folder (or its results.json) as written by `write`, checked against the schema."""
    path = Path(path)
    file = path / "results.json" if path.is_dir() else path
    try:
        doc = sinks.shown_deep(json.loads(file.read_text("utf-8")))  # any file: its text fit for every sink
    except FileNotFoundError:
        raise ResultsError(f"{file}: no such results file") from None
    except (OSError, UnicodeDecodeError) as problem:
        raise ResultsError(f"{file}: cannot be read: {problem}") from None
    except ValueError as problem:
        raise ResultsError(f"{file}: not valid JSON: {problem}") from None
    run = doc.get("run") if isinstance(doc, dict) else None
    if isinstance(run, dict) and "profile" in run and "choices" not in run:
        run["choices"] = run.pop("profile")  # written before the open points' table was renamed
    validate(doc, str(file))
    checked: dict[str, Any] = doc  # the schema's top level is an object
    return checked
