"""LANG: languages, SO-Language, culture, time zones and the app token, mostly as relations."""

import pytest

from conformance.checks.outcome import Status

LANGUAGES = ("en", "sv")  # en is universal; sv is the reference page's sample request
ZONES = ("NO", "261", "US-NY, includeTZOffset")
"""Documented forms (fact 7; HEADER-DOMAINS.md section 3): a country code, a numeric id, an area code
with the suffix. Every other documented code and id is the covering rows' (conformance.contract.domains)."""
SPELLINGS = ("261,includeTZOffset",)
"""Undocumented spellings: accepted, or treated as an unknown zone as profile unknown_timezone says."""
JSON = {"Accept": "application/json"}
UNKNOWN = {
    "unknown Accept-Language": {"Accept-Language": "zz"},
    "unknown SO-Language": {"SO-Language": "x-klingon"},
    "unknown SO-Culture": {"SO-Language": "en", "SO-Culture": "xx-YY"},
    "unknown SO-TimeZone": {"SO-TimeZone": "Mars/Olympus_Mons"},
}


def _headers_label(headers):
    return ", ".join(f"{k}: {v}" for k, v in headers.items()) or "no language headers"


@pytest.mark.requirement("LANG-01")
def test_accept_language(conformance_run, judge):
    run = conformance_run
    judge(
        "LANG-01",
        {
            **{f"Accept-Language: {lang}": run.baseline(headers={"Accept-Language": lang}) for lang in LANGUAGES},
            "reference": run.baseline(),
        },
    )


@pytest.mark.requirement("LANG-02")
def test_so_language_overrides_accept_language(conformance_run, judge):
    run = conformance_run
    contrast = run.baseline(headers={"Accept-Language": "fr"})
    judge.relate(
        "LANG-02",
        lambda: {
            "probe": run.send(
                "Accept-Language: fr, SO-Language: en", headers={**JSON, "Accept-Language": "fr", "SO-Language": "en"}
            ),
            "contrast": contrast,
        },
        lambda fresh: run.baseline(headers={"SO-Language": "en"}, fresh=fresh),
    )


@pytest.mark.requirement("LANG-03")
def test_culture_without_language_changes_nothing(conformance_run, judge):
    run = conformance_run
    judge.relate(
        "LANG-03",
        lambda: {"probe": run.send("SO-Culture: de", headers={**JSON, "SO-Culture": "de"})},
        lambda fresh: run.baseline(fresh=fresh),
    )


@pytest.mark.requirement("LANG-04")
def test_translation_on_and_off(conformance_run, judge):
    run = conformance_run
    judge.relate(
        "LANG-04",
        lambda: {
            "translated": run.baseline(headers={"Accept-Language": "en"}),
            "off": run.send(
                "Accept-Language: en, SO-Language: *", headers={**JSON, "Accept-Language": "en", "SO-Language": "*"}
            ),
        },
        lambda fresh: run.baseline(fresh=fresh),
        reference_role="raw",
    )


@pytest.mark.requirement("LANG-04")
def test_translation_off_beside_a_weighted_list(conformance_run, judge):
    """SO-Language: * overrides Accept-Language whatever its form: beside a list with q-values too."""
    run = conformance_run
    listed = "en;q=0.9, fr;q=0.5"
    judge.relate(
        "LANG-04",
        lambda: {
            "off": run.send(
                f"Accept-Language: {listed}, SO-Language: *",
                headers={**JSON, "Accept-Language": listed, "SO-Language": "*"},
            )
        },
        lambda fresh: run.baseline(fresh=fresh),
        reference_role="raw",
    )


@pytest.mark.requirement("LANG-05")
def test_culture_and_zone_change_only_strings(conformance_run, judge):
    run = conformance_run
    headers = {"SO-Language": "en", "SO-Culture": "de", "SO-TimeZone": "US-NY"}
    judge.relate(
        "LANG-05",
        lambda: {"probe": run.send(_headers_label(headers), headers={**JSON, **headers})},
        lambda fresh: run.baseline(headers={"SO-Language": "en"}, fresh=fresh),
    )


@pytest.mark.requirement("LANG-06")
def test_time_zone_codes_and_ids(conformance_run, judge):
    run = conformance_run
    judge(
        "LANG-06",
        {
            **{f"SO-TimeZone: {z}": run.baseline(headers={"SO-TimeZone": z}) for z in ZONES + SPELLINGS},
            "reference": run.baseline(),
        },
        undocumented=[f"SO-TimeZone: {z}" for z in SPELLINGS],
    )


@pytest.mark.requirement("LANG-07")
def test_unknown_values(conformance_run, judge):
    run = conformance_run
    judge("LANG-07", {label: run.send(label, headers=headers) for label, headers in UNKNOWN.items()})


@pytest.mark.requirement("LANG-08")
def test_app_token_beside_every_scheme(conformance_run, judge):
    run = conformance_run
    tokens = run.target.apptoken
    judge.require(
        "LANG-08",
        tokens is not None,
        "the target declares no [apptoken]: the installation uses no app tokens",
        Status.NOT_APPLICABLE,
    )
    for scheme in run.target.schemes:  # each beside the same scheme without the token
        judge(
            "LANG-08",
            {
                f"{scheme} + SO-AppToken": run.send(
                    f"{scheme} with SO-AppToken",
                    scheme=scheme,
                    app_token=tokens.granted,
                    headers={"Accept": "application/json"},
                ),
                "reference": run.baseline(scheme=scheme),
            },
        )
