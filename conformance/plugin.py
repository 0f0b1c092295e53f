"""The pytest plugin (entry point pytest11): options, the run fixture, markers, outcomes, summary.

Options each fall back to an environment variable. With no --target, a session fixture starts
the bundled reference server on 127.0.0.1 (port 0) and the run uses its credentials. Outcomes
travel on each test report's user_properties, so the controller sees all of them under
pytest-xdist too; the terminal summary prints one row per requirement.
"""

from __future__ import annotations

import json
import os
import time
from collections import defaultdict
from typing import Any, Iterator

import pytest

from conformance import requirements
from conformance.client import BudgetExhausted, Client, DryRun
from conformance.contract import NS_API_SLOW_MS
from conformance.outcome import STATUSES, Outcome, worst
from conformance.profile import Profile, ProfileError
from conformance.target import TargetError, load

OUTCOME_KEY = "erpsync_outcome"
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
                    help="write one aggregated outcome per requirement to FILE (env ERPSYNC_RESULTS_JSON)")
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
    for marker in sorted(set(requirements.AREAS.values()) | set(LEVEL_MARKERS.values())):
        config.addinivalue_line("markers", f"{marker}: conformance tests of requirements in this area or level")
    config._erpsync_outcomes = defaultdict(list)
    if not hasattr(config, "workerinput"):
        config.pluginmanager.register(Collector(config), "erpsync-collector")
    config._erpsync_started = time.monotonic()
    config._erpsync_requests = 0
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
    for item in items:
        for marker in item.iter_markers("requirement"):
            for rid in marker.args:
                requirement = requirements.get(rid)
                item.add_marker(requirement.area)
                item.add_marker(LEVEL_MARKERS[requirement.level])


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
    client = Client(target, max_requests=config.getoption("--max-requests"), rate=config.getoption("--rate"),
                    dry_run=config.getoption("--dry-run"))
    run = Run(target, client, slow_ms=config.getoption("--slow-ms"))
    config._erpsync_run = run
    try:
        yield run
    finally:
        config._erpsync_requests = client.budget.used
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

    def record_final(self, tag: str, outcomes: list[Outcome]) -> None:
        """Outcomes that replace those recorded earlier under the same tag: for generated cases,
        where only the last failing (shrunk) example is to be reported."""
        previous = getattr(self.item, "_erpsync_tagged", {}).get(tag, [])
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
        """Call at the end of a test: its result follows the worst outcome it recorded."""
        outcome = worst(getattr(self.item, "_erpsync_outcomes", []))
        if outcome is None:
            raise AssertionError("the test judged no requirement")
        strict = strict_mode(self.item.config)
        if outcome.status == "fail" or (outcome.status == "non-strict" and strict):
            pytest.fail(outcome.message(), pytrace=False)
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
    try:
        result = yield
    except (BudgetExhausted, DryRun) as stopped:
        reason = "dry run: the request was listed, not sent" if isinstance(stopped, DryRun) \
            else f"budget exhausted ({stopped})"
        judge = pyfuncitem.funcargs.get("judge")
        for marker in pyfuncitem.iter_markers("requirement"):
            for rid in marker.args:
                outcome = Outcome(rid, "untested", reason)
                if judge is not None:
                    judge.record(outcome)
        pytest.skip(reason)
    judge = pyfuncitem.funcargs.get("judge")
    if judge is not None:
        judge.conclude()
    return result


# --- collecting outcomes (on the controller, with or without xdist) ----------------------------

class Collector:
    """On the controller (or a plain run): gathers the outcomes every test report carries, and
    what xdist workers judged over their whole run."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when != "teardown":
            return
        for name, value in report.user_properties:
            if name == OUTCOME_KEY:
                data = json.loads(value)
                self.config._erpsync_outcomes[data["requirement"]].append(data)

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node, error) -> None:
        output = getattr(node, "workeroutput", {})
        for data in output.get(OUTCOME_KEY, []):
            self.config._erpsync_outcomes[data["requirement"]].append(data)
        self.config._erpsync_requests += output.get("erpsync_requests", 0)


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """HTTP-03 and HTTP-04 hold for every request of the run: judged here, over all of them."""
    config = session.config
    run = getattr(config, "_erpsync_run", None)
    if run is None or not run.exchanges:
        return
    whole = {f"#{i}": e for i, e in enumerate(run.exchanges)}
    worker = hasattr(config, "workeroutput")
    for rid in SESSION_WIDE:
        outcome = run.judge(rid, whole)
        data = outcome.as_dict()
        if worker:
            config.workeroutput.setdefault(OUTCOME_KEY, []).append(data)
        else:
            config._erpsync_outcomes[rid].append(data)
        if outcome.status == "fail" or (outcome.status == "non-strict" and strict_mode(config)):
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
    if worker:
        config.workeroutput["erpsync_requests"] = config._erpsync_requests



def aggregated(config: pytest.Config) -> dict[str, dict[str, Any]]:
    """One outcome per requirement: the worst of those recorded; 'untested: not run' if none."""
    out = {}
    for requirement in requirements.CATALOGUE:
        recorded = config._erpsync_outcomes.get(requirement.id, [])
        if not recorded:
            out[requirement.id] = {"requirement": requirement.id, "status": "untested",
                                   "reason": "not run in this session", "count": 0}
            continue
        # The worst; among equals the last recorded (for HTTP-03/04, the whole-run judgement).
        ranked = sorted(reversed(recorded), key=lambda d: STATUSES.index(d["status"]))
        chosen = dict(ranked[0])
        chosen["count"] = len(recorded)
        out[requirement.id] = chosen
    return out


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    path = config.getoption("--results-json", default=None)
    if path and getattr(config, "_erpsync_outcomes", None) and not hasattr(config, "workerinput"):
        with open(path, "w", encoding="utf-8") as out:
            json.dump({"requests": config._erpsync_requests, "requirements": aggregated(config)}, out, indent=1)


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    if not config._erpsync_outcomes and not config._erpsync_planned:
        return
    write = terminalreporter.write_line
    if config._erpsync_planned:
        terminalreporter.section("erpsync-conformance: planned requests (dry run)")
        for planned in config._erpsync_planned:
            write(f"{planned.method} {planned.label}: {planned.curl}")
        write(f"{len(config._erpsync_planned)} requests planned (the first of each test; nothing was sent)")
    if not config._erpsync_outcomes:
        return
    terminalreporter.section("erpsync-conformance: requirements")
    rows = aggregated(config)
    for rid, data in rows.items():
        level = requirements.get(rid).level
        reason = data["reason"].replace("\n", " ")
        write(f"{rid:10} {level:6} {data['status']:14} {reason[:110]}")
    counts = defaultdict(int)
    for data in rows.values():
        counts[data["status"]] += 1
    elapsed = time.monotonic() - config._erpsync_started
    write(", ".join(f"{counts[s]} {s}" for s in STATUSES if counts[s]) +
          f"; {config._erpsync_requests} requests in {elapsed:.1f} s")
