"""Medians over repetitions, the issue's targets judged against them, and the table printed and
written into bench/README.md (between the results markers)."""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

from conformance.contract.requirements import CATALOGUE

START, END = "<!-- bench:results -->", "<!-- /bench:results -->"

METRICS = [
    # key (dotted path into a repetition), label, unit
    ("raw.per_second", "(1) raw requests.Session loop, in-process server", "req/s"),
    ("suite.per_second", "(2) suite's client, decoded and judged", "req/s"),
    ("suite_over_raw", "(2) / (1)", "ratio"),
    ("schemathesis.cases_per_second", "(3) schemathesis call_and_validate", "cases/s"),
    ("schemathesis.requests_per_second", "(3) schemathesis, requests read by the server", "req/s"),
    ("suite_over_schemathesis_cases", "(2) / (3), per case", "ratio"),
    ("suite_over_schemathesis_requests", "(2) / (3), per request at the server", "ratio"),
    ("whole.wall_s", "(4) whole default run, wall", "s"),
    ("whole.call_s_total", "(4) whole run, its tests' call phases summed", "s"),
    ("whole.requests", "(4) requests sent", ""),
    ("whole.maxrss_mb", "(4) peak RSS, fresh folder", "MiB"),
    ("whole.maxrss_mb_si", "(4) peak RSS, fresh folder", "MB"),
    ("whole_warm.maxrss_mb", "(4) peak RSS, Hypothesis's unicode cache present", "MiB"),
    ("whole_warm.wall_s", "(4) whole run wall, unicode cache present", "s"),
    ("whole.covered_per_request", "(4) requirements covered per request", ""),
    ("whole_n2.wall_s", "(5) whole run -n 2, wall", "s"),
    ("whole_n2.tree_peak_mb", "(5) -n 2 peak RSS, controller + workers summed (sampled)", "MiB"),
    ("whole_n2_speedup", "(5) whole run speed-up, serial / -n 2 wall", "ratio"),
    ("properties.wall_s", "(5) property tests alone, default profile, serial, wall", "s"),
    ("properties_n2.wall_s", "(5) property tests alone, default profile, -n 2, wall", "s"),
    ("properties.span_s", "(5) property tests' span (first call start to last call end), serial", "s"),
    ("properties_n2.span_s", "(5) property tests' span, -n 2", "s"),
    ("properties_n2_speedup_wall", "(5) property tests speed-up, default profile, wall", "ratio"),
    ("properties_n2_speedup_span", "(5) property tests speed-up, default profile, span", "ratio"),
    ("properties_thorough.wall_s", "(5) property tests, thorough profile, serial, wall", "s"),
    ("properties_thorough_n2.wall_s", "(5) property tests, thorough profile, -n 2, wall", "s"),
    ("properties_thorough_n2_speedup_wall", "(5) property tests speed-up, thorough profile, wall", "ratio"),
    ("properties_thorough_n2_speedup_span", "(5) property tests speed-up, thorough profile, span", "ratio"),
    ("race.suite.wall_s", "(7) whole default run against a reference server process, wall", "s"),
    ("race.schemathesis_cli.wall_s", "(7) st run (schemathesis CLI), same server, wall", "s"),
    ("race.suite_over_cli_wall", "(7) whole run / st run, wall", "ratio"),
    ("race.suite.count", "(7) whole run's requests", ""),
    ("race.schemathesis_cli.count", "(7) st run's generated cases", ""),
    ("race.suite.peak_mb", "(7) whole run, peak RSS (VmHWM)", "MiB"),
    ("race.schemathesis_cli.peak_mb", "(7) st run, peak RSS (VmHWM)", "MiB"),
    ("whole_thorough.wall_s", "(8) whole run, thorough profile, serial, wall", "s"),
    ("whole_thorough.requests", "(8) whole run, thorough profile, requests", ""),
    ("whole_thorough_n2.wall_s", "(8) whole run, thorough profile, -n 2, wall", "s"),
    ("whole_thorough_n2_speedup", "(8) whole run speed-up, thorough profile, serial / -n 2 wall", "ratio"),
    ("reference_process.per_second", "(6) reference server (own process), loop of (1)", "req/s"),
    ("prism.per_second", "(6) Prism mock, loop of (1)", "req/s"),
    ("reference_process_over_prism", "(6) reference (own process) / Prism", "ratio"),
    ("reference_in_process_over_prism", "(6) reference (in-process, = (1)) / Prism", "ratio"),
]


def applicable(run: dict | None) -> int:
    """The requirements that apply to the server a run judged: the catalogue less those it reports
    not applicable (AUTH-12 needs an Online tenant's required app tokens; the bundled server's are not)."""
    return len(CATALOGUE) - ((run or {}).get("outcomes") or {}).get("not-applicable", 0)


def _get(rep: dict, key: str) -> float | None:
    value: Any = rep
    for part in key.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    run = rep.get(key.split(".")[0])
    if isinstance(run, dict) and run.get("returncode") not in (None, 0, 1):
        return None  # a run that broke (exit 2 and up) has no meaningful figures
    if key.startswith("whole_warm.") and not run.get("unicode_cache_present"):
        return None  # there was no cache yet to start warm with
    return value if isinstance(value, (int, float)) else None


def medians(reps: list[dict]) -> dict[str, dict]:
    out = {}
    for key, _, _ in METRICS:
        values = [v for v in (_get(rep, key) for rep in reps) if v is not None]
        if values:
            out[key] = {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}
    return out


def targets(doc: dict) -> list[dict]:
    m = doc["medians"]

    def judged(name: str, key: str, goal: str, ok, which: str = "median") -> dict:
        value = m.get(key, {}).get(which)
        return {
            "target": name,
            "goal": goal,
            "measured": key,
            "statistic": which,
            "value": value,
            "met": None if value is None else bool(ok(value)),
        }

    out = [
        judged(
            "the suite's client with checks reaches >= 50 % of the raw loop",
            "suite_over_raw",
            ">= 0.5",
            lambda v: v >= 0.5,
        ),
        judged(
            "the suite runs >= 3x the cases per second of schemathesis",
            "suite_over_schemathesis_cases",
            ">= 3",
            lambda v: v >= 3,
        ),
        judged("the whole default run finishes in under 30 s wall", "whole.wall_s", "< 30 s", lambda v: v < 30),
        judged(
            "the whole default run peaks under 300 MB RSS (10^6 bytes; fresh folder; largest repetition)",
            "whole.maxrss_mb_si",
            "< 300 MB",
            lambda v: v < 300,
            "max",
        ),
        judged(
            "-n 2 gives >= 1.5x on the property tests (wall, default profile)",
            "properties_n2_speedup_wall",
            ">= 1.5",
            lambda v: v >= 1.5,
        ),
        judged(
            "-n 2 gives >= 1.5x on the property tests (wall, thorough profile)",
            "properties_thorough_n2_speedup_wall",
            ">= 1.5",
            lambda v: v >= 1.5,
        ),
        judged(
            "issue 24: the whole default run sends at most 450 requests (largest repetition)",
            "whole.requests",
            "<= 450",
            lambda v: v <= 450,
            "max",
        ),
        judged(
            "issue 24: the suite's client with checks reaches >= 0.9x the raw loop",
            "suite_over_raw",
            ">= 0.9",
            lambda v: v >= 0.9,
        ),
        judged(
            "issue 24: the whole default run is within 1.5x of schemathesis CLI's wall, same server",
            "race.suite_over_cli_wall",
            "<= 1.5",
            lambda v: v <= 1.5,
        ),
        judged(
            "issue 24: the whole default run peaks under 100 MiB (VmHWM; fresh folder; largest repetition)",
            "whole.maxrss_mb",
            "< 100 MiB",
            lambda v: v < 100,
            "max",
        ),
        judged(
            "issue 24: -n 2 makes the whole thorough run faster than serial (wall)",
            "whole_thorough_n2_speedup",
            "> 1",
            lambda v: v > 1,
        ),
        judged(
            "the reference server (own process) serves >= Prism's requests per second",
            "reference_process_over_prism",
            ">= 1",
            lambda v: v >= 1,
        ),
    ]
    staging = doc.get("staging")
    total = applicable(staging)
    out.append(
        {
            "target": f"the staging profile judges all {total} requirements that apply within 150 requests",
            "goal": f"{total} covered, <= 150 requests",
            "measured": "staging",
            "statistic": "once",
            "value": None if staging is None else f"{staging['covered']} covered in {staging['requests']} requests",
            "met": None if staging is None else staging["covered"] == total and (staging["requests"] or 0) <= 150,
        }
    )
    return out


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "ratio":
        return f"{value:.2f}x"
    if unit in ("req/s", "cases/s", "MB", "MiB", ""):
        return f"{value:.4g}" if isinstance(value, float) and value < 10 else f"{value:.0f}"
    return f"{value:.1f}"


def table(doc: dict) -> str:
    m, reps = doc["medians"], len(doc["repetitions"])
    lines = [
        f"Medians over {reps} repetition(s); ratios computed within each repetition, then the median taken.",
        "",
        "| measurement | median | min - max | unit |",
        "|---|---:|---:|---|",
    ]
    for key, label, unit in METRICS:
        if key in m:
            s = m[key]
            lines.append(
                f"| {label} | {_number(s['median'], unit)} | {_number(s['min'], unit)} - "
                f"{_number(s['max'], unit)} | {unit if unit != 'ratio' else ''} |"
            )
    for key, label in (("staging", "--max-requests 150"), ("staging_unbudgeted", "no budget")):
        staging = doc.get(key)
        if staging:
            lines.append(
                f"| (4) staging profile, {label} (once) | {staging['covered']} of {applicable(staging)} "
                f"covered in {staging['requests']} requests ({len(CATALOGUE)} in the catalogue; those not "
                "applicable to the bundled server left out) | | |"
            )
    lines += ["", "| target | goal | measured | met |", "|---|---|---|---|"]
    for t in doc["targets"]:
        value = t["value"]
        shown = value if isinstance(value, str) or value is None else f"{value:.2f} ({t['statistic']})"
        lines.append(
            f"| {t['target']} | {t['goal']} | {shown if shown is not None else 'not measured'} | "
            f"{ {True: 'yes', False: 'NO', None: '-'}[t['met']] } |"
        )
    for note in doc.get("notes", []):
        lines.append(f"\nNote: {note}")
    return "\n".join(lines)


def write_readme(path: Path, doc: dict, table_text: str) -> None:
    machine = doc["machine"]
    section = "\n".join(
        [
            START,
            f"Measured {doc['date']} on {machine['cpu_count']} CPU(s) ({machine['cpu_model'] or 'model unknown'}), "
            f"Python {machine['python']}, {machine['platform']}"
            + (f", Prism {machine['prism']}" if machine.get("prism") else "")
            + f"; load average {machine['load_average_at_start']} at the start, {machine['load_average_at_end']} at the end.",
            "",
            table_text,
            END,
        ]
    )
    text = path.read_text() if path.exists() else f"# Benchmark\n\n{START}\n{END}\n"
    if START in text and END in text:
        head, rest = text.split(START, 1)
        text = head + section + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(text)
