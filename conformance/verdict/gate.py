"""The gate: waivers applied to the requirements' outcomes, then the verdict and its exit code.

Exit 0 when every MUST requirement that ran passed (with --strict-should, every SHOULD too) and every
waiver still means something; 1 otherwise. An untested MUST is not a pass: it makes the run
"incomplete" (exit 1) unless a waiver accepts it. Requirements deselected from the session
(-k, -m) are not judged. Pure functions over results entries (see conformance.verdict.results).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Iterable, Mapping

from conformance.verdict.waivers import WAIVABLE, Waiver

OUTCOMES = ("fail", "non-strict", "waived", "pass", "informational", "untested", "not-applicable")
"""The outcomes of a results entry, worst first: those of a check (conformance.checks.outcome.Status) plus waived."""

NOT_RUN = "not run in this session"


def ran(entry: Mapping[str, Any]) -> bool:
    judged: bool = entry["judgements"] > 0
    return judged


def apply_waivers(entries: list[dict[str, Any]], waivers: Mapping[str, Waiver], today: dt.date) -> list[dict[str, Any]]:
    """Marks waived entries in place; returns the problems of waivers that no longer hold."""
    problems = []
    by_id = {e["id"]: e for e in entries}
    for rid, waiver in sorted(waivers.items()):
        entry = by_id.get(rid)
        if entry is None or not ran(entry):
            continue  # deselected in this session: neither applied nor judged
        where = f"waiver for {rid} ({waiver.source})"
        if entry["outcome"] == "not-applicable":  # the installation does not offer it: nothing to waive
            lapsed = f" (and expired on {waiver.expires})" if waiver.expired(today) else ""
            problems.append(
                {
                    "requirement": rid,
                    "blocking": False,
                    "problem": f"{where} does not apply{lapsed}: {rid} is not applicable here "
                    f"({entry['reason']}); the waiver is not needed (reported, not a gate failure)",
                }
            )
        elif waiver.expired(today):
            problems.append(
                {
                    "requirement": rid,
                    "problem": f"{where} expired on {waiver.expires}; {rid} counts as {entry['outcome']}",
                }
            )
        elif entry["outcome"] in WAIVABLE:
            entry["waived_outcome"] = entry["outcome"]
            entry["outcome"] = "waived"
            entry["waiver"] = waiver.as_dict()
        elif entry["outcome"] == "pass":
            problems.append({"requirement": rid, "problem": f"{where} is stale: {rid} now passes; remove the waiver"})
        else:
            problems.append(
                {
                    "requirement": rid,
                    "problem": f"{where} matches nothing: {rid} came out {entry['outcome']}, not failing or untested",
                }
            )
    return problems


INTERRUPTED = (
    "the run was interrupted (Ctrl-C or a signal) before it finished: what it judged so far is no verdict on the target"
)
BROKEN = "the run broke before it finished ({}): what it judged so far is no verdict on the target"
STOPPED = "configuration error"
"""The status of a run stopped before its first judged request (the preflight's refused credentials):
no verdict on the target, exit 2; its one reason is the line the terminal printed."""


def scope(
    entries: list[Mapping[str, Any]],
    coverage: Mapping[str, Any] | None,
    *,
    budget: int | None = None,
    requests: int | None = None,
) -> dict[str, Any]:
    """What the verdict judged: the requirements the session selected of the catalogue's, and the
    tests it planned, ran and had cut by the request budget (with what a full run would need)."""
    tests = dict(coverage or {})
    selected = sum(1 for e in entries if ran(e))
    out: dict[str, Any] = {
        "requirements_selected": selected,
        "requirements_total": len(entries),
        "tests_planned": tests.get("tests_planned", 0),
        "tests_run": tests.get("tests_run", 0),
        "tests_cut": tests.get("tests_cut", 0),
        "budget": budget,
        "cut_by_requirement": tests.get("cut_by_requirement", {}),
        "full_run_requests": None,
    }
    if out["tests_cut"] and requests:
        done = max(out["tests_run"], 1)
        out["full_run_requests"] = int(round(requests * (done + out["tests_cut"]) / done, -1))
    out["complete"] = not out["tests_cut"] and selected == len(entries)
    return out


def headline(status: str, exit_code: int, judged: Mapping[str, Any] | None) -> str:
    """The verdict's one sentence, as the terminal, summary.md, report.html and JUnit say it: what
    was judged is part of it whenever it was less than the whole suite."""
    parts = []
    if judged and judged["requirements_selected"] < judged["requirements_total"]:
        parts.append(
            f"partial: {judged['requirements_selected']} of {judged['requirements_total']} requirements selected"
        )
    if judged and judged["tests_cut"]:
        cut = f"{judged['tests_cut']} of {judged['tests_planned']} tests cut by the budget"
        cut += f" of {judged['budget']}" if judged.get("budget") else ""
        if judged.get("full_run_requests"):
            cut += f"; a full run needs about {judged['full_run_requests']} requests"
        parts.append(cut)
    shown = "conforms on what was judged" if status == "conforms" and parts else status
    return f"verdict: {shown} (exit {exit_code})" + (f": {'; '.join(parts)}" if parts else "")


def verdict(
    entries: Iterable[Mapping[str, Any]],
    problems: list[dict[str, Any]],
    *,
    strict: bool,
    dry_run: bool,
    interrupted: bool | str = False,
    coverage: Mapping[str, Any] | None = None,
    require_complete: bool = False,
    budget: int | None = None,
    requests: int | None = None,
    stopped: str | None = None,
) -> dict[str, Any]:
    """`stopped`: the configuration error that ended the run before it judged anything."""
    entries = list(entries)
    judged = scope(entries, coverage, budget=budget, requests=requests)
    if stopped:
        counts = {o: n for o in OUTCOMES if (n := sum(e["outcome"] == o for e in entries))}
        return {
            "status": STOPPED,
            "exit_code": 2,
            "reasons": [stopped],
            "counts": counts,
            "coverage": judged,
            "headline": f"verdict: none, {STOPPED} (exit 2): {stopped}",
        }
    found = _verdict(entries, problems, strict=strict, dry_run=dry_run, interrupted=interrupted)
    if require_complete and judged["tests_cut"] and found["status"] in ("conforms", "waivers out of date"):
        found.update(status="incomplete", exit_code=1)
        found["reasons"].append(
            f"{judged['tests_cut']} tests were cut by the request budget and --require-complete is set"
        )
    found["coverage"] = judged
    found["headline"] = headline(found["status"], found["exit_code"], None if dry_run else judged)
    return found


def _verdict(
    entries: list[Mapping[str, Any]],
    problems: list[dict[str, Any]],
    *,
    strict: bool,
    dry_run: bool,
    interrupted: bool | str = False,
) -> dict[str, Any]:
    """`interrupted`: True for Ctrl-C or a signal, or what broke the run (a worker's crash)."""
    counts = {o: n for o in OUTCOMES if (n := sum(e["outcome"] == o for e in entries))}
    if interrupted:
        reason = BROKEN.format(interrupted) if isinstance(interrupted, str) else INTERRUPTED
        return {"status": "interrupted", "exit_code": 2, "reasons": [reason], "counts": counts}
    if dry_run:
        return {"status": "dry run", "exit_code": 0, "reasons": ["nothing was sent (--dry-run)"], "counts": counts}
    failing = [e for e in entries if e["outcome"] == "fail" or (strict and e["outcome"] == "non-strict")]
    untested_must = [e for e in entries if ran(e) and e["level"] == "MUST" and e["outcome"] == "untested"]
    reasons = [f"{e['id']} ({e['level']}) {e['outcome']}: {e['reason']}" for e in failing]
    reasons += [f"{e['id']} (MUST) untested: {e['reason']}" for e in untested_must]
    reasons += [p["problem"] for p in problems if p.get("blocking", True)]
    if failing:
        status = "does not conform"
    elif untested_must:
        status = "incomplete"
    elif any(p.get("blocking", True) for p in problems):
        status = "waivers out of date"
    else:
        status = "conforms"
    return {"status": status, "exit_code": 0 if status == "conforms" else 1, "reasons": reasons, "counts": counts}
