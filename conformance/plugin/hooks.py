"""The pytest plugin (entry point pytest11): options, the run fixture, markers, outcomes, summary.

Options (conformance.plugin.options) each fall back to an environment variable. With no --target, a
session fixture starts the bundled reference server on 127.0.0.1 (port 0) and the run uses its
credentials. Before any test, the run decides the open points the target leaves `auto`
(conformance.run.discovery). Outcomes travel on each test report's user_properties, so the controller
sees all of them under pytest-xdist too (conformance.plugin.collect); at the end it assembles
results.json (conformance.verdict.results), writes the reports, prints one row per requirement and the
verdict, and the verdict sets the exit status (conformance.verdict.gate). Session state lives in the
config's stash (conformance.plugin.state).
"""

from __future__ import annotations

import logging
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any, Iterator

import pytest

from conformance.checks.outcome import BUDGET_CUT, Status, outcome
from conformance.contract import requirements
from conformance.contract.choices import Profile
from conformance.errors import ConfigurationError, Stopped
from conformance.plugin import collect, hypothesis_profiles, options, progress
from conformance.plugin.judge import JUDGE, OUTCOME_KEY, Judge
from conformance.plugin.publishing import append_summary, assemble, publish
from conformance.plugin.session import (
    CONFIG_ERROR_REPORTERS,
    LEVEL_MARKERS,
    UNSTARTED,
    Stage,
    configuration_error,
    declared_schemes,
    redact_outputs,
    reference_server_config,
    register_markers,
    run_limits,
    stage,
    unwritable,
    watch,
)
from conformance.plugin.state import state
from conformance.reference.config import published_credentials
from conformance.reference.server import target_of
from conformance.run import everywhere, preflight
from conformance.verdict import gate
from conformance.verdict import waivers as waiver_files
from conformance.wire.target import load
from conformance.wire.transport.client import Client, forget_redactors, redactor_of
from conformance.wire.transport.errors import DryRun, NotJudged

# Hypothesis's example profiles exist as soon as the plugin is imported: before Hypothesis's own
# plugin reads --hypothesis-profile, whether the suite runs from a checkout, a wheel or --pyargs.
hypothesis_profiles.register()

LOG = logging.getLogger("erpsync_conformance")
SESSION_WIDE = ("HTTP-03", "HTTP-04")
PREFLIGHT_KEY = "erpsync_preflight_requests"
ACTIVE_KEY = "erpsync_active"


def pytest_addoption(parser: pytest.Parser) -> None:
    options.add(parser)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """Options and the Hypothesis profile checked first (before Hypothesis's plugin loads an
    unknown one), then the target, the reference server's settings, the reports folder, waivers.
    Nothing at all unless the session is the suite's (options.asked; an xdist worker is told by
    its controller)."""
    worker = getattr(config, "workerinput", None)
    state(config).active = worker[ACTIVE_KEY] if worker is not None and ACTIVE_KEY in worker else options.asked(config)
    if not state(config).active:
        return
    try:
        state(config).settings = options.resolve(config)
        hypothesis_profiles.load(config.getoption("hypothesis_profile", default=None))
    except ConfigurationError as problem:
        if isinstance(problem, options.OptionError) and problem.settings is not None:
            state(config).settings = problem.settings  # --summary-file still gets the line
        configuration_error(config, problem)
    if state(config).settings.no_reports:
        state(config).restore.append(hypothesis_profiles.keep_nothing())
    register_markers(config)
    session = state(config)
    if not hasattr(config, "workerinput"):
        session.collector = collect.Collector(config)
        config.pluginmanager.register(session.collector, "erpsync-collector")
    target_file = state(config).settings.target
    if target_file:
        try:
            session.target = replace(load(target_file), published=published_credentials())
        except ConfigurationError as problem:
            configuration_error(config, problem)
    else:
        try:
            reference_server_config(config)
        except ConfigurationError as problem:
            configuration_error(config, problem)
    session.redactor = (
        redactor_of(session.target)
        if session.target
        else redactor_of(target_of(reference_server_config(config), UNSTARTED))
    )
    if not hasattr(config, "workerinput"):
        problem = unwritable(config)
        if problem:
            configuration_error(config, problem)
    source = state(config).settings.waivers or (session.target.waivers if session.target else None)
    session.waivers_source = str(source) if source else None
    try:
        session.waivers = waiver_files.load(source) if source else {}
    except waiver_files.WaiverError as problem:
        if not state(config).settings.waivers and session.target and not Path(source).exists():
            problem = waiver_files.WaiverError(
                f"{session.target.source}: waivers: no such waiver file {Path(source).resolve()} (the path is "
                "relative to the target file); copy the waiver file beside the target, or remove the waivers line"
            )
        configuration_error(config, problem)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if state(item.config).active:
        progress.stamp(item, report)
    return report


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    """Every output channel through the session's redactor; then the preflight of a target file
    (conformance.run.preflight), on the controller: a base URL that cannot be connected to, or whose
    TLS fails, is a configuration error (exit 2; the dry run asks this much and sends nothing);
    then credentials the server refuses, or an http:// URL redirected to https, are one too."""
    config = session.config
    if not state(config).active:
        return
    redact_outputs(config)
    if not hasattr(config, "workerinput"):
        watch(config)
    stash = state(config)
    target = stash.target
    if target is None or hasattr(config, "workerinput") or config.option.collectonly:
        return
    problem = preflight.unreachable(target)
    if problem:
        configuration_error(config, problem)
    if state(config).settings.dry_run:
        return
    client = Client(replace(target, limits=stash.settings.limits(target.limits)))
    stash.preflight = preflight.credentials(target, client)
    if stash.preflight.problem:
        line = stash.redactor.text(stash.preflight.problem)
        publish(config, stash.redactor.deep(assemble(config, stash.collector, stopped=line)), point_latest=False)
        stash.summarised = True  # the line below is the whole message; unconfigure adds where it was recorded
        configuration_error(config, line)


@pytest.hookimpl(trylast=True)
def pytest_keyboard_interrupt(excinfo: pytest.ExceptionInfo) -> None:
    """A configuration error is one line (pytest writes it as `erpsync-conformance: ...`, Stop): the terminal reporter
    would repeat it at the end as `! _pytest.outcomes.Exit: ... !`, which it keeps in a private
    memo; a Ctrl-C keeps pytest's own report."""
    if not isinstance(excinfo.value, pytest.exit.Exception):
        return
    reporters, CONFIG_ERROR_REPORTERS[:] = list(CONFIG_ERROR_REPORTERS), []
    for reporter in reporters:
        if getattr(reporter, "_keyboardinterrupt_memo", None) is not None:
            reporter._keyboardinterrupt_memo = None


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """xdist: each worker learns whether the session is the suite's, and how much of the budget
    the preflight spent."""
    node.workerinput[ACTIVE_KEY] = state(node.config).active
    node.workerinput[PREFLIGHT_KEY] = state(node.config).preflight.spent


def pytest_report_header(config: pytest.Config) -> list[str]:
    """The run header (also logged, logger erpsync_conformance): target, schemes, budget, rate,
    Hypothesis profile, TLS."""
    if not state(config).active:
        return []
    from hypothesis import settings

    from conformance.wire.target import SCHEMES

    target = state(config).target
    budget, rate = run_limits(config)
    current = settings()
    hypothesis = (
        f"Hypothesis profile {settings.get_current_profile_name()} ({current.max_examples} examples"
        f"{', derandomized' if current.derandomize else ''})"
    )
    if target is None:
        faults = state(config).settings.reference_fault
        lines = [
            "erpsync-conformance target: the bundled reference server (127.0.0.1, port chosen at start)"
            + (f", faults: {', '.join(faults)}" if faults else "")
        ]
    else:
        lines = [
            f"erpsync-conformance target: {target.name} ({target.source})",
            f"base URL: {target.base_url}; schemes under test: {', '.join(target.schemes)}"
            + ("; app token" if target.apptoken else ""),
        ]
    lines.append(
        f"budget: {budget} requests, at most {rate:g} per second{' (dry run: none sent)' if state(config).settings.dry_run else ''}; {hypothesis}"
    )
    schemes = declared_schemes(config)
    left_out = [s for s in SCHEMES if s not in schemes]
    if left_out:
        lines.append(f"schemes the target does not offer (their requirements not applicable): {', '.join(left_out)}")
    if target is not None and not target.limits.verify:
        lines.append(
            f"TLS NOT VERIFIED (limits.verify_tls = false): the credentials go to whoever answers at {target.base_url}"
        )
    elif target is not None and target.limits.ca_bundle:
        lines.append(f"TLS verified against {target.limits.ca_bundle}")
    for line in lines:
        LOG.info("%s", line)
    return lines


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests in stage order, each marked with its requirements' areas and levels and matched by
    their IDs (`-k AUTH-03`); `--requirement ID` keeps every test that judges one of those
    requirements, the covering rows and generated tests among them (a fault only a drawn request
    shows, such as a prefix of the password accepted, is seen alone as in the whole run); the
    results keep only the selected requirements (Collector.in_scope)."""
    if not state(config).active:
        return
    items[:] = sorted(items, key=stage)
    state(config).suite_collected = any(item.get_closest_marker("requirement") for item in items)
    for item in items:
        for marker in item.iter_markers("requirement"):
            for rid in marker.args:
                requirement = requirements.get(rid)
                item.add_marker(requirement.area)
                item.add_marker(LEVEL_MARKERS[requirement.level])
                if stage(item) is Stage.EXAMPLES:  # a covering row or generated test judges 33: -k names example tests
                    item.extra_keyword_matches.add(rid)
                item.user_properties.append((collect.REQUIREMENT_KEY, rid))
        if stage(item) is not Stage.EXAMPLES:  # judges many: in scope only through their own example tests
            item.user_properties.append((collect.GENERATED_KEY, "true"))
    wanted = {rid.upper() for rid in state(config).settings.requirement or ()}
    if wanted:

        def of(item: pytest.Item) -> set[str]:
            return {rid for marker in item.iter_markers("requirement") for rid in marker.args}

        kept = [item for item in items if of(item) & wanted]
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = kept


def pytest_collection_finish(session: pytest.Session) -> None:
    if not state(session.config).active:
        return
    from conformance.run import covering

    rows = [
        item.callspec.params["row"]
        for item in session.items
        if hasattr(item, "callspec") and isinstance(item.callspec.params.get("row"), covering.Row)
    ]
    state(session.config).dimensions = covering.values_per_dimension(row.case for row in rows) if rows else {}


# --- the run ------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def conformance_run(request: pytest.FixtureRequest) -> Iterator[Any]:
    """The run (session scope): target, client, exchanges, the server's decided choices. Starts the
    reference server if no --target was given, and stops it at the end of the session."""
    from conformance.run.discovery import discover
    from conformance.run.runner import Run

    config = request.config
    session = state(config)
    target = session.target
    server = None
    if target is None:
        from conformance.reference import ReferenceServer

        server = ReferenceServer(reference_server_config(config)).start()
        target = server.target()
        if state(config).settings.reference_infer:
            target = replace(target, profile=Profile())
    limits = session.settings.limits(target.limits)
    whole = budget = limits.max_requests
    rate = limits.rate
    worker = getattr(config, "workerinput", None)
    budget = max(0, budget - (worker.get(PREFLIGHT_KEY, 0) if worker is not None else session.preflight.spent))
    if worker is not None:  # xdist: each worker's client keeps its share, so that together they keep the whole
        count, index = int(worker["workercount"]), int(worker["workerid"].removeprefix("gw"))
        budget, rate = budget // count + (index < budget % count), rate / count
    client = Client(
        replace(target, limits=replace(target.limits, max_requests=budget, rate=rate)),
        dry_run=state(config).settings.dry_run,
        reuse=True,
    )
    client.budget.whole = whole
    run = Run(target, client, slow_ms=state(config).settings.slow_ms)
    session.run = run
    run.decided(discover(run))
    try:
        yield run
    finally:
        session.planned = list(client.planned)
        if server is not None:
            server.stop()


@pytest.fixture
def judge(conformance_run: Any, request: pytest.FixtureRequest) -> Judge:
    """Judges the test's requirements; at the end of the test, concludes its result."""
    return Judge.of(conformance_run, request.node)


@pytest.hookimpl(wrapper=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function):
    if not state(pyfuncitem.config).active:  # another project's test (its own fixture may be called judge)
        return (yield)
    try:
        result = yield
    except Stopped as stopped:
        reason = (
            "dry run: the request was listed, not sent"
            if isinstance(stopped, DryRun)
            else str(stopped)
            if isinstance(stopped, NotJudged)
            else f"{BUDGET_CUT} ({stopped})"
        )
        # Outcomes recorded before the stop (a schemathesis test records its passes on its first
        # case) are withdrawn: a test the budget cut short is untested, never passed.
        run = state(pyfuncitem.config).run
        if run is not None:
            Judge.of(run, pyfuncitem).record_final(
                "stopped",
                [
                    outcome(rid, Status.UNTESTED, reason)
                    for marker in pyfuncitem.iter_markers("requirement")
                    for rid in marker.args
                ],
                withdraw_all=True,
            )
        pytest.skip(reason)
    except Exception:
        # A generated test (schemathesis) re-raises the finding of its shrunk case: its outcomes
        # are recorded, and the test ends with them, as every test does, not with a traceback.
        judge = pyfuncitem.stash.get(JUDGE, None)
        if judge is not None and any(o.status.red for o in judge.outcomes()):
            judge.conclude()  # fails, or xfails a waived one; returns for a SHOULD finding (a pass)
            return None
        raise
    if "judge" in pyfuncitem.funcargs:
        pyfuncitem.funcargs["judge"].conclude()
    return result


# --- the end of the run: whole-run judgements, results.json, reports, verdict --------------------


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """HTTP-03 and HTTP-04 hold for every request of the run: judged here, over all of them.
    A worker ships them and what it measured to the controller; the controller (or a serial run)
    assembles results.json, writes the reports, and lets the verdict decide the exit status."""
    config = session.config
    stash = state(config)
    if not stash.active:
        return
    run = stash.run
    worker = hasattr(config, "workeroutput")
    if run is not None and run.exchanges:
        whole = {f"#{i}": e for i, e in enumerate(run.exchanges)}
        across = run.everywhere.outcomes() + everywhere.dead_features(run.everywhere)
        judged = [run.judge(rid, whole).as_dict() for rid in SESSION_WIDE] + [
            {**o.as_dict(), "across_run": True} for o in across
        ]
        for data in judged:
            rid = data["requirement"]
            if worker:
                config.workeroutput.setdefault(OUTCOME_KEY, []).append(data)
            else:
                stash.collector.outcomes[rid].append({**data, "test": None, "order": 0})
    if worker:
        config.workeroutput[collect.WORKER_KEY] = collect.process_summary(config)
        config.workeroutput[collect.SUITE_KEY] = stash.suite_collected
        return
    collector = stash.collector
    if (
        collector is not None
        and not collector.tests
        and stash.suite_collected
        and exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED
    ):
        sys.stderr.write(
            "erpsync-conformance: the selection (-k, -m, --requirement) runs no test of the suite: nothing was judged\n"
        )
        session.exitstatus = 2
        return
    if collector is None or not collector.outcomes:
        return  # not a conformance run (the project's own tests load this plugin too)
    interrupted: bool | str = exitstatus == pytest.ExitCode.INTERRUPTED
    if collector.crashed or exitstatus == pytest.ExitCode.INTERNAL_ERROR:
        interrupted = "; ".join(collector.crashed) or "an internal error"
    doc = assemble(config, collector, interrupted)
    stash.doc = doc = stash.redactor.deep(doc) if stash.redactor else doc
    if doc["verdict"]["exit_code"] and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    if doc["verdict"]["status"] == "interrupted" and session.exitstatus == pytest.ExitCode.TESTS_FAILED:
        session.exitstatus = pytest.ExitCode.INTERRUPTED  # exit 2, as the verdict says
    collect.junit_verdict(config, doc["verdict"])
    publish(config, doc, point_latest=not doc["run"]["dry_run"] and not interrupted)
    if stash.write_problem:
        session.exitstatus = 2


PLANNED_CAP = 400
"""Characters of a planned request's line the dry run prints."""
REASON_CAP = 600
"""Characters of a requirement's reason the terminal shows."""
QUIET_SHOWN = ("fail", "non-strict", "untested")
"""The requirements -q lists: those that failed, and those a run meant to judge and did not."""


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    stash = state(config)
    if not stash.active:
        return
    write = terminalreporter.write_line
    if stash.planned:
        terminalreporter.section("erpsync-conformance: planned requests (dry run)")
        for request in stash.planned:  # a curl line of kilobytes is cut here; the run's report has it whole
            line = f"{request.method} {request.label}: {request.curl}"
            write(
                line
                if len(line) <= PLANNED_CAP
                else f"{line[:PLANNED_CAP]}... ({len(line) - PLANNED_CAP:,} more characters)"
            )
        from hypothesis import settings

        generated = sum(
            1
            for item in terminalreporter.stats.get("skipped", [])
            if "drawn requests are not listed" in str(item.longrepr)
            or "schemathesis cases are not listed" in str(item.longrepr)
        )
        budget = stash.settings.max_requests or (stash.target.limits.max_requests if stash.target else None)
        write(
            f"at least {len(stash.planned)} requests: the first request of each example test and covering row "
            f"is listed above; nothing was sent. A real run sends more: a target's preflight sends one "
            f"authorised request per declared scheme first, tests that compare answers send a "
            f"baseline first, the server's choices on the open points are asked first (a few dozen requests "
            f"when the target pins none), and the {generated} generated tests draw up to "
            f"{settings().max_examples} examples each (Hypothesis profile {settings.get_current_profile_name()})"
            + (f"; never more than the budget of {budget}" if budget else "")
            + "."
        )
        undecided = len(stash.target.profile.undecided()) if stash.target else 0
        preflights = len(stash.target.schemes) if stash.target else 0  # one per declared scheme, first
        about = len(stash.planned) + preflights + generated * settings().max_examples + 3 * undecided
        if budget and about > budget:
            write(
                f"warning: the plan does not fit the budget of {budget}: about {about} requests (at least "
                f"{len(stash.planned)}); a real run cuts what does not fit and its verdict says how much. "
                f"A full run needs about {about} (--max-requests {about}).",
                yellow=True,
                bold=True,
            )
        if stash.dimensions:
            write(
                "values per dimension in the covering rows: "
                + ", ".join(f"{name} {count}" for name, count in stash.dimensions.items())
            )
    doc = stash.doc
    if doc is None:
        return
    stash.summarised = True
    quiet = config.get_verbosity() < 0  # -q: the verdict and what failed or was not judged, no more
    shown = [e for e in doc["requirements"] if not quiet or (e["outcome"] in QUIET_SHOWN and gate.ran(e))]
    if shown:
        terminalreporter.section(
            "erpsync-conformance: requirements" + (" that failed or were not judged" if quiet else "")
        )
    for entry in shown:  # whole lines (the terminal wraps them), up to a cap a server cannot fill
        reason = entry["reason"].replace("\n", " ")
        write(
            f"{entry['id']:10} {entry['level']:6} {entry['outcome']:14} "
            f"{reason if len(reason) <= REASON_CAP else reason[:REASON_CAP] + '... (the report has it all)'}"
        )
    verdict, run = doc["verdict"], doc["run"]
    write(
        ", ".join(f"{n} {o}" for o, n in verdict["counts"].items())
        + f"; {run['requests']} requests in {run['duration_s']:.1f} s"
    )
    for problem in doc["waiver_problems"]:
        blocking = problem.get("blocking", True)
        write(f"waiver {'problem' if blocking else 'note'}: {problem['problem']}", red=blocking)
    line = verdict.get("headline") or f"verdict: {verdict['status']} (exit {verdict['exit_code']})"
    write(
        line,
        bold=True,
        green=verdict["exit_code"] == 0 and verdict["status"] == "conforms",
        red=verdict["exit_code"] != 0,
    )
    for reason in verdict["reasons"][:10]:
        write(f"  {reason[:REASON_CAP]}")
    if len(verdict["reasons"]) > 10:
        write(f"  ... and {len(verdict['reasons']) - 10} more (see the report)")


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """The last lines of the run: where its reports are. Then the outputs are put back."""
    stash = state(config)
    if not stash.active:
        return
    if stash.doc is not None and not stash.summarised:  # pytest prints no summary after an internal error
        line = stash.doc["verdict"].get("headline") or "verdict: {status} (exit {exit_code})".format(
            **stash.doc["verdict"]
        )
        config.get_terminal_writer().line(line, red=True, bold=True)
        for reason in stash.doc["verdict"]["reasons"][:3]:
            config.get_terminal_writer().line(f"  {reason[:300]}")
    if stash.write_problem is not None or stash.published is not None:
        writer = config.get_terminal_writer()
        if stash.write_problem:
            writer.line(stash.write_problem, red=True)
        else:
            folder, report, brief = stash.published
            writer.line(f"erpsync-conformance results: {folder / 'results.json'}")
            writer.line(f"erpsync-conformance report:  {report}")
            writer.line(f"erpsync-conformance summary: {brief}")
            if stash.pruned:
                writer.line(
                    f"erpsync-conformance pruned:  {len(stash.pruned)} older run folder(s) of the target "
                    f"(--keep {state(config).settings.keep})"
                )
    if not hasattr(config, "workerinput"):
        append_summary(config)
    while stash.restore:
        stash.restore.pop()()
    forget_redactors()  # the shared redactors' memos hold the session's texts: gone with it
