"""Named deviations from the contract, switched on one at a time to prove that checks can fail.

Each fault names the requirement(s) it breaks. The reference server consults `config.faults`
at the one place where the behaviour it changes is decided, so a fault changes exactly that.
A fault whose requirement is INFO level changes what is reported, never the verdict.
"""

from __future__ import annotations

from dataclasses import dataclass

from conformance.errors import ConfigurationError


@dataclass(frozen=True)
class Fault:
    name: str
    breaks: tuple[str, ...]
    """The requirement the fault is for first, then those it breaks by its nature."""
    doc: str
    cascades: bool = False
    """It breaks what nearly every check stands on (a plain POST): only `breaks[0]` is asserted."""
    choice: tuple[str, str] | None = None
    """(setting, choice): the legitimate choice on an open point the fault amounts to when it is made
    consistently. It is caught where the target pins another choice; a run that infers the profile
    reports it as the server's observed choice instead (CONTRACT-NOTES, "Open points")."""
    needs: tuple[tuple[str, str], ...] = ()
    """Serialisation or installation options (conformance.reference.variants) the fault shows on:
    an Online fault needs an Online server."""

    @property
    def suite_args(self) -> list[str]:
        """The suite's --reference-option arguments for `needs`."""
        return [arg for key, value in self.needs for arg in ("--reference-option", f"{key}={value}")]


def _f(name: str, breaks: str, doc: str, cascades: bool = False, choice: str | None = None, needs: str = "") -> Fault:
    return Fault(
        name,
        tuple(breaks.split()),
        doc,
        cascades,
        tuple(choice.split("=")) if choice else None,
        tuple(tuple(n.split("=")) for n in needs.split()),
    )  # type: ignore[misc]


SLOW = frozenset({"slow", "http-slow-xml"})
"""The faults that wait config.slow_seconds (the --slow-ms threshold and a fifth more, under the
suite's plugin): a run of one of them takes a small --slow-ms (the fault matrix: 10), or each answer waits six seconds."""

FAULTS: tuple[Fault, ...] = (
    # schema
    _f("schema-isrunning-string", "SCHEMA-01", 'IsRunning is sent as the string "true"/"false".'),
    _f("schema-missing-property", "SCHEMA-02", "Interval is left out of the body."),
    _f("schema-fieldlength-string", "SCHEMA-03", "Every FieldLength is sent as a string."),
    _f("schema-unknown-mask-flag", "SCHEMA-04", 'TableRight.Mask carries an undocumented flag name "Export".'),
    _f(
        "schema-interval-text",
        "SCHEMA-05",
        'Interval is sent as free text ("every 15 minutes").',
        choice="interval_format=any",
    ),
    _f("schema-extra-property", "SCHEMA-06", 'An undocumented "LastSyncUtc" property is added (INFO).'),
    # http
    _f("post-requires-content-type", "HTTP-01", "A POST without a Content-Type header gets 415.", cascades=True),
    _f("charset-missing", "HTTP-02", "JSON responses declare no charset parameter."),
    _f(
        "body-not-utf8", "HTTP-02 ACCEPT-02 SCHEMA-01", "text/json bodies are encoded as latin-1 while declaring utf-8."
    ),
    _f("slow", "HTTP-04", "Every response waits config.slow_seconds (default 5.5 s) first."),
    _f(
        "http-503-transient",
        "HTTP-03",
        "One POST in 25 is answered 503 without Retry-After (a temporary overload): "
        "a SHOULD finding, since asking once more gets the answer (RFC 9110 15.6.4).",
    ),
    _f(
        "coding-mislabelled",
        "HTTP-08",
        "When the request accepts gzip, answers say Content-Encoding: gzip but are sent uncompressed.",
    ),
    _f(
        "coding-unasked",
        "HTTP-08",
        "Every answer is gzip-compressed, whatever Accept-Encoding says (identity "
        "included): a SHOULD finding, as the coding is named and decodes.",
    ),
    _f("get-answers-data", "HTTP-07 HTTP-05", "GET runs the agent: it is answered like POST, with engine data."),
    _f("error-body-html", "HTTP-06", "Error responses are HTML pages instead of REST error bodies (INFO)."),
    # auth
    _f("auth-basic-rejected", "AUTH-01 AUTH-03 LANG-08", "Valid Basic credentials get 401."),
    _f("auth-ticket-rejected", "AUTH-02 AUTH-03 LANG-08", "A valid SOTicket gets 401."),
    _f("auth-scheme-case-sensitive", "AUTH-03", "Only the exact spellings Basic, SOTicket and Bearer are accepted."),
    _f("auth-bearer-rejected", "AUTH-04 AUTH-03 LANG-08", "A valid Bearer token gets 401."),
    _f("auth-open", "AUTH-05", "A request with no credentials at all gets 200 with engine data."),
    _f(
        "auth-refusal-leaks-body",
        "AUTH-05 AUTH-06 AUTH-07 AUTH-08 AUTH-12",
        "401 responses carry the engine status as their body.",
    ),
    _f("auth-basic-any-password", "AUTH-06 AUTH-08", "Basic accepts the right user name with any password."),
    _f("xsrf-not-required", "AUTH-07", "The session cookie is accepted without (or with a wrong) X-XSRF-TOKEN."),
    _f("auth-malformed-500", "AUTH-08 HTTP-03", "An Authorization header that cannot be parsed gets 500."),
    _f(
        "apptoken-restriction-ignored",
        "AUTH-09",
        "An app token without ErpSync access gets 200.",
        choice="app_tokens=unchecked",
    ),
    _f(
        "apptoken-optional-online",
        "AUTH-12",
        "On Online, a call with valid credentials and no SO-AppToken gets 200.",
        needs="installation=online",
    ),
    _f(
        "www-authenticate-missing",
        "AUTH-10",
        "401 responses carry no WWW-Authenticate (RFC 9110 15.5.2: a finding "
        "whether the run pins or infers the choice).",
    ),
    _f(
        "auth-scheme-body-differs",
        "AUTH-11",
        'Through Bearer, TableRight.Mask is "Select" instead of the real mask.',
        choice="principals=different",
    ),
    # select
    _f("select-empty-nulls-all", "SELECT-01", "An empty $select nulls every property."),
    _f(
        "select-stale-values",
        "SELECT-02 SELECT-09",
        "Selected StatusMessage is empty and selected FieldProperties is {}.",
    ),
    _f(
        "select-ignored",
        "SELECT-03 SELECT-04 SELECT-05 SELECT-06 SELECT-07 SELECT-09",
        "$select has no effect: every property is returned.",
    ),
    _f(
        "select-drops-fields",
        "SELECT-03 ACCEPT-08",
        "Properties not selected are removed instead of nulled.",
        choice="select_reference_types=omitted",
    ),
    _f(
        "select-case-sensitive",
        "SELECT-04",
        "$select names match only in their exact case.",
        choice="select_case=exact",
    ),
    _f("select-spaces-rejected", "SELECT-05", "$select with spaces around names or duplicates gets 400."),
    _f("select-unknown-500", "SELECT-06 HTTP-03 SELECT-09 SELECT-07", "An unknown name in $select gets 500."),
    _f(
        "select-nested-ignored",
        "SELECT-07",
        "A nested path such as TableRight/Mask selects nothing.",
        choice="select_nested=ignored",
    ),
    _f("select-xml-ignored", "SELECT-08", "$select has no effect on XML responses."),
    _f("select-only-unknown-500", "SELECT-09 HTTP-03", "A $select naming only unknown properties gets 500."),
    # accept
    _f("accept-xml-ignored", "ACCEPT-01 ACCEPT-04 ACCEPT-07", "XML types are answered with JSON."),
    _f(
        "accept-type-mislabelled",
        "ACCEPT-01 ACCEPT-04 ACCEPT-07 ACCEPT-02 SCHEMA-01",
        "Every response is labelled application/json, whatever its body.",
    ),
    _f("accept-patch-types-406", "ACCEPT-01", "application/json-patch+json and merge-patch+json get 406."),
    _f("json-patch-body-invalid", "ACCEPT-02 SCHEMA-01", "The two patch types get a body that is not valid JSON."),
    _f("xml-malformed", "ACCEPT-03", "XML bodies are not well-formed (an unclosed element)."),
    _f("xml-differs-from-json", "ACCEPT-03", "XML bodies carry IsRunning inverted."),
    _f("accept-qvalues-ignored", "ACCEPT-04", "The first listed supported type wins, whatever its q-value."),
    _f("accept-default-xml", "ACCEPT-05 ACCEPT-04", "No Accept or */* gets XML."),
    # An Accept whose every documented type is at q=0 accepts nothing, so it is answered as
    # unsupported too: 200 labelled with the type named, q=0 ignored (ACCEPT-04 by nature).
    _f(
        "accept-unsupported-mislabelled", "ACCEPT-06 ACCEPT-04", "An unsupported type gets 200 labelled with that type."
    ),
    _f("accept-case-sensitive", "ACCEPT-07", "Media types match only in lower case."),
    _f("accept-parameters-rejected", "ACCEPT-07", "A media type with parameters (charset=utf-8) gets 406."),
    _f(
        "xml-nil-wrong",
        "ACCEPT-08 ACCEPT-03 SELECT-08",
        'XML nulls are rendered as the text "null" instead of the profile\'s form.',
    ),
    # language
    _f(
        "lang-translates-booleans",
        "LANG-01 SCHEMA-01",
        'With a language set, IsRunning becomes a translated word ("Yes").',
    ),
    _f("lang-so-language-ignored", "LANG-02 LANG-04 LANG-07", "SO-Language is ignored; Accept-Language decides."),
    _f("lang-culture-without-language", "LANG-03", "SO-Culture formats StatusMessage even with no language set."),
    _f("lang-untranslated", "LANG-04", "[SR_...] references stay untranslated whatever the language."),
    _f("lang-star-translates", "LANG-04", "SO-Language: * (or x) does not turn translation off."),
    _f(
        "lang-culture-changes-numbers",
        "LANG-05",
        "With a culture in effect, FieldLength is culture-formatted and read back (2000 -> 2).",
    ),
    _f("tz-numeric-rejected", "LANG-06 LANG-07", "Numeric SO-TimeZone ids and ', includeTZOffset' get 400."),
    _f("lang-unknown-500", "LANG-07 HTTP-03", "An unknown language or culture gets 500."),
    _f("tz-unknown-500", "LANG-07 HTTP-03", "An unknown time zone gets 500."),
    _f(
        "apptoken-scheme-limited",
        "LANG-08 AUTH-09",
        "SO-AppToken is accepted only with SOTicket; beside Basic, Bearer or a session it gets 401.",
    ),
)

# Faults that live in one value of one dimension, or in one combination of features (issue 13):
# each is reached only where the suite's inputs cover the documented domains and their crossings.
FAULTS += (
    # schema: one principal's body
    _f("schema-fieldlength-string-bearer", "SCHEMA-03 AUTH-11", "Through Bearer, every FieldLength is a string."),
    _f("schema-mask-unknown-session", "SCHEMA-04 AUTH-11", 'Through a session, TableRight.Mask carries "Export".'),
    _f("schema-isrunning-null-soticket", "SCHEMA-01 AUTH-11", "Through SOTicket, IsRunning is null."),
    # http: one type, one combination
    _f("http-slow-xml", "HTTP-04", "XML answers wait config.slow_seconds first."),
    _f("http-patch-culture-500", "HTTP-03", "application/json-patch+json with an SO-Culture gets 500."),
    # auth: one credential edge, one Accept type without credentials
    _f("auth-password-prefix-accepted", "AUTH-06", "Basic accepts a prefix of the right password."),
    _f("auth-password-non-ascii-dropped", "AUTH-06", "Basic drops non-ASCII characters from the password first."),
    _f("auth-password-colon-truncated", "AUTH-06", "Basic reads the password only up to its first ':'."),
    _f("auth-empty-password-accepted", "AUTH-06 AUTH-08", "Basic accepts the right user with an empty password."),
    _f("auth-ticket-case-insensitive", "AUTH-06", "A SOTicket is compared without regard to case."),
    _f("auth-bearer-prefix-accepted", "AUTH-06", "A Bearer token that is a prefix of the right one is accepted."),
    _f("auth-xsrf-prefix-accepted", "AUTH-07", "An X-XSRF-TOKEN that is a prefix of the right one is accepted."),
    _f(
        "auth-xml-skips-auth",
        "AUTH-05 AUTH-06 AUTH-08 AUTH-07",
        "A request that accepts text/xml is answered without its credentials being checked.",
    ),
    # select: one near-miss name, one spelling, one combination
    _f(
        "select-prefix-matches",
        "SELECT-09 SELECT-06",
        'A $select name that begins a property\'s name selects it ("Status").',
    ),
    _f(
        "select-plural-matches",
        "SELECT-09 SELECT-06",
        'A $select name with an "s" added selects the property ("TableRights").',
    ),
    _f("select-duplicate-toggles", "SELECT-05", "A name given twice in $select is unselected again."),
    _f(
        "select-space-after-comma",
        "SELECT-05",
        "A $select name after a comma and a space is not trimmed, so not matched.",
    ),
    _f("select-nested-case-sensitive", "SELECT-04", "The part of a nested path matches only in its exact case."),
    _f(
        "select-ignored-with-language",
        "SELECT-03 SELECT-04 SELECT-05 SELECT-06 SELECT-07 SELECT-09 SELECT-02",
        "$select has no effect when a language is set.",
    ),
    # accept: one type, one parameter, one combination
    _f(
        "accept-merge-patch-xml-body",
        "ACCEPT-02 SCHEMA-01",
        "application/merge-patch+json is answered with the XML body.",
    ),
    _f("accept-text-xml-charset-406", "ACCEPT-07", "text/xml with parameters (charset) gets 406."),
    _f("accept-text-wildcard-406", "ACCEPT-04", "text/* gets 406."),
    _f("accept-xml-select-as-json", "ACCEPT-01 ACCEPT-04 ACCEPT-07", "XML with a $select is answered as JSON."),
    # language: one language, one zone code or spelling, one combination
    _f("lang-german-incomplete", "LANG-04", "German leaves one resource reference untranslated."),
    _f("lang-swedish-booleans", "LANG-01 SCHEMA-01", 'With Swedish, IsRunning becomes "Ja".'),
    _f("lang-zone-us-ny-400", "LANG-06", "SO-TimeZone US-NY (a documented code) gets 400."),
    _f("lang-zone-id-460-500", "HTTP-03 LANG-06", "SO-TimeZone 460 (US-NY's documented id) gets 500."),
    _f("lang-offset-lowercase-500", "HTTP-03 LANG-06", "', includeTZoffset' (the prose's own spelling) gets 500."),
    _f(
        "lang-empty-list-400",
        "LANG-07",
        "An Accept-Language of empty list elements only (`,`) gets 400, though "
        "RFC 9110 5.6.1.2 makes it no value at all.",
    ),
    _f("lang-region-tag-400", "LANG-01 LANG-07", "A language tag with a region (en-US, nb-NO) gets 400."),
    _f("lang-culture-with-select-500", "HTTP-03", "SO-Culture together with $select gets 500."),
    _f(
        "lang-star-with-list-translates",
        "LANG-04",
        "SO-Language: * does not turn translation off when Accept-Language is a list with q-values.",
    ),
)

BY_NAME: dict[str, Fault] = {f.name: f for f in FAULTS}


def validate(names: frozenset[str] | set[str] | tuple[str, ...]) -> frozenset[str]:
    unknown = sorted(set(names) - set(BY_NAME))
    if unknown:
        raise ConfigurationError(f"unknown fault(s): {', '.join(unknown)}; known: {', '.join(BY_NAME)}")
    return frozenset(names)
