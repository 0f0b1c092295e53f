"""The conformant-server sweep (issue 19): the whole suite against N conformant servers the
generator draws (conformance.reference.generator), each with its choices pinned (the target
declares what the seed drew) and inferred (no [choices]), under the default profile and under
`staging --max-requests 150`. Zero false alarms is the only passing result: a run of a drawn
server that ends with anything red (fail or non-strict), "does not conform", a MUST untested for a
transport failure, or no results at all, is one. A run that ends "incomplete" for want of
evidence (the budget cut it, the server's data cannot show a relation) is no false alarm: it is
counted apart, with its reasons, so the figure says how often a conformant server is left
partly unjudged.

`make sweep` (200 seeds), or `.venv/bin/python bench/sweep.py --seeds 0-199 [--jobs 2]
[--plans dev-pinned dev-inferred staging-pinned staging-inferred]`. Prints one line per false
alarm (seed, plan, what was red and why, the command that reproduces it) and the figures; writes
every run to --out (bench/sweep.json) and the figures between the markers of --readme.
Exit 0 when no run was a false alarm, 1 otherwise.
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
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
CONSOLE = Path(sys.executable).parent / "erpsync-conformance"
MARKERS = ("<!-- bench:sweep -->", "<!-- /bench:sweep -->")
PLANS: dict[str, list[str]] = {
    "dev-pinned": ["--hypothesis-profile", "dev"],
    "dev-inferred": ["--hypothesis-profile", "dev", "--reference-infer"],
    "staging-pinned": ["--hypothesis-profile", "staging", "--max-requests", "150"],
    "staging-inferred": ["--hypothesis-profile", "staging", "--max-requests", "150", "--reference-infer"],
    "quick-pinned": ["--hypothesis-profile", "quick"],
    "quick-inferred": ["--hypothesis-profile", "quick", "--reference-infer"],
}
RED = ("fail", "non-strict")


@dataclass
class Result:
    seed: int
    plan: str
    returncode: int
    verdict: str | None
    red: dict[str, str]
    """Each red requirement and its reason."""
    requests: int | None
    wall_s: float

    untested: dict[str, str] = field(default_factory=dict)
    """Each MUST left untested and why."""

    @property
    def false_alarm(self) -> bool:
        transport = any(word in why for why in self.untested.values() for word in ("transport", "unresponsive"))
        return bool(self.red) or transport or self.verdict not in ("conforms", "incomplete")

    @property
    def incomplete(self) -> bool:
        return not self.false_alarm and self.verdict == "incomplete"

    def command(self) -> str:
        return " ".join(["erpsync-conformance", "--reference-random", str(self.seed), *PLANS[self.plan]])


def one_run(seed: int, plan: str, timeout: float) -> Result:
    with tempfile.TemporaryDirectory(prefix="erpsync-sweep-") as folder:
        out = Path(folder) / "results.json"
        command = [
            str(CONSOLE),
            "--reference-random",
            str(seed),
            *PLANS[plan],
            "-q",
            "-p",
            "no:cacheprovider",
            "--no-reports",
            "--results-json",
            str(out),
        ]
        env = {k: v for k, v in os.environ.items() if k not in ("HYPOTHESIS_PROFILE", "ERPSYNC_TARGET")}
        started = time.perf_counter()
        try:
            done = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True, timeout=timeout)
            code, said = done.returncode, (done.stderr or done.stdout)[-300:]
        except subprocess.TimeoutExpired:
            code, said = -1, f"timed out after {timeout:g} s"
        wall = time.perf_counter() - started
        if not out.exists():
            return Result(seed, plan, code, None, {"(run)": f"no results.json (exit {code}): {said}"}, None, wall)
        doc = json.loads(out.read_text("utf-8"))
    red = {e["id"]: e.get("reason") or "" for e in doc["requirements"] if e["outcome"] in RED}
    untested = {
        e["id"]: e.get("reason") or ""
        for e in doc["requirements"]
        if e["outcome"] == "untested" and e.get("level") == "MUST"
    }
    verdict = (doc.get("verdict") or {}).get("status")
    return Result(seed, plan, code, verdict, red, doc["run"].get("requests"), wall, untested)


def seeds_of(text: str) -> list[int]:
    out: list[int] = []
    for part in text.split(","):
        low, _, high = part.partition("-")
        out += list(range(int(low), int(high or low) + 1))
    return out


def table(results: list[Result], seeds: list[int], jobs: int) -> str:
    lines = [
        "| plan | seeds | runs | false alarms | incomplete | requests per run (median) | wall per run (median) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for plan in dict.fromkeys(r.plan for r in results):
        mine = [r for r in results if r.plan == plan]
        requests = [r.requests for r in mine if r.requests is not None]
        lines.append(
            f"| {plan} | {len({r.seed for r in mine})} | {len(mine)} | {sum(r.false_alarm for r in mine)} | "
            f"{sum(r.incomplete for r in mine)} | "
            f"{statistics.median(requests) if requests else '-'} | "
            f"{statistics.median(r.wall_s for r in mine):.2f} s |"
        )
    total = sum(r.wall_s for r in results)
    lines.append("")
    lines.append(
        f"Seeds {min(seeds)}-{max(seeds)}, {len(results)} runs, {jobs} side by side, "
        f"{dt.date.today().isoformat()}, {platform.machine()} with {os.cpu_count()} cores; "
        f"the sum of the runs' walls {total / 60:.1f} min."
    )
    return "\n".join(lines)


def write_readme(path: Path, text: str) -> None:
    if not path.exists():
        return
    page = path.read_text("utf-8")
    start, end = MARKERS
    if start in page and end in page:
        head, rest = page.split(start, 1)
        page = head + start + "\n" + text + "\n" + end + rest.split(end, 1)[1]
        path.write_text(page, "utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", default="0-199", help="seeds, e.g. 0-199 or 3,7,10-12 (default 0-199)")
    parser.add_argument(
        "--plans",
        nargs="+",
        default=["dev-pinned", "dev-inferred", "staging-pinned", "staging-inferred"],
        choices=list(PLANS),
    )
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds one run may take")
    parser.add_argument("--out", type=Path, default=HERE / "sweep.json")
    parser.add_argument("--readme", type=Path, default=HERE / "README.md")
    args = parser.parse_args(argv)
    seeds = seeds_of(args.seeds)
    runs = [(seed, plan) for seed in seeds for plan in args.plans]
    results: list[Result] = []
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for result in pool.map(lambda run: one_run(*run, args.timeout), runs):
            results.append(result)
            if result.false_alarm:
                print(
                    f"FALSE ALARM seed {result.seed} {result.plan} (exit {result.returncode}): "
                    + "; ".join(f"{rid}: {why[:160]}" for rid, why in result.red.items())
                    + f"\n  reproduce: {result.command()}",
                    flush=True,
                )
            elif result.incomplete:
                print(
                    f"incomplete seed {result.seed} {result.plan}: "
                    + "; ".join(f"{rid}: {why[:120]}" for rid, why in result.untested.items()),
                    flush=True,
                )
    figures = table(results, seeds, args.jobs)
    print(figures)
    args.out.write_text(json.dumps([asdict(r) for r in results], indent=1) + "\n", "utf-8")
    write_readme(args.readme, figures)
    return 1 if any(r.false_alarm for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
