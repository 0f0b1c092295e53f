"""Where the project's own test run (`make test`) spends its time: the run as `make test` runs it
(-n 2, worksteal) with bench/cputime.py recording each test's wall time and CPU (its process's
and its child processes'), then the tests grouped by module and by test function, heaviest CPU
first, and the share of the whole each takes. `.venv/bin/python bench/test_time.py [--top N]
[--out F] [-- pytest args]`; `--from F` prints an earlier --out again without running.

The CPU is the figure to cut: under -n 2 on two cores the run's wall time is about its CPU over
two, and a test's wall time there includes waiting for a core.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def measure(pytest_args: list[str]) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "BENCH_CPUTIME": folder, "CI": os.environ.get("CI", "true")}
        command = [sys.executable, "-m", "pytest", "-n", "2", "--dist", "worksteal", "-q", "-p", "bench.cputime"]
        started = time.perf_counter()
        done = subprocess.run(command + pytest_args, cwd=ROOT, env=env, capture_output=True, text=True)
        wall = time.perf_counter() - started
        tests = [json.loads(line) for f in sorted(Path(folder).glob("*.jsonl")) for line in f.read_text().splitlines()]
    tail = (done.stdout.strip().splitlines() or [""])[-1]
    return {"wall": round(wall, 1), "returncode": done.returncode, "summary": tail, "tests": tests}


def grouped(tests: list[dict], key) -> list[tuple[str, dict]]:
    sums: dict[str, dict] = defaultdict(lambda: {"tests": 0, "wall": 0.0, "cpu": 0.0, "children": 0.0})
    for t in tests:
        s = sums[key(t["nodeid"])]
        s["tests"] += 1
        for k in ("wall", "cpu", "children"):
            s[k] += t[k]
    return sorted(sums.items(), key=lambda kv: -(kv[1]["cpu"] + kv[1]["children"]))


def table(title: str, rows: list[tuple[str, dict]], total: float, top: int) -> str:
    lines = [f"{title}", f"{'CPU s':>8} {'share':>6} {'children':>9} {'wall s':>8} {'tests':>6}  name"]
    for name, s in rows[:top]:
        cpu = s["cpu"] + s["children"]
        lines.append(
            f"{cpu:8.1f} {100 * cpu / total:5.1f}% {s['children']:9.1f} {s['wall']:8.1f} {s['tests']:6d}  {name}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/test_time.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--out", type=Path, help="write every test's figures here (JSON)")
    parser.add_argument("--from", dest="source", type=Path, help="print an earlier --out instead of running")
    parser.add_argument("pytest_args", nargs="*", help="after --: what pytest is given besides -n 2")
    args = parser.parse_args(argv)
    doc = json.loads(args.source.read_text()) if args.source else measure(args.pytest_args)
    if args.out:
        args.out.write_text(json.dumps(doc, indent=1) + "\n")
    tests = doc["tests"]
    total = sum(t["cpu"] + t["children"] for t in tests) or 1.0
    print(f"pytest -n 2: {doc['summary']} (exit {doc['returncode']}); wall {doc['wall']} s")
    print(f"CPU of the tests: {total:.1f} s ({sum(t['children'] for t in tests):.1f} s in child processes)")
    print(f"sum of the tests' wall times: {sum(t['wall'] for t in tests):.1f} s\n")
    print(table("by module", grouped(tests, lambda n: n.split("::")[0]), total, args.top), "\n")
    by_function = grouped(tests, lambda n: n.split("[")[0])
    print(table("by test function (parametrisations together)", by_function, total, args.top))
    return 0 if doc["returncode"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
