"""Root conftest of the project's own tests. Hypothesis's example profiles (dev, ci, staging,
thorough, quick, quick-db) are registered by the suite's pytest plugin (conformance/plugin/hypothesis_profiles.py),
which loads one only in a session of the suite's (conformance.plugin.options.asked); the project's own
tests load theirs here (and register the suite's markers) the same way: --hypothesis-profile, else HYPOTHESIS_PROFILE, else `ci`
when CI is set, else `dev`."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    from conformance.plugin import hypothesis_profiles
    from conformance.plugin.session import register_markers
    from conformance.plugin.state import state

    if not state(config).active:
        hypothesis_profiles.load(config.getoption("hypothesis_profile", default=None))
        register_markers(config)  # tests/test_property_split.py imports the suite's modules
