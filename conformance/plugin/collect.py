"""Gathering a run on the pytest controller (or a serial run): the outcomes every test report
carries, which requirements the session selected, and what each xdist worker judged, measured and
learned over its whole run.

Outcomes travel on a test's user_properties as JSON under judge.OUTCOME_KEY. The Collector takes
them off before pytest's JUnit writer sees the report and leaves one `requirement` property per
requirement the test judges and one `outcome` property per judgement, so any CI system shows
failures by requirement.

A requirement is in scope when an example test of it was selected (`-k`, `-m`); a generated test
(property or schemathesis, marker `generated`) judges only requirements in scope, so that `-m auth`
does not report on SCHEMA because schemathesis also judges it. A session that selected generated
tests only takes the requirements they carry.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from typing import Any

import pytest

from conformance.checks.outcome import BUDGET_CUT
from conformance.plugin.judge import FINDING_KEY, OUTCOME_KEY
from conformance.plugin.state import state
from conformance.text import sinks

REQUIREMENT_KEY = "requirement"
GENERATED_KEY = "generated"
WORKER_KEY = "erpsync_worker"
SUITE_KEY = "erpsync_suite_collected"


class Collector:
    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.outcomes: dict[str, list[dict]] = defaultdict(list)
        self.workers: dict[str, dict] = {}
        self.example_scope: set[str] = set()
        self.generated_scope: set[str] = set()
        self._broken: dict[str, str] = {}
        self.tests: dict[str, str] = {}
        """Every test that reported, by node id: "run", "cut" (the request budget ran out first) or
        "skipped" (not applicable, a dry run)."""
        self.cut_requirements: dict[str, int] = defaultdict(int)
        """Per requirement, the tests of it the budget cut."""
        self.crashed: list[str] = []
        """Workers that went down with an error (a crash, an internal error): the run is then no
        verdict, whatever the outcomes the others shipped say."""

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        redact(report, state(self.config).redactor)
        judged = [json.loads(str(v)) for k, v in report.user_properties if k == OUTCOME_KEY]
        kept = [(k, v) for k, v in report.user_properties if k != OUTCOME_KEY]
        if report.failed:
            lines = report.longreprtext.strip().splitlines()
            self._broken.setdefault(report.nodeid, f"{report.when}: {lines[-1][:300] if lines else 'failed'}")
        if report.when == "call" or (report.when == "setup" and report.skipped):
            self.tests[report.nodeid] = (
                "cut"
                if report.skipped and BUDGET_CUT in str(report.longrepr)
                else "skipped"
                if report.skipped
                else "run"
            )
        if report.when == "teardown":
            marked = [str(v) for k, v in kept if k == REQUIREMENT_KEY]
            if self.tests.get(report.nodeid) == "cut":
                for rid in dict.fromkeys(marked):
                    self.cut_requirements[rid] += 1
            generated = any(k == GENERATED_KEY for k, _ in kept)
            (self.generated_scope if generated else self.example_scope).update(marked)
            for order, data in enumerate(judged):
                self.outcomes[data["requirement"]].append({**data, "test": report.nodeid, "order": order})
            seen = {d["requirement"] for d in judged}
            broken = self._broken.pop(report.nodeid, None)
            red = list(dict.fromkeys(d["requirement"] for d in judged if d["status"] in ("fail", "non-strict")))
            # A test that ended at a failure it judged stopped there; one that broke says how.
            why = (
                f"not judged: the test stopped at its failure of {', '.join(red)}"
                if red
                else f"the test did not complete ({broken})"
            )
            for rid in [v for v in marked if v not in seen] if broken else []:
                # A test that errored before judging must not leave its requirement "not run".
                self.outcomes[rid].append(
                    {
                        "requirement": rid,
                        "status": "untested",
                        "test": report.nodeid,
                        "order": 0,
                        "reason": why,
                        "expected": "",
                        "actual": "",
                        "evidence": [],
                    }
                )
            kept += [("outcome", f"{d['requirement']}: {d['status']}: {d['reason'][:200]}") for d in judged]
        report.user_properties = kept
        junit_case(self.config, report, [d["requirement"] for d in judged if d["status"] in ("fail", "non-strict")])

    def pytest_internalerror(self, excrepr, excinfo) -> None:
        """An internal error (in this process, or a worker's raised again here by xdist)."""
        lines = [line.lstrip("E ").strip() for line in str(excrepr).splitlines() if line.strip()]
        raised = [line for line in lines if re.match(r"[\w.]+(Error|Exception|Interrupt|Exit)\b:?", line)]
        found = (raised or lines or ["no reason given"])[-1]
        if not any(found in seen for seen in self.crashed):
            self.crashed.append(f"an internal error: {sinks.shown(found)[:300]}")

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node, error) -> None:
        if error:
            worker = getattr(getattr(node, "gateway", None), "id", "a worker")
            last = [line for line in str(error).splitlines() if line.strip()][-1:] or ["no reason given"]
            self.crashed.append(f"{worker} went down: {sinks.shown(last[0])[:300]}")
        output = getattr(node, "workeroutput", {})
        for data in output.get(OUTCOME_KEY, []):
            self.outcomes[data["requirement"]].append({**data, "test": None, "order": 0})
        if WORKER_KEY in output:
            self.workers[output.get("workerid", str(len(self.workers)))] = output[WORKER_KEY]
        if output.get(SUITE_KEY):  # xdist: the workers collect, the controller never does
            state(self.config).suite_collected = True

    @property
    def scope(self) -> set[str]:
        return self.example_scope or self.generated_scope

    def in_scope(self) -> dict[str, list[dict]]:
        """The outcomes of requirements the session selected an example test of."""
        scope = self.scope
        return {rid: found for rid, found in self.outcomes.items() if rid in scope}

    def coverage(self) -> dict[str, Any]:
        """What the session planned, ran and had cut by the request budget."""
        states = list(self.tests.values())
        return {
            "tests_planned": len(states),
            "tests_run": states.count("run"),
            "tests_cut": states.count("cut"),
            "tests_skipped": states.count("skipped"),
            "cut_by_requirement": dict(sorted(self.cut_requirements.items())),
        }


def junit_case(config: pytest.Config, report: pytest.TestReport, red: tuple[str, ...] | list[str] = ()) -> None:
    """The report's JUnit test case (pytest's --junitxml, on the controller) named by the
    requirement IDs the test judges, those it found failing first, as "SELECT-09 HTTP-03 +31
    test_each_value_of_each_dimension[51]" (a covering row judges 33); a SHOULD finding of a test
    that passed shown as a system-out line besides its property. pytest offers no public way to
    name a case from the controller under xdist (record_xml_attribute is per worker), so this
    reaches for its LogXML; without one (no --junitxml) it does nothing."""
    try:
        from _pytest.junitxml import xml_key
    except ImportError:  # pragma: no cover - a pytest without it: the cases keep pytest's names
        return
    xml = config.stash.get(xml_key, None)
    if xml is None:
        return
    ids = list(dict.fromkeys(str(v) for k, v in report.user_properties if k == REQUIREMENT_KEY))
    if not ids:
        return
    ids = list(dict.fromkeys([r for r in red if r in ids] + ids))  # what failed names the case
    reporter = xml.node_reporter(report)
    label = " ".join(ids) if len(ids) <= 3 else f"{' '.join(ids[:3])} +{len(ids) - 3}"
    reporter.add_attribute("name", f"{label} {report.nodeid.split('::')[-1]}")
    if report.when == "teardown":
        findings = [v for k, v in report.user_properties if k == FINDING_KEY]
        if findings:
            import xml.etree.ElementTree as ET

            out = ET.Element("system-out")
            out.text = "\n".join(f"SHOULD finding: {f}" for f in findings)
            reporter.append(out)


def junit_verdict(config: pytest.Config, verdict: dict[str, Any]) -> None:
    """The verdict's sentence and what it judged as properties of the JUnit test suite (written
    after this, at the end of the session), so a CI system shows a partial or cut run as one."""
    try:
        from _pytest.junitxml import xml_key
    except ImportError:  # pragma: no cover
        return
    xml = config.stash.get(xml_key, None)
    if xml is None:
        return
    xml.add_global_property("erpsync_verdict", verdict.get("headline") or verdict["status"])
    judged = verdict.get("coverage") or {}
    for key in ("requirements_selected", "requirements_total", "tests_planned", "tests_cut"):
        if key in judged:
            xml.add_global_property(f"erpsync_{key}", str(judged[key]))


def redact(report: pytest.TestReport, redactor) -> None:
    """A report as JUnit and the terminal will write it: its failure text (a traceback, its locals),
    its captured output and its properties through the redactor. The failure text becomes plain
    text only where it holds a secret."""
    if not redactor:
        return
    if report.longrepr is not None:
        text = str(report.longrepr)
        clean = redactor.text(text)
        if clean != text:
            report.longrepr = clean
    report.sections = [(title, redactor.text(content)) for title, content in report.sections]
    report.user_properties = [
        (redactor.text(str(k)), redactor.text(v) if isinstance(v, str) else v) for k, v in report.user_properties
    ]


def process_summary(config: pytest.Config) -> dict[str, Any]:
    """What one process (a worker, or a serial run) measured and learned: shipped to the
    controller by xdist."""
    run = state(config).run
    if run is None:
        return {}
    answered = [e.response.elapsed_ms for e in run.exchanges if e.response is not None]
    target = run.target
    return {
        "name": target.name,
        "base_url": target.base_url,
        "source": target.source,
        "schemes": list(target.schemes),
        "declared": target.profile.as_dict(),
        "observations": {
            key: {"choice": o.choice, "reason": o.reason, "evidence": [e.as_dict() for e in o.evidence]}
            for key, o in run.observations.items()
        },
        "volatile": [
            {"property": name, "evidence": [e.as_dict() for e in run.volatile_evidence.get(name, ())]}
            for name in sorted(run.volatile)
        ],
        "requests": run.client.budget.used,
        "budget": run.client.budget.limit,
        "rate": 1.0 / run.client.rate.interval,
        "response_ms": answered,
        "no_response": len(run.exchanges) - len(answered),
    }


def hypothesis_settings(config: pytest.Config) -> dict[str, Any]:
    from hypothesis import settings

    current = settings()
    seed = config.getoption("hypothesis_seed", default=None)
    return {
        "profile": getattr(settings, "_current_profile", None),
        "derandomize": bool(current.derandomize),
        "max_examples": int(current.max_examples),
        "seed": None if seed is None else str(seed),
    }
