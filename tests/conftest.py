"""Fixtures of the project's own tests: reference servers on 127.0.0.1, port 0."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

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

# Imported here, before any in-process suite run, so that schemathesis and the suite's
# registrations with it live once for the whole test process.
import conformance.fuzzing  # noqa: E402,F401
