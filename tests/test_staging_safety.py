"""Staging safety, counted at the server: a run never sends more than its request budget, never
beats its rate limit, and never requests anything but GetEngineStatus, under Hypothesis,
schemathesis and pytest-xdist alike; what the budget leaves is untested, never passed.

Each scenario runs the suite once against a reference server started here (its RequestLog counts
every request it read) through a target file; the tests judge that one recorded run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from conformance.contract.endpoint import PATH
from conformance.reference import ReferenceServer
from conformance.reference.server import Arrival
from conformance.run import routing
from tests.suite_runs import SUITE, SuiteRun, run_suite

JITTER = 0.1
"""Seconds an arrival may be noted late: the server notes a request when its thread reads it,
which on a loaded machine can be as late as the answer (the client sends the next one after it)."""
NOT_RUN = "not run in this session"

# name -> (what the run sends, its budget, its rate, clients sending (xdist workers), more pytest arguments)
SCENARIOS = {
    "whole run": (SUITE, None, None, 1, []),
    "hypothesis": (f"{SUITE}/test_properties.py", 30, 40.0, 1, []),
    "schemathesis": (f"{SUITE}/test_schemathesis.py", 20, 40.0, 1, []),
    "staging cut": (SUITE, 120, None, 1, ["--hypothesis-profile", "staging"]),
    "xdist": (f"{SUITE}/test_select.py", 40, 40.0, 2, [f"{SUITE}/test_accept.py", "-n", "2"]),
}


@dataclass
class Counted:
    run: SuiteRun
    arrivals: list[Arrival]
    endpoint: str
    budget: int | None
    rate: float | None
    clients: int

    def judged_by_the_run(self) -> dict[str, dict]:
        return {rid: o for rid, o in self.run.results["requirements"].items() if o["reason"] != NOT_RUN}

    @property
    def summary(self) -> str:
        """pytest's last line: '1 skipped in 2.31s' and the like."""
        return [line for line in self.run.output.splitlines() if re.search(r"\d+ \w+ in [\d.]+s", line)][-1]


@pytest.fixture(scope="session")
def recorded() -> dict[str, Counted]:
    """Runs already made, by scenario: each is made once per test process, by the first test that needs it."""
    return {}


@pytest.fixture
def counted(recorded, pytester, monkeypatch):
    def get(scenario: str) -> Counted:
        if scenario not in recorded:
            recorded[scenario] = _run(pytester, monkeypatch, *SCENARIOS[scenario])
        return recorded[scenario]

    return get


def _run(
    pytester, monkeypatch, suite: str, budget: int | None, rate: float | None, clients: int, args: list[str]
) -> Counted:
    with ReferenceServer() as server:
        c = server.config.credentials
        for name, value in {
            "STG_PASSWORD": c.basic_password,
            "STG_TICKET": c.ticket,
            "STG_BEARER": c.bearer,
            "STG_SESSION": c.session_id,
            "STG_XSRF": c.xsrf_token,
            "STG_APP": c.app_token_granted,
            "STG_APP_RESTRICTED": c.app_token_restricted,
        }.items():
            monkeypatch.setenv(name, value)
        path = pytester.path / "staging.toml"
        path.write_text(
            f'name = "staging-safety"\nbase_url = "{server.base_url}"\n'
            f'[basic]\nuser = "{c.basic_user}"\npassword = "env:STG_PASSWORD"\n'
            '[soticket]\nticket = "env:STG_TICKET"\n[bearer]\ntoken = "env:STG_BEARER"\n'
            f'[session]\ncookie_name = "{c.session_cookie}"\ncookie = "env:STG_SESSION"\n'
            'xsrf_token = "env:STG_XSRF"\n'
            '[apptoken]\ngranted = "env:STG_APP"\nrestricted = "env:STG_APP_RESTRICTED"\n'
            "[limits]\nmax_requests = 100000\nrate = 10000\n"
        )
        limits = [*(["--max-requests", str(budget)] if budget else []), *(["--rate", str(rate)] if rate else [])]
        run = run_suite(
            pytester, "--target", str(path), "--hypothesis-profile", "quick", *limits, *args, suite=suite, quiet=False
        )
        return Counted(run, server.requests.arrivals(), server.config.base_path + PATH, budget, rate, clients)


def fastest_window(arrivals: list[Arrival], rate: float, clients: int) -> tuple[int, float, float]:
    """The window with the most arrivals beyond what `clients` clients each keeping `rate` / `clients`
    per second may send into it (each one's first request comes at once): (excess, start, seconds)."""
    times = [a.at for a in arrivals]
    worst = (0, 0.0, 0.0)
    for i in range(len(times)):
        for j in range(i + 1, len(times)):
            seconds = times[j] - times[i]
            excess = (j - i + 1) - ((seconds + JITTER) * rate + clients)
            if excess > worst[0]:
                worst = (excess, times[i] - times[0], seconds)
    return worst


def assert_kept_to_its_limits(counted: Counted) -> None:
    arrivals, run = counted.arrivals, counted.run
    assert arrivals, run.output
    assert len(arrivals) == run.results["requests"], "the suite's count of requests is the server's"
    assert {a.path for a in arrivals} == {counted.endpoint}
    if counted.budget is not None:
        assert len(arrivals) <= counted.budget, (
            f"{len(arrivals)} requests reached the server; the budget is {counted.budget}"
        )
    if counted.rate is not None:
        excess, start, seconds = fastest_window(arrivals, counted.rate, counted.clients)
        assert excess <= 0, (
            f"{excess:.1f} requests too many in the {seconds:.3f} s from {start:.3f} s at {counted.rate}/s"
        )
    assert not run.red, run.output[-3000:]


def test_the_window_check_catches_a_rate_beaten():
    """The check can fail: evenly spaced at the rate passes (jittered too); twice the rate does not,
    nor does a second client at the same full rate."""
    at = [Arrival("POST", PATH, i / 40) for i in range(40)]
    jittered = [Arrival("POST", PATH, a.at + (0.05 if i % 2 else 0)) for i, a in enumerate(at)]
    assert fastest_window(at, 40, 1)[0] <= 0 and fastest_window(jittered, 40, 1)[0] <= 0
    assert fastest_window(at, 20, 1)[0] > 0
    twice = sorted(at + [Arrival("POST", PATH, a.at + 0.01) for a in at], key=lambda a: a.at)
    assert fastest_window(twice, 40, 2)[0] > 0


def test_only_get_engine_status_is_requested_over_a_whole_run(counted):
    whole = counted("whole run")
    assert_kept_to_its_limits(whole)
    # (AUTH-12 is not applicable: the target does not declare app tokens required, as Online does)
    assert all(
        status in ("pass", "informational", "not-applicable")
        for status in (o["status"] for o in whole.run.results["requirements"].values())
    ), whole.run.output
    methods = {a.method for a in whole.arrivals}
    assert "POST" in methods and "" not in methods


def assert_cut_short_not_passed(c: Counted, tests: int = 1) -> None:
    """What the budget cut short is not a pass: nothing failed, something untested, and of the
    `tests` tests the scenario runs, those the budget cut are skipped (at least one), none passed."""
    judged = c.judged_by_the_run()
    assert {o["status"] for o in judged.values()} <= {"pass", "untested"}, c.run.output[-3000:]
    assert "untested" in {o["status"] for o in judged.values()}, "the budget left something untested"
    counts = {word: int(n) for n, word in re.findall(r"(\d+) (passed|skipped|failed)", c.summary)}
    assert counts.get("skipped", 0) >= 1 and not counts.get("failed"), c.summary
    assert counts.get("passed", 0) + counts["skipped"] == tests, c.summary
    assert len(re.findall(r"SKIPPED \[(\d+)\][^\n]*budget exhausted", c.run.output)) >= 1, c.run.output[-3000:]


def test_hypothesis_keeps_the_budget_and_the_rate(counted):
    c = counted("hypothesis")
    assert_kept_to_its_limits(c)
    assert_cut_short_not_passed(c, tests=4)  # one per scheme; those that finished before the cut pass
    per_case = routing.REQUESTS_PER_CASE  # the property tests stop drawing below that
    assert c.budget - per_case < len(c.arrivals) <= c.budget


def test_schemathesis_keeps_the_budget_and_the_rate(counted):
    c = counted("schemathesis")
    assert_kept_to_its_limits(c)
    assert_cut_short_not_passed(c)
    assert len(c.arrivals) == c.budget
    assert f"budget exhausted (request budget of {c.budget} exhausted)" in c.run.output


def test_xdist_workers_share_the_budget_and_the_rate(counted):
    c = counted("xdist")
    assert_kept_to_its_limits(c)
    assert len(c.arrivals) == c.budget
    assert any("budget exhausted" in o["reason"] for o in c.run.results["requirements"].values())


def test_what_the_budget_leaves_of_the_properties_is_untested_budget_exhausted(counted):
    c = counted("hypothesis")
    left = {rid: o["reason"] for rid, o in c.judged_by_the_run().items() if o["status"] != "pass"}
    assert left and all("budget exhausted" in reason for reason in left.values()), left
    assert "Traceback" not in c.run.output and " failed" not in c.summary


def test_what_the_budget_leaves_of_schemathesis_is_untested_budget_exhausted(counted):
    c = counted("schemathesis")
    cut = {rid: o for rid, o in c.judged_by_the_run().items() if rid not in ("HTTP-03", "HTTP-04")}
    assert all(o["status"] == "untested" and "budget exhausted" in o["reason"] for o in cut.values()), cut


def test_a_budget_cut_inside_schemathesis_unwinds_it_at_once(counted):
    # the staging profile under a budget that runs out while schemathesis generates: the cut is no
    # failure to Hypothesis, which would shrink and replay the case and print its repr (292 kB here)
    c = counted("staging cut")
    assert_kept_to_its_limits(c)
    assert len(c.arrivals) == c.budget
    assert "budget exhausted (request budget of 120 exhausted)" in c.run.output
    assert "HypothesisWarning" not in c.run.output and "warning" not in c.summary, c.run.output[-3000:]
