"""Bad input never gets a 5xx from the reference server (HTTP-03 holds for the reference itself).

Headers and the query go out raw through http.client, so values requests would refuse or tidy
(odd whitespace, latin-1 bytes, lone separators) reach the server as drawn.
"""

from __future__ import annotations

import http.client
from urllib.parse import quote

import pytest
from hypothesis import given, note
from hypothesis import strategies as st

from conformance.contract.endpoint import PATH
from conformance.reference.config import Credentials
from tests.calls import auth_headers

HEADERS = (
    "Authorization",
    "Accept",
    "Accept-Language",
    "SO-Language",
    "SO-Culture",
    "SO-TimeZone",
    "SO-AppToken",
    "X-XSRF-TOKEN",
    "Cookie",
    "Content-Type",
    "Content-Length",
)
PREFIXES = (
    "",
    "Basic ",
    "SOTicket ",
    "Bearer ",
    "bearer ",
    "application/",
    "text/",
    "*/*;q=",
    "nb,",
    "NO, ",
    "ASP.NET_SessionId=",
    "7T:",
    "8A:",
    "XSRF-TOKEN=",
)
LATIN1 = st.characters(min_codepoint=0x20, max_codepoint=0xFF)
VALUES = st.one_of(
    st.text(LATIN1, max_size=120),
    st.tuples(st.sampled_from(PREFIXES), st.text(LATIN1, max_size=60)).map("".join),
    st.text(st.sampled_from(" \t,;=*/\"'\\:."), max_size=12),
)
SELECTS = st.one_of(
    st.none(),
    st.text(max_size=120),
    st.lists(
        st.sampled_from(
            [
                "IsRunning",
                "tableright/mask",
                "",
                " ",
                "FieldProperties/x",
                "*",
                "Name",
                "TableRight/",
                "/",
                "IsRunning,",
            ]
        ),
        max_size=6,
    ).map(",".join),
)


def send(
    port: int, headers: dict[str, str], query: str = "", method: str = "POST", body: bytes | None = None
) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.putrequest(method, f"/api/v1{PATH}{query}", skip_accept_encoding=True)
        for name, value in headers.items():
            connection.putheader(name, value.encode("latin-1"))
        connection.endheaders(body)
        response = connection.getresponse()
        response.read()
        return response
    finally:
        connection.close()


@given(data=st.data())
def test_no_header_or_select_value_gets_a_5xx(reference, data):
    headers = {}
    if data.draw(st.booleans(), label="authenticated"):
        headers.update(
            auth_headers(
                Credentials(), data.draw(st.sampled_from(["basic", "soticket", "bearer", "session"]), label="scheme")
            )
        )
    headers.update(data.draw(st.dictionaries(st.sampled_from(HEADERS), VALUES, max_size=6), label="headers"))
    body = None
    if "Content-Length" in headers:  # the drawn text becomes a body of that length
        body = headers["Content-Length"].encode("latin-1")
        headers["Content-Length"] = str(len(body))
    select = data.draw(SELECTS, label="$select")
    query = "" if select is None else "?%24select=" + quote(select, safe="")
    note(f"query {query!r}")
    response = send(reference.port, headers, query, body=body)
    assert response.status < 500, (response.status, headers, query)


@pytest.mark.parametrize("size, status", [(60_000, 401), (70_000, 431)])
def test_one_long_header_line(reference, size, status):
    """Within 64 KiB an unknown app token is refused as such; beyond it the line is refused."""
    headers = auth_headers(Credentials(), "basic") | {"SO-AppToken": "a" * size}
    assert send(reference.port, headers).status == status


def test_too_many_headers_get_431(reference):
    headers = auth_headers(Credentials(), "basic") | {f"X-Filler-{i}": "x" for i in range(120)}
    assert send(reference.port, headers).status == 431


def test_a_long_select_is_answered(reference):
    clause = ",".join(["IsRunning"] * 5000)
    assert send(reference.port, auth_headers(Credentials(), "basic"), "?%24select=" + clause).status == 200


def test_the_reference_server_warns_when_other_machines_can_reach_it():
    from conformance.reference.__main__ import bind_warning

    assert bind_warning("127.0.0.1") is None and bind_warning("::1") is None and bind_warning("localhost") is None
    for host in ("0.0.0.0", "::", "192.168.1.5", "example.com"):
        assert "serves the sample credentials" in bind_warning(host), host
