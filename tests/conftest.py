"""Fixtures of the project's own tests: reference servers on 127.0.0.1, port 0."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

import _pytest.pytester as _pytester
import pytest

from conformance.reference import ReferenceServer, ServerConfig


@pytest.fixture(scope="session")
def reference() -> Iterator[ReferenceServer]:
    """The reference server with its default configuration, shared by the whole session."""
    with ReferenceServer() as server:
        yield server


@pytest.fixture
def serve():
    """`with serve(faults={...}, profile=...) as server:` a server with another configuration."""

    @contextmanager
    def _serve(config: ServerConfig | None = None, **changes) -> Iterator[ReferenceServer]:
        with ReferenceServer((config or ServerConfig()).with_(**changes)) as server:
            yield server

    return _serve


pytest_plugins = ["pytester"]


def _keeping_libraries(self) -> _pytester.SysModulesSnapshot:
    """pytester forgets, after each in-process run, every module the run imported. A library module
    imported anew in every run (schemathesis imports its coverage and pattern modules lazily) keeps
    the run's whole pytest session alive through its loader, the run's assertion-rewriting hook:
    about 13 MB a run, gigabytes over the fault matrix. Only the test modules a run collects are
    forgotten here; libraries stay imported once."""
    return _pytester.SysModulesSnapshot(
        preserve=lambda name: not name.startswith(("conformance.suite", "test_", "conftest"))
    )


_pytester.Pytester._Pytester__take_sys_modules_snapshot = _keeping_libraries

# Imported here, before any in-process suite run, so that they are imported once, by this process.
import conformance.checks  # noqa: E402
import conformance.model.strategies  # noqa: E402,F401
import conformance.plugin.fuzzing  # noqa: E402,F401
import conformance.reference  # noqa: E402,F401
import conformance.report.render  # noqa: E402,F401
import conformance.run.discovery  # noqa: E402,F401
import conformance.run.routing  # noqa: E402,F401
import conformance.run.runner  # noqa: E402,F401

conformance.checks.registry()
