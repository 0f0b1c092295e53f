"""Reference server over HTTP: methods, paths, limits, volatile mode and the command line."""

from __future__ import annotations

import selectors
import subprocess
import sys

import pytest
import requests

from conformance.reference import ServerConfig
from tests.calls import body, post


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH"])
def test_other_methods_get_405_with_allow(reference, method):
    response = post(reference, method=method)
    assert response.status_code == 405 and response.headers["Allow"] == "POST"


def test_other_paths_get_404(reference):
    sibling = reference.base_url + "/Agents/ErpSync/ChangeEngineStatus"
    assert requests.post(sibling, timeout=5).status_code == 404


def test_a_configurable_base_path(serve):
    with serve(base_path="/Cust12345/api/v1") as server:
        assert server.endpoint_url.endswith("/Cust12345/api/v1/Agents/ErpSync/GetEngineStatus")
        assert post(server).status_code == 200


def test_a_post_with_a_body_is_answered_and_an_oversized_one_gets_413(reference):
    assert post(reference, data=b'{"ignored": true}', headers={"Content-Type": "application/json"}).status_code == 200
    assert post(reference, data=b"x" * ((1 << 20) + 1)).status_code == 413


def test_the_response_is_utf8_json_with_charset(reference):
    response = post(reference, headers={"Accept-Language": "nb"})
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert "kjører" in response.content.decode("utf-8")


def test_volatile_mode_flips_is_running_and_moves_the_message_on(serve):
    with serve(volatile_every=2) as server:
        seen = [body(post(server)) for _ in range(6)]
    assert [s["IsRunning"] for s in seen] == [True, True, False, False, True, True]
    assert seen[2]["StatusMessage"].startswith("[SR_ERPSYNC_STATUS_STOPPED] 2026-11-27 09:45:00 1251")
    assert seen[0]["FieldProperties"] == seen[5]["FieldProperties"]


def test_engine_state_is_configurable(serve):
    from dataclasses import replace
    from datetime import timedelta

    engine = replace(
        ServerConfig().engine,
        running=False,
        interval=timedelta(days=1, hours=2),
        table_mask=("Select",),
        table_reason=None,
    )
    with serve(engine=engine) as server:
        result = body(post(server))
    assert result["IsRunning"] is False and result["Interval"] == "1.02:00:00"
    assert result["TableRight"] == {"Mask": "Select", "Reason": None}


@pytest.mark.parametrize(
    "bad, message",
    [
        ({"faults": {"no-such-fault"}}, "unknown fault"),
        ({"schemes": ("kerberos",)}, "unknown scheme"),
        ({"base_path": "api/v1/"}, "base_path"),
        ({"volatile_every": 0}, "volatile_every"),
    ],
)
def test_bad_configuration_is_named(bad, message):
    with pytest.raises(ValueError, match=message):
        ServerConfig(**bad)


def run_cli(*args: str, timeout: float = 30) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "conformance.reference", *args], capture_output=True, text=True, timeout=timeout
    )


def test_cli_sample_prints_a_200_exchange_with_credentials_redacted():
    done = run_cli("--sample")
    assert done.returncode == 0, done.stderr
    assert "HTTP/1.1 200 OK" in done.stdout and '"Interval": "00:15:00"' in done.stdout
    assert "Authorization: ***" in done.stdout and "dGplMDpUamUw" not in done.stdout
    assert "Motorn körs." in done.stdout  # the sample's Accept-Language: sv


def test_cli_lists_faults_and_choices_and_refuses_bad_values():
    assert "select-ignored" in run_cli("--list-faults").stdout
    assert "select_unknown" in run_cli("--list-choices").stdout
    bad = run_cli("--choice", "select_unknown=sometimes", "--sample")
    assert bad.returncode == 2 and "choices.select_unknown: expected one of ignore, reject" in bad.stderr
    assert "Traceback" not in bad.stderr
    assert run_cli("--fault", "nope", "--sample").returncode == 2


def test_cli_serves_on_port_0_and_prints_its_url():
    proc = subprocess.Popen(
        [sys.executable, "-m", "conformance.reference", "--port", "0", "--fault", "select-ignored"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        selector = selectors.DefaultSelector()
        selector.register(proc.stdout, selectors.EVENT_READ)
        assert selector.select(timeout=30), "the server printed nothing"
        line = proc.stdout.readline()
        assert line.startswith("Reference server at http://127.0.0.1:")
        base = line.split()[3]
        response = requests.post(
            base + "/Agents/ErpSync/GetEngineStatus", auth=("tje0", "Tje0"), params={"$select": "IsRunning"}, timeout=5
        )
        assert response.status_code == 200 and response.json()["Interval"] is not None
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.mark.parametrize("mode, expected", [("timespan", "00:15:00"), ("iso8601", "PT15M"), ("any", "15 min")])
def test_interval_text_follows_the_profile(serve, mode, expected):
    from conformance.contract.choices import Profile

    with serve(profile=Profile(interval_format=mode)) as server:
        assert body(post(server))["Interval"] == expected
        assert "<Interval>PT15M</Interval>" in post(server, headers={"Accept": "text/xml"}).text


def test_every_flipped_profile_serves_a_full_valid_body(serve):
    from conformance.contract.choices import flipped_profiles
    from conformance.contract.endpoint import FULL_VIEW, violations

    for profile in flipped_profiles():
        with serve(profile=profile) as server:
            assert violations(body(post(server)), FULL_VIEW) == [], profile
