"""The tools in the loop: ruff's lint rules (pyproject.toml, [tool.ruff]) hold for the whole tree,
so `make test`, and CI with it, fails on an unused import, an undefined name or a syntax error."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent


def test_ruff_finds_nothing():
    done = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--output-format", "concise",
                           "conformance", "tests", "bench", "conftest.py"], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
