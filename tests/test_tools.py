"""The tools in the loop: ruff's lint rules (pyproject.toml, [tool.ruff]) and its layout hold for the whole tree,
so `make test`, and CI with it, fails on an unused import, an undefined name or a syntax error; and
mypy (pyproject.toml, [tool.mypy]) passes on the package, the modules it still lists as not yet
passing aside, and fails on a new type error anywhere else."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent


TREE = ("conformance", "tests", "bench", "conftest.py")


def _ruff(*args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "ruff", *args, "--no-cache", *TREE]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_ruff_finds_nothing():
    done = _ruff("check", "--output-format", "concise")
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]


def test_the_tree_is_laid_out_as_ruff_format_lays_it():
    done = _ruff("format", "--check")
    assert done.returncode == 0, "run `.venv/bin/ruff format " + " ".join(TREE) + "`:\n" + done.stdout[-4000:]


def _mypy(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--no-incremental", "--cache-dir", "/dev/null", "--no-error-summary", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_mypy_finds_nothing():
    done = _mypy()
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]


def test_mypy_would_find_a_type_error(tmp_path):
    """The check is live: the same configuration finds an error written into a checked module."""
    bad = tmp_path / "conformance_probe.py"
    bad.write_text("from conformance.verdict.waivers import Waiver\n\nx: int = Waiver.__name__\n", "utf-8")
    done = _mypy("--config-file", str(ROOT / "pyproject.toml"), str(bad))
    assert done.returncode == 1 and "conformance_probe.py:3: error" in done.stdout, done.stdout + done.stderr
