"""The pytest plugin (entry point pytest11). The suite's options and fixtures arrive with the suite;
for now it declares the marker every conformance test carries."""

from __future__ import annotations


def pytest_configure(config) -> None:
    config.addinivalue_line(
        "markers", "requirement(*ids): the catalogue requirement(s) a test judges (conformance.requirements)"
    )
