"""Gathering a run on the pytest controller (or a serial run): the outcomes every test report
carries, what xdist workers judged and measured over their whole run, and the run's metadata;
then results.json, report.html and summary.md (conformance.report).

Outcomes travel on a test's user_properties as JSON under OUTCOME_KEY. The Collector takes them
off before pytest's JUnit writer sees the report and leaves one `requirement` property per
requirement the test judges and one `outcome` property per judgement, so any CI system shows
failures by requirement.
"""

from __future__ import annotations

import datetime as dt
import json
import platform
from collections import defaultdict
from importlib import metadata
from typing import Any

import pytest

from conformance import __version__
from conformance.report import render, results

OUTCOME_KEY = "erpsync_outcome"
REQUIREMENT_KEY = "requirement"
WORKER_KEY = "erpsync_worker"
PACKAGES = ("pytest", "hypothesis", "schemathesis", "jsonschema", "requests", "xmltodict", "werkzeug",
            "jinja2", "pytest-xdist")


class Collector:
    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.outcomes: dict[str, list[dict]] = defaultdict(list)
        self.workers: dict[str, dict] = {}
        self._broken: dict[str, str] = {}

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        judged = [json.loads(v) for k, v in report.user_properties if k == OUTCOME_KEY]
        kept = [(k, v) for k, v in report.user_properties if k != OUTCOME_KEY]
        if report.failed:
            lines = report.longreprtext.strip().splitlines()
            self._broken.setdefault(report.nodeid, f"{report.when}: {lines[-1][:300] if lines else 'failed'}")
        if report.when == "teardown":
            for order, data in enumerate(judged):
                self.outcomes[data["requirement"]].append({**data, "test": report.nodeid, "order": order})
            seen = {d["requirement"] for d in judged}
            broken = self._broken.pop(report.nodeid, None)
            for rid in [v for k, v in kept if k == REQUIREMENT_KEY and v not in seen] if broken else []:
                # A test that errored before judging must not leave its requirement "not run".
                self.outcomes[rid].append({"requirement": rid, "status": "untested", "test": report.nodeid,
                                           "order": 0, "reason": f"the test did not complete ({broken})",
                                           "expected": "", "actual": "", "evidence": []})
            kept += [("outcome", f"{d['requirement']}: {d['status']}: {d['reason'][:200]}") for d in judged]
        report.user_properties = kept

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node, error) -> None:
        output = getattr(node, "workeroutput", {})
        for data in output.get(OUTCOME_KEY, []):
            self.outcomes[data["requirement"]].append({**data, "test": None, "order": 0})
        if WORKER_KEY in output:
            self.workers[output.get("workerid", str(len(self.workers)))] = output[WORKER_KEY]


def process_summary(config: pytest.Config) -> dict[str, Any]:
    """What one process (a worker, or a serial run) measured: shipped to the controller by xdist."""
    run = getattr(config, "_erpsync_run", None)
    if run is None:
        return {}
    answered = [e.response.elapsed_ms for e in run.exchanges if e.response is not None]
    target = run.target
    return {"name": target.name, "base_url": target.base_url, "source": target.source,
            "schemes": list(target.schemes), "profile": target.profile.as_dict(),
            "requests": run.client.budget.used, "budget": run.client.budget.limit,
            "rate": 1.0 / run.client.rate.interval, "response_ms": answered,
            "no_response": len(run.exchanges) - len(answered)}


def _packages() -> dict[str, str]:
    found = {}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return found


def _hypothesis(config: pytest.Config) -> dict[str, Any]:
    from hypothesis import settings

    current = settings()
    seed = config.getoption("hypothesis_seed", default=None)
    return {"profile": getattr(settings, "_current_profile", None), "derandomize": bool(current.derandomize),
            "max_examples": int(current.max_examples), "seed": None if seed is None else str(seed)}


def assemble(config: pytest.Config, collector: Collector, *, started: dt.datetime, duration_s: float,
             strict: bool, dry_run: bool, waivers: dict, waivers_source: str | None) -> dict[str, Any]:
    processes = [collector.workers[k] for k in sorted(collector.workers)] or [process_summary(config)]
    processes = [p for p in processes if p]
    first = processes[0] if processes else {}
    target = config._erpsync_target
    run = {
        "target": {"name": target.name if target else first.get("name", "reference"),
                   "base_url": target.base_url if target else first.get("base_url", "(not started)"),
                   "source": target.source if target else "bundled reference server",
                   "schemes": list(target.schemes) if target else first.get("schemes", []),
                   "bundled": target is None, "faults": [] if target else list(config.getoption("--reference-fault")),
                   "waivers": waivers_source},
        "profile": target.profile.as_dict() if target else first.get("profile", {}),
        "suite_version": __version__, "python": platform.python_version(), "packages": _packages(),
        "hypothesis": _hypothesis(config), "started": started.isoformat(timespec="seconds"),
        "duration_s": round(duration_s, 2),
        "requests": sum(p["requests"] for p in processes),
        "budget": sum(p["budget"] for p in processes) if processes else (config.getoption("--max-requests") or 0),
        "rate": round(sum(p["rate"] for p in processes), 3) if processes else 1.0,
        "slow_ms": config.getoption("--slow-ms"), "strict": strict,
        "workers": len(collector.workers), "dry_run": dry_run,
    }
    return results.assemble(run, collector.outcomes, waivers=waivers, today=dt.date.today(),
                            response_ms=[ms for p in processes for ms in p["response_ms"]],
                            no_response=sum(p["no_response"] for p in processes))


def publish(doc: dict[str, Any], reports_dir: str) -> tuple[Any, Any, Any]:
    """results.json into a new run folder, then the reports rendered from that file."""
    folder = results.write(doc, reports_dir)
    report, brief = render.render_run(folder)
    return folder, report, brief
