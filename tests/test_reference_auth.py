"""Reference server over HTTP: the Authorization schemes, the cookie session, app tokens, refusals."""

from __future__ import annotations

import base64

import pytest

from conformance.contract.choices import Profile
from conformance.reference.config import Credentials
from tests.calls import auth_headers, body, post

ENGINE_KEYS = {"IsRunning", "StatusMessage", "Interval", "TableRight", "FieldProperties"}


def refused_without_data(response, status: int) -> None:
    assert response.status_code == status, response.text
    assert "IsRunning" not in response.text and "FieldProperties" not in response.text


@pytest.mark.parametrize("scheme", ["basic", "soticket", "bearer", "session"])
def test_each_scheme_gets_the_same_engine_status(reference, scheme):
    response = post(reference, scheme=scheme)
    assert response.status_code == 200
    assert body(response) == body(post(reference, scheme="basic"))


@pytest.mark.parametrize(
    "scheme, word",
    [
        ("soticket", "soticket"),
        ("soticket", "SOTICKET"),
        ("soticket", "SoTicket"),
        ("basic", "BASIC"),
        ("bearer", "bearer"),
    ],
)
def test_the_scheme_word_is_case_insensitive(reference, scheme, word):
    headers = auth_headers(reference.config.credentials, scheme, word=word)
    assert post(reference, scheme=None, headers=headers).status_code == 200


def test_no_credentials_get_401_with_a_challenge_per_scheme_and_no_data(reference):
    response = post(reference, scheme=None)
    refused_without_data(response, 401)
    challenges = response.raw.headers.getlist("WWW-Authenticate")
    assert [c.split()[0] for c in challenges] == ["Basic", "SOTicket", "Bearer"]


def _basic(user: str, password: str) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


@pytest.mark.parametrize(
    "headers",
    [
        _basic("tje0", "wrong"),
        _basic("someone", "Tje0"),
        {"Authorization": "SOTicket 7T:unknown"},
        {"Authorization": "Bearer 8A:Cust12345.invalid"},
        {"Authorization": "Negotiate abc"},
        {"Cookie": "ASP.NET_SessionId=expired", "X-XSRF-TOKEN": Credentials().xsrf_token},
    ],
    ids=[
        "basic-wrong-password",
        "basic-unknown-user",
        "unknown-ticket",
        "invalid-token",
        "other-scheme",
        "unknown-session",
    ],
)
def test_wrong_credentials_get_401_without_data(reference, headers):
    refused_without_data(post(reference, scheme=None, headers=headers), 401)


@pytest.mark.parametrize("xsrf", [None, "", "refxsrf-wrong"], ids=["missing", "empty", "wrong"])
def test_a_session_needs_the_matching_xsrf_token(reference, xsrf):
    creds = reference.config.credentials
    headers = {"Cookie": f"{creds.session_cookie}={creds.session_id}"}
    if xsrf is not None:
        headers["X-XSRF-TOKEN"] = xsrf
    refused_without_data(post(reference, scheme=None, headers=headers), 401)


def test_the_authorization_header_wins_over_a_session(reference):
    creds = reference.config.credentials
    headers = auth_headers(creds, "session") | {"Authorization": "Bearer 8A:Cust12345.invalid"}
    refused_without_data(post(reference, scheme=None, headers=headers), 401)


@pytest.mark.parametrize(
    "value, status",
    [
        ("Basic !!!notbase64", 400),
        ("Basic dGplMDpUamUw extra words", 400),
        ("Bearer", 400),
        ("SOTicket", 400),
        ("Bearer a=b", 400),
        ("", 400),
        ("Basic dXNlcg==", 401),
        ("Basic", 401),
        ("\u00e6\u00f8\u00e5 token", 401),
        ("BASIC \u00a7\u00e6", 400),  # found by the robustness property
    ],
)
def test_malformed_authorization_gets_a_4xx(reference, value, status):
    headers = {"Authorization": value.encode("utf-8").decode("latin-1")}
    refused_without_data(post(reference, scheme=None, headers=headers), status)


@pytest.mark.parametrize("scheme", ["basic", "soticket", "bearer", "session"])
def test_a_granted_app_token_is_accepted_beside_every_scheme(reference, scheme):
    headers = {"SO-AppToken": reference.config.credentials.app_token_granted}
    assert post(reference, scheme=scheme, headers=headers).status_code == 200


def test_a_restricted_app_token_gets_403_and_an_unknown_one_401(reference):
    creds = reference.config.credentials
    refused_without_data(post(reference, headers={"SO-AppToken": creds.app_token_restricted}), 403)
    refused_without_data(post(reference, headers={"SO-AppToken": "not-a-known-app"}), 401)


def test_an_installation_can_require_the_app_token(serve):
    from conformance.reference import ServerConfig

    with serve(ServerConfig(credentials=Credentials(require_app_token=True))) as server:
        refused_without_data(post(server), 401)
        assert post(server, headers={"SO-AppToken": server.config.credentials.app_token_granted}).status_code == 200


def test_refusal_profile_null_body_answers_200_null(serve):
    with serve(profile=Profile(refusal="null-body")) as server:
        creds = server.config.credentials
        for headers in (
            {},
            {"Authorization": "Bearer 8A:wrong"},
            auth_headers(creds, "basic") | {"SO-AppToken": creds.app_token_restricted},
        ):
            response = post(server, scheme=None, headers=headers)
            assert response.status_code == 200 and response.json() is None
        xml = post(server, scheme=None, headers={"Accept": "text/xml"})
        assert xml.status_code == 200 and 'i:nil="true"' in xml.text and "IsRunning" not in xml.text
        assert post(server, scheme=None, headers={"Authorization": "Basic !!!"}).status_code == 400


def test_www_authenticate_optional_profile_sends_none(serve):
    with serve(profile=Profile(www_authenticate="optional")) as server:
        response = post(server, scheme=None)
        assert response.status_code == 401 and "WWW-Authenticate" not in response.headers


def test_disabled_schemes_are_refused_and_not_challenged(serve):
    with serve(schemes=("soticket", "bearer")) as server:
        refused_without_data(post(server, scheme="basic"), 401)
        refused_without_data(post(server, scheme="session"), 401)
        assert post(server, scheme="soticket").status_code == 200
        challenges = post(server, scheme=None).raw.headers.getlist("WWW-Authenticate")
        assert [c.split()[0] for c in challenges] == ["SOTicket", "Bearer"]
