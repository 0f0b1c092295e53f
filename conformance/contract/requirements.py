"""The requirement catalogue: every requirement the suite judges, by a stable ID.

IDs are names, never positions: an ID is never renumbered or reused, and a removed requirement
leaves a gap. `source` quotes the endpoint's reference page (GetEngineStatus.txt, "page") or
restates a CONTRACT-NOTES fact with its number; `authority` says in a few words what makes the
expectation what it is (the vendor's page, another vendor document, an RFC, or a choice
the target pins or the run infers); `settings` names the open-point settings (conformance.contract.choices)
the expected behaviour depends on, if any. docs/requirements.md is the table of them all
(`python -m conformance.contract.requirements` prints it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

LEVELS = ("MUST", "SHOULD", "INFO")
AREAS = {
    "SCHEMA": "schema",
    "HTTP": "http",
    "AUTH": "auth",
    "SELECT": "select",
    "ACCEPT": "accept",
    "LANG": "language",
}
ID_PATTERN = re.compile(r"^(?P<prefix>[A-Z]+)-(?P<number>\d{2})$")


@dataclass(frozen=True)
class Requirement:
    id: str
    level: str
    title: str
    source: str
    authority: str
    settings: tuple[str, ...] = ()

    @property
    def area(self) -> str:
        return AREAS[self.id.split("-")[0]]


def _r(id: str, level: str, title: str, source: str, authority: str, settings: str = "") -> Requirement:
    return Requirement(id, level, title, source, authority, tuple(settings.split()))


PAGE = "GetEngineStatus reference page"

CATALOGUE: tuple[Requirement, ...] = (
    # --- schema -----------------------------------------------------------------------------
    _r(
        "SCHEMA-01",
        "MUST",
        "A 200 body is a JSON object that validates as ErpSyncEngineStatus",
        f'{PAGE}: "Response body: ErpSyncEngineStatus"; types per fact 3 (Swagger extract, WSDL '
        "excerpt): IsRunning boolean, StatusMessage string, Interval string, TableRight, "
        "FieldProperties object.",
        "vendor page; Swagger and WSDL (fact 3)",
    ),
    _r(
        "SCHEMA-02",
        "MUST",
        "With no $select all five properties are present",
        f'{PAGE}: "$select ... Default = show all fields."; the five properties of the response '
        "body table: IsRunning, StatusMessage, Interval, TableRight, FieldProperties.",
        "vendor page",
    ),
    _r(
        "SCHEMA-03",
        "MUST",
        "TableRight and every FieldProperties value have the documented parts and types",
        "Fact 3: TableRight {Mask: string, Reason: string}; FieldProperty {FieldRight: {Mask, "
        "Reason}, FieldType: string, FieldLength: int32}; Mask and FieldLength are not nillable "
        "(WSDL).",
        "Swagger and WSDL (fact 3)",
    ),
    _r(
        "SCHEMA-04",
        "SHOULD",
        "Mask values use only the documented flag names (or numbers)",
        "Fact 4: \"Mask values are .NET flags rendered as a string: names joined by ', '\", with "
        "the ETableRight and EFieldRight names and aliases listed there; fact 16: flags may also be "
        "space-separated.",
        "vendor enum reference (facts 4, 16)",
    ),
    _r(
        "SCHEMA-05",
        "SHOULD",
        "Interval is a TimeSpan (or ISO 8601 duration) text",
        'Fact 5: "Interval is a .NET TimeSpan (xs:duration in SOAP) ... the usual .NET JSON form '
        'is "hh:mm:ss", optionally "d.hh:mm:ss"."',
        "WSDL (fact 5); choice",
        "interval_format",
    ),
    _r(
        "SCHEMA-06",
        "INFO",
        "Properties beyond the documented five are listed",
        f"{PAGE}: the response body table documents five properties; anything else is an "
        "undocumented extension worth knowing about.",
        "vendor page",
    ),
    # --- http -------------------------------------------------------------------------------
    _r(
        "HTTP-01",
        "MUST",
        "An authorised POST with no body and no parameters gets 200",
        f'{PAGE}: "POST /api/v1/Agents/ErpSync/GetEngineStatus ... Response ... 200 OK"; fact 1: '
        "no request body (consumes: []).",
        "vendor page; Swagger (fact 1)",
    ),
    _r(
        "HTTP-02",
        "SHOULD",
        "JSON responses declare charset=utf-8 (MUST: the body is valid UTF-8)",
        f'{PAGE} sample response: "Content-Type: application/json; charset=utf-8"; RFC 8259 '
        'section 8.1: JSON exchanged between systems "MUST be encoded using UTF-8".',
        "vendor page sample; RFC 8259",
    ),
    _r(
        "HTTP-03",
        "MUST",
        "No request, valid or malformed, gets a 5xx",
        'Fact 11: "a malformed request as 400"; RFC 9110 section 15.6: a 5xx means the server '
        "failed, never a conformant answer to a client's input.",
        "vendor doc (fact 11); RFC 9110",
    ),
    _r(
        "HTTP-04",
        "SHOULD",
        "The response comes within the NsApiSlow threshold (5000 ms)",
        'Fact 2: the operation description says "NsApiSlow threshold: 5000 ms".',
        "Swagger (fact 2)",
    ),
    _r(
        "HTTP-05",
        "INFO",
        "How methods other than POST are answered",
        f'{PAGE}: only "POST /api/v1/Agents/ErpSync/GetEngineStatus" is documented.',
        "vendor page",
    ),
    _r(
        "HTTP-07",
        "MUST",
        "A GET does not run the agent: its answer carries no engine status",
        'Fact 20 (agents-webapi/index.md): "GET this to get a description of the call. The method is '
        'not invoked using GET." A description, 404 or 405 are all reasonable answers.',
        "vendor doc (fact 20)",
    ),
    _r(
        "HTTP-06",
        "INFO",
        "The shape of error responses is listed",
        'Fact 11: REST errors use a JSON body such as {"Error": true, "ErrorType": ..., '
        '"ErrorMessage": ..., "ErrorSource": ...}; agent endpoints may answer 200 with null.',
        "vendor doc (fact 11)",
    ),
    _r(
        "HTTP-08",
        "SHOULD",
        "No content coding is applied unasked (MUST: the coding named is the coding applied)",
        'RFC 9110 section 8.4: Content-Encoding lists the codings "that have been applied to the '
        'representation"; section 12.5.3: when the request lists no acceptable coding the server '
        '"SHOULD send a response without any content coding". Compressing when asked is the '
        "server's choice; the decoded body is judged as any other.",
        "RFC 9110",
    ),
    # --- auth -------------------------------------------------------------------------------
    _r(
        "AUTH-01",
        "MUST",
        "Basic with valid credentials gets 200",
        f"{PAGE}: \"Authorization: Supports 'Basic', 'SoTicket' and 'Bearer' schemes, "
        'depending on installation type."; fact 8: Basic base64(user:password).',
        "vendor page; vendor doc (fact 8)",
    ),
    _r(
        "AUTH-02",
        "MUST",
        "SOTicket with a valid ticket gets 200",
        f'{PAGE}: Authorization "Supports ... \'SoTicket\'"; fact 8: "SOTicket 7T:... with the ticket unencoded".',
        "vendor page; vendor doc (fact 8)",
    ),
    _r(
        "AUTH-03",
        "SHOULD",
        "The authorization scheme word is matched case-insensitively",
        'Fact 8: "The scheme word is written SOTicket, SOTICKET and SoTicket in different vendor '
        'pages: match it case-insensitively."; RFC 9110 section 11.1: the scheme is a '
        '"case-insensitive token".',
        "vendor docs (fact 8); RFC 9110",
    ),
    _r(
        "AUTH-04",
        "MUST",
        "Bearer with a valid token gets 200",
        f'{PAGE}: Authorization "Supports ... \'Bearer\'"; fact 8: "Bearer 8A:Cust12345....".',
        "vendor page; vendor doc (fact 8)",
    ),
    _r(
        "AUTH-05",
        "MUST",
        "No credentials at all is refused and the body carries no engine data",
        'Fact 9: with no Authorization header and no X-XSRF-TOKEN: "401 Unauthorized"; fact 11: '
        "agents may signal failures as 200 with a null body.",
        "vendor doc (facts 9, 11); choice",
        "refusal",
    ),
    _r(
        "AUTH-06",
        "MUST",
        "A wrong password, unknown ticket or invalid token is refused, with no engine data",
        'Fact 9: "An expired token also gives 401."; fact 8: the credentials each scheme carries; '
        "fact 18: wrong credentials for a scheme a server does not offer may get 400.",
        "vendor doc (facts 8, 9, 18); choice",
        "refusal",
    ),
    _r(
        "AUTH-07",
        "MUST",
        "A session cookie is accepted only with the matching X-XSRF-TOKEN",
        f'{PAGE}: "X-XSRF-TOKEN: If not using Authorization header, you must provide XSRF value '
        'from cookie or hidden input field"; fact 9: "Without it: 401 Unauthorized."',
        "vendor page; vendor doc (fact 9); choice",
        "refusal",
    ),
    _r(
        "AUTH-08",
        "MUST",
        "Malformed Authorization values are refused (a 4xx, or the null-body refusal)",
        'Fact 11: "a malformed request as 400", and agents may signal failures as 200 with a null '
        "body; fact 8: the three documented header forms.",
        "vendor doc (facts 8, 11); choice",
        "refusal",
    ),
    _r(
        "AUTH-09",
        "MUST",
        "An app token without ErpSync access is refused while a granted one gets 200 (where tokens are checked)",
        f'{PAGE}: "Online Restricted: The ErpSync agent is not available in Online by default. '
        'Access must be requested specifically when app is registered." (fact 10); fact 18: '
        '"ApplicationTokens are not checked for on-site installations".',
        "vendor page; vendor docs (facts 10, 18); choice",
        "app_tokens refusal",
    ),
    _r(
        "AUTH-10",
        "SHOULD",
        "401 responses carry WWW-Authenticate",
        'RFC 9110 section 15.5.2: a 401 response "MUST send a WWW-Authenticate header field"; '
        "the vendor does not document its challenge. An omission is a finding unless the target pins "
        'www_authenticate = "optional".',
        "RFC 9110 (fact 22); choice",
        "www_authenticate",
    ),
    _r(
        "AUTH-12",
        "MUST",
        "On Online, a call without SO-AppToken is refused",
        'Fact 21: "Application tokens must be specified if calling an Online installation" (SOAP '
        'reference pages of the ErpSync agent); SO-AppToken "must be supplied when invoking any of the '
        'SuperOffice CRM Online web services" (developer-portal app-config). Applies where the target '
        "declares [apptoken] required = true (an Online tenant).",
        "vendor docs (fact 21)",
        "refusal",
    ),
    _r(
        "AUTH-11",
        "MUST",
        "Every supported scheme returns the same engine state (and the same body for one principal)",
        f'{PAGE}: the schemes are alternatives "depending on installation type"; fact 17: schemes '
        "may be different principals, and only IsRunning, StatusMessage and Interval are the "
        "engine's own state.",
        "vendor page; vendor docs (fact 17); choice",
        "principals",
    ),
    # --- select -----------------------------------------------------------------------------
    _r(
        "SELECT-01",
        "MUST",
        "No or an empty $select returns all fields",
        f'{PAGE}: "$select ... Optional ... Default = show all fields." (A clause of separators '
        "only is undocumented: all fields, or names no installation has.)",
        "vendor page",
        "select_only_unknown select_unknown",
    ),
    _r(
        "SELECT-02",
        "MUST",
        "Each selected property equals its unfiltered value",
        f'{PAGE}: "$select: Optional comma separated list of properties to include in the result."',
        "vendor page",
    ),
    _r(
        "SELECT-03",
        "MUST",
        "Each property not selected is nulled (as null, its type default or left out, per the server's choice)",
        f'{PAGE}: "Other fields are then nulled out to reduce payload size".',
        "vendor page; choice",
        "select_value_types select_reference_types",
    ),
    _r(
        "SELECT-04",
        "SHOULD",
        "$select names match case-insensitively",
        f'{PAGE}: the example "Name,department,category" mixes case. (Fact 13: OData 4.01 matches '
        "query option names such as $select case-insensitively; it says nothing of property names, so "
        "exact matching is a choice.)",
        "vendor page example; choice",
        "select_case",
    ),
    _r(
        "SELECT-05",
        "SHOULD",
        "Spaces around names and duplicate names are tolerated",
        f'{PAGE}: "comma separated list of properties".',
        "vendor page",
    ),
    _r(
        "SELECT-06",
        "MUST",
        "Unknown names follow the server's choice (ignored or 400), never 5xx",
        'CONTRACT-NOTES open point "unknown name in $select": ignored / 400; a path into a property '
        "without such a part is an unknown name or keeps the property (open point, decided per "
        "property).",
        "choice",
        "select_unknown select_path_fallback select_path_fallback_table_right select_path_fallback_is_running "
        "select_path_fallback_status_message select_path_fallback_interval",
    ),
    _r(
        "SELECT-07",
        "SHOULD",
        "A nested path such as TableRight/Mask keeps that part",
        f'{PAGE}: the example "$select=name,department,category/id" selects a nested path.',
        "vendor page example; choice",
        "select_nested select_path_fallback_table_right",
    ),
    _r(
        "SELECT-08",
        "SHOULD",
        "$select has the same effect in JSON and XML",
        'Fact 13: OData, where $select comes from, applies it "to the returned representation"; '
        f"{PAGE}: $select and Accept are independent parameters of one operation.",
        "OData (fact 13); vendor page",
    ),
    _r(
        "SELECT-09",
        "MUST",
        "A $select naming only unknown properties follows the server's choice, never 5xx",
        'CONTRACT-NOTES open point "$select naming only unknown properties": every property '
        "nulled / treated as no $select.",
        "choice",
        "select_only_unknown select_unknown",
    ),
    # --- accept -----------------------------------------------------------------------------
    _r(
        "ACCEPT-01",
        "MUST",
        "Each of the six documented types gets a response of that media type",
        f'{PAGE}: "Accept: Content-type(s) you would like the response in: application/json, '
        "text/json, application/xml, text/xml, application/json-patch+json, "
        'application/merge-patch+json"',
        "vendor page",
    ),
    _r(
        "ACCEPT-02",
        "MUST",
        "JSON-family bodies parse and validate",
        "Fact 1: the four JSON types are produced for the same ErpSyncEngineStatus body.",
        "Swagger (fact 1)",
    ),
    _r(
        "ACCEPT-03",
        "MUST",
        "XML-family bodies are well-formed and carry the same data as JSON",
        'Fact 12: "XML is produced by the .NET DataContract serializer ... parse XML leniently '
        'and normalise it to the JSON shape."; fact 16: flags and dictionaries as DataContract writes them.',
        "vendor docs (facts 12, 16)",
    ),
    _r(
        "ACCEPT-04",
        "SHOULD",
        "q-values in Accept are honoured",
        "RFC 9110 section 12.5.1: the q weight orders the client's preferences; equal weights "
        "leave the server a choice.",
        "RFC 9110",
    ),
    _r(
        "ACCEPT-05",
        "SHOULD",
        "No Accept, or */*, gives JSON",
        f"{PAGE} sample: a request accepting JSON is answered JSON; fact 1: application/json is the first "
        "produced type; fact 15: ASP.NET Web API answers with its first formatter, JSON. No default type "
        "is documented, hence SHOULD.",
        "vendor page sample; vendor doc (facts 1, 15)",
    ),
    _r(
        "ACCEPT-06",
        "MUST",
        "An unsupported Accept follows the server's choice (406, JSON, or another type), never mislabelled",
        "RFC 9110 section 12.5.1 (fact 22): a server MAY answer 406 when proactive negotiation cannot "
        "be satisfied, or disregard the header; fact 15: ASP.NET Web API answers with JSON unless the "
        "server opts in to 406, and text/html may get HTML. Whatever it sends is labelled as what it is.",
        "RFC 9110; choice",
        "unsupported_accept",
    ),
    _r(
        "ACCEPT-07",
        "MUST",
        "Media types match case-insensitively and with parameters such as charset=utf-8",
        f'{PAGE} sample request: "Accept: application/json; charset=utf-8"; RFC 9110 section '
        "8.3.1: type and subtype are case-insensitive.",
        "vendor page sample; RFC 9110",
    ),
    _r(
        "ACCEPT-08",
        "MUST",
        "XML nulls follow the server's choice (i:nil, empty element or omitted)",
        'Fact 12: "nil values as i:nil="true"" in the DataContract serializer; the WebAPI\'s '
        "rendering is an open point.",
        "vendor doc (fact 12); choice",
        "xml_nil",
    ),
    # --- language ---------------------------------------------------------------------------
    _r(
        "LANG-01",
        "MUST",
        "Accept-Language with a supported language gets a valid body",
        f'{PAGE}: "Accept-Language: Convert string references and multi-language values into a '
        'specified language (iso2) code."',
        "vendor page",
    ),
    _r(
        "LANG-02",
        "MUST",
        "SO-Language overrides Accept-Language",
        f'{PAGE}: "SO-Language: ... Overrides Accept-Language value."',
        "vendor page",
    ),
    _r(
        "LANG-03",
        "MUST",
        "SO-Culture without any language changes nothing",
        f'{PAGE}: "SO-Culture: ... Ignored if no Language set."',
        "vendor page",
    ),
    _r(
        "LANG-04",
        "SHOULD",
        "With a language set no [SR_...] reference is left; SO-Language: * turns translation off",
        'Fact 6: "with a language set they are translated ... SO-Language: * (or x) turns translation off."',
        "vendor doc (fact 6)",
    ),
    _r(
        "LANG-05",
        "MUST",
        "Culture and time zone change only string values",
        f'{PAGE}: "SO-Culture: Number, date formatting"; fact 6: "SO-Culture ... only affects '
        'values returned as strings."',
        "vendor page; vendor doc (fact 6)",
    ),
    _r(
        "LANG-06",
        "MUST",
        "SO-TimeZone accepts zone codes and numeric ids, with and without ', includeTZOffset'",
        'Fact 7: "SO-TimeZone takes SuperOffice zone codes (UTC, NO, DK, US-NY, ...) or numeric '
        "ids (261 = Norway), optionally followed by ', includeTZOffset'.\" (Other spellings, such "
        "as no space after the comma, are undocumented.)",
        "vendor doc (fact 7); choice",
        "unknown_timezone",
    ),
    _r(
        "LANG-07",
        "MUST",
        "Unknown language, culture or zone values follow the server's choice, never 5xx",
        'CONTRACT-NOTES open point "unknown language, culture and time zone, each header on its own": '
        "ignored / 400; RFC 9110 section 12.5.1 (fact 22): an Accept-Language that cannot be satisfied "
        "may also get 406. An empty list element (Accept-Language: ,) is no value at all (RFC 9110 "
        "5.6.1.2).",
        "choice; RFC 9110",
        "unknown_accept_language unknown_so_language unknown_culture unknown_timezone",
    ),
    _r(
        "LANG-08",
        "MUST",
        "SO-AppToken is accepted alongside every scheme",
        f'{PAGE}: "SO-AppToken: The application token that identifies the partner app. Used when '
        'calling Online WebAPI from a server."; fact 8.',
        "vendor page; vendor doc (fact 8)",
    ),
)

BY_ID: dict[str, Requirement] = {r.id: r for r in CATALOGUE}


def get(requirement_id: str) -> Requirement:
    try:
        return BY_ID[requirement_id]
    except KeyError:
        raise KeyError(f"unknown requirement {requirement_id!r}") from None


SCHEME_REQUIREMENTS = {"AUTH-01": "basic", "AUTH-02": "soticket", "AUTH-04": "bearer", "AUTH-07": "session"}


def not_applicable_for(schemes: tuple[str, ...] | list[str], apptoken: bool, apptoken_required: bool) -> dict[str, str]:
    """The requirements a target makes not applicable, each with why: what it declares decides it,
    never the budget or a neighbour's failure (a requirement that could not run for those reasons
    is untested)."""
    out = {
        rid: f"the target declares no [{scheme}]: the installation does not offer it"
        for rid, scheme in SCHEME_REQUIREMENTS.items()
        if scheme not in schemes
    }
    if not apptoken:
        out["AUTH-09"] = out["LANG-08"] = "the target declares no [apptoken]: the installation uses no app tokens"
    if not apptoken_required:
        out["AUTH-12"] = (
            "the target does not declare app tokens required ([apptoken] required = true, an Online tenant)"
        )
    if len(schemes) < 2:
        out["AUTH-11"] = "the target declares only one scheme"
    return out


def markdown() -> str:
    """The table of docs/requirements.md: every requirement, its level, authority and settings."""
    lines = ["| ID | level | requirement | authority | open-point settings |", "|---|---|---|---|---|"]
    for r in CATALOGUE:
        settings = ", ".join(f"`{s}`" for s in r.settings) or "-"
        lines.append(f"| {r.id} | {r.level} | {r.title.replace('|', '/')} | {r.authority} | {settings} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(markdown(), end="")
