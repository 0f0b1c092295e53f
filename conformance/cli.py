"""`erpsync-conformance` (console script; also `python -m conformance`): the suite, run by pytest,
with the exit codes a release pipeline gates on; and `erpsync-conformance discover`, which decides
the target's open points from its answers and writes them as a [choices] table.

0: every MUST requirement that ran passed (with --strict-should, every SHOULD too) and every
waiver holds; 1: a requirement failed, a MUST stayed untested, or a waiver rotted; 2: a usage or
configuration error (bad target or waiver file, missing secret, unreachable base URL, bad
command line). pytest's own codes for an interrupted run, an internal error, a bad command line
and an empty selection (2, 3, 4, 5) all become 2 here, and so does output to a reader that went
away (`| head`): the run stopped part-way. Any pytest option may follow.
"""

from __future__ import annotations

import argparse
import os
import sys
from importlib import metadata
from pathlib import Path

import pytest

import conformance.suite
from conformance.errors import ConfigurationError
from conformance.plugin import options, state

SUITE = str(Path(conformance.suite.__file__).parent)
PACKAGES = ("erpsync-conformance", "pytest", "hypothesis", "schemathesis", "jsonschema", "requests", "pytest-xdist")


class BadUsage(ConfigurationError):
    """A command line pytest refused: its message in one line."""


class OneLineUsage:
    """pytest's refusal of a command line (usage, an unknown option, a value of the wrong type) as
    the suite's one line, not pytest's usage text."""

    @pytest.hookimpl(wrapper=True)
    def pytest_cmdline_parse(self, pluginmanager, args):
        try:
            return (yield)
        except pytest.UsageError as problem:
            text = str(problem).strip().splitlines()
            errors = [line.split("error: ", 1)[1] for line in text if "error: " in line]
            raise BadUsage(errors[-1] if errors else (text[-1] if text else "bad command line")) from None


def exit_code(pytest_code: int) -> int:
    return {int(pytest.ExitCode.OK): 0, int(pytest.ExitCode.TESTS_FAILED): 1}.get(int(pytest_code), 2)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    try:
        if args[:1] == ["discover"]:
            return discover_main(args[1:])
        return run_main(args)
    except BrokenPipeError:
        return closed_output()


class OneLineParser(argparse.ArgumentParser):
    """discover's parser: a bad argument is the suite's one line, not argparse's usage text."""

    def error(self, message: str):
        raise BadUsage(f"discover: {message}")


def version() -> str:
    found = []
    for name in PACKAGES:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} (not installed)")
    return ", ".join(found) + f", Python {sys.version.split()[0]}"


def summary_file(args: list[str]) -> str | None:
    """--summary-file's value as the command line or the environment gives it (read here for the
    errors pytest raises before the plugin is configured)."""
    for i, arg in enumerate(args):
        if arg == "--summary-file" and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith("--summary-file="):
            return arg.split("=", 1)[1]
    return os.getenv("ERPSYNC_SUMMARY_FILE") or None


def refuse(message: str, args: list[str]) -> int:
    line = f"erpsync-conformance: {message}"
    print(line, file=sys.stderr)
    target = summary_file(args)
    if target:
        try:
            with open(target, "a", encoding="utf-8") as out:
                out.write(f"### erpsync-conformance: configuration error\n\n{line}\n")
        except OSError:
            pass
    return 2


def run_main(args: list[str]) -> int:
    words = args[: args.index("--")] if "--" in args else args
    if "--version" in words:
        print(version())
        return 0
    if "--help-pytest" in words:
        return exit_code(pytest.main([SUITE, "--help"]))
    if "-h" in words or "--help" in words:
        print(options.short_help(), end="")
        return 0
    state.INVOKED[:] = ["erpsync-conformance", *args]  # what results.json and the report name as the command
    if not any(a.startswith("junit_suite_name=") for a in args):
        args = ["-o", "junit_suite_name=erpsync-conformance", *args]
    # pytest's summary of failed tests says again, by test and in Python's words, what the verdict
    # table says by requirement; -q is the verdict and the failures only (no tracebacks either).
    # Given first, so the caller's own -r and --tb win (and a checkout's addopts lose).
    quiet = any(w in ("-q", "--quiet") or (w.startswith("-q") and set(w[1:]) == {"q"}) for w in words)
    args = ["-rN", "--tb=no", *args] if quiet else ["-rfE", *args]
    if "no:cacheprovider" not in args:
        args = ["-p", "no:cacheprovider", *args]  # no .pytest_cache left in the caller's folder
    # This package is imported before pytest starts, so pytest cannot rewrite its asserts (the
    # checks use none) and would say so on every run.
    args = ["-W", "ignore::pytest.PytestAssertRewriteWarning", *args]
    try:
        return exit_code(pytest.main([SUITE, *args], plugins=[OneLineUsage()]))
    except BadUsage as problem:
        return refuse(str(problem), args)


def discover_main(argv: list[str]) -> int:
    """Decide every open point from the target's answers (a few dozen requests, within its budget
    and rate), print the [choices] table, and write it to -o FILE."""
    from dataclasses import replace

    from conformance.contract.choices import SETTINGS, Profile, key_values
    from conformance.reference.config import published_credentials
    from conformance.run.discovery import discover, profile_toml
    from conformance.run.preflight import unreachable
    from conformance.run.runner import Run
    from conformance.wire.target import load
    from conformance.wire.transport.client import Client

    parser = OneLineParser(
        prog="erpsync-conformance discover",
        description="Decide the target's open points from its answers; write a "
        "[choices] table citing the exchange behind each choice.",
    )
    parser.add_argument(
        "--target",
        default=os.getenv("ERPSYNC_TARGET"),
        metavar="FILE",
        help="target TOML file (env ERPSYNC_TARGET); default: the bundled reference server",
    )
    parser.add_argument("-o", "--output", metavar="FILE", help="also write the [choices] table to FILE")
    parser.add_argument(
        "--into",
        metavar="FILE",
        help="merge the choices into this target file's [choices] table, keeping its comments "
        "and other keys (without --target: the target is this file)",
    )
    parser.add_argument("--max-requests", type=int, metavar="N", help="request budget (default: the target's)")
    parser.add_argument("--rate", type=float, metavar="PER_SECOND", help="requests per second at most")
    parser.add_argument(
        "--reference-choice",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="bundled server only: a choice of the server (repeatable)",
    )
    parser.add_argument(
        "--reference-random", type=int, metavar="SEED", help="without --target: the conformant server drawn from SEED"
    )
    parser.add_argument(
        "--reference-option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="bundled server only: a serialisation or data variant (repeatable)",
    )
    try:
        args = parser.parse_args(argv)
    except BadUsage as problem:
        return refuse(str(problem), [])
    if args.into and not args.target:
        args.target = args.into
    if args.max_requests is not None and args.max_requests < 1:
        return refuse(f"discover: --max-requests: {args.max_requests} is out of range: it must be at least 1", [])
    if args.rate is not None and not args.rate > 0:
        return refuse(f"discover: --rate: {args.rate:g} is out of range: it must be more than 0", [])
    if args.into:
        from conformance.run.choices_merge import MergeError, readable

        try:
            readable(Path(args.into))  # before any request: a file that cannot take the choices
        except MergeError as problem:
            print(f"erpsync-conformance discover: {problem}", file=sys.stderr)
            return 2
    server = None
    try:
        if args.target:
            target = replace(load(args.target), published=published_credentials())
            down = unreachable(target)
            if down:
                print(f"erpsync-conformance: {down}", file=sys.stderr)
                return 2
        else:
            from conformance.reference import ReferenceServer
            from conformance.reference.generator import reference_config

            server = ReferenceServer(
                reference_config(
                    args.reference_random,
                    key_values(args.reference_choice, "--reference-choice"),
                    key_values(args.reference_option, "--reference-option"),
                )
            ).start()
            target = replace(server.target(), profile=Profile())
    except ConfigurationError as problem:
        print(f"erpsync-conformance: {problem}", file=sys.stderr)
        return 2
    try:
        limits = replace(
            target.limits,
            max_requests=args.max_requests or target.limits.max_requests,
            rate=args.rate or target.limits.rate,
        )
        run = Run(target, Client(replace(target, limits=limits), reuse=True))
        observations = discover(run, [s.key for s in SETTINGS])
    finally:
        if server is not None:
            server.stop()
    text = f"# erpsync-conformance discover: {target.name} ({target.source}), {run.client.budget.used} requests\n"
    text += profile_toml(observations, target.profile)
    print(text, end="")
    if args.output:
        try:
            Path(args.output).write_text(text, "utf-8")
        except OSError as problem:
            print(f"erpsync-conformance: cannot write {args.output}: {problem.strerror or problem}", file=sys.stderr)
            return 2
    if args.into:
        from conformance.run.choices_merge import merge

        try:
            merged = merge(Path(args.into), observations)
        except MergeError as problem:
            print(f"erpsync-conformance discover: {problem}", file=sys.stderr)
            return 2
        print(f"erpsync-conformance discover: {merged.said(args.into)}", file=sys.stderr)
    return 0


def closed_output() -> int:
    """The reader of stdout went away: no traceback, and none either when Python flushes stdout on
    exit (it is pointed at /dev/null, as the Python documentation of SIGPIPE advises)."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    return 2


if __name__ == "__main__":
    sys.exit(main())
