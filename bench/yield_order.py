"""The order of the covering rows by measured yield (issue 24): `.venv/bin/python bench/yield_order.py
[--jobs 2]`. Runs the whole suite under the staging profile without a budget against the bundled
server once per named fault of conformance/reference/faults.py (its choices pinned, each run in a
fresh folder, `-p bench.ledger`), and once without a fault; a row catches a fault when it fails in
that fault's run and not in the fault-free one. Then, greedily, the next row is the one that
catches the most faults no earlier row caught per request it costs in the fault-free run (a row
whose answer an earlier request already gave costs nothing, and one that costs nothing and
catches something comes first); rows that catch nothing new keep their cheapest-first order after
those that do. Writes the order (Row.id of conformance/run/covering.py) to
conformance/run/covering_order.json, which the covering stage follows (conformance.run.covering
.ordered), and prints what each row adds. The example tests, one per requirement, stay before
every row: within a budget every requirement is judged first, and the rows a budget cuts are the
ones that catch least per request.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:
    sys.path.insert(0, str(HERE.parent))

from conformance.reference.faults import FAULTS, SLOW, Fault  # noqa: E402
from conformance.run.covering import ORDER_FILE  # noqa: E402

CONSOLE = Path(sys.executable).parent / "erpsync-conformance"


def ledger(fault: Fault | None, timeout: float) -> dict:
    with tempfile.TemporaryDirectory(prefix="erpsync-yield-") as folder:
        out = Path(folder, "ledger.json")
        cmd = [str(CONSOLE), "-q", "--no-reports", "--hypothesis-profile", "staging", "-p", "no:cacheprovider"]
        cmd += ["-p", "bench.ledger"]
        if fault is not None:
            cmd += ["--reference-fault", fault.name, *fault.suite_args]
            if fault.name in SLOW:
                cmd += ["--slow-ms", "10"]
        env = {
            **os.environ,
            "BENCH_LEDGER": str(out),
            "PYTHONDONTWRITEBYTECODE": "",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(HERE.parent), os.getenv("PYTHONPATH")])),
        }
        subprocess.run(cmd, cwd=folder, capture_output=True, text=True, timeout=timeout, env=env)
        try:
            return json.loads(out.read_text())
        except (OSError, ValueError):
            return {"tests": []}


def order(clean: dict, runs: dict[str, dict]) -> tuple[list[str], list[tuple[str, int, list[str]]]]:
    rows = [t for t in clean["tests"] if t["row"]]
    cost = {t["row"]: t["requests"] for t in rows}
    false_alarms = {t["row"] for t in rows if t["failed"]}
    catches: dict[str, set[str]] = {r: set() for r in cost}
    for fault, run in runs.items():
        for t in run["tests"]:
            if t["row"] in catches and t["failed"] and t["row"] not in false_alarms:
                catches[t["row"]].add(fault)
    chosen: list[str] = []
    added: list[tuple[str, int, list[str]]] = []
    caught = {fault for fault, run in runs.items() if any(t["failed"] for t in _examples(run))}
    left = [t["row"] for t in rows]  # the fault-free run's order: cheapest first
    while left:
        best = max(left, key=lambda r: (len(catches[r] - caught) / max(cost[r], 0.5), -left.index(r)))
        new = catches[best] - caught
        if not new:
            break
        chosen.append(best)
        added.append((best, cost[best], sorted(new)))
        caught |= new
        left.remove(best)
    return chosen + left, added


def _examples(run: dict) -> list[dict]:
    """The tests before the first covering row: the example tests, which run first in any order."""
    first = next((i for i, t in enumerate(run["tests"]) if t["row"]), len(run["tests"]))
    return run["tests"][:first]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/yield_order.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=2, help="runs at once (default 2)")
    parser.add_argument("--timeout", type=float, default=600, help="seconds one run may take")
    parser.add_argument("--out", type=Path, default=ORDER_FILE)
    args = parser.parse_args(argv)
    clean = ledger(None, args.timeout)
    if not clean["tests"]:
        print("bench/yield_order.py: the fault-free run wrote no ledger", file=sys.stderr)
        return 2
    with ThreadPoolExecutor(args.jobs) as pool:
        ledgers = list(pool.map(lambda f: ledger(f, args.timeout), FAULTS))
    runs = {f.name: run for f, run in zip(FAULTS, ledgers)}
    rows, added = order(clean, runs)
    args.out.write_text(json.dumps({"profile": "staging", "rows": rows}, indent=1, ensure_ascii=False) + "\n")
    spent = 0
    for row, cost, new in added:
        spent += cost
        print(f"{spent:4d} requests  +{len(new)} {row}: {', '.join(new)}")
    before = sum(1 for run in runs.values() if any(t["failed"] for t in _examples(run)))
    print(f"{before} of {len(runs)} faults caught by the example tests, before any row")
    print(
        f"{len(added)} rows catch something more; {len(rows) - len(added)} follow in their own order; written {args.out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
