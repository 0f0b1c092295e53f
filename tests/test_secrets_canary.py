"""No secret leaks: the whole suite, with reports, JUnit, a log file and Hypothesis's example
database, run against a server whose every credential is a unique canary value and which echoes
every credential it receives in every form (headers, a header's name, a Location, 500 pages that
print the request with JSON and HTML escapes, in UTF-16 and wrapped base64; hex, upper-cased,
reversed, its first two thirds), serially and under `-n 2`, with failures (so
failure messages, tracebacks with their locals, falsifying examples and evidence are all written).
Every byte written and printed is searched for each canary in every encoding: raw, Base64
(standard, URL-safe, unpadded), URL-encoded, JSON \\u-escaped, HTML character references, and
Basic's user:password in each; and for any run of 8 characters of a secret in any of those forms."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conformance.reference import ServerConfig
from conformance.reference.config import Credentials
from tests.hostile.altered import Altered, echoing, encodings, serving
from tests.test_redaction import found_in, views_of

CANARIES = Credentials(
    basic_user="canary-user-7f3a",
    basic_password="canary-pw-Q9x2Lm",
    ticket="7T:canary-tkt-Zt5Yb",
    bearer="8A:Cust1.canary-brr-Hk8Vn",
    session_id="canary-sssn-Wp4Tc",
    xsrf_token="canary-xsrf-Rr6Ue",
    app_token_granted="canary-app-Jm2Sd",
    app_token_restricted="canary-app-rstrd-Ds1Kq",
)
# No 8 characters in a row of a secret here are words the suite writes itself ("session-", "restricted"):
# its own text is no leak, and the pieces search below would take it for one.
ENV = {
    "C_USER": CANARIES.basic_user,
    "C_PASSWORD": CANARIES.basic_password,
    "C_TICKET": CANARIES.ticket,
    "C_BEARER": CANARIES.bearer,
    "C_SESSION": CANARIES.session_id,
    "C_XSRF": CANARIES.xsrf_token,
    "C_APP": CANARIES.app_token_granted,
    "C_APP_RESTRICTED": CANARIES.app_token_restricted,
}
# Failures of several kinds: refusals that leak a body (AUTH), a property the examples break
# (SELECT-04, with a falsifying example printed), server errors (LANG-07, HTTP-03).
FAULTS = ("auth-refusal-leaks-body", "select-case-sensitive", "lang-unknown-500")


def _forms() -> dict[str, bytes]:
    """Every encoding of every secret (the user name is no secret: it is written in the target)."""
    forms = {}
    secrets = {k: v for k, v in ENV.items() if k != "C_USER"}
    secrets["user:password"] = f"{CANARIES.basic_user}:{CANARIES.basic_password}"
    for name, value in secrets.items():
        for form, text in encodings(value).items():
            if form != "half-escaped":
                forms[f"{form}({name})"] = text.encode()
    return forms


TARGET = """name = "canary"
base_url = "{base_url}"
[basic]
user = "env:C_USER"
password = "env:C_PASSWORD"
[soticket]
ticket = "env:C_TICKET"
[bearer]
token = "env:C_BEARER"
[session]
cookie_name = "ASP.NET_SessionId"
cookie = "env:C_SESSION"
xsrf_token = "env:C_XSRF"
[apptoken]
granted = "env:C_APP"
restricted = "env:C_APP_RESTRICTED"
"""


@pytest.fixture(scope="module")
def canary_server():
    app = Altered(echoing, ServerConfig(credentials=CANARIES, faults=frozenset(FAULTS)))
    with serving(app) as base_url:
        yield base_url


def test_no_canary_in_anything_the_suite_writes_or_prints(canary_server, tmp_path):
    env = {**os.environ, **ENV, "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("CI", None)
    runs = {}
    for name, extra in (("serial", []), ("xdist", ["-n", "2"])):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "target.toml").write_text(TARGET.format(base_url=canary_server))
        runs[name] = (
            folder,
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "conformance",
                    "--target",
                    "target.toml",
                    "--hypothesis-profile",
                    "quick-db",
                    "--hypothesis-seed",
                    "1",
                    "--hypothesis-show-statistics",
                    "-rA",
                    "-v",
                    "-l",
                    "--tb=long",
                    "--junitxml",
                    "junit.xml",
                    "-o",
                    "log_file=run.log",
                    "--log-file-level",
                    "DEBUG",
                    "--results-json",
                    "results-copy.json",
                    *extra,
                ],
                cwd=folder,
                env=env,
                stdout=(folder / "stdout.txt").open("wb"),
                stderr=(folder / "stderr.txt").open("wb"),
            ),
        )
    written: dict[str, bytes] = {}
    for name, (folder, process) in runs.items():
        process.wait(timeout=600)
        assert process.returncode == 1, (folder / "stderr.txt").read_text(errors="replace")[
            -2000:
        ]  # faults fail the gate
        for path in folder.rglob("*"):
            if path.is_file() and path.name != "target.toml":
                written[f"{name}: {path.relative_to(folder)}"] = path.read_bytes()
    leaks: dict[str, set[str]] = {}
    for form, needle in _forms().items():
        for where, data in written.items():
            if needle in data:
                leaks.setdefault(form.split("(")[0], set()).add(where.split(": ")[1].split("/")[-1])
    assert leaks == {}, {form: sorted(places) for form, places in leaks.items()}
    # And no run of 8 characters of a secret in any form (tests/test_redaction.py's leak finder):
    pieces = {}
    for where, data in written.items():
        if "/.hypothesis/" in f"/{where.split(': ', 1)[1]}":
            continue  # Hypothesis's binary example database: no server text, no secret (checked above)
        seen = views_of(data.decode("utf-8", "replace"))  # once per file, searched for every secret
        for name, value in ENV.items():
            if name != "C_USER" and (found := found_in(value, seen)):
                pieces.setdefault(name, set()).add(f"{where}: {found[0]}")
    assert pieces == {}, {name: sorted(places)[:5] for name, places in pieces.items()}
    names = set(written)
    for expected in (
        "serial: stdout.txt",
        "serial: junit.xml",
        "serial: run.log",
        "serial: results-copy.json",
        "xdist: stdout.txt",
        "xdist: junit.xml",
        "xdist: results-copy.json",
    ):
        assert expected in names, sorted(names)
    assert any(n.endswith("report.html") for n in names) and any(n.endswith("summary.md") for n in names)
    assert any("/.hypothesis/" in f"/{n.split(': ', 1)[1]}" for n in names), "no Hypothesis database written"
    assert b"Reproduce: curl -sS -i -X POST" in written["serial: stdout.txt"]  # failure messages were printed
    assert b"$C_PASSWORD" in written["serial: results-copy.json"]  # redacted, named, not dropped
