"""AUTH: each scheme the target declares, refusals without data, sessions, malformed values, app tokens."""

import pytest

from conformance.checks.outcome import Status
from conformance.wire.transport.auth import RawAuthorization

ACCEPTED = [("AUTH-01", "basic"), ("AUTH-02", "soticket"), ("AUTH-04", "bearer")]
SPELLINGS = {"basic": ("basic",), "soticket": ("SoTicket",), "bearer": ("BEARER",)}
"""One other spelling per scheme; the covering rows send the others (conformance.contract.domains)."""
# (description, Authorization value): not a well-formed credential of any scheme.
# (the scheme words alone, a Basic pair without ':' or not base64 are the covering rows')
MALFORMED = [
    ("basic with extra words", "Basic dGplMDpUamUw extra words"),
    ("bearer as parameters", "Bearer a=b, c=d"),
    ("only spaces", "   "),
]


@pytest.mark.parametrize(
    "rid, scheme", [pytest.param(r, s, marks=pytest.mark.requirement(r), id=f"{r}-{s}") for r, s in ACCEPTED]
)
def test_valid_credentials_are_accepted(conformance_run, judge, rid, scheme):
    run = conformance_run
    judge.require(
        rid,
        scheme in run.target.schemes,
        f"the target declares no [{scheme}]: the installation does not offer it",
        Status.NOT_APPLICABLE,
    )
    judge(rid, {"probe": run.baseline(scheme=scheme)})


@pytest.mark.requirement("AUTH-03")
def test_the_scheme_word_in_other_spellings(conformance_run, judge):
    run = conformance_run
    schemes = [s for s in SPELLINGS if s in run.target.schemes]
    judge.require("AUTH-03", bool(schemes), "the target declares no Authorization scheme", Status.NOT_APPLICABLE)
    exchanges = {
        word: run.send(f"{scheme} spelled {word!r}", scheme=None, auth=run.client.auth(scheme, word))
        for scheme in schemes
        for word in SPELLINGS[scheme]
    }
    judge("AUTH-03", exchanges)


@pytest.mark.requirement("AUTH-05", "AUTH-10")
def test_no_credentials_are_refused(conformance_run, judge):
    run = conformance_run
    refused = run.send("no credentials at all", scheme=None)
    judge("AUTH-05", {"no credentials": refused})
    judge("AUTH-10", {"no credentials": refused})


@pytest.mark.requirement("AUTH-06")
def test_wrong_credentials_are_refused(conformance_run, judge):
    run = conformance_run
    wrong = {
        "basic": "Basic ZXJwc3luYy1jb25mb3JtYW5jZTpub3QtdGhlLXBhc3N3b3Jk",  # erpsync-conformance:not-the-password
        "soticket": "SOTicket 7T:ZXJwc3luYy1jb25mb3JtYW5jZS11bmtub3duLXRpY2tldA==",
        "bearer": "Bearer 8A:Cust00000.erpsync-conformance-invalid-token",
    }
    if run.target.basic is not None:
        import base64

        from conformance.wire.target import reveal

        pair = f"{reveal(run.target.basic.user)}:erpsync-conformance-wrong-password"
        wrong["basic"] = "Basic " + base64.b64encode(pair.encode()).decode()
    exchanges = {
        f"wrong {scheme}": run.send(f"wrong {scheme} credentials", scheme=None, auth=RawAuthorization(value))
        for scheme, value in wrong.items()
    }
    judge("AUTH-06", exchanges)


@pytest.mark.requirement("AUTH-07")
def test_a_session_needs_its_xsrf_token(conformance_run, judge):
    run = conformance_run
    judge.require(
        "AUTH-07",
        "session" in run.target.schemes,
        "the target declares no [session]: the installation does not offer it",
        Status.NOT_APPLICABLE,
    )
    judge(
        "AUTH-07",
        {
            "matching": run.baseline(scheme="session"),
            "no-xsrf": run.send(
                "session cookie without X-XSRF-TOKEN", scheme=None, auth=run.client.auth("session", xsrf=False)
            ),
            "wrong-xsrf": run.send(
                "session cookie with a wrong X-XSRF-TOKEN",
                scheme=None,
                auth=run.client.auth("session", xsrf="erpsync-conformance-wrong-xsrf"),
            ),
        },
    )


@pytest.mark.requirement("AUTH-08")
@pytest.mark.parametrize("value", [c[1] for c in MALFORMED], ids=[c[0] for c in MALFORMED])
def test_malformed_authorization_gets_a_4xx(conformance_run, judge, value):
    exchange = conformance_run.send(f"Authorization: {value!r}", scheme=None, auth=RawAuthorization(value))
    judge("AUTH-08", {value: exchange})


@pytest.mark.requirement("AUTH-09")
def test_app_tokens_with_and_without_erpsync_access(conformance_run, judge):
    run = conformance_run
    tokens = run.target.apptoken
    judge.require(
        "AUTH-09",
        tokens is not None,
        "the target declares no [apptoken]: the installation uses no app tokens",
        Status.NOT_APPLICABLE,
    )
    exchanges = {"granted": run.send("granted app token", app_token=tokens.granted)}
    if tokens.restricted is not None:
        exchanges["restricted"] = run.send("app token without ErpSync access", app_token=tokens.restricted)
    judge("AUTH-09", exchanges)


@pytest.mark.requirement("AUTH-12")
def test_online_refuses_a_call_without_app_token(conformance_run, judge):
    run = conformance_run
    tokens = run.target.apptoken
    judge.require(
        "AUTH-12",
        tokens is not None and tokens.required,
        "the target does not declare app tokens required ([apptoken] required = true, an Online tenant)",
        Status.NOT_APPLICABLE,
    )
    judge("AUTH-12", {"without app token": run.send("valid credentials without SO-AppToken", app_token=None)})


@pytest.mark.requirement("AUTH-11")
def test_every_scheme_returns_the_same_body(conformance_run, judge):
    run = conformance_run
    schemes = run.target.schemes
    judge.require("AUTH-11", len(schemes) > 1, "the target declares only one scheme", Status.NOT_APPLICABLE)
    judge.relate(
        "AUTH-11",
        lambda: {s: run.baseline(scheme=s, fresh=True) for s in schemes[1:]},
        lambda fresh: run.baseline(scheme=schemes[0], fresh=fresh),
        reference_role=schemes[0],
        first={s: run.baseline(scheme=s) for s in schemes[1:]},
    )
