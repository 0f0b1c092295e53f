"""schemathesis's throughput: bench/schemathesis_cases.py run by pytest in a subprocess against
the benchmark's server. Timed: the pytest call phase of the one test (so interpreter start-up,
imports, schema loading and collection are left out); counted: the cases (calls of the test
function) and the requests the server read while the subprocess ran. Hypothesis's storage is the
checkout's .hypothesis (the tests' settings keep no example database, so only its unicode_data
cache is read, as in a checkout's own runs), which spares the subprocess building that cache
in every fresh folder; it is built at collection, so the timed phase does not change with it."""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench.loops import sample_headers
from bench.processes import measure
from conformance.reference import ReferenceServer

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


@dataclass
class Fuzzed:
    cases: int
    requests: int
    call_s: float
    wall_s: float
    returncode: int
    tail: str

    @property
    def cases_per_second(self) -> float:
        return self.cases / self.call_s if self.call_s else 0.0

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.call_s if self.call_s else 0.0

    def as_dict(self) -> dict:
        return {
            "cases": self.cases,
            "requests_at_server": self.requests,
            "call_s": round(self.call_s, 4),
            "subprocess_wall_s": round(self.wall_s, 3),
            "cases_per_second": round(self.cases_per_second, 1),
            "requests_per_second": round(self.requests_per_second, 1),
            "returncode": self.returncode,
        }


def schemathesis_run(server: ReferenceServer, max_examples: int) -> Fuzzed:
    with tempfile.TemporaryDirectory(prefix="bench-schemathesis-") as tmp:
        test_file = Path(tmp, "test_schemathesis_cases.py")
        shutil.copy(HERE / "schemathesis_cases.py", test_file)
        env = dict(
            os.environ,
            BENCH_OPENAPI=str(ROOT / "schemas" / "openapi.yaml"),
            BENCH_BASE_URL=server.base_url,
            BENCH_AUTHORIZATION=sample_headers()["Authorization"],
            BENCH_MAX_EXAMPLES=str(max_examples),
            BENCH_CASES=str(Path(tmp, "cases.json")),
            BENCH_CALLTIMES=str(Path(tmp, "calltimes.json")),
            PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.getenv("PYTHONPATH")])),
        )
        env.pop("HYPOTHESIS_PROFILE", None)
        env["HYPOTHESIS_STORAGE_DIRECTORY"] = str(ROOT / ".hypothesis")
        before = len(server.requests)
        # The suite's own plugin stays out: this is schemathesis alone.
        cmd = [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:erpsync_conformance",
            "-p",
            "no:cacheprovider",
            "-p",
            "bench.calltimes",
            "-q",
            "--rootdir",
            tmp,
            str(test_file),
        ]
        measured = measure(cmd, tmp, env)
        sent = len(server.requests) - before
        try:
            cases = json.loads(Path(tmp, "cases.json").read_text())["count"]
            call_s = sum(json.loads(Path(tmp, "calltimes.json").read_text()).values())
        except (OSError, ValueError):
            cases, call_s = 0, 0.0
        tail = "\n".join((measured.stdout + measured.stderr).strip().splitlines()[-5:])
        return Fuzzed(cases, sent, call_s, measured.wall_s, measured.returncode, tail)
