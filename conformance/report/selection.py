"""Which runs a vendor matrix compares. Given run folders, results.json files or folders of run
folders (`reports/`), the matrix takes the newest complete run of each target: a glob over a
reports folder holds every past run, dry runs, interrupted ones and those a configuration error
stopped, and a column for each would bury the one vendor that differs. `--all` compares every run
given (history). A run is complete when it ended with a verdict on the target (conforms, does not
conform, incomplete, waivers out of date); a target is its name with the faults of a bundled server.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from conformance.verdict import results

NO_VERDICT = ("interrupted", "dry run", "configuration error")
"""Verdict statuses of runs that ended without a verdict on the target: never compared by default."""

WHY = {
    "older": "older than their target's newest",
    "unreadable": "unreadable (no valid results.json)",
    "dry run": "dry run(s)",
    "configuration error": "stopped by a configuration error",
}


@dataclass(frozen=True)
class Run:
    path: Path
    doc: dict[str, Any]

    @property
    def target(self) -> tuple[str, tuple[str, ...]]:
        target = self.doc["run"]["target"]
        return target["name"], tuple(target["faults"])


@dataclass(frozen=True)
class Selection:
    runs: list[Run]
    left_out: list[tuple[Path, str]]
    """(run, why it is not compared), in the order given."""

    def said(self) -> str | None:
        """One line on what was compared and left out, or None when every run given is compared."""
        if not self.left_out:
            return None
        return f"compared {len(self.runs)} run(s), the newest complete one of each target; {self.left()}"

    def left(self) -> str:
        """What was left out and why, counted by reason."""
        reasons: dict[str, int] = {}
        for _, why in self.left_out:
            reasons[why] = reasons.get(why, 0) + 1
        listed = ", ".join(f"{n} {WHY.get(why, why)}" for why, n in reasons.items())
        return f"left out {len(self.left_out)}: {listed} (--all compares every run given)"


def expand(paths: Sequence[str | os.PathLike]) -> list[tuple[Path, bool]]:
    """Each path as run folders or results files: (path, named by the user). A folder without a
    results.json stands for the run folders in it (`reports/`), `latest` and hidden ones aside."""
    found: list[tuple[Path, bool]] = []
    for given in paths:
        path = Path(given)
        if path.is_dir() and not (path / "results.json").exists():
            inside = sorted(
                p
                for p in path.iterdir()
                if p.is_dir() and not p.is_symlink() and not p.name.startswith(".") and (p / "results.json").is_file()
            )
            if not inside:
                raise results.ResultsError(f"{path}: neither a run folder (no results.json) nor a folder of runs")
            found += [(p, False) for p in inside]
        else:
            found.append((path, True))
    seen: set[Path] = set()
    unique = []
    for path, named in found:
        # A run folder and its results.json are one run; two results files side by side are two.
        key = (path.parent if path.is_file() and path.name == "results.json" else path).resolve()
        if key not in seen:
            seen.add(key)
            unique.append((path, named))
    return unique


def choose(paths: Sequence[str | os.PathLike], every: bool = False) -> Selection:
    """The runs to compare, in the order their targets first appear; a broken results file named by
    the user is an error (results.ResultsError), one found inside a folder of runs is left out."""
    runs: list[Run] = []
    left_out: list[tuple[Path, str]] = []
    for path, named in expand(paths):
        try:
            runs.append(Run(path, results.load(path)))
        except results.ResultsError:
            if named:
                raise
            left_out.append((path, "unreadable"))
    if every:
        return Selection(runs, left_out)
    complete = []
    for run in runs:
        status = run.doc["verdict"]["status"]
        if status in NO_VERDICT:
            left_out.append((run.path, status))
        else:
            complete.append(run)
    newest: dict[tuple[str, tuple[str, ...]], Run] = {}
    for run in complete:
        held = newest.get(run.target)
        if held is None or _started(run) > _started(held):
            newest[run.target] = run
    order = list(dict.fromkeys(run.target for run in complete))
    chosen = [newest[target] for target in order]
    left_out += [(run.path, "older") for run in complete if run is not newest[run.target]]
    return Selection(chosen, left_out)


def _started(run: Run) -> dt.datetime:
    started = dt.datetime.fromisoformat(run.doc["run"]["started"])
    return started if started.tzinfo else started.replace(tzinfo=dt.timezone.utc)
