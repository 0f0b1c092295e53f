"""Root conftest: Hypothesis profiles, chosen by HYPOTHESIS_PROFILE, else `ci` when CI is set.

dev: the default for people; ci: derandomized, no example database, so runs repeat exactly;
staging: few examples, for runs against a real tenant's request budget; quick: derandomized and
small, for the fault matrix's many whole-suite runs (the no-false-alarm runs keep `ci`);
quick-db: quick's size with the example database kept (give --hypothesis-seed to repeat a run),
for the secrets canary, which searches that database too.
"""

import os

from hypothesis import HealthCheck, Phase, settings

settings.register_profile("dev", max_examples=100, deadline=None)
settings.register_profile("ci", max_examples=100, deadline=None, derandomize=True, database=None,
                          print_blob=False, suppress_health_check=[HealthCheck.too_slow])
# thorough: ten times dev's examples, derandomized, for a longer run before a release.
settings.register_profile("thorough", max_examples=1000, deadline=None, derandomize=True, database=None,
                          print_blob=False, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("staging", max_examples=10, deadline=None, derandomize=True, database=None)
# quick skips the explain phase: it only annotates a failing example, and costs seconds per failing
# property in the fault matrix's and the hostile catalogue's many whole-suite runs.
settings.register_profile("quick", max_examples=20, deadline=None, derandomize=True, database=None,
                          phases=[p for p in Phase if p is not Phase.explain])
settings.register_profile("quick-db", max_examples=20, deadline=None)
settings.load_profile(os.getenv("HYPOTHESIS_PROFILE") or ("ci" if os.getenv("CI") else "dev"))
