"""The end of a run: results.json assembled from what the collector gathered, published (the run
folder, report.html, summary.md, --results-json, --keep), and summary.md appended to --summary-file."""

from __future__ import annotations

import shlex
import time
from typing import Any

import pytest
from jinja2 import TemplateError

from conformance.contract import requirements
from conformance.plugin import collect
from conformance.plugin.session import UNSTARTED, reference_server_config
from conformance.plugin.state import INVOKED, state
from conformance.reference.server import target_of
from conformance.text import sinks
from conformance.verdict import results
from conformance.wire.target import plain_http


def publish(config: pytest.Config, doc: dict[str, Any], *, point_latest: bool) -> None:
    """results.json (--results-json, and the run folder with its reports unless --no-reports);
    `latest` names the last run that ended: not a dry run, not one cut short or stopped. Total:
    a failure to write is one line in stash.write_problem (the run then exits 2), never a traceback."""
    stash = state(config)
    stash.doc = doc
    settings = stash.settings
    try:
        if settings.results_json:
            with open(settings.results_json, "w", encoding="utf-8") as out:
                out.write(sinks.json_text(doc, indent=1))
        if not settings.no_reports and not doc["run"]["dry_run"]:  # a dry run judged nothing
            from conformance.report import render

            folder = results.write(doc, settings.reports_dir, point_latest=point_latest)
            stash.published = (folder, *render.render_run(folder))
            if settings.keep:
                stash.pruned = results.prune(settings.reports_dir, doc["run"]["target"]["name"], settings.keep, folder)
    except (OSError, TemplateError) as problem:
        stash.write_problem = f"erpsync-conformance: cannot write the reports: {problem}"
    except Exception as problem:  # reporting is total: a defect here is exit 2 and one line, never "conforms"
        stash.write_problem = (
            f"erpsync-conformance: cannot write the reports ({type(problem).__name__}: "
            f"{sinks.shown(str(problem))[:300]}); the run is no verdict"
        )


def assemble(
    config: pytest.Config, collector: collect.Collector, interrupted: bool | str = False, stopped: str | None = None
) -> dict[str, Any]:
    """results.json's document; `stopped`: the configuration error that ended the run before it
    judged anything (then nothing was collected: every requirement is untested)."""
    import datetime as dt

    stash = state(config)
    processes = [collector.workers[k] for k in sorted(collector.workers)] or [collect.process_summary(config)]
    processes = [p for p in processes if p]
    first = processes[0] if processes else {}
    target = stash.target
    target_entry = {
        "name": target.name if target else first.get("name", "reference"),
        "base_url": target.base_url if target else first.get("base_url", "(not started)"),
        "source": target.source if target else "bundled reference server",
        "schemes": list(target.schemes) if target else first.get("schemes", []),
        "bundled": target is None,
        "faults": [] if target else list(state(config).settings.reference_fault),
        "waivers": stash.waivers_source,
    }
    declared = target.profile.as_dict() if target else first.get("declared", {})
    run, inconsistent = results.run_metadata(
        target=target_entry,
        processes=processes,
        declared=declared,
        hypothesis=collect.hypothesis_settings(config),
        started=stash.started_at,
        duration_s=time.monotonic() - stash.started,
        strict=state(config).settings.strict_should,
        dry_run=state(config).settings.dry_run,
        slow_ms=state(config).settings.slow_ms,
        workers=len(collector.workers),
        budget_option=state(config).settings.max_requests,
        tls={
            "verified": bool(target.limits.verify) if target else True,
            "ca_bundle": target.limits.ca_bundle if target else None,
            "plain_http": plain_http(target.base_url) if target else False,
        },
        preflight=stash.preflight.entries,
        preflight_spent=stash.preflight.spent,
        command=command_line(config),
    )
    recorded = collector.in_scope()
    for rid, found in results.inconsistency_outcomes(run["choices"], inconsistent).items():
        if rid in collector.scope:
            recorded.setdefault(rid, []).extend(found)
    facts = target or target_of(reference_server_config(config), UNSTARTED)
    inapplicable = requirements.not_applicable_for(
        facts.schemes, facts.apptoken is not None, bool(facts.apptoken and facts.apptoken.required)
    )
    return results.assemble(
        run,
        recorded,
        waivers=stash.waivers,
        today=dt.date.today(),
        response_ms=[ms for p in processes for ms in p["response_ms"]],
        no_response=sum(p["no_response"] for p in processes),
        interrupted=interrupted,
        inapplicable=inapplicable,
        coverage=collector.coverage(),
        require_complete=bool(state(config).settings.require_complete),
        stopped=stopped,
    )


def command_line(config: pytest.Config) -> str:
    """The command that produced the run, as a shell takes it: `erpsync-conformance ...` as typed,
    or pytest's own arguments."""
    words = INVOKED or ["pytest", *config.invocation_params.args]
    return shlex.join(str(word) for word in words)


def append_summary(config: pytest.Config) -> None:
    """--summary-file (e.g. $GITHUB_STEP_SUMMARY) gets what the run ended with, whatever its exit
    code: its summary.md, or the line that stopped it."""
    path = state(config).settings.summary_file
    if not path:
        return
    stash = state(config)
    if stash.published is not None and stash.doc is not None:
        from conformance.report import render

        text = render.summary(stash.doc, report_link=None, folder=str(stash.published[0]))
    else:
        problem = stash.config_error or stash.write_problem
        if problem is None and stash.doc is not None:
            verdict = stash.doc["verdict"]
            why = "a dry run writes none" if stash.doc["run"]["dry_run"] else "--no-reports"
            problem = f"verdict: {verdict['status']} (exit {verdict['exit_code']}); no reports were written ({why})"
        if problem is None:
            return
        text = (
            f"### erpsync-conformance: {'configuration error' if stash.config_error else 'no summary'}\n\n{problem}\n"
        )
    try:
        with open(path, "a", encoding="utf-8") as out:
            out.write(text if text.endswith("\n") else text + "\n")
    except OSError as problem:
        config.get_terminal_writer().line(
            f"erpsync-conformance: cannot append to --summary-file {path}: {problem.strerror or problem}", red=True
        )
