"""Running the conformance suite in-process from the project's own tests (pytester)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import conformance.suite

SUITE = str(Path(conformance.suite.__file__).parent)
RED = ("fail", "non-strict")


@dataclass
class SuiteRun:
    ret: int
    results: dict
    output: str

    def status(self, rid: str) -> str:
        return self.results["requirements"][rid]["status"]

    def reason(self, rid: str) -> str:
        return self.results["requirements"][rid]["reason"]

    @property
    def red(self) -> set[str]:
        return {rid for rid, o in self.results["requirements"].items() if o["status"] in RED}


def run_suite(pytester, *args: str, suite: str = SUITE, quiet: bool = True) -> SuiteRun:
    path = pytester.path / "results.json"
    result = pytester.runpytest_inprocess(
        suite, *(["-q"] if quiet else []), "-p", "no:cacheprovider", "--results-json", str(path), "--no-reports", *args
    )
    return SuiteRun(int(result.ret), by_requirement(path), "\n".join(result.outlines + result.errlines))


def by_requirement(path: Path) -> dict:
    """results.json with its requirements keyed by ID (each with `status`, the outcome) and the
    requests sent under `requests`; an empty table when the run wrote none."""
    if not path.exists():
        return {"requirements": {}, "requests": 0, "doc": None}
    doc = json.loads(path.read_text())
    table = {e["id"]: {**e, "status": e["outcome"]} for e in doc["requirements"]}
    return {"requirements": table, "requests": doc["run"]["requests"], "doc": doc}
