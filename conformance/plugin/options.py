"""The suite's options, declared once: each with its environment variable (DESIGN rule 9), its
help line, and what a valid value is. pytest's parser gets them from here (`add`), and so does the
console script's short `--help` (`short_help`). An environment variable is read when the run is
configured (`resolve`), not when the option is declared, so a bad value is a one-line error
naming the variable, as a bad command-line value is, before any request.
"""

from __future__ import annotations

import difflib
import math
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable

import pytest

from conformance.contract.endpoint import NS_API_SLOW_MS
from conformance.contract.requirements import CATALOGUE
from conformance.errors import ConfigurationError
from conformance.wire.target import Limits

TRUE, FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off", "")


class OptionError(ConfigurationError):
    """A bad option or environment value: the message names it, never a secret. `settings`: what
    resolve made of the other options (where --summary-file says to write this line)."""

    settings: Settings | None = None


@dataclass(frozen=True)
class Option:
    flag: str
    help: str
    env: str | None = None
    kind: str = "text"  # text, int, float, flag, list
    metavar: str | None = None
    default: Any = None
    minimum: float | None = None  # numbers: the least allowed (exclusive for floats)
    reference: bool = False  # the bundled server only: meaningless with --target

    @property
    def dest(self) -> str:
        return self.flag.lstrip("-").replace("-", "_")


OPTIONS: tuple[Option, ...] = (
    Option("--target", "target TOML file; default: the bundled reference server", "ERPSYNC_TARGET", metavar="FILE"),
    Option(
        "--strict-should",
        "SHOULD failures fail the run too (the suite's own; pytest's --strict is unrelated)",
        "ERPSYNC_STRICT",
        "flag",
    ),
    Option(
        "--max-requests",
        "request budget (at least 1), overriding the target's [limits]",
        "ERPSYNC_MAX_REQUESTS",
        "int",
        "N",
        minimum=1,
    ),
    Option(
        "--rate",
        "requests per second at most, overriding the target's",
        "ERPSYNC_RATE",
        "float",
        "PER_SECOND",
        minimum=0,
    ),
    Option(
        "--require-complete",
        "a test the request budget cut fails the gate (verdict incomplete), as an untested MUST does",
        "ERPSYNC_REQUIRE_COMPLETE",
        "flag",
    ),
    Option(
        "--requirement",
        "only the tests that judge this requirement, its covering rows and generated tests "
        "included, so it is judged as a whole run judges it (repeatable, e.g. --requirement AUTH-03); the "
        "verdict then says partial",
        kind="list",
        metavar="ID",
    ),
    Option(
        "--dry-run",
        "check everything, list the planned requests and their count; send nothing",
        "ERPSYNC_DRY_RUN",
        "flag",
    ),
    Option(
        "--slow-ms",
        "the NsApiSlow threshold HTTP-04 judges by (default 5000)",
        "ERPSYNC_SLOW_MS",
        "float",
        "MS",
        default=float(NS_API_SLOW_MS),
        minimum=0,
    ),
    Option(
        "--reports-dir",
        "where each run's folder (results.json, report.html, summary.md) and `latest` go (default ./reports)",
        "ERPSYNC_REPORTS_DIR",
        metavar="DIR",
        default="reports",
    ),
    Option("--no-reports", "write no run folder", "ERPSYNC_NO_REPORTS", "flag"),
    Option(
        "--keep",
        "after writing a run folder, keep the newest N folders of the target's runs in the reports "
        "dir and delete its older ones (default: keep every run)",
        "ERPSYNC_KEEP",
        "int",
        "N",
        minimum=1,
    ),
    Option("--results-json", "also write results.json to FILE", "ERPSYNC_RESULTS_JSON", metavar="FILE"),
    Option(
        "--summary-file",
        "append summary.md to FILE at every exit, or the line naming a configuration error (e.g. $GITHUB_STEP_SUMMARY)",
        "ERPSYNC_SUMMARY_FILE",
        metavar="FILE",
    ),
    Option("--waivers", "waiver file (TOML), overriding the target's `waivers`", "ERPSYNC_WAIVERS", metavar="FILE"),
    Option(
        "--reference-fault",
        "bundled server only: switch on a named fault (repeatable; python -m conformance.reference --list-faults)",
        kind="list",
        metavar="NAME",
        reference=True,
    ),
    Option(
        "--reference-choice",
        "bundled server only: a choice of the server on an open point (repeatable); "
        "the run is told it unless --reference-infer",
        kind="list",
        metavar="KEY=VALUE",
        reference=True,
    ),
    Option(
        "--reference-infer",
        "bundled server only: tell the run none of the server's choices; it infers "
        "them, as for a target file with no [choices]",
        kind="flag",
        reference=True,
    ),
    Option(
        "--reference-option",
        "bundled server only: a serialisation or data variant (repeatable; "
        "python -m conformance.reference --list-options)",
        kind="list",
        metavar="KEY=VALUE",
        reference=True,
    ),
    Option(
        "--reference-volatile",
        "bundled server only: flip IsRunning every N served requests (a live engine)",
        kind="int",
        metavar="N",
        minimum=1,
        reference=True,
    ),
    Option(
        "--reference-random",
        "bundled server only: one of the conformant servers the generator draws "
        "(every choice, serialisation and data from SEED; python -m conformance.reference --random-choices "
        "SEED shows them); the other --reference-* options change it further",
        kind="int",
        metavar="SEED",
        minimum=0,
        reference=True,
    ),
)
BY_FLAG = {o.flag: o for o in OPTIONS}


def add(parser: pytest.Parser) -> None:
    group = parser.getgroup("erpsync-conformance", "GetEngineStatus conformance suite")
    for option in OPTIONS:
        env = f" (env {option.env})" if option.env else ""
        if option.kind == "flag":
            group.addoption(option.flag, action="store_true", default=None, dest=option.dest, help=option.help + env)
        elif option.kind == "list":
            group.addoption(
                option.flag, action="append", default=[], dest=option.dest, metavar=option.metavar, help=option.help
            )
        else:
            # Numbers are parsed in `resolve`, so a bad one is the same one line as a bad variable.
            group.addoption(option.flag, default=None, dest=option.dest, metavar=option.metavar, help=option.help + env)


def _number(option: Option, text: str, source: str) -> int | float:
    parse: Callable[[str], int | float] = int if option.kind == "int" else float
    try:
        value = parse(text.strip())
    except ValueError:
        raise OptionError(
            f"{source}: {text!r} is not {'a whole number' if option.kind == 'int' else 'a number'}"
        ) from None
    if isinstance(value, float) and not math.isfinite(value):
        raise OptionError(f"{source}: {text!r} is not a finite number")
    if option.minimum is not None:
        low = value < option.minimum if option.kind == "int" else value <= option.minimum
        if low:
            bound = f"at least {option.minimum:g}" if option.kind == "int" else f"more than {option.minimum:g}"
            raise OptionError(f"{source}: {text.strip()} is out of range: it must be {bound}")
    return value


def _flag(option: Option, text: str) -> bool:
    word = text.strip().lower()
    if word in TRUE or word in FALSE:
        return word in TRUE
    raise OptionError(f"{option.env}={text!r}: expected 1/true/yes/on or 0/false/no/off")


def asked(config: pytest.Config) -> bool:
    """Whether this pytest session is the suite's (a pytest plugin does nothing unless asked):
    one of its options given, one of its ERPSYNC_* variables set, or the suite's tests among
    what the session collects (a path at or inside conformance/suite, or --pyargs
    conformance.suite). Another project's pytest in the same environment is left as it was."""
    values = config.option
    if any(getattr(values, o.dest, None) not in (None, [], False) for o in OPTIONS):
        return True
    if any(o.env and os.environ.get(o.env) for o in OPTIONS):
        return True
    suite = Path(__file__).resolve().parent.parent / "suite"  # a path, not an import: the suite sits above the plugin
    here = Path(config.invocation_params.dir)
    for arg in config.args:
        name = arg.split("::", 1)[0]
        if getattr(values, "pyargs", False) and (name == "conformance" or name.startswith("conformance.suite")):
            return True
        path = (here / name).resolve()
        if path in (suite, suite.parent) or suite in path.parents:
            return True
        if path in suite.parents and not {"site-packages", "dist-packages"} & set(suite.relative_to(path).parts):
            return True  # a checkout's root (`pytest .`) collects the suite; a project whose venv holds it does not
    return False


@dataclass(frozen=True)
class Settings:
    """The suite's options as resolved once per process (resolve): the command line, else the
    environment variable, else the default. Read from the session's state, never from
    config.option, which keeps what pytest parsed."""

    target: str | None = None
    strict_should: bool = False
    max_requests: int | None = None
    rate: float | None = None
    require_complete: bool = False
    requirement: tuple[str, ...] = ()
    dry_run: bool = False
    slow_ms: float = float(NS_API_SLOW_MS)
    reports_dir: str = "reports"
    no_reports: bool = False
    keep: int | None = None
    results_json: str | None = None
    summary_file: str | None = None
    waivers: str | None = None
    reference_fault: tuple[str, ...] = ()
    reference_choice: tuple[str, ...] = ()
    reference_infer: bool = False
    reference_option: tuple[str, ...] = ()
    reference_volatile: int | None = None
    reference_random: int | None = None

    def limits(self, limits: Limits) -> Limits:
        """A target's limits with --max-requests and --rate (or their variables) over them."""
        return replace(limits, max_requests=self.max_requests or limits.max_requests, rate=self.rate or limits.rate)


def resolve(config: pytest.Config) -> Settings:
    """Every option's value, from the command line, else its environment variable, else its
    default, checked: raises OptionError naming the first bad one, carrying the Settings of the
    others (a bad one at its default)."""
    values = config.option
    resolved: dict[str, Any] = {}
    problems: list[OptionError] = []
    for option in OPTIONS:
        try:
            resolved[option.dest] = _resolved(option, getattr(values, option.dest, None))
        except OptionError as problem:
            problems.append(problem)
            resolved[option.dest] = () if option.kind == "list" else option.default
    settings = Settings(**resolved)
    try:
        _check(settings)
    except OptionError as problem:
        problems.append(problem)
    if problems:
        problems[0].settings = settings
        raise problems[0]
    return settings


def _resolved(option: Option, given: Any) -> Any:
    """One option's value: the command line, else its variable, else its default."""
    env = os.environ.get(option.env) if option.env else None
    value: Any
    if option.kind == "flag":
        value = bool(given) or (_flag(option, env) if env is not None else False)
    elif option.kind == "list":
        value = list(given or [])
    elif given is not None:
        value = _number(option, str(given), option.flag) if option.kind in ("int", "float") else given
    elif env is not None and env.strip():
        value = _number(option, env, f"{option.env}") if option.kind in ("int", "float") else env
    else:
        value = option.default
    return tuple(value) if option.kind == "list" else value


def _check(settings: Settings) -> None:
    if settings.target:
        for option in OPTIONS:
            if option.reference and getattr(settings, option.dest):
                raise OptionError(
                    f"{option.flag} is for the bundled reference server only; it cannot be combined with --target"
                )
    _check_faults(list(settings.reference_fault))
    _check_requirements(list(settings.requirement))


def _check_requirements(ids: list[str]) -> None:
    from conformance.contract.requirements import CATALOGUE

    known = [r.id for r in CATALOGUE]
    for rid in ids:
        if rid.upper() not in known:
            close = difflib.get_close_matches(rid.upper(), known, n=1)
            hint = f"; did you mean {close[0]}?" if close else ""
            raise OptionError(
                f"--requirement {rid!r} is no requirement of the catalogue{hint} "
                f"(docs/requirements.md lists the {len(known)})"
            )


def _check_faults(names: list[str]) -> None:
    from conformance.reference.faults import BY_NAME

    for name in names:
        if name not in BY_NAME:
            close = difflib.get_close_matches(name, BY_NAME, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise OptionError(
                f"--reference-fault {name!r} is not a fault of the reference server{hint} "
                f"(python -m conformance.reference --list-faults lists them)"
            )


def short_help() -> str:
    """The console script's --help: the suite's options only; pytest's are one flag away."""
    lines = [
        "usage: erpsync-conformance [OPTIONS] [PYTEST OPTIONS]",
        "       erpsync-conformance discover [--target FILE] [-o FILE]",
        "",
        f"Judge a GetEngineStatus server against the contract's {len(CATALOGUE)} requirements. Exit 0: conforms;",
        "1: does not conform, incomplete, or a waiver rotted; 2: a configuration error or an interrupted run.",
        "",
        "options:",
    ]
    rows = [
        (
            "--hypothesis-profile NAME",
            "how many combinations the generated tests draw: staging, dev, ci, thorough (env HYPOTHESIS_PROFILE)",
        )
    ]
    for option in OPTIONS:
        name = option.flag + (f" {option.metavar}" if option.metavar else "")
        rows.append((name, option.help + (f" (env {option.env})" if option.env else "")))
    rows += [
        ("-m EXPR, -k EXPR", "only some requirements: -m select, -m must, -k AUTH-03 ..."),
        ("-n N", "N worker processes (pytest-xdist)"),
        ("--junitxml FILE", "JUnit XML, one test case per test, named by its requirement IDs"),
        ("--version", "the versions of the suite, pytest, Hypothesis, schemathesis and Python"),
        ("--help-pytest", "pytest's own options, all of which may be given too"),
    ]
    width = max(len(name) for name, _ in rows) + 2
    for name, text in rows:
        lines.append(f"  {name:<{width}}{text}")
    return "\n".join(lines) + "\n"
