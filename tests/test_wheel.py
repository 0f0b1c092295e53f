"""The suite as a user installs it: built into a wheel and run from it, outside the checkout (no
root conftest.py, no tests/). Hypothesis's example profiles come with the plugin, so
HYPOTHESIS_PROFILE and --hypothesis-profile mean the same there as here; the templates and
schemas travel too."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The wheel installed into a folder of its own (first on PYTHONPATH: the checkout's editable
    install is shadowed by it)."""
    folder = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(folder / "dist"),
            str(ROOT),
        ],
        check=True,
        timeout=300,
        capture_output=True,
    )
    (wheel,) = (folder / "dist").glob("erpsync_conformance-*.whl")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(folder / "site"), str(wheel)],
        check=True,
        timeout=300,
        capture_output=True,
    )
    return folder / "site"


def run(installed: Path, cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k not in ("HYPOTHESIS_PROFILE", "CI")}
    environ.update(PYTHONPATH=str(installed), PYTHONDONTWRITEBYTECODE="1", **env)
    return subprocess.run(
        [sys.executable, "-m", "conformance", "-p", "no:randomly", *args],
        cwd=cwd,
        env=environ,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_wheel_carries_the_profiles_and_runs_from_anywhere(installed, tmp_path):
    where = run(installed, tmp_path, "--version")
    assert where.returncode == 0 and where.stdout.startswith("erpsync-conformance "), where.stderr
    located = subprocess.run(
        [sys.executable, "-c", "import conformance; print(conformance.__file__)"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(installed)},
        capture_output=True,
        text=True,
    )
    assert located.stdout.startswith(str(installed)), located.stdout  # the wheel, not the checkout
    for args, env in ((["--hypothesis-profile", "staging"], {}), ([], {"HYPOTHESIS_PROFILE": "staging"})):
        done = run(installed, tmp_path, "-q", "--no-reports", "--results-json", "results.json", *args, **env)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
        doc = json.loads((tmp_path / "results.json").read_text())
        assert doc["run"]["hypothesis"]["profile"] == "staging", doc["run"]["hypothesis"]
        assert doc["run"]["hypothesis"]["max_examples"] == 10
        assert doc["run"]["requests"] < 400, doc["run"]["requests"]  # a staging run (~300), not dev's ~860
    unknown = run(installed, tmp_path, "--hypothesis-profile", "stagin")
    assert unknown.returncode == 2 and "is not a Hypothesis profile of the suite" in unknown.stderr
    through_pytest = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--pyargs",
            "conformance.suite",
            "-q",
            "-p",
            "no:cacheprovider",
            "--no-reports",
            "--hypothesis-profile",
            "staging",
            "-k",
            "test_an_authorised_post",
        ],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(installed)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert through_pytest.returncode == 0, through_pytest.stdout[-3000:]
