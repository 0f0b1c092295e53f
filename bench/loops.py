"""The two client loops: a plain requests.Session (the ceiling of any Python client of a server)
and the suite's own client with decoding and checks, both sending the reference page's sample
request (Basic tje0, Accept JSON with charset, Accept-Language sv, no body)."""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass

import requests

from conformance.reference import ReferenceServer
from conformance.run.runner import Run
from conformance.wire.transport.client import Client

SAMPLE_USER, SAMPLE_PASSWORD = "tje0", "Tje0"
SAMPLE_HEADERS = {"Accept": "application/json; charset=utf-8", "Accept-Language": "sv"}
CHECKED = ("HTTP-01", "HTTP-02", "SCHEMA-01", "SCHEMA-02", "SCHEMA-03")
"""The requirements judged on each exchange of the suite's loop: those a single authorised,
unfiltered probe decides."""
WARM_UP = 10


def sample_headers(user: str = SAMPLE_USER, password: str = SAMPLE_PASSWORD) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}", **SAMPLE_HEADERS}


@dataclass
class Loop:
    requests: int
    seconds: float
    not_ok: int
    """Exchanges that did not answer 200 (raw loop) or whose checks did not all pass (suite loop)."""
    body_bytes: int
    """Size of the last response body."""

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds

    def as_dict(self) -> dict:
        return {
            "requests": self.requests,
            "seconds": round(self.seconds, 4),
            "per_second": round(self.per_second, 1),
            "not_ok": self.not_ok,
            "body_bytes": self.body_bytes,
        }


def raw_loop(url: str, n: int) -> Loop:
    """n POSTs of the sample request through one plain requests.Session, bodies read."""
    headers = sample_headers()
    with requests.Session() as session:
        for _ in range(WARM_UP):
            session.post(url, headers=headers, timeout=10).content
        not_ok, size = 0, 0
        started = time.perf_counter()
        for _ in range(n):
            response = session.post(url, headers=headers, timeout=10)
            size = len(response.content)
            not_ok += response.status_code != 200
        seconds = time.perf_counter() - started
    return Loop(n, seconds, not_ok, size)


def suite_loop(server: ReferenceServer, n: int) -> Loop:
    """n exchanges through the suite's Client (via Run.send: guard, budget, rate limit, deadline,
    redaction, recording), each decoded and judged by the CHECKED requirements' checks."""
    run = Run(server.target("bench"), Client(server.target("bench")))
    for _ in range(WARM_UP):
        _judged(run)
    run.exchanges.clear()
    not_ok, size = 0, 0
    started = time.perf_counter()
    for _ in range(n):
        ok, size = _judged(run)
        not_ok += not ok
    seconds = time.perf_counter() - started
    return Loop(n, seconds, not_ok, size)


def _judged(run: Run) -> tuple[bool, int]:
    exchange = run.send("bench: the sample request", scheme="basic", headers=dict(SAMPLE_HEADERS))
    outcomes = [run.judge(rid, {"probe": exchange}) for rid in CHECKED]
    size = len(exchange.response.body) if exchange.response else 0
    return all(o.status == "pass" for o in outcomes), size
