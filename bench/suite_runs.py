"""Whole runs of the suite as users start them (`erpsync-conformance`, what `make conformance`
runs, in a fresh temporary folder so no Hypothesis database or reports carry over), and the
property tests alone through pytest: wall time, requests sent, peak memory, coverage."""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bench.processes import measure

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CONSOLE = Path(sys.executable).parent / "erpsync-conformance"
PROPERTIES = ROOT / "conformance" / "suite" / "test_properties.py"
COVERED = ("pass", "fail", "non-strict", "informational")
UNICODE_DATA = Path(".hypothesis", "unicode_data")
"""Hypothesis's cache of the characters each codec encodes, written into the working folder's
.hypothesis on first use: a run in a fresh folder builds it (a large transient allocation); a run in
a folder that has it (a checkout after its first run) does not."""


@dataclass
class SuiteRun:
    returncode: int
    wall_s: float
    maxrss_mb: float
    """MiB (ru_maxrss / 1024)."""
    tree_peak_mb: float
    requests: int | None
    outcomes: dict[str, int] = field(default_factory=dict)
    call_s: dict[str, float] = field(default_factory=dict)
    span_s: float | None = None
    """From the first test's call phase starting to the last one's ending (all workers)."""
    hypothesis: dict = field(default_factory=dict)
    tail: str = ""
    not_covered: dict[str, str] = field(default_factory=dict)
    """Requirement -> its outcome and reason, for those with no covered outcome."""
    warm: bool = False
    """Hypothesis's unicode_data was in the run's folder before it started."""

    @property
    def covered(self) -> int:
        return sum(self.outcomes.get(o, 0) for o in COVERED)

    @property
    def covered_per_request(self) -> float | None:
        return self.covered / self.requests if self.requests else None

    def as_dict(self) -> dict:
        return {
            "returncode": self.returncode,
            "wall_s": round(self.wall_s, 3),
            "maxrss_mb": round(self.maxrss_mb, 1),
            "maxrss_mb_si": round(self.maxrss_mb * 2**20 / 1e6, 1),
            "tree_peak_mb": round(self.tree_peak_mb, 1),
            "requests": self.requests,
            "outcomes": self.outcomes,
            "covered": self.covered,
            "covered_per_request": None if self.covered_per_request is None else round(self.covered_per_request, 4),
            "not_covered": self.not_covered,
            "unicode_cache_present": self.warm,
            "call_s_total": round(sum(self.call_s.values()), 3),
            "span_s": None if self.span_s is None else round(self.span_s, 3),
            "call_s_longest": {k: round(v, 3) for k, v in sorted(self.call_s.items(), key=lambda kv: -kv[1])[:3]},
            "hypothesis": self.hypothesis,
        }


def _env(tmp: str) -> dict[str, str]:
    env = dict(
        os.environ,
        BENCH_CALLTIMES=str(Path(tmp, "calltimes.json")),
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.getenv("PYTHONPATH")])),
    )
    for name in ("CI", "HYPOTHESIS_PROFILE") + tuple(k for k in os.environ if k.startswith("ERPSYNC_")):
        env.pop(name, None)  # the default run, whatever the caller's environment says
    return env


def _run(cmd: list[str], tmp: str) -> SuiteRun:
    results = Path(tmp, "results.json")
    measured = measure([*cmd, "--no-reports", "--results-json", str(results), "-p", "bench.calltimes"], tmp, _env(tmp))
    requests, outcomes, hypothesis, not_covered = None, {}, {}, {}
    if results.exists():
        data = json.loads(results.read_text())
        requests = data["run"]["requests"]
        hypothesis = data["run"].get("hypothesis", {})
        outcomes = dict(Counter(r["outcome"] for r in data["requirements"]))
        not_covered = {
            r["id"]: f"{r['outcome']}: {r.get('reason', '')}"
            for r in data["requirements"]
            if r["outcome"] not in COVERED
        }
    try:
        call_s = json.loads(Path(tmp, "calltimes.json").read_text())
        span_s = json.loads(Path(tmp, "calltimes.json.span").read_text())
    except (OSError, ValueError):
        call_s, span_s = {}, None
    tail = "\n".join((measured.stdout + measured.stderr).strip().splitlines()[-3:])
    return SuiteRun(
        measured.returncode,
        measured.wall_s,
        measured.maxrss_mb,
        measured.tree_peak_mb,
        requests,
        outcomes,
        call_s,
        span_s,
        hypothesis,
        tail,
        not_covered,
    )


def whole_run(*extra: str, unicode_from: Path | None = None, unicode_to: Path | None = None) -> SuiteRun:
    """`erpsync-conformance --no-reports` (the bundled server, the default Hypothesis profile) in a
    fresh folder. `unicode_from`: a folder whose unicode_data is copied into the run's .hypothesis
    first (a warm run; `warm` in the result says whether there was one); `unicode_to`: where the
    run's own unicode_data is kept afterwards."""
    with tempfile.TemporaryDirectory(prefix="bench-run-") as tmp:
        warm = unicode_from is not None and (unicode_from / "unicode_data").is_dir()
        if warm:
            shutil.copytree(unicode_from / "unicode_data", Path(tmp, UNICODE_DATA))
        result = _run([str(CONSOLE), *extra], tmp)
        result.warm = warm
        if unicode_to is not None and Path(tmp, UNICODE_DATA).is_dir():
            shutil.copytree(Path(tmp, UNICODE_DATA), unicode_to / "unicode_data", dirs_exist_ok=True)
        return result


def properties_run(*extra: str) -> SuiteRun:
    """pytest on conformance/suite/test_properties.py alone (one test per authentication scheme)."""
    with tempfile.TemporaryDirectory(prefix="bench-properties-") as tmp:
        return _run([sys.executable, "-m", "pytest", str(PROPERTIES), "-p", "no:cacheprovider", *extra], tmp)
