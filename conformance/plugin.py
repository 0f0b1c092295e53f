"""The pytest plugin (entry point pytest11): options, the run fixture, markers, outcomes, summary.

Options each fall back to an environment variable. With no --target, a session fixture starts
the bundled reference server on 127.0.0.1 (port 0) and the run uses its credentials. Outcomes
travel on each test report's user_properties, so the controller sees all of them under
pytest-xdist too (conformance.collect); at the end it writes results.json and the reports, prints
one row per requirement and the verdict, and the verdict sets the exit status (conformance.gate).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from typing import Any, Iterator

import pytest
from jinja2 import TemplateError

from conformance import collect, requirements
from conformance import waivers as waiver_files
from conformance.client import BudgetExhausted, Client, DryRun
from conformance.contract import NS_API_SLOW_MS
from conformance.outcome import BUDGET_CUT, Outcome, worst
from conformance.preflight import unreachable
from conformance.profile import Profile, ProfileError
from conformance.target import TargetError, load

OUTCOME_KEY = collect.OUTCOME_KEY
LEVEL_MARKERS = {"MUST": "must", "SHOULD": "should", "INFO": "info"}
SESSION_WIDE = ("HTTP-03", "HTTP-04")


def _env_flag(name: str) -> bool:
    return os.getenv(name, "").strip().lower() in ("1", "true", "yes", "on")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup(
        "erpsync-conformance",
        "GetEngineStatus conformance suite (pytest's own --strict, or env ERPSYNC_STRICT=1, also makes "
        "SHOULD failures fail the run)")
    group.addoption("--target", default=os.getenv("ERPSYNC_TARGET"), metavar="FILE",
                    help="target TOML file (env ERPSYNC_TARGET); default: the bundled reference server")
    group.addoption("--max-requests", type=int, default=_int_env("ERPSYNC_MAX_REQUESTS"), metavar="N",
                    help="request budget, overriding the target's [limits] (env ERPSYNC_MAX_REQUESTS)")
    group.addoption("--rate", type=float, default=_float_env("ERPSYNC_RATE"), metavar="PER_SECOND",
                    help="requests per second at most, overriding the target's (env ERPSYNC_RATE)")
    group.addoption("--dry-run", action="store_true", default=_env_flag("ERPSYNC_DRY_RUN"),
                    help="list the planned requests and their count; send nothing (env ERPSYNC_DRY_RUN)")
    group.addoption("--slow-ms", type=float, default=_float_env("ERPSYNC_SLOW_MS") or NS_API_SLOW_MS, metavar="MS",
                    help="the NsApiSlow threshold HTTP-04 judges by (default 5000; env ERPSYNC_SLOW_MS)")
    group.addoption("--results-json", default=os.getenv("ERPSYNC_RESULTS_JSON"), metavar="FILE",
                    help="also write results.json to FILE (env ERPSYNC_RESULTS_JSON)")
    group.addoption("--reports-dir", default=os.getenv("ERPSYNC_REPORTS_DIR") or "reports", metavar="DIR",
                    help="where each run's folder (results.json, report.html, summary.md) and `latest` go "
                         "(default ./reports; env ERPSYNC_REPORTS_DIR)")
    group.addoption("--no-reports", action="store_true", default=_env_flag("ERPSYNC_NO_REPORTS"),
                    help="write no run folder (env ERPSYNC_NO_REPORTS)")
    group.addoption("--waivers", default=os.getenv("ERPSYNC_WAIVERS"), metavar="FILE",
                    help="waiver file (TOML), overriding the target's `waivers` (env ERPSYNC_WAIVERS)")
    group.addoption("--reference-fault", action="append", default=[], metavar="NAME",
                    help="bundled server only: switch on a named fault (repeatable)")
    group.addoption("--reference-profile", action="append", default=[], metavar="KEY=VALUE",
                    help="bundled server only: a profile setting of server and run alike (repeatable)")
    group.addoption("--reference-volatile", type=int, default=None, metavar="N",
                    help="bundled server only: flip IsRunning every N served requests")


def strict_mode(config: pytest.Config) -> bool:
    """pytest 9's --strict (the `strict` ini option) or ERPSYNC_STRICT: SHOULD failures fail."""
    return bool(config.getini("strict")) or _env_flag("ERPSYNC_STRICT")


def _int_env(name: str) -> int | None:
    value = os.getenv(name)
    return int(value) if value and value.strip().isdigit() else None


def _float_env(name: str) -> float | None:
    try:
        return float(os.environ[name])
    except (KeyError, ValueError):
        return None


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "requirement(*ids): the catalogue requirement(s) a test judges")
    config.addinivalue_line("markers", "generated: Hypothesis or schemathesis draws the requests; runs after the "
                                       "example tests")
    for marker in sorted(set(requirements.AREAS.values()) | set(LEVEL_MARKERS.values())):
        config.addinivalue_line("markers", f"{marker}: conformance tests of requirements in this area or level")
    config._erpsync_collector = None
    if not hasattr(config, "workerinput"):
        config._erpsync_collector = collect.Collector(config)
        config.pluginmanager.register(config._erpsync_collector, "erpsync-collector")
    config._erpsync_started = time.monotonic()
    config._erpsync_started_at = dt.datetime.now(dt.timezone.utc)
    config._erpsync_doc = config._erpsync_published = None
    config._erpsync_planned = []
    target_file = config.getoption("--target")
    if target_file:
        try:
            config._erpsync_target = load(target_file)
        except TargetError as problem:
            pytest.exit(f"erpsync-conformance: {problem}", returncode=2)
    else:
        config._erpsync_target = None
        try:
            _reference_profile(config)
        except ProfileError as problem:
            pytest.exit(f"erpsync-conformance: --reference-profile: {problem}", returncode=2)
    source = config.getoption("--waivers") or (config._erpsync_target.waivers if config._erpsync_target else None)
    config._erpsync_waivers_source = str(source) if source else None
    try:
        config._erpsync_waivers = waiver_files.load(source) if source else {}
    except waiver_files.WaiverError as problem:
        pytest.exit(f"erpsync-conformance: {problem}", returncode=2)


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    """A target that cannot even be connected to is a configuration error (exit 2), found before
    any check runs: a TCP connection only, no request, so nothing is spent or sent."""
    config = session.config
    target = config._erpsync_target
    if target is None or hasattr(config, "workerinput") or config.getoption("--dry-run") \
            or config.option.collectonly:
        return
    problem = unreachable(target)
    if problem:
        pytest.exit(f"erpsync-conformance: {problem}", returncode=2)


def _reference_profile(config: pytest.Config) -> Profile:
    settings = {}
    for item in config.getoption("--reference-profile"):
        key, sep, value = item.partition("=")
        if not sep:
            raise ProfileError(f"{item!r}: expected KEY=VALUE")
        settings[key.strip()] = value.strip()
    return Profile.from_mapping(settings)


def pytest_report_header(config: pytest.Config) -> list[str]:
    target = getattr(config, "_erpsync_target", None)
    if target is None:
        faults = config.getoption("--reference-fault")
        return ["erpsync-conformance target: the bundled reference server (127.0.0.1, port chosen at start)"
                + (f", faults: {', '.join(faults)}" if faults else "")]
    return [f"erpsync-conformance target: {target.name} ({target.source})",
            f"base URL: {target.base_url}; schemes under test: {', '.join(target.schemes)}"
            + ("; app token" if target.apptoken else "")]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Example tests first, generated ones (marked `generated`) last: every requirement has an
    # example test of known cost, so a request budget that runs out cuts generated cases only.
    items[:] = sorted(items, key=lambda item: item.get_closest_marker("generated") is not None)
    for item in items:
        for marker in item.iter_markers("requirement"):
            for rid in marker.args:
                requirement = requirements.get(rid)
                item.add_marker(requirement.area)
                item.add_marker(LEVEL_MARKERS[requirement.level])
                item.user_properties.append((collect.REQUIREMENT_KEY, rid))


# --- the run ------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def conformance_run(request: pytest.FixtureRequest) -> Iterator[Any]:
    """The run (session scope): target, client, exchanges. Starts the reference server if no
    --target was given, and stops it at the end of the session."""
    from conformance.run import Run

    config = request.config
    target = config._erpsync_target
    server = None
    if target is None:
        from conformance.reference import ReferenceServer, ServerConfig

        server = ReferenceServer(ServerConfig(
            profile=_reference_profile(config),
            faults=frozenset(config.getoption("--reference-fault")),
            volatile_every=config.getoption("--reference-volatile"),
            slow_seconds=config.getoption("--slow-ms") / 1000 * 1.2,
        )).start()
        target = server.target()
    from dataclasses import replace

    budget = config.getoption("--max-requests") or target.limits.max_requests
    rate = config.getoption("--rate") or target.limits.rate
    worker = getattr(config, "workerinput", None)
    if worker is not None:  # xdist: each worker's client keeps its share, so that together they keep the whole
        count, index = int(worker["workercount"]), int(worker["workerid"].removeprefix("gw"))
        budget, rate = budget // count + (index < budget % count), rate / count
    client = Client(replace(target, limits=replace(target.limits, max_requests=budget, rate=rate)),
                    dry_run=config.getoption("--dry-run"))
    run = Run(target, client, slow_ms=config.getoption("--slow-ms"))
    config._erpsync_run = run
    try:
        yield run
    finally:
        config._erpsync_planned = list(client.planned)
        if server is not None:
            server.stop()


class Judge:
    """Bound to one test: judges requirements, records outcomes on the test's report, and turns
    the worst outcome into the test's result (fail, xfail for a SHOULD, skip for untested)."""

    def __init__(self, run: Any, item: pytest.Item) -> None:
        self.run, self.item = run, item

    def __call__(self, rid: str, exchanges: dict, **case: Any) -> Outcome:
        outcome = self.run.judge(rid, exchanges, **case)
        self.record(outcome)
        return outcome

    def relate(self, rid: str, probe, reference, **kwargs: Any) -> Outcome:
        outcome = self.run.relate(rid, probe, reference, **kwargs)
        self.record(outcome)
        return outcome

    def require(self, rids: str | tuple[str, ...], ok: bool, reason: str, status: str = "untested") -> None:
        """An explicit precondition: when it does not hold, the requirements are recorded as
        untested (or not-applicable) with the reason, and the test ends as skipped."""
        if ok:
            return
        for rid in (rids,) if isinstance(rids, str) else rids:
            self.record(Outcome(rid, status, reason))
        pytest.skip(f"{status}: {reason}")

    def record_final(self, tag: str, outcomes: list[Outcome], withdraw_all: bool = False) -> None:
        """Outcomes that replace those recorded earlier under the same tag (or, with withdraw_all,
        every earlier one): for generated cases, where only the last failing (shrunk) example is
        to be reported, and for a test stopped short."""
        previous = getattr(self.item, "_erpsync_tagged", {}).get(tag, [])
        if withdraw_all:
            previous = [id(p) for p in self.item.user_properties if p[0] == OUTCOME_KEY] + \
                [id(o) for o in getattr(self.item, "_erpsync_outcomes", [])]
        self.item.user_properties[:] = [p for p in self.item.user_properties if id(p) not in previous]
        self.item._erpsync_outcomes = [o for o in getattr(self.item, "_erpsync_outcomes", [])
                                       if id(o) not in previous]
        before = len(self.item.user_properties)
        for outcome in outcomes:
            self.record(outcome)
        new = self.item.user_properties[before:]
        self.item._erpsync_tagged = {**getattr(self.item, "_erpsync_tagged", {}),
                                     tag: [id(p) for p in new] + [id(o) for o in outcomes]}

    def record(self, outcome: Outcome) -> Outcome:
        self.item.user_properties.append((OUTCOME_KEY, json.dumps(outcome.as_dict())))
        self.item._erpsync_outcomes = getattr(self.item, "_erpsync_outcomes", []) + [outcome]
        return outcome

    def conclude(self) -> None:
        """Call at the end of a test: its result follows the worst outcome it recorded that no
        waiver covers; a waived one makes it xfail (reported as waived, never as passed)."""
        outcomes = getattr(self.item, "_erpsync_outcomes", [])
        if not outcomes:
            raise AssertionError("the test judged no requirement")
        waivers, today = self.item.config._erpsync_waivers, dt.date.today()
        waived = [o for o in outcomes if o.requirement in waivers and o.status in waiver_files.WAIVABLE
                  and not waivers[o.requirement].expired(today)]
        outcome = worst([o for o in outcomes if not any(o is w for w in waived)])
        strict = strict_mode(self.item.config)
        if outcome is not None and (outcome.status == "fail" or (outcome.status == "non-strict" and strict)):
            pytest.fail(outcome.message(), pytrace=False)
        if waived:
            first = worst(waived)
            pytest.xfail(f"waived: {first.requirement} {first.status}: {waivers[first.requirement].reason}")
        if outcome.status == "non-strict":
            pytest.xfail(f"SHOULD not met: {outcome.requirement} {outcome.reason}")
        if outcome.status in ("untested", "not-applicable"):
            pytest.skip(f"{outcome.requirement} {outcome.status}: {outcome.reason}")


@pytest.fixture
def judge(conformance_run: Any, request: pytest.FixtureRequest) -> Iterator[Judge]:
    """Judges the test's requirements; at the end of the test, concludes its result."""
    bound = Judge(conformance_run, request.node)
    yield bound


@pytest.hookimpl(wrapper=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function):
    from conformance.client import NotJudged  # a dead target; a generated request with no answer of its own

    try:
        result = yield
    except (BudgetExhausted, DryRun, NotJudged) as stopped:
        reason = "dry run: the request was listed, not sent" if isinstance(stopped, DryRun) \
            else str(stopped) if isinstance(stopped, NotJudged) else f"{BUDGET_CUT} ({stopped})"
        # Outcomes recorded before the stop (a schemathesis test records its passes on its first
        # case) are withdrawn: a test the budget cut short is untested, never passed.
        judge = pyfuncitem.funcargs.get("judge") or getattr(pyfuncitem, "erpsync_judge", None)
        if judge is not None:
            judge.record_final("stopped", [Outcome(rid, "untested", reason)
                                           for marker in pyfuncitem.iter_markers("requirement")
                                           for rid in marker.args], withdraw_all=True)
        pytest.skip(reason)
    judge = pyfuncitem.funcargs.get("judge")
    if judge is not None:
        judge.conclude()
    return result


# --- the end of the run: whole-run judgements, results.json, reports, verdict --------------------

@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """HTTP-03 and HTTP-04 hold for every request of the run: judged here, over all of them.
    A worker ships them and what it measured to the controller; the controller (or a serial run)
    assembles results.json, writes the reports, and lets the verdict decide the exit status."""
    config = session.config
    run = getattr(config, "_erpsync_run", None)
    worker = hasattr(config, "workeroutput")
    if run is not None and run.exchanges:
        whole = {f"#{i}": e for i, e in enumerate(run.exchanges)}
        for rid in SESSION_WIDE:
            data = run.judge(rid, whole).as_dict()
            if worker:
                config.workeroutput.setdefault(OUTCOME_KEY, []).append(data)
            else:
                config._erpsync_collector.outcomes[rid].append({**data, "test": None, "order": 0})
    if worker:
        config.workeroutput[collect.WORKER_KEY] = collect.process_summary(config)
        return
    collector = config._erpsync_collector
    if not collector.outcomes:
        return  # not a conformance run (the project's own tests load this plugin too)
    doc = collect.assemble(config, collector, started=config._erpsync_started_at,
                           duration_s=time.monotonic() - config._erpsync_started, strict=strict_mode(config),
                           dry_run=config.getoption("--dry-run"), waivers=config._erpsync_waivers,
                           waivers_source=config._erpsync_waivers_source)
    config._erpsync_doc = doc
    if doc["verdict"]["exit_code"] and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    try:
        if config.getoption("--results-json"):
            with open(config.getoption("--results-json"), "w", encoding="utf-8") as out:
                json.dump(doc, out, indent=1, ensure_ascii=False)
        if not config.getoption("--no-reports"):
            config._erpsync_published = collect.publish(doc, config.getoption("--reports-dir"))
    except (OSError, TemplateError) as problem:
        config._erpsync_write_problem = f"erpsync-conformance: cannot write the reports: {problem}"
        session.exitstatus = 2


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    planned = getattr(config, "_erpsync_planned", [])
    write = terminalreporter.write_line
    if planned:
        terminalreporter.section("erpsync-conformance: planned requests (dry run)")
        for request in planned:
            write(f"{request.method} {request.label}: {request.curl}")
        write(f"{len(planned)} requests planned (the first of each test; nothing was sent)")
    doc = config._erpsync_doc
    if doc is None:
        return
    terminalreporter.section("erpsync-conformance: requirements")
    for entry in doc["requirements"]:
        reason = entry["reason"].replace("\n", " ")
        write(f"{entry['id']:10} {entry['level']:6} {entry['outcome']:14} {reason[:110]}")
    verdict, run = doc["verdict"], doc["run"]
    write(", ".join(f"{n} {o}" for o, n in verdict["counts"].items()) +
          f"; {run['requests']} requests in {run['duration_s']:.1f} s")
    for problem in doc["waiver_problems"]:
        write(f"waiver problem: {problem['problem']}", red=True)
    line = f"verdict: {verdict['status']} (exit {verdict['exit_code']})"
    write(line, bold=True, green=verdict["exit_code"] == 0 and verdict["status"] == "conforms",
          red=verdict["exit_code"] != 0)
    for reason in verdict["reasons"][:10]:
        write(f"  {reason[:160]}")
    if len(verdict["reasons"]) > 10:
        write(f"  ... and {len(verdict['reasons']) - 10} more (see the report)")


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """The last lines of the run: where its reports are."""
    problem = getattr(config, "_erpsync_write_problem", None)
    published = getattr(config, "_erpsync_published", None)
    if problem is None and published is None:
        return
    writer = config.get_terminal_writer()
    if problem:
        writer.line(problem, red=True)
        return
    folder, report, brief = published
    writer.line(f"erpsync-conformance results: {folder / 'results.json'}")
    writer.line(f"erpsync-conformance report:  {report}")
    writer.line(f"erpsync-conformance summary: {brief}")
