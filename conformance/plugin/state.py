"""What the plugin keeps for a pytest session, in pytest's stash under typed keys (DESIGN rule 15)."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from conformance.plugin.options import Settings
from conformance.run.preflight import Preflight
from conformance.verdict.waivers import Waiver
from conformance.wire.target import Target

INVOKED: list[str] = []
"""The command line as typed, when the run came through `erpsync-conformance` (conformance.cli);
empty under pytest itself, whose own arguments then say it."""


@dataclass
class SessionState:
    settings: Settings = field(default_factory=Settings)
    """The suite's options, resolved once (conformance.plugin.options.resolve)."""
    reference_config: Any = None
    """The bundled reference server's conformance.reference.config.ServerConfig, built once."""
    active: bool = False
    """The session is the suite's (conformance.plugin.options.asked): every hook of the plugin does
    nothing otherwise, so another project's pytest in the same environment is left as it was."""
    target: Target | None = None
    """The target file's target; None for the bundled reference server."""
    waivers: dict[str, Waiver] = field(default_factory=dict)
    waivers_source: str | None = None
    started: float = field(default_factory=time.monotonic)
    started_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc))
    run: Any = None
    """The conformance.run.runner.Run of this process, once a test asked for it."""
    collector: Any = None
    """The conformance.plugin.collect.Collector, on the controller (or a serial run) only."""
    planned: list[Any] = field(default_factory=list)
    suite_collected: bool = False
    """The session collected tests of the conformance suite (before -k, -m, --requirement)."""
    dimensions: dict[str, int] = field(default_factory=dict)
    """Distinct values per input dimension the selected covering rows send (--dry-run shows them)."""
    doc: dict[str, Any] | None = None
    summarised: bool = False
    """The terminal summary printed the verdict (pytest prints none after an internal error)."""
    published: tuple[Path, Path, Path] | None = None
    pruned: list[Path] = field(default_factory=list)
    """Run folders --keep deleted after this run's was written."""
    write_problem: str | None = None
    config_error: str | None = None
    """The one line that stopped the run before it began (exit 2), for --summary-file."""
    redactor: Any = None
    """The session's conformance.text.redaction.Redactor: every output channel goes through it."""
    preflight: Preflight = field(default_factory=Preflight)
    """The conformance.run.preflight.Preflight of a target file's run (controller or serial)."""
    restore: list[Any] = field(default_factory=list)
    """What to put back when the session ends (the terminal's stream, the log record factory)."""


STATE = pytest.StashKey[SessionState]()


def state(config: pytest.Config) -> SessionState:
    """The session's state (an empty one for a session the plugin did not configure)."""
    if STATE not in config.stash:
        config.stash[STATE] = SessionState()
    return config.stash[STATE]
