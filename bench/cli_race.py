"""The whole default run beside schemathesis's own CLI, each a command a user types, against the same
reference server in a process of its own (`python -m conformance.reference --port 0`), so that
neither pays for the server's work: `erpsync-conformance --target FILE` (targets/reference.toml's
choices and credentials, the process's URL, the default Hypothesis profile, no reports) and `st run
schemas/openapi.yaml` (its default phases and checks, `--max-examples 100`, the sample Basic
credentials). Wall time of each command, from exec to exit, and its peak memory (VmHWM of its
process tree, bench/processes.py); the requests each sent, as the server process counts them
(the suite's run.requests of its results.json) and the test cases schemathesis generated (its
summary line; its `ignored_auth` check sends more requests than cases)."""

from __future__ import annotations

import base64
import json
import os
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from bench.processes import measure
from bench.servers import reference_process
from bench.suite_runs import CONSOLE, ROOT
from conformance.reference import ServerConfig
from conformance.reference.config import Credentials
from conformance.reference.server import target_of

SCHEMATHESIS_CLI = Path(sys.executable).parent / "st"
TARGET = ROOT / "targets" / "reference.toml"
CASES_LINE = re.compile(r"(\d+) generated")


@dataclass
class Timed:
    wall_s: float
    peak_mb: float
    count: int | None
    """The suite's requests; schemathesis's generated cases."""
    returncode: int
    tail: str

    def as_dict(self) -> dict:
        return {
            "wall_s": round(self.wall_s, 3),
            "peak_mb": round(self.peak_mb, 1),
            "count": self.count,
            "returncode": self.returncode,
            "tail": self.tail,
        }


def _environment() -> dict[str, str]:
    """The caller's environment, less what would change the default run, with the bundled server's
    credentials under the variables targets/reference.toml names (those conformance.reference's
    own target gives them)."""
    env = {
        k: v for k, v in os.environ.items() if k not in ("CI", "HYPOTHESIS_PROFILE") and not k.startswith("ERPSYNC_")
    }
    env.update({secret.env: secret.value for secret in target_of(ServerConfig(), "http://127.0.0.1").secrets()})
    return env


def _timed(cmd: list[str], folder: str, count: Callable[[str], int | None]) -> Timed:
    measured = measure(cmd, folder, _environment())
    tail = "\n".join((measured.stdout + measured.stderr).strip().splitlines()[-2:])
    return Timed(measured.wall_s, measured.maxrss_mb, count(measured.stdout), measured.returncode, tail)


def _cases(stdout: str) -> int | None:
    found = CASES_LINE.search(stdout)
    return int(found.group(1)) if found else None


def _requests(results: Path) -> Callable[[str], int | None]:
    def read(_: str) -> int | None:
        try:
            return int(json.loads(results.read_text())["run"]["requests"])
        except (OSError, ValueError, KeyError):
            return None

    return read


def suite_command(base_url: str, folder: str) -> list[str]:
    target = Path(folder, "target.toml")
    text = TARGET.read_text("utf-8")
    target.write_text(re.sub(r'(?m)^base_url = ".*"$', f'base_url = "{base_url}"', text), "utf-8")
    return [str(CONSOLE), "--target", str(target), "--no-reports", "-q", "--results-json", str(Path(folder, "r.json"))]


def schemathesis_command(base_url: str, max_examples: int) -> list[str]:
    c = Credentials()
    basic = base64.b64encode(f"{c.basic_user}:{c.basic_password}".encode()).decode()
    return [
        str(SCHEMATHESIS_CLI),
        "run",
        str(ROOT / "schemas" / "openapi.yaml"),
        "--url",
        base_url,
        "-H",
        f"Authorization: Basic {basic}",
        "--max-examples",
        str(max_examples),
        "--no-color",
    ]


def race(first_suite: bool, max_examples: int = 100) -> dict:
    """One of each, against one fresh server process; `first_suite` says which goes first."""
    with reference_process() as server, tempfile.TemporaryDirectory(prefix="bench-race-") as folder:
        base_url = server.url.split("/Agents/")[0]
        steps = [
            ("suite", lambda: _timed(suite_command(base_url, folder), folder, _requests(Path(folder, "r.json")))),
            ("schemathesis_cli", lambda: _timed(schemathesis_command(base_url, max_examples), folder, _cases)),
        ]
        done = {name: step() for name, step in (steps if first_suite else steps[::-1])}
    suite, cli = done["suite"], done["schemathesis_cli"]
    return {
        "suite": suite.as_dict(),
        "schemathesis_cli": cli.as_dict(),
        "suite_over_cli_wall": suite.wall_s / cli.wall_s if cli.wall_s else None,
    }
