"""The pytest shell: hooks, options, Hypothesis profiles, run state, judging tests, collecting outcomes, schemathesis glue."""
