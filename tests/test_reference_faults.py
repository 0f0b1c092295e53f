"""Each fault of the reference server changes exactly what it names.

Every fault has a probe: one request and the symptom it shows. The symptom is absent from the
conformant server and present with the fault switched on; and with any fault on, the other
faults' symptoms stay absent, except for the overlaps declared below (a fault that by its nature
also shows a sibling's symptom).
"""

from __future__ import annotations

import base64
import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable

import pytest
import requests
import xmltodict

from conformance.reference import FAULTS, ReferenceServer, ServerConfig
from conformance.reference.app import DELAY_HEADER
from conformance.reference.config import Credentials
from tests.calls import auth_headers

SLOW_SECONDS = 0.3
CREDS = Credentials()


@dataclass(frozen=True)
class Probe:
    scheme: str | None = "basic"
    headers: dict | None = None
    params: dict | None = None
    method: str = "POST"
    options: tuple[tuple[str, str], ...] = ()
    """Options of the server the probe is sent to (an Online fault shows on an Online server)."""
    raw: bool = False
    """The body left unread (the predicate reads it raw, undecoded)."""

    def send(self, server: ReferenceServer) -> requests.Response:
        # identity unless the probe asks otherwise: requests would ask for gzip and decode it unseen
        headers = auth_headers(CREDS, self.scheme) | {"Accept-Encoding": "identity"} | (self.headers or {})
        return requests.request(
            self.method, server.endpoint_url, headers=headers, params=self.params, timeout=10, stream=self.raw
        )


def json_200(response: requests.Response) -> Any:
    """The JSON body of a 200, or None when the answer is anything else."""
    if response.status_code != 200:
        return None
    try:
        return json.loads(response.content.decode("utf-8"))
    except ValueError:
        return None


def xml_200(response: requests.Response) -> dict | None:
    if response.status_code != 200 or not response.content.startswith(b"<"):
        return None
    try:
        return xmltodict.parse(response.content)["ErpSyncEngineStatus"]
    except Exception:
        return None


def field(response, *path) -> Any:
    value = json_200(response)
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def media(response) -> str:
    return response.headers.get("Content-Type", "").split(";")[0].strip()


XML = {"Accept": "application/xml"}


def _basic(password: str) -> dict[str, str]:
    pair = f"{CREDS.basic_user}:{password}".encode("utf-8")
    return {"Authorization": "Basic " + base64.b64encode(pair).decode("ascii")}


def _delayed(response: requests.Response) -> bool:
    """The server says it waited (a header of the reference server's, never a clock's guess: a
    loaded machine makes any answer slow), and the answer did take that long."""
    return DELAY_HEADER in response.headers and response.elapsed.total_seconds() >= SLOW_SECONDS


BAD_BASIC = {"Authorization": "Basic dGplMDp3cm9uZw=="}  # tje0:wrong
SESSION_WITHOUT_XSRF = {"Cookie": f"{CREDS.session_cookie}={CREDS.session_id}"}

PROBES: dict[str, tuple[Probe, Callable[[requests.Response], bool]]] = {
    "schema-isrunning-string": (Probe(), lambda r: isinstance(field(r, "IsRunning"), str)),
    "schema-missing-property": (Probe(), lambda r: json_200(r) is not None and "Interval" not in json_200(r)),
    "schema-fieldlength-string": (
        Probe(),
        lambda r: isinstance(field(r, "FieldProperties", "StatusMessage", "FieldLength"), str),
    ),
    "schema-unknown-mask-flag": (Probe(), lambda r: "Export" in (field(r, "TableRight", "Mask") or "")),
    "schema-interval-text": (Probe(), lambda r: field(r, "Interval") == "every 15 minutes"),
    "schema-extra-property": (Probe(), lambda r: field(r, "LastSyncUtc") is not None),
    "post-requires-content-type": (Probe(), lambda r: r.status_code == 415),
    "charset-missing": (Probe(), lambda r: r.status_code == 200 and "charset" not in r.headers["Content-Type"]),
    "body-not-utf8": (Probe(headers={"Accept": "text/json"}), lambda r: r.status_code == 200 and _not_utf8(r.content)),
    "slow": (Probe(), lambda r: _delayed(r)),
    "get-answers-data": (Probe(method="GET"), lambda r: r.status_code == 200),
    "coding-mislabelled": (
        Probe(headers={"Accept-Encoding": "gzip"}, raw=True),
        lambda r: (
            r.headers.get("Content-Encoding") == "gzip" and not r.raw.read(decode_content=False).startswith(b"\x1f\x8b")
        ),
    ),
    "coding-unasked": (Probe(), lambda r: r.headers.get("Content-Encoding") == "gzip"),
    "error-body-html": (Probe(scheme=None), lambda r: media(r) == "text/html"),
    "auth-basic-rejected": (Probe(scheme="basic"), lambda r: r.status_code == 401),
    "auth-ticket-rejected": (Probe(scheme="soticket"), lambda r: r.status_code == 401),
    "auth-scheme-case-sensitive": (
        Probe(scheme=None, headers={"Authorization": f"soticket {CREDS.ticket}"}),
        lambda r: r.status_code == 401,
    ),
    "auth-bearer-rejected": (Probe(scheme="bearer"), lambda r: r.status_code == 401),
    "auth-open": (Probe(scheme=None), lambda r: r.status_code == 200),
    "auth-refusal-leaks-body": (
        Probe(scheme=None, headers=BAD_BASIC),
        lambda r: r.status_code == 401 and "IsRunning" in r.text,
    ),
    "auth-basic-any-password": (Probe(scheme=None, headers=BAD_BASIC), lambda r: r.status_code == 200),
    "xsrf-not-required": (Probe(scheme=None, headers=SESSION_WITHOUT_XSRF), lambda r: r.status_code == 200),
    "auth-malformed-500": (Probe(scheme=None, headers={"Authorization": "Basic !!!"}), lambda r: r.status_code == 500),
    "apptoken-restriction-ignored": (
        Probe(headers={"SO-AppToken": CREDS.app_token_restricted}),
        lambda r: r.status_code == 200,
    ),
    "http-503-transient": (Probe(), lambda r: False),  # one POST in 25: shown by its own test below
    "lang-empty-list-400": (Probe(headers={"Accept-Language": ","}), lambda r: r.status_code == 400),
    "apptoken-optional-online": (
        Probe(scheme="soticket", options=(("installation", "online"),)),
        lambda r: r.status_code == 200,
    ),
    "www-authenticate-missing": (
        Probe(scheme=None),
        lambda r: r.status_code == 401 and "WWW-Authenticate" not in r.headers,
    ),
    "auth-scheme-body-differs": (Probe(scheme="bearer"), lambda r: field(r, "TableRight", "Mask") == "Select"),
    "select-empty-nulls-all": (
        Probe(params={"$select": ""}),
        lambda r: json_200(r) is not None and field(r, "IsRunning") is None,
    ),
    "select-stale-values": (Probe(params={"$select": "StatusMessage"}), lambda r: field(r, "StatusMessage") == ""),
    "select-ignored": (Probe(params={"$select": "IsRunning"}), lambda r: field(r, "StatusMessage") is not None),
    "select-drops-fields": (
        Probe(params={"$select": "IsRunning"}),
        lambda r: json_200(r) is not None and "StatusMessage" not in json_200(r),
    ),
    "select-case-sensitive": (
        Probe(params={"$select": "isrunning"}),
        lambda r: json_200(r) is not None and field(r, "IsRunning") is None,
    ),
    "select-spaces-rejected": (Probe(params={"$select": " IsRunning"}), lambda r: r.status_code == 400),
    "select-unknown-500": (Probe(params={"$select": "IsRunning,Name"}), lambda r: r.status_code == 500),
    "select-nested-ignored": (
        Probe(params={"$select": "TableRight/Mask"}),
        lambda r: json_200(r) is not None and field(r, "TableRight") is None,
    ),
    "select-xml-ignored": (
        Probe(headers=XML, params={"$select": "IsRunning"}),
        lambda r: str((xml_200(r) or {}).get("StatusMessage")).startswith("[SR_"),
    ),
    "select-only-unknown-500": (Probe(params={"$select": "Name"}), lambda r: r.status_code == 500),
    "accept-xml-ignored": (Probe(headers=XML), lambda r: r.status_code == 200 and r.content.startswith(b"{")),
    "accept-type-mislabelled": (
        Probe(headers={"Accept": "text/json"}),
        lambda r: r.status_code == 200 and media(r) == "application/json",
    ),
    "accept-patch-types-406": (
        Probe(headers={"Accept": "application/json-patch+json"}),
        lambda r: r.status_code == 406,
    ),
    "json-patch-body-invalid": (
        Probe(headers={"Accept": "application/merge-patch+json"}),
        lambda r: r.status_code == 200 and not _not_utf8(r.content) and json_200(r) is None,
    ),
    "xml-malformed": (
        Probe(headers=XML),
        lambda r: media(r) == "application/xml" and not _not_utf8(r.content) and xml_200(r) is None,
    ),
    "xml-differs-from-json": (Probe(headers=XML), lambda r: (xml_200(r) or {}).get("IsRunning") == "false"),
    "accept-qvalues-ignored": (
        Probe(headers={"Accept": "text/json;q=0.1, application/json"}),
        lambda r: r.status_code == 200 and media(r) == "text/json",
    ),
    "accept-default-xml": (Probe(), lambda r: media(r) == "application/xml"),
    "accept-unsupported-mislabelled": (Probe(headers={"Accept": "text/csv"}), lambda r: r.status_code == 200),
    "accept-case-sensitive": (Probe(headers={"Accept": "APPLICATION/XML"}), lambda r: r.status_code == 406),
    "accept-parameters-rejected": (
        Probe(headers={"Accept": "application/json; charset=utf-8"}),
        lambda r: r.status_code == 406,
    ),
    "xml-nil-wrong": (
        Probe(headers=XML, params={"$select": "IsRunning"}),
        lambda r: (xml_200(r) or {}).get("StatusMessage") == "null",
    ),
    "lang-translates-booleans": (Probe(headers={"Accept-Language": "en"}), lambda r: field(r, "IsRunning") == "Yes"),
    "lang-so-language-ignored": (
        Probe(headers={"Accept-Language": "fr", "SO-Language": "de"}),
        lambda r: (field(r, "StatusMessage") or "").startswith("Moteur"),
    ),
    "lang-culture-without-language": (
        Probe(headers={"SO-Culture": "de"}),
        lambda r: "1.234" in (field(r, "StatusMessage") or ""),
    ),
    "lang-untranslated": (
        Probe(headers={"Accept-Language": "fr"}),
        lambda r: "[SR_" in (field(r, "StatusMessage") or ""),
    ),
    "lang-star-translates": (
        Probe(headers={"Accept-Language": "fr", "SO-Language": "*"}),
        lambda r: (field(r, "StatusMessage") or "").startswith("Moteur"),
    ),
    "lang-culture-changes-numbers": (
        Probe(headers={"SO-Language": "en", "SO-Culture": "de"}),
        lambda r: field(r, "FieldProperties", "StatusMessage", "FieldLength") == 2,
    ),
    "tz-numeric-rejected": (Probe(headers={"SO-TimeZone": "261"}), lambda r: r.status_code == 400),
    "lang-unknown-500": (Probe(headers={"Accept-Language": "zz"}), lambda r: r.status_code == 500),
    "tz-unknown-500": (Probe(headers={"SO-TimeZone": "Mars/Olympus"}), lambda r: r.status_code == 500),
    "apptoken-scheme-limited": (
        Probe(scheme="session", headers={"SO-AppToken": CREDS.app_token_granted}),
        lambda r: r.status_code == 401,
    ),
    # one value of one dimension, or one combination (issue 13)
    "schema-fieldlength-string-bearer": (
        Probe(scheme="bearer"),
        lambda r: isinstance(field(r, "FieldProperties", "StatusMessage", "FieldLength"), str),
    ),
    "schema-mask-unknown-session": (
        Probe(scheme="session"),
        lambda r: "Export" in (field(r, "TableRight", "Mask") or ""),
    ),
    "schema-isrunning-null-soticket": (
        Probe(scheme="soticket"),
        lambda r: json_200(r) is not None and field(r, "IsRunning") is None,
    ),
    "http-slow-xml": (Probe(headers={"Accept": "text/xml"}), lambda r: _delayed(r)),
    "http-patch-culture-500": (
        Probe(headers={"Accept": "application/json-patch+json", "SO-Culture": "de"}),
        lambda r: r.status_code == 500,
    ),
    "auth-password-prefix-accepted": (
        Probe(scheme=None, headers=_basic(CREDS.basic_password[:-1])),
        lambda r: r.status_code == 200,
    ),
    "auth-password-non-ascii-dropped": (
        Probe(scheme=None, headers=_basic(CREDS.basic_password + "\u00e9")),
        lambda r: r.status_code == 200,
    ),
    "auth-password-colon-truncated": (
        Probe(scheme=None, headers=_basic(CREDS.basic_password + ":x")),
        lambda r: r.status_code == 200,
    ),
    "auth-empty-password-accepted": (Probe(scheme=None, headers=_basic("")), lambda r: r.status_code == 200),
    "auth-ticket-case-insensitive": (
        Probe(scheme=None, headers={"Authorization": f"SOTicket {CREDS.ticket.swapcase()}"}),
        lambda r: r.status_code == 200,
    ),
    "auth-bearer-prefix-accepted": (
        Probe(scheme=None, headers={"Authorization": f"Bearer {CREDS.bearer[:-1]}"}),
        lambda r: r.status_code == 200,
    ),
    "auth-xsrf-prefix-accepted": (
        Probe(scheme=None, headers={**SESSION_WITHOUT_XSRF, "X-XSRF-TOKEN": CREDS.xsrf_token[:-1]}),
        lambda r: r.status_code == 200,
    ),
    "auth-xml-skips-auth": (Probe(scheme=None, headers={"Accept": "text/xml"}), lambda r: r.status_code == 200),
    "select-prefix-matches": (Probe(params={"$select": "Status"}), lambda r: field(r, "StatusMessage") is not None),
    "select-plural-matches": (Probe(params={"$select": "TableRights"}), lambda r: field(r, "TableRight") is not None),
    "select-duplicate-toggles": (
        Probe(params={"$select": "IsRunning,Interval,Interval"}),
        lambda r: "Interval" in (json_200(r) or {}) and field(r, "Interval") in (None, "00:00:00"),
    ),
    "select-space-after-comma": (
        Probe(params={"$select": "IsRunning, StatusMessage"}),
        lambda r: json_200(r) is not None and field(r, "StatusMessage") is None,
    ),
    "select-nested-case-sensitive": (
        Probe(params={"$select": "TableRight/mask"}),
        lambda r: json_200(r) is not None and field(r, "TableRight") is None,
    ),
    "select-ignored-with-language": (
        Probe(headers={"Accept-Language": "en"}, params={"$select": "IsRunning"}),
        lambda r: field(r, "StatusMessage") is not None,
    ),
    "accept-merge-patch-xml-body": (
        Probe(headers={"Accept": "application/merge-patch+json"}),
        lambda r: r.status_code == 200 and r.content.startswith(b"<"),
    ),
    "accept-text-xml-charset-406": (
        Probe(headers={"Accept": "text/xml;charset=UTF-8"}),
        lambda r: r.status_code == 406,
    ),
    "accept-text-wildcard-406": (Probe(headers={"Accept": "text/*"}), lambda r: r.status_code == 406),
    "accept-xml-select-as-json": (
        Probe(headers=XML, params={"$select": "IsRunning"}),
        lambda r: r.status_code == 200 and r.content.startswith(b"{"),
    ),
    "lang-german-incomplete": (Probe(headers={"Accept-Language": "de"}), lambda r: "[SR_" in r.text),
    "lang-swedish-booleans": (Probe(headers={"Accept-Language": "sv"}), lambda r: field(r, "IsRunning") == "Ja"),
    "lang-zone-us-ny-400": (Probe(headers={"SO-TimeZone": "US-NY"}), lambda r: r.status_code == 400),
    "lang-zone-id-460-500": (Probe(headers={"SO-TimeZone": "460"}), lambda r: r.status_code == 500),
    "lang-offset-lowercase-500": (
        Probe(headers={"SO-TimeZone": "NO, includeTZoffset"}),
        lambda r: r.status_code == 500,
    ),
    "lang-region-tag-400": (Probe(headers={"Accept-Language": "en-US"}), lambda r: r.status_code == 400),
    "lang-culture-with-select-500": (
        Probe(headers={"SO-Culture": "sv"}, params={"$select": "Interval"}),
        lambda r: r.status_code == 500,
    ),
    "lang-star-with-list-translates": (
        Probe(headers={"Accept-Language": "fr;q=0.9, en;q=0.5", "SO-Language": "*"}),
        lambda r: (field(r, "StatusMessage") or "").startswith("Moteur"),
    ),
}

# (fault switched on, sibling whose symptom it also shows): by nature, not by accident.
OVERLAPS = {
    ("select-ignored", "select-xml-ignored"),  # ignoring $select everywhere ignores it in XML too
    ("select-unknown-500", "select-only-unknown-500"),  # only-unknown names are unknown names
    ("auth-ticket-rejected", "auth-scheme-case-sensitive"),  # a rejected ticket is rejected in any spelling
    ("lang-so-language-ignored", "lang-star-translates"),  # ignoring SO-Language ignores its "*" too
    # a fault everywhere shows in the one value or combination its narrower sibling breaks
    ("schema-fieldlength-string", "schema-fieldlength-string-bearer"),
    ("schema-unknown-mask-flag", "schema-mask-unknown-session"),
    ("slow", "http-slow-xml"),
    ("select-ignored", "select-ignored-with-language"),
    ("select-ignored", "select-prefix-matches"),  # every property kept: the near-miss's too
    ("select-ignored", "select-plural-matches"),
    ("select-case-sensitive", "select-nested-case-sensitive"),
    ("select-nested-ignored", "select-nested-case-sensitive"),
    ("accept-xml-ignored", "accept-xml-select-as-json"),
    ("accept-parameters-rejected", "accept-text-xml-charset-406"),
    ("accept-qvalues-ignored", "accept-text-wildcard-406"),  # types matched as listed: a wildcard names none
    ("auth-open", "auth-xml-skips-auth"),
    ("auth-basic-any-password", "auth-password-prefix-accepted"),
    ("auth-basic-any-password", "auth-password-non-ascii-dropped"),
    ("auth-basic-any-password", "auth-password-colon-truncated"),
    ("auth-basic-any-password", "auth-empty-password-accepted"),
    ("xsrf-not-required", "auth-xsrf-prefix-accepted"),
    ("lang-translates-booleans", "lang-swedish-booleans"),
    ("lang-so-language-ignored", "lang-star-with-list-translates"),
    ("lang-untranslated", "lang-german-incomplete"),
    ("lang-star-translates", "lang-star-with-list-translates"),
    ("accept-merge-patch-xml-body", "json-patch-body-invalid"),  # XML is no JSON
}


def _not_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
        return False
    except UnicodeDecodeError:
        return True


def config_with(*faults: str) -> ServerConfig:
    return ServerConfig(faults=frozenset(faults), slow_seconds=SLOW_SECONDS)


def symptoms(server: ReferenceServer, names) -> dict[str, bool]:
    plain = [n for n in names if not PROBES[n][0].options]
    with ThreadPoolExecutor(max_workers=4) as pool:
        responses = dict(zip(plain, pool.map(lambda n: PROBES[n][0].send(server), plain)))
    for name in names:
        if PROBES[name][0].options:  # the same server, with the options the probe needs
            config = server.config.with_(options=server.config.options.with_(**dict(PROBES[name][0].options)))
            with ReferenceServer(config) as other:
                responses[name] = PROBES[name][0].send(other)
    return {name: PROBES[name][1](responses[name]) for name in names}


def test_every_fault_has_a_probe():
    assert set(PROBES) == {f.name for f in FAULTS}


def test_the_conformant_server_shows_no_symptom(reference):
    shown = [name for name, present in symptoms(reference, list(PROBES)).items() if present]
    assert shown == []


COUNTED = {"http-503-transient"}
"""Faults that show on one request in many (their own test below): one probe per fault cannot show
them, and with one on, whichever probe is the 25th request sees a 503."""


@pytest.mark.parametrize("fault", [f.name for f in FAULTS if f.name not in COUNTED])
def test_a_fault_shows_its_own_symptom_and_no_other(fault):
    with ReferenceServer(config_with(fault)) as server:
        shown = {name for name, present in symptoms(server, list(PROBES)).items() if present}
    assert fault in shown, f"{fault} does not show its symptom"
    unexpected = sorted(name for name in shown - {fault} if (fault, name) not in OVERLAPS)
    assert unexpected == [], f"{fault} also shows the symptoms of {unexpected}"


def test_the_transient_overload_answers_one_post_in_25_with_503():
    with ReferenceServer(config_with("http-503-transient")) as server:
        statuses = [Probe().send(server).status_code for _ in range(50)]
    assert statuses.count(503) == 2 and statuses[24] == statuses[49] == 503
