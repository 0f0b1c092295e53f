"""Hypothesis's example profiles: how many combinations the generated tests draw, and whether
they repeat exactly. Registered when the suite's pytest plugin is imported, so an installed wheel,
a checkout and `--pyargs` offer the same names, and before Hypothesis's own plugin reads
`--hypothesis-profile`. Not to be confused with the target's open-point choices ([choices] in a
target file; conformance.contract.choices).

dev: the default for people, 30 examples per generated test (with the covering rows, every named
fault of the reference server caught in about 450 requests: bench/README.md, "Sensitivity");
ci: 100, derandomized, no example database, so runs repeat exactly (the default where the CI
environment variable is set: a gate runs unattended, where repeatability and breadth are worth
more requests); staging: few examples, for a real tenant's request budget; thorough: 1000, before
a release; quick: derandomized and small, for the project's own fault matrix; quick-db: quick's
size with the example database kept.
HYPOTHESIS_PROFILE names one; --hypothesis-profile overrides it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from typing import Callable

from hypothesis import HealthCheck, Phase, settings

from conformance.errors import ConfigurationError

ENVIRONMENT = "HYPOTHESIS_PROFILE"
_QUIET = {
    "deadline": None,
    "derandomize": True,
    "database": None,
    "print_blob": False,
    "suppress_health_check": [HealthCheck.too_slow],
}
PROFILES: dict[str, dict] = {
    "dev": {"max_examples": 30, "deadline": None},
    "ci": {"max_examples": 100, **_QUIET},
    "thorough": {"max_examples": 1000, **_QUIET},
    "staging": {"max_examples": 10, **_QUIET},
    # quick skips the explain phase: it only annotates a failing example, and costs seconds per
    # failing property in the fault matrix's many whole runs. It shrinks: an unshrunk example mixes
    # features, and its finding is then judged beside a reference that differs in more than one.
    "quick": {"max_examples": 20, **_QUIET, "phases": [p for p in Phase if p is not Phase.explain]},
    "quick-db": {"max_examples": 20, "deadline": None},
}


class UnknownProfile(ConfigurationError):
    pass


def register() -> None:
    for name, options in PROFILES.items():
        settings.register_profile(name, **options)


def from_environment() -> str:
    """The profile HYPOTHESIS_PROFILE names, else ci under CI, else dev."""
    return os.getenv(ENVIRONMENT, "").strip() or ("ci" if os.getenv("CI") else "dev")


def load(option: str | None) -> str:
    """The run's profile: --hypothesis-profile's (which Hypothesis's plugin then loads too), else
    the environment's, loaded here. Raises UnknownProfile naming a name nobody registered."""
    name = option or from_environment()
    try:
        settings.get_profile(name)  # one of the suite's, or one a conftest registered
    except Exception:  # InvalidArgument: not registered
        source = f"--hypothesis-profile {name!r}" if option else f"{ENVIRONMENT}={name!r}"
        raise UnknownProfile(
            f"{source} is not a Hypothesis profile of the suite (one of: {', '.join(PROFILES)})"
        ) from None
    settings.load_profile(name)
    return name


def keep_nothing() -> Callable[[], None]:
    """For a run that writes nothing (--no-reports): Hypothesis's storage (its example database and
    caches) in a temporary folder instead of ./.hypothesis. Returns what puts it back."""
    from hypothesis import configuration

    previous = configuration.storage_directory(intent_to_write=False).home_directory
    home = tempfile.mkdtemp(prefix="erpsync-hypothesis-")
    configuration.set_hypothesis_home_dir(home)

    def restore() -> None:
        configuration.set_hypothesis_home_dir(previous)
        shutil.rmtree(home, ignore_errors=True)

    return restore
