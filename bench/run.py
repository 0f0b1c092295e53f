"""The benchmark of issue 6: `make bench`, or `.venv/bin/python bench/run.py [options]`.

Starts the reference server once (in this process, 127.0.0.1, port 0) and measures, over
--repeat repetitions, each ratio computed pair by pair within one repetition and reported as
the median of those ratios:

1. raw throughput: a plain requests.Session loop of the sample request;
2. the suite's throughput: the same exchanges through the suite's client, decoded and judged;
3. schemathesis on the same server and operation (a pytest subprocess, its call phase timed);
4. the whole default run (`erpsync-conformance --no-reports`): wall time, requests, peak RSS,
   requirements covered per request; and once, the staging profile within 150 requests;
5. the same with `-n 2`, and the property tests alone, serial and with `-n 2`, under the default
   and the `thorough` Hypothesis profile;
6. the reference server (in its own process) against Stoplight Prism under the loop of (1);
7. the whole default run and schemathesis's own CLI (`st run`), each as a user types it, against
   one reference server in a process of its own (bench/cli_race.py);
8. the whole run under the `thorough` profile, serial and with `-n 2`.

Figures go to --out (bench/results.json) and, as a table, to --readme (bench/README.md).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:
    sys.path.insert(0, str(HERE.parent))  # run as a script: the bench package and the project beside it

from bench import summary  # noqa: E402
from bench.cli_race import race  # noqa: E402
from bench.fuzz import schemathesis_run  # noqa: E402
from bench.loops import raw_loop, suite_loop  # noqa: E402
from bench.servers import ServerFailed, answers_sample, install_prism, prism, reference_process  # noqa: E402
from bench.suite_runs import properties_run, whole_run  # noqa: E402
from conformance.reference import ReferenceServer  # noqa: E402

STAGING = ("--hypothesis-profile", "staging")
PROPERTY_PROFILES = (("properties", None), ("properties_thorough", "thorough"))
"""(key, Hypothesis profile): the property tests as `pytest` runs them by default (dev, 30 examples
in all), and under `thorough` (1000), where the drawn combinations outweigh start-up."""
STAGING_BUDGET = ("--max-requests", "150")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/run.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="repetitions; figures are medians (default 5)")
    parser.add_argument("--requests", type=int, default=500, help="requests per client loop (default 500)")
    parser.add_argument(
        "--max-examples", type=int, default=100, help="Hypothesis max_examples of the schemathesis test (default 100)"
    )
    parser.add_argument(
        "--out", type=Path, default=HERE / "results.json", help="results JSON (default bench/results.json)"
    )
    parser.add_argument(
        "--readme",
        type=Path,
        default=HERE / "README.md",
        help="the README whose results section is rewritten (default bench/README.md)",
    )
    parser.add_argument("--no-readme", action="store_true", help="leave the README alone")
    parser.add_argument("--prism-dir", type=Path, default=HERE / ".prism", help="where npm installs Prism")
    for part, what in (
        ("schemathesis", "(3)"),
        ("whole-run", "(4), (5) and (7)"),
        ("thorough", "(8), the whole run under the thorough profile"),
        ("properties", "the property runs of (5)"),
        ("staging", "the staging-profile run of (4)"),
        ("prism", "(6)"),
    ):
        parser.add_argument(f"--skip-{part}", action="store_true", help=f"leave out {what}")
    return parser.parse_args(argv)


def progress(text: str) -> None:
    print(f"bench: {text}", file=sys.stderr, flush=True)


def ordered(index: int, *steps: Callable[[], Any]) -> list[Any]:
    """Run the steps, in reverse order on odd repetitions (neither gets the warmer machine
    always), and give their results in the steps' order."""
    order = list(range(len(steps)))
    if index % 2:
        order.reverse()
    results: dict[int, Any] = {}
    for i in order:
        results[i] = steps[i]()
    return [results[i] for i in range(len(steps))]


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a and b else None


def repetition(
    index: int, args: argparse.Namespace, server: ReferenceServer, prism_exe: Path | None, unicode_cache: Path
) -> dict:
    rep: dict[str, Any] = {"index": index}
    progress(f"repetition {index + 1}/{args.repeat}: client loops")
    raw, suite = ordered(
        index, lambda: raw_loop(server.endpoint_url, args.requests), lambda: suite_loop(server, args.requests)
    )
    rep["raw"], rep["suite"] = raw.as_dict(), suite.as_dict()
    rep["suite_over_raw"] = ratio(suite.per_second, raw.per_second)
    if not args.skip_schemathesis:
        progress(f"repetition {index + 1}: schemathesis")
        fuzzed = schemathesis_run(server, args.max_examples)
        rep["schemathesis"] = fuzzed.as_dict()
        if fuzzed.returncode != 0:
            rep["schemathesis"]["tail"] = fuzzed.tail
        rep["suite_over_schemathesis_cases"] = ratio(suite.per_second, fuzzed.cases_per_second)
        rep["suite_over_schemathesis_requests"] = ratio(suite.per_second, fuzzed.requests_per_second)
    if prism_exe is not None:
        progress(f"repetition {index + 1}: reference server process and Prism")
        try:
            with reference_process() as ref, prism(prism_exe) as mock:
                rep["sample_answers"] = {
                    "reference_process": answers_sample(ref.url),
                    "prism": answers_sample(mock.url),
                }
                own, prism_loop = ordered(
                    index, lambda: raw_loop(ref.url, args.requests), lambda: raw_loop(mock.url, args.requests)
                )
            rep["reference_process"], rep["prism"] = own.as_dict(), prism_loop.as_dict()
            rep["reference_process_over_prism"] = ratio(own.per_second, prism_loop.per_second)
            rep["reference_in_process_over_prism"] = ratio(raw.per_second, prism_loop.per_second)
        except ServerFailed as problem:
            rep["prism_error"] = str(problem)
            progress(f"Prism: {problem}")
    if not args.skip_whole_run:
        progress(
            f"repetition {index + 1}: whole runs, serial (fresh folder, and with Hypothesis's unicode cache) and -n 2"
        )
        serial, warm, parallel = ordered(
            index,
            lambda: whole_run(unicode_to=unicode_cache),
            lambda: whole_run(unicode_from=unicode_cache),
            lambda: whole_run("-n", "2"),
        )
        rep["whole"], rep["whole_warm"], rep["whole_n2"] = serial.as_dict(), warm.as_dict(), parallel.as_dict()
        rep["whole_n2_speedup"] = ratio(serial.wall_s, parallel.wall_s)
        progress(f"repetition {index + 1}: the whole run and schemathesis's CLI against one reference server process")
        try:
            rep["race"] = race(first_suite=index % 2 == 0)
        except ServerFailed as problem:
            rep["race_error"] = str(problem)
    if not args.skip_thorough:
        progress(f"repetition {index + 1}: whole runs under the thorough profile, serial and -n 2")
        thorough = ("--hypothesis-profile", "thorough")
        serial, parallel = ordered(index, lambda: whole_run(*thorough), lambda: whole_run(*thorough, "-n", "2"))
        rep["whole_thorough"], rep["whole_thorough_n2"] = serial.as_dict(), parallel.as_dict()
        rep["whole_thorough_n2_speedup"] = ratio(serial.wall_s, parallel.wall_s)
    if not args.skip_properties:
        for key, profile in PROPERTY_PROFILES:
            progress(f"repetition {index + 1}: property tests ({profile or 'default'} profile), serial and -n 2")
            chosen = ("--hypothesis-profile", profile) if profile else ()
            serial, parallel = ordered(
                index, lambda: properties_run(*chosen), lambda: properties_run(*chosen, "-n", "2")
            )
            rep[key], rep[f"{key}_n2"] = serial.as_dict(), parallel.as_dict()
            rep[f"{key}_n2_speedup_wall"] = ratio(serial.wall_s, parallel.wall_s)
            rep[f"{key}_n2_speedup_span"] = ratio(serial.span_s, parallel.span_s)
    return rep


def machine() -> dict:
    model = ""
    try:
        model = next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            ),
            "",
        )
    except OSError:
        pass
    return {
        "cpu_count": os.cpu_count(),
        "cpu_model": model,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = dt.datetime.now(dt.timezone.utc)
    doc: dict[str, Any] = {
        "date": started.isoformat(timespec="seconds"),
        "machine": machine(),
        "config": {
            "repeat": args.repeat,
            "requests": args.requests,
            "max_examples": args.max_examples,
            "skipped": [
                p
                for p in ("schemathesis", "whole-run", "thorough", "properties", "staging", "prism")
                if getattr(args, "skip_" + p.replace("-", "_"))
            ],
        },
        "notes": [],
    }
    prism_exe = None
    if not args.skip_prism:
        progress(f"installing Prism into {args.prism_dir} (npm) unless it is there")
        try:
            prism_exe, version = install_prism(args.prism_dir)
            doc["machine"]["prism"] = version
        except ServerFailed as problem:
            doc["notes"].append(f"Prism not measured: {problem}")
            progress(f"Prism not measured: {problem}")
    with ReferenceServer() as server, tempfile.TemporaryDirectory(prefix="bench-unicode-") as cache:
        doc["repetitions"] = [repetition(i, args, server, prism_exe, Path(cache)) for i in range(args.repeat)]
    if not (args.skip_whole_run or args.skip_staging):
        progress("the staging profile, within 150 requests and without a budget (once each: it is derandomized)")
        doc["staging"] = whole_run(*STAGING, *STAGING_BUDGET).as_dict()
        doc["staging_unbudgeted"] = whole_run(*STAGING).as_dict()
    doc["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    doc["finished"] = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    doc["medians"] = summary.medians(doc["repetitions"])
    doc["targets"] = summary.targets(doc)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    table = summary.table(doc)
    print(table)
    print(f"\nwritten: {args.out}")
    if not args.no_readme:
        summary.write_readme(args.readme, doc, table)
        print(f"written: {args.readme}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
