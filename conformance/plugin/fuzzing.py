"""schemathesis integration: the OpenAPI document loaded once, for schemathesis to draw cases from.

Kept apart from the test module so that the document is loaded once per process, however often the
suite is collected (the project's own tests run it many times in one process). schemathesis only
generates here: every case is sent through the suite's run and judged by its registered checks
(conformance.suite.test_schemathesis), so it needs no checks and no deserializers of its own.
"""

from __future__ import annotations

import schemathesis
from hypothesis import settings
from schemathesis import GenerationMode

from conformance.contract import endpoint
from conformance.plugin import unicode_cache

COVERAGE_PHASE_MIN_EXAMPLES = 20


def openapi_schema():
    """schemas/openapi.yaml for schemathesis: positive and negative data, no generated credentials
    (the suite's session carries the target's). Loaded eagerly, as schemathesis 4.32's
    from_fixture reads request.node._nodeid, which pytest 9 no longer has; loaded anew for each
    collection, as a schema object does not survive reuse across pytest sessions. Hypothesis's
    UTF-8 table, which schemathesis's strategies need, is written first (conformance.plugin.unicode_cache)."""
    unicode_cache.seed_utf8_table()
    loaded = schemathesis.openapi.from_path(endpoint.schemas_dir() / "openapi.yaml")
    loaded.config.generation.update(
        modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE], with_security_parameters=False
    )
    loaded.config.phases.coverage.enabled = coverage_phase(settings.default.max_examples)
    return loaded


def coverage_phase(max_examples: int) -> bool:
    """Whether schemathesis runs its coverage phase: a fixed set of boundary cases of the document
    (24 for GetEngineStatus) that ignores max_examples. A profile that asks for fewer generated
    examples than COVERAGE_PHASE_MIN_EXAMPLES (staging: 10, for a tenant's request budget) gets the
    examples and fuzzing phases only, whose size max_examples does set; the example tests send the
    documented values the coverage phase would."""
    return max_examples >= COVERAGE_PHASE_MIN_EXAMPLES
