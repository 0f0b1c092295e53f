"""`erpsync-conformance` (console script; also `python -m conformance`): the suite, run by pytest,
with the exit codes a release pipeline gates on.

0: every MUST requirement that ran passed (with --strict, every SHOULD too) and every waiver
holds; 1: a requirement failed, a MUST stayed untested, or a waiver rotted; 2: a usage or
configuration error (bad target or waiver file, missing secret, unreachable base URL, bad
command line). pytest's own codes for an interrupted run, an internal error, a bad command line
and an empty selection (2, 3, 4, 5) all become 2 here, and so does output to a reader that went
away (`| head`): the run stopped part-way. Any pytest option may follow.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

import conformance.suite

SUITE = str(Path(conformance.suite.__file__).parent)


def exit_code(pytest_code: int) -> int:
    return {pytest.ExitCode.OK: 0, pytest.ExitCode.TESTS_FAILED: 1}.get(pytest_code, 2)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if "no:cacheprovider" not in args:
        args = ["-p", "no:cacheprovider", *args]  # no .pytest_cache left in the caller's folder
    # This package is imported before pytest starts, so pytest cannot rewrite its asserts (the
    # checks use none) and would say so on every run.
    args = ["-W", "ignore::pytest.PytestAssertRewriteWarning", *args]
    try:
        return exit_code(pytest.main([SUITE, *args]))
    except BrokenPipeError:
        return closed_output()


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
