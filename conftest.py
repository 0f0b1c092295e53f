"""Root conftest of the project's own tests. Hypothesis's example profiles (dev, ci, staging,
thorough, quick, quick-db) are registered and chosen by the suite's pytest plugin
(conformance/examples.py): HYPOTHESIS_PROFILE, else `ci` when CI is set, else `dev`."""
