"""schemathesis integration: the OpenAPI document loaded once, the XML deserializer, the suite's
own schemathesis check, and the filing of schemathesis failures under requirements.

Kept apart from the test module so registrations happen once per process, however often the
suite is collected (the project's own tests run it many times in one process).
"""

from __future__ import annotations

import schemathesis
from hypothesis import settings
from schemathesis import GenerationMode
from schemathesis.checks import ServerError
from schemathesis.openapi.checks import ContentDeserializationError, JsonSchemaError

from conformance import contract, unicode_cache, xmlbody
from conformance.contract import XML_TYPES
from conformance.profile import Profile

JUDGED = ("HTTP-03", "SCHEMA-01", "SCHEMA-03", "ACCEPT-02", "ACCEPT-03", "AUTH-05", "LANG-01")
LANGUAGE_HEADERS = {h.lower() for h in contract.LANGUAGE_HEADERS}
_PROFILE: dict[str, Profile] = {"profile": Profile()}
COVERAGE_PHASE_MIN_EXAMPLES = 20


def use_profile(profile: Profile) -> None:
    """The target's profile, for reading XML nulls as it says."""
    _PROFILE["profile"] = profile


def openapi_schema():
    """schemas/openapi.yaml for schemathesis: positive and negative data, no generated credentials
    (the suite's session carries the target's). Loaded eagerly, as schemathesis 4.32's
    from_fixture reads request.node._nodeid, which pytest 9 no longer has; loaded anew for each
    collection, as a schema object does not survive reuse across pytest sessions. Hypothesis's
    UTF-8 table, which schemathesis's strategies need, is written first (conformance.unicode_cache)."""
    unicode_cache.seed_utf8_table()
    loaded = schemathesis.openapi.from_path(contract.schemas_dir() / "openapi.yaml")
    loaded.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
                                    with_security_parameters=False)
    loaded.config.phases.coverage.enabled = coverage_phase(settings.default.max_examples)
    return loaded


def coverage_phase(max_examples: int) -> bool:
    """Whether schemathesis runs its coverage phase: a fixed set of boundary cases of the document
    (24 for GetEngineStatus) that ignores max_examples. A profile that asks for fewer generated
    examples than COVERAGE_PHASE_MIN_EXAMPLES (staging: 10, for a tenant's request budget) gets the
    examples and fuzzing phases only, whose size max_examples does set; the example tests send the
    documented values the coverage phase would."""
    return max_examples >= COVERAGE_PHASE_MIN_EXAMPLES


@schemathesis.deserializer(*XML_TYPES)
def datacontract_xml(ctx, response):
    """XML bodies in their DataContract shape, for the OpenAPI document's XML schema."""
    return xmlbody.datacontract_shape(response.content, _PROFILE["profile"])


@schemathesis.check
def erpsync_refusal_without_data(ctx, response, case):
    """A 401 or 403 never carries the engine status (AUTH-05)."""
    if response.status_code in (401, 403):
        text = response.content.decode("utf-8", "replace")
        leaked = [p for p in ("IsRunning", "FieldProperties", "StatusMessage") if p in text]
        if leaked:
            raise AssertionError(f"AUTH-05: a {response.status_code} carries engine data: {', '.join(leaked)}")
    return None


def file_failure(failure: BaseException, media: str | None, headers: dict | None = None,
                 plain_body_valid: bool = False) -> str:
    """The requirement a schemathesis failure breaks, by its kind, the response's media type and
    the headers the case sent: a body off the schema with a language set, while the plain body
    (no language headers) is valid, is LANG-01's."""
    text = str(failure)
    if isinstance(failure, ServerError):
        return "HTTP-03"
    if media in XML_TYPES:
        return "ACCEPT-03"
    if isinstance(failure, ContentDeserializationError):
        return "ACCEPT-02"
    if isinstance(failure, JsonSchemaError) and plain_body_valid \
            and LANGUAGE_HEADERS & {h.lower() for h in (headers or {})}:
        return "LANG-01"
    if isinstance(failure, JsonSchemaError):
        # The response schema is anyOf [body, null], so schemathesis reports the root; the
        # suite's own validation of the same instance names the part that is off.
        found = contract.violations(failure.instance, contract.SELECT_VIEW)
        top = [v for v in found if not v.startswith(("$.TableRight", "$.FieldProperties"))]
        return "SCHEMA-03" if found and not top else "SCHEMA-01"
    return next((rid for rid in JUDGED if text.startswith(f"{rid}:") or f"\n{rid}:" in text), "SCHEMA-01")
