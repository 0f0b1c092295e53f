"""HTTP: status, encoding, server errors, speed, other methods, error bodies."""

import pytest

# (description, what to send): requests a server must answer without a server error.
MALFORMED = [
    ("select of punctuation", {"select": ",,/,*,$,"}),
    ("select of a long list", {"select": ",".join(["IsRunning"] * 300)}),
    ("accept garbage", {"headers": {"Accept": ";;;q=x, /, */*;q=2"}}),
    ("language garbage", {"headers": {"Accept-Language": "***;q=abc,-,"}}),
    ("time zone garbage", {"headers": {"SO-TimeZone": ", , includeTZOffset,"}}),
    ("a JSON body", {"headers": {"Content-Type": "application/json"}, "data": b'{"Run": false}'}),
]


@pytest.mark.requirement("HTTP-01")
def test_an_authorised_post_with_nothing_else(conformance_run, judge):
    judge("HTTP-01", {"probe": conformance_run.send("POST with no body, parameters or Accept")})


@pytest.mark.requirement("HTTP-02")
def test_json_is_utf8_with_charset(conformance_run, judge):
    run = conformance_run
    judge(
        "HTTP-02",
        {
            "plain": run.baseline(),
            "en": run.baseline(headers={"Accept-Language": "en"}),
            "text/json": run.baseline(headers={"Accept": "text/json"}),
            "sv": run.baseline(headers={"Accept-Language": "sv"}),
        },
    )


@pytest.mark.requirement("HTTP-03")
@pytest.mark.parametrize("name, sent", MALFORMED, ids=[c[0] for c in MALFORMED])
def test_odd_requests_get_no_server_error(conformance_run, judge, name, sent):
    sent = dict(sent)
    data = sent.pop("data", None)  # the label is the case's name: the request itself is in its curl line
    exchange = (
        conformance_run.send(f"odd request: {name}", **sent)
        if data is None
        else conformance_run.send(f"odd request: {name}", **sent, body=data)
    )
    judge("HTTP-03", {"probe": exchange})


@pytest.mark.requirement("HTTP-04")
def test_answers_within_the_slow_threshold(conformance_run, judge):
    judge("HTTP-04", {"probe": conformance_run.baseline()})


@pytest.mark.requirement("HTTP-05", "HTTP-07")
def test_other_methods(conformance_run, judge):
    get = conformance_run.send("GET instead of POST", method="GET")
    judge("HTTP-05", {"GET": get})
    judge("HTTP-07", {"GET": get})


@pytest.mark.requirement("HTTP-06")
def test_error_bodies(conformance_run, judge):
    run = conformance_run
    judge(
        "HTTP-06",
        {
            "no credentials": run.send("no credentials", scheme=None, app_token=None),
            "unsupported Accept": run.send("Accept: text/csv", headers={"Accept": "text/csv"}),
        },
    )


CODINGS = ("gzip, deflate, br", "gzip", "deflate", "br", "identity")


@pytest.mark.requirement("HTTP-08")
def test_content_codings(conformance_run, judge):
    """With and without Accept-Encoding: gzip, deflate or br, in JSON and XML (RFC 9110 8.4, 12.5.3);
    the decoded bodies are judged like every other answer (conformance.run.everywhere)."""
    run = conformance_run
    sent = {
        f"Accept-Encoding: {v}": run.send(
            f"Accept-Encoding: {v}", headers={"Accept": "application/json", "Accept-Encoding": v}
        )
        for v in CODINGS
    }
    sent["XML, Accept-Encoding: gzip, deflate, br"] = run.send(
        "XML, Accept-Encoding: gzip, deflate, br",
        headers={"Accept": "application/xml", "Accept-Encoding": "gzip, deflate, br"},
    )
    judge("HTTP-08", sent)
