"""Sensitivity per Hypothesis profile: how many of the reference server's named faults each
profile catches, and how many requests it spends (issue 13). `make sensitivity`, or
`.venv/bin/python bench/sensitivity.py [--profiles quick staging dev thorough] [--jobs 2]`.

For each profile, one whole run of the suite (`erpsync-conformance`, the bundled server, the
target's choices pinned) per named fault, plus one without a fault, each in a fresh temporary
folder. `staging` runs within --staging-budget requests (150, a tenant's budget), the others
without a budget. A fault counts as caught when its requirement (the first it names) is red
(fail, or non-strict for a SHOULD); an INFO fault, when its requirement's reason differs from
the fault-free run's. A clean run with anything red is reported as a false alarm.

With `--backgrounds K`, each fault is switched on over K conformant servers the generator draws
(conformance.reference.backgrounds: the first K seeds, from the fault's own start, that can show
it), their choices pinned, instead of over the reference defaults: a fault must show against every
legitimate background (issue 19). The rows are then named `<profile> over K drawn`.

Figures go to --out (bench/sensitivity.json) and, as a table, between the markers of --readme
(bench/README.md).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:
    sys.path.insert(0, str(HERE.parent))

from conformance.contract import requirements  # noqa: E402
from conformance.reference.backgrounds import backgrounds  # noqa: E402
from conformance.reference.faults import FAULTS, SLOW, Fault  # noqa: E402

CONSOLE = Path(sys.executable).parent / "erpsync-conformance"
PROFILES = ("quick", "staging", "dev", "thorough")
MARKERS = ("<!-- bench:sensitivity -->", "<!-- /bench:sensitivity -->")
RED = ("fail", "non-strict")


@dataclass
class Result:
    profile: str
    fault: str | None
    level: str | None
    returncode: int
    requests: int | None
    red: list[str]
    reason: str | None
    """The fault's requirement's reason (INFO faults are told apart by it)."""
    wall_s: float
    caught: bool | None = None
    reasons: dict[str, str | None] = field(default_factory=dict)
    """Every requirement's reason (the fault-free run's only)."""
    seed: int | None = None
    """The drawn background (--backgrounds), None for the reference defaults."""


def one_run(profile: str, fault: Fault | None, budget: int | None, timeout: float, seed: int | None = None) -> Result:
    with tempfile.TemporaryDirectory(prefix="erpsync-sensitivity-") as folder:
        out = Path(folder, "results.json")
        cmd = [
            str(CONSOLE),
            "-q",
            "--no-reports",
            "--results-json",
            str(out),
            "--hypothesis-profile",
            profile,
            "-p",
            "no:cacheprovider",
        ]
        if budget is not None:
            cmd += ["--max-requests", str(budget)]
        if seed is not None:
            cmd += ["--reference-random", str(seed)]
        if fault is not None:
            cmd += ["--reference-fault", fault.name, *fault.suite_args]
            if fault.name in SLOW:
                cmd += ["--slow-ms", "10"]  # as the fault matrix: each slow answer waits 12 ms, not 6 s
        started = dt.datetime.now()
        done = subprocess.run(
            cmd,
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": ""},
        )
        wall = (dt.datetime.now() - started).total_seconds()
        level = requirements.get(fault.breaks[0]).level if fault else None
        try:
            doc = json.loads(out.read_text())
        except (OSError, ValueError):
            return Result(profile, fault and fault.name, level, done.returncode, None, [], None, wall, False, seed=seed)
        red = sorted(r["id"] for r in doc["requirements"] if r["outcome"] in RED)
        reasons = {r["id"]: r.get("reason") for r in doc["requirements"]}
        return Result(
            profile,
            fault and fault.name,
            level,
            done.returncode,
            doc["run"]["requests"],
            red,
            reasons.get(fault.breaks[0]) if fault else None,
            wall,
            reasons={} if fault else reasons,
            seed=seed,
        )


def judge(results: list[Result], clean: Result, cleans: dict[int, Result] | None = None) -> None:
    """Caught: the fault's requirement red; for an INFO fault, its reason other than without a fault
    (on the same background)."""
    for result in results:
        primary = next(f for f in FAULTS if f.name == result.fault).breaks[0]
        if result.level == "INFO":
            same = (cleans or {}).get(result.seed, clean) if result.seed is not None else clean
            result.caught = result.reason is not None and result.reason != same.reasons.get(primary)
        else:
            result.caught = primary in result.red


def summarise(profile: str, budget: int | None, results: list[Result], clean: Result) -> dict:
    row = {
        "profile": profile,
        "budget": budget,
        "faults": len(results),
        "caught": sum(r.caught for r in results),
        "clean_red": clean.red,
        "clean_requests": clean.requests,
        "requests_median": statistics.median(r.requests or 0 for r in results),
        "requests_max": max(r.requests or 0 for r in results),
        "wall_median_s": round(statistics.median(r.wall_s for r in results), 2),
        "missed": sorted(
            f"{r.fault} (seed {r.seed})" if r.seed is not None else str(r.fault) for r in results if not r.caught
        ),
    }
    for level in ("MUST", "SHOULD", "INFO"):
        of = [r for r in results if r.level == level]
        row[level] = {"faults": len(of), "caught": sum(r.caught for r in of)}
    return row


def table(rows: list[dict]) -> str:
    lines = [
        "| Hypothesis profile | budget | faults caught | MUST | SHOULD | INFO | requests per run (median, max) "
        "| fault-free run: requests, red | wall per run (median) |",
        "|---|---:|---:|---:|---:|---:|---:|---|---:|",
    ]
    for r in rows:
        share = lambda d: (
            f"{d['caught']}/{d['faults']} ({100 * d['caught'] / d['faults']:.0f} %)" if d["faults"] else "-"
        )
        lines.append(
            f"| {r['profile']} | {r['budget'] or 'none'} | {r['caught']}/{r['faults']} | {share(r['MUST'])} "
            f"| {share(r['SHOULD'])} | {share(r['INFO'])} | {r['requests_median']:.0f}, {r['requests_max']} "
            f"| {r['clean_requests']}, {', '.join(r['clean_red']) or 'nothing'} | {r['wall_median_s']} s |"
        )
    missed = [f"- `{r['profile']}` misses: " + (", ".join(f"`{m}`" for m in r["missed"]) or "none") for r in rows]
    return "\n".join(lines + [""] + missed)


def write_readme(path: Path, text: str) -> None:
    current = path.read_text() if path.exists() else ""
    start, end = MARKERS
    if start in current and end in current:
        head, rest = current.split(start, 1)
        current = head + start + "\n" + text + "\n" + end + rest.split(end, 1)[1]
    else:
        current += f"\n{start}\n{text}\n{end}\n"
    path.write_text(current)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/sensitivity.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--profiles", nargs="+", default=list(PROFILES), choices=PROFILES)
    parser.add_argument("--faults", nargs="+", help="only these named faults (default: all)")
    parser.add_argument(
        "--backgrounds",
        type=int,
        default=0,
        metavar="K",
        help="each fault over K drawn conformant servers instead of the reference defaults",
    )
    parser.add_argument("--staging-budget", type=int, default=150)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="runs at once")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds one run may take")
    parser.add_argument("--out", type=Path, default=HERE / "sensitivity.json")
    parser.add_argument("--readme", type=Path, default=HERE / "README.md")
    args = parser.parse_args(argv)
    faults = [f for f in FAULTS if not args.faults or f.name in args.faults]
    unknown = set(args.faults or ()) - {f.name for f in FAULTS}
    if unknown:
        parser.error(f"unknown fault(s): {', '.join(sorted(unknown))}")
    rows, every = [], []
    for profile in args.profiles:
        budget = args.staging_budget if profile == "staging" else None
        clean = one_run(profile, None, budget, args.timeout)
        runs: list[tuple[Fault | None, int | None]] = [(f, None) for f in faults]
        if args.backgrounds:
            runs = [(f, seed) for f in faults for seed in backgrounds(f, args.backgrounds)]
            info = {seed for f, seed in runs if f is not None and requirements.get(f.breaks[0]).level == "INFO"}
            runs += [(None, seed) for seed in sorted(info)]  # an INFO fault is told apart on its own background
        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            done = list(pool.map(lambda run: one_run(profile, run[0], budget, args.timeout, run[1]), runs))
        label = profile + (f" over {args.backgrounds} drawn" if args.backgrounds else "")
        for r in done:
            r.profile = label
        results = [r for r in done if r.fault is not None]
        cleans = {r.seed: r for r in done if r.fault is None and r.seed is not None}
        judge(results, clean, cleans)
        rows.append(summarise(label, budget, results, clean))
        clean.profile = label
        every += [asdict(r) for r in done] + [asdict(clean)]
        print(f"{profile}: {rows[-1]['caught']}/{len(results)} faults caught", file=sys.stderr, flush=True)
    machine = {
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average": os.getloadavg(),
    }
    date = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    for row in rows:
        row.update(date=date, jobs=args.jobs)
    # A run of some profiles replaces their rows and keeps the other profiles' (each row dated).
    measured = {r["profile"] for r in rows}
    try:
        earlier = json.loads(args.out.read_text()) if args.out.exists() and not args.faults else {}
    except ValueError:
        earlier = {}
    rows = sorted(
        [r for r in earlier.get("rows", []) if r["profile"] not in measured] + rows,
        key=lambda r: (PROFILES.index(r["profile"].split()[0]), r["profile"]),
    )
    every = [r for r in earlier.get("runs", []) if r["profile"] not in measured] + every
    args.out.write_text(json.dumps({"machine": machine, "rows": rows, "runs": every}, indent=2) + "\n")
    dates = sorted({r.get("date", "?")[:16] for r in rows})
    text = (
        f"Measured on {machine['cpu_count']} CPU(s), Python {machine['python']}, "
        f"{' and '.join(sorted({str(r.get('jobs', '?')) for r in rows}))} run(s) at once "
        f"({', '.join(dates)} UTC), by `bench/sensitivity.py`; every run in `{args.out.name}`.\n\n" + table(rows)
    )
    print(text)
    write_readme(args.readme, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
