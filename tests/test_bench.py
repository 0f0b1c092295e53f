"""The benchmark (bench/run.py) runs: a tiny configuration, its table printed and its figures
written as JSON, to a temporary folder so bench/results.json and bench/README.md stay as measured."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_benchmark_prints_its_table_and_writes_its_figures(tmp_path):
    out, readme = tmp_path / "results.json", tmp_path / "README.md"
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "run.py"),
            "--repeat",
            "1",
            "--requests",
            "20",
            "--max-examples",
            "3",
            "--skip-prism",
            "--skip-whole-run",
            "--skip-thorough",
            "--skip-properties",
            "--skip-staging",
            "--out",
            str(out),
            "--readme",
            str(readme),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "| measurement | median | min - max | unit |" in done.stdout
    for row in (
        "(1) raw requests.Session loop",
        "(2) / (1)",
        "(3) schemathesis call_and_validate",
        "(2) / (3), per case",
    ):
        assert row in done.stdout, row
    figures = json.loads(out.read_text())
    assert {"cpu_count", "python"} <= figures["machine"].keys() and figures["date"]
    [rep] = figures["repetitions"]
    assert rep["raw"]["requests"] == rep["suite"]["requests"] == 20
    assert rep["raw"]["not_ok"] == rep["suite"]["not_ok"] == 0
    assert rep["schemathesis"]["returncode"] == 0 and rep["schemathesis"]["cases"] > 0
    assert rep["schemathesis"]["requests_at_server"] >= rep["schemathesis"]["cases"]
    assert figures["medians"]["suite_over_raw"]["median"] > 0
    assert {t["target"] for t in figures["targets"]} and figures["config"]["skipped"] == [
        "whole-run",
        "thorough",
        "properties",
        "staging",
        "prism",
    ]
    text = readme.read_text()
    assert "<!-- bench:results -->" in text and "(2) / (1)" in text and figures["date"] in text


def test_a_childs_peak_memory_is_its_own_not_the_parents(tmp_path):
    """bench/processes.py (issue 24): a small child of a large parent reports its own peak (VmHWM),
    not the parent's size that wait4's ru_maxrss carries across the child's vfork and exec; a child
    that grows reports its growth."""
    sys.path.insert(0, str(ROOT))
    try:
        from bench.processes import measure
    finally:
        sys.path.remove(str(ROOT))
    ballast = bytearray(300 * 2**20)  # this process 300 MiB larger, its pages touched
    ballast[::4096] = b"x" * len(ballast[::4096])
    small = measure([sys.executable, "-S", "-c", "import time; time.sleep(0.3)"], tmp_path)
    grown = measure(
        [
            sys.executable,
            "-S",
            "-c",
            "import time; b = bytearray(120 * 2**20); b[::4096] = b'x' * len(b[::4096]); time.sleep(1)",
        ],
        tmp_path,
    )  # ten samples after it grew, on a busy machine a few
    del ballast
    assert small.returncode == grown.returncode == 0
    assert 0 < small.maxrss_mb < 100, small.maxrss_mb
    assert 120 < grown.maxrss_mb < 250, grown.maxrss_mb


def test_the_race_with_schemathesis_cli_aims_both_at_the_one_server(tmp_path):
    """bench/cli_race.py: the suite's target file is targets/reference.toml at the server's URL, and
    schemathesis's case count is read from its summary line (a missing line is no count, not 0)."""
    from bench import cli_race
    from conformance.wire.target import load

    cmd = cli_race.suite_command("http://127.0.0.1:4321/api/v1", str(tmp_path))
    target_file = cmd[cmd.index("--target") + 1]
    target = load(target_file, cli_race._environment())
    assert target.base_url == "http://127.0.0.1:4321/api/v1" and target.schemes
    st = cli_race.schemathesis_command("http://127.0.0.1:4321/api/v1", 100)
    assert st[st.index("--url") + 1] == "http://127.0.0.1:4321/api/v1" and "100" in st
    assert cli_race._cases("Test cases:\n  139 generated, 139 passed, 6 skipped") == 139
    assert cli_race._cases("no summary") is None
