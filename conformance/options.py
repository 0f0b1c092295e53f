"""The suite's command-line options, each falling back to an environment variable (DESIGN rule 9)."""

from __future__ import annotations

import os

import pytest

from conformance.contract import NS_API_SLOW_MS


def env_flag(name: str) -> bool:
    return os.getenv(name, "").strip().lower() in ("1", "true", "yes", "on")


def _int_env(name: str) -> int | None:
    value = os.getenv(name)
    return int(value) if value and value.strip().isdigit() else None


def _float_env(name: str) -> float | None:
    try:
        return float(os.environ[name])
    except (KeyError, ValueError):
        return None


def add(parser: pytest.Parser) -> None:
    group = parser.getgroup("erpsync-conformance", "GetEngineStatus conformance suite")
    group.addoption("--target", default=os.getenv("ERPSYNC_TARGET"), metavar="FILE",
                    help="target TOML file (env ERPSYNC_TARGET); default: the bundled reference server")
    group.addoption("--strict-should", action="store_true", default=env_flag("ERPSYNC_STRICT"),
                    help="SHOULD failures fail the run too (env ERPSYNC_STRICT=1)")
    group.addoption("--max-requests", type=int, default=_int_env("ERPSYNC_MAX_REQUESTS"), metavar="N",
                    help="request budget, overriding the target's [limits] (env ERPSYNC_MAX_REQUESTS)")
    group.addoption("--rate", type=float, default=_float_env("ERPSYNC_RATE"), metavar="PER_SECOND",
                    help="requests per second at most, overriding the target's (env ERPSYNC_RATE)")
    group.addoption("--dry-run", action="store_true", default=env_flag("ERPSYNC_DRY_RUN"),
                    help="list the planned requests and their count; send nothing (env ERPSYNC_DRY_RUN)")
    group.addoption("--slow-ms", type=float, default=_float_env("ERPSYNC_SLOW_MS") or NS_API_SLOW_MS, metavar="MS",
                    help="the NsApiSlow threshold HTTP-04 judges by (default 5000; env ERPSYNC_SLOW_MS)")
    group.addoption("--results-json", default=os.getenv("ERPSYNC_RESULTS_JSON"), metavar="FILE",
                    help="also write results.json to FILE (env ERPSYNC_RESULTS_JSON)")
    group.addoption("--reports-dir", default=os.getenv("ERPSYNC_REPORTS_DIR") or "reports", metavar="DIR",
                    help="where each run's folder (results.json, report.html, summary.md) and `latest` go "
                         "(default ./reports; env ERPSYNC_REPORTS_DIR)")
    group.addoption("--no-reports", action="store_true", default=env_flag("ERPSYNC_NO_REPORTS"),
                    help="write no run folder (env ERPSYNC_NO_REPORTS)")
    group.addoption("--waivers", default=os.getenv("ERPSYNC_WAIVERS"), metavar="FILE",
                    help="waiver file (TOML), overriding the target's `waivers` (env ERPSYNC_WAIVERS)")
    group.addoption("--reference-fault", action="append", default=[], metavar="NAME",
                    help="bundled server only: switch on a named fault (repeatable)")
    group.addoption("--reference-profile", action="append", default=[], metavar="KEY=VALUE",
                    help="bundled server only: a choice of the server on an open point (repeatable); the run "
                         "is told the same choice unless --reference-infer")
    group.addoption("--reference-infer", action="store_true", default=False,
                    help="bundled server only: tell the run none of the server's choices; it infers them, as "
                         "for a target file with no [profile]")
    group.addoption("--reference-option", action="append", default=[], metavar="KEY=VALUE",
                    help="bundled server only: a serialisation or data variant of the server (repeatable; "
                         "python -m conformance.reference --list-options)")
    group.addoption("--reference-volatile", type=int, default=None, metavar="N",
                    help="bundled server only: flip IsRunning every N served requests")


def strict(config: pytest.Config) -> bool:
    """SHOULD failures fail the run: the suite's own option (or ERPSYNC_STRICT), independent of
    pytest's own --strict."""
    return bool(config.getoption("--strict-should", default=False))
