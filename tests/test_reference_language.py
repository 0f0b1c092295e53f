"""Reference server over HTTP: languages, SO-Language, culture and time zones."""

from __future__ import annotations

import re

import pytest

from conformance.contract.choices import Profile
from tests.calls import body, post

RAW = "[SR_ERPSYNC_STATUS_RUNNING] 2026-11-27 09:30:00 1234 12.5"


def status(server, headers) -> dict:
    response = post(server, headers=headers)
    assert response.status_code == 200, response.text
    return body(response)


def strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    return []


def test_no_language_leaves_references_and_multi_language_values_raw(reference):
    result = status(reference, {})
    assert result["StatusMessage"] == RAW
    assert result["TableRight"]["Reason"] == "[SR_ERPSYNC_RIGHTS_ADMIN_ONLY]"
    assert result["FieldProperties"]["IsRunning"]["FieldRight"]["Reason"].startswith('NO:"Kun lesetilgang";US:')


@pytest.mark.parametrize(
    "header, start, reason",
    [
        ("en", "Engine running. Last synchronisation 11/27/2026 09:30:00: 1,234 records in 12.5 s.", "Read only"),
        (
            "nb",
            "Motoren kjører. Siste synkronisering 27.11.2026 09:30:00: 1\u00a0234 poster på 12,5 s.",
            "Kun lesetilgang",
        ),
        ("no", "Motoren kjører.", "Kun lesetilgang"),
        ("sv-SE", "Motorn körs. Senaste synkronisering 2026-11-27 09:30:00: 1\u00a0234", "Endast läsbehörighet"),
        ("da", "Motoren kører. Seneste synkronisering 27-11-2026 09:30:00: 1.234", "Kun læseadgang"),
        ("de-DE,de;q=0.9", "Modul läuft. Letzte Synchronisierung 27.11.2026 09:30:00: 1.234", "Nur Lesezugriff"),
        ("fr", "Moteur en marche. Dernière synchronisation 27/11/2026 09:30:00 : 1\u202f234", "Lecture seule"),
        ("zz, fr;q=0.5", "Moteur en marche.", "Lecture seule"),
    ],
)
def test_accept_language_translates_and_formats(reference, header, start, reason):
    result = status(reference, {"Accept-Language": header})
    assert result["StatusMessage"].startswith(start)
    assert result["FieldProperties"]["IsRunning"]["FieldRight"]["Reason"] == reason
    assert not any("[SR_" in s for s in strings(result))


def test_so_language_overrides_accept_language(reference):
    result = status(reference, {"Accept-Language": "fr", "SO-Language": "de"})
    assert result["StatusMessage"].startswith("Modul läuft.")


@pytest.mark.parametrize("off", ["*", "x", "X"])
def test_so_language_star_or_x_turns_translation_off(reference, off):
    assert status(reference, {"Accept-Language": "fr", "SO-Language": off})["StatusMessage"] == RAW


def test_culture_is_ignored_without_a_language(reference):
    assert status(reference, {"SO-Culture": "de"}) == status(reference, {})


def test_culture_formats_numbers_and_dates_only(reference):
    english = status(reference, {"SO-Language": "en"})
    german_numbers = status(reference, {"SO-Language": "en", "SO-Culture": "de"})
    assert (
        german_numbers["StatusMessage"]
        == "Engine running. Last synchronisation 27.11.2026 09:30:00: 1.234 records in 12,5 s."
    )
    for result in (english, german_numbers):
        assert result["IsRunning"] is True
        assert result["FieldProperties"]["StatusMessage"]["FieldLength"] == 2000


@pytest.mark.parametrize(
    "zone, time",
    [
        ("UTC", "09:30:00"),
        ("NO", "10:30:00"),
        ("261", "10:30:00"),
        ("us-ny", "04:30:00"),
        ("NO, includeTZOffset", "10:30:00 +01:00"),
        ("261,includeTZOffset", "10:30:00 +01:00"),
        ("US-LA, INCLUDETZOFFSET", "01:30:00 -08:00"),
    ],
)
def test_time_zones_by_code_and_id_with_and_without_offset(reference, zone, time):
    message = status(reference, {"SO-TimeZone": zone})["StatusMessage"]
    assert re.match(r"^\[SR_ERPSYNC_STATUS_RUNNING\] 2026-11-27 " + re.escape(time) + " 1234 12.5$", message), message


@pytest.mark.parametrize(
    "headers",
    [
        {"Accept-Language": "zz"},
        {"SO-Language": "klingon"},
        {"SO-Language": "en", "SO-Culture": "xx-YY"},
        {"SO-TimeZone": "Mars/Olympus"},
        {"SO-TimeZone": "99999"},
        {"SO-TimeZone": "NO, bogus"},
    ],
)
def test_unknown_values_are_ignored_by_default(reference, headers):
    assert post(reference, headers=headers).status_code == 200


@pytest.mark.parametrize(
    "headers, named",
    [
        ({"Accept-Language": "zz"}, "Accept-Language"),
        ({"SO-Language": "klingon"}, "SO-Language"),
        ({"SO-Language": "en", "SO-Culture": "xx-YY"}, "SO-Culture"),
        ({"SO-TimeZone": "Mars/Olympus"}, "SO-TimeZone"),
    ],
)
def test_unknown_values_get_400_under_the_reject_profile(serve, headers, named):
    with serve(profile=Profile.from_mapping({"unknown_locale": "reject"})) as server:
        response = post(server, headers=headers)
        assert response.status_code == 400 and named in response.json()["ErrorMessage"]
        assert post(server, headers={"SO-Culture": "xx-YY"}).status_code == 200  # ignored: no language


def test_xml_translates_too(reference):
    response = post(reference, headers={"Accept": "text/xml", "Accept-Language": "nb"})
    assert "Motoren kjører." in response.text
