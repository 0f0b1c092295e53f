"""What the pytest shell sets up once a session and every hook may ask: the one line and exit 2 of a
configuration error (Stop), the bundled reference server's configuration and schemes, the run's
budget and rate, the markers, the order tests run in (Stage), and whether the report folders can be
written."""

from __future__ import annotations

import enum
import logging
from pathlib import Path
from typing import Any

import pytest

from conformance.contract import requirements
from conformance.contract.choices import key_values
from conformance.plugin import progress
from conformance.plugin.state import state
from conformance.reference.server import target_of
from conformance.text.redaction import RedactingRecords, RedactingStream, Redactor

LEVEL_MARKERS = {"MUST": "must", "SHOULD": "should", "INFO": "info"}


UNSTARTED = "http://127.0.0.1:0/api/v1"
"""The bundled server's base URL before it serves (what its target's secrets and schemes need)."""


def configuration_error(config: pytest.Config, problem: object) -> None:
    """One line naming what is wrong, exit 2, before any request (and in --summary-file)."""
    message = f"erpsync-conformance: {problem}"
    state(config).config_error = message
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    CONFIG_ERROR_REPORTERS[:] = [reporter] if reporter is not None else []
    raise Stop(str(problem), returncode=2)


class Stop(pytest.exit.Exception):  # type: ignore[name-defined,misc]
    """pytest.exit's exception, named so that pytest's own line reads `erpsync-conformance: <problem>`
    (it writes the exception's class name, then its message: "Exit: " otherwise)."""

    def __reduce__(self) -> tuple[Any, tuple[str, int | None]]:  # the class's name is no importable name
        return _stop, (self.msg, self.returncode)


def _stop(message: str, returncode: int | None) -> Stop:
    return Stop(message, returncode)


Stop.__name__ = Stop.__qualname__ = "erpsync-conformance"


def run_limits(config: pytest.Config) -> tuple[int, float]:
    """The run's request budget and rate, the options over the target's (or the bundled server's)."""
    target = state(config).target
    limits = state(config).settings.limits((target or target_of(reference_server_config(config), UNSTARTED)).limits)
    return limits.max_requests, limits.rate


def register_markers(config: pytest.Config) -> None:
    """The suite's markers (also for the project's own tests, which import suite modules)."""
    config.addinivalue_line("markers", "requirement(*ids): the catalogue requirement(s) a test judges")
    config.addinivalue_line(
        "markers", "generated: Hypothesis or schemathesis draws the requests; runs after the example tests"
    )
    config.addinivalue_line(
        "markers",
        "covering: the covering design's rows (every documented value); runs after "
        "the example tests, before the generated ones",
    )
    for marker in sorted(set(requirements.AREAS.values()) | set(LEVEL_MARKERS.values())):
        config.addinivalue_line("markers", f"{marker}: conformance tests of requirements in this area or level")


CONFIG_ERROR_REPORTERS: list[Any] = []
"""The terminal reporter of a session that stopped on a configuration error (configuration_error)."""


def unwritable(config: pytest.Config) -> str | None:
    """Where the run could not write its results, found before the first request (a run that
    cannot write them has nothing to show for its requests)."""
    import tempfile

    places = (
        []
        if config.getoption("--collect-only", default=False)
        else (
            [] if state(config).settings.no_reports else [("--reports-dir", Path(state(config).settings.reports_dir))]
        )
    )
    results_json = state(config).settings.results_json
    if results_json:
        places.append(("--results-json", Path(results_json).parent))
    for option, folder in places:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=folder, prefix=".erpsync-write-check-"):
                pass
        except OSError as problem:
            return f"{option}: cannot write to {folder}: {problem.strerror or problem}"
        latest = folder / "latest"
        if option == "--reports-dir" and latest.exists() and not latest.is_symlink():
            return (
                f"{option}: {latest} is a folder, not the link to the last run the suite keeps there (an "
                "artifact download leaves one): move it away, or give another --reports-dir"
            )
    return None


def reference_server_config(config: pytest.Config) -> Any:
    """The bundled server's configuration from --reference-* options, built once a session (at
    configure time, where a bad one is a configuration error)."""
    session = state(config)
    if session.reference_config is None:
        from conformance.reference.generator import reference_config

        settings = session.settings
        session.reference_config = reference_config(
            seed=settings.reference_random,
            choices=key_values(list(settings.reference_choice), "--reference-choice"),
            options=key_values(list(settings.reference_option), "--reference-option"),
            faults=list(settings.reference_fault),
            volatile=settings.reference_volatile,
            slow_seconds=settings.slow_ms / 1000 * 1.2,
        )
    return session.reference_config


def declared_schemes(config: pytest.Config) -> tuple[str, ...]:
    """The auth schemes of the session's target (the bundled server's, when there is no file)."""
    target = state(config).target
    if target is not None:
        return target.schemes
    return target_of(reference_server_config(config), UNSTARTED).schemes


class Stage(enum.IntEnum):
    """The order tests run in: example tests of single requirements first, then the covering rows,
    then the generated tests. Every requirement has an example test of known cost and the rows
    cover the documented values, so a request budget that runs out cuts combinations first. (The
    preflight and the discovery of the server's choices come before any test.)"""

    EXAMPLES = 0
    COVERING = 1
    GENERATED = 2


def stage(item: pytest.Item) -> Stage:
    if item.get_closest_marker("generated"):
        return Stage.GENERATED
    return Stage.COVERING if item.get_closest_marker("covering") else Stage.EXAMPLES


def watch(config: pytest.Config) -> None:
    """The progress line (conformance.plugin.progress): live on a terminal, periodic in a log, none under -q;
    the suite's tests print no progress characters and no file names of their own."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None:
        return
    verbosity = config.get_verbosity()
    if verbosity <= 0:  # no file names, no percentages: the line says more
        reporter.showfspath = False
        if hasattr(reporter, "_show_progress_info"):  # pytest's "[ 27%]", computed before any plugin runs
            reporter._show_progress_info = False
    mode = "none" if verbosity < 0 else "live" if verbosity == 0 and reporter.isatty() else "plain"
    config.pluginmanager.register(
        progress.Progress(reporter, run_limits(config)[0], mode, judged_now=lambda: progress.judged(config)),
        "erpsync-progress",
    )


def redact_outputs(config: pytest.Config) -> None:
    """The terminal (everything pytest prints: failures, tracebacks with their locals, captured
    output, warnings, Hypothesis's examples, the summary) and log records go through the redactor;
    JUnit and results.json are redacted where they are made (the collector, the assembly)."""
    stash = state(config)
    redactor = stash.redactor or Redactor()  # without secrets, the terminal's sanitiser still applies
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    writer = getattr(reporter, "_tw", None)
    if writer is not None and not isinstance(writer._file, RedactingStream):
        original = writer._file
        writer._file = RedactingStream(original, redactor)

        def put_back() -> None:
            writer._file.release()
            writer._file = original

        stash.restore.append(put_back)
    if not stash.redactor:
        return
    factory = logging.getLogRecordFactory()
    logging.setLogRecordFactory(RedactingRecords(factory, stash.redactor))
    stash.restore.append(lambda: logging.setLogRecordFactory(factory))
