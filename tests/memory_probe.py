"""`python -m tests.memory_probe N`: N exchanges with 50 MB answers (the client reads 2 MiB of
each), each judged and its outcome kept as a test keeps it; prints the process's peak RSS in MB.
The server runs in a process of its own (`--serve`), so the figure is the suite's alone, whatever
the server's threads hold while they write into connections the client has closed.

The figure is the process's own high-water mark (`VmHWM`), not `ru_maxrss`: Linux carries a
process's `ru_maxrss` across fork and exec, so a probe started by a pytest-xdist worker of 300 MB
reported 300 MB whatever it did itself (the intermittent 301-312 MB peaks under `make test`)."""

from __future__ import annotations

import resource
import subprocess
import sys

from werkzeug.wrappers import Response

from conformance.checks.outcome import Outcome
from conformance.run.runner import Run
from conformance.wire.target import Basic, Limits, Secret, Target
from conformance.wire.transport.client import Client
from tests.hostile.altered import serving

MIB = 1024 * 1024


def huge(environ, start_response):
    """50 MB of a JSON string, streamed: more than the client ever reads of it."""

    def body():
        yield b'{"StatusMessage": "'
        for _ in range(50 * MIB // 65536):
            yield b"x" * 65536
        yield b'"}'

    return Response(body(), content_type="application/json; charset=utf-8", direct_passthrough=True)(
        environ, start_response
    )


def serve() -> None:
    """The server, until the prober closes this process's stdin."""
    with serving(huge) as base_url:
        print(base_url, flush=True)
        sys.stdin.read()


def main(count: int) -> None:
    server = subprocess.Popen(
        [sys.executable, "-m", "tests.memory_probe", "--serve"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        base_url = server.stdout.readline().strip()
        target = Target(
            "memory",
            base_url,
            basic=Basic("u", Secret("memory-probe-password", "P")),
            limits=Limits(max_requests=count + 10, rate=10_000, read_timeout=30),
        )
        run = Run(target, Client(target))
        kept: list[Outcome] = []
        for i in range(count):
            exchange = run.send(f"huge {i}", scheme="basic", headers={"Accept": f"application/json; n={i}"})
            assert exchange.response is not None and exchange.response.truncated, exchange.error
            kept.append(run.judge("ACCEPT-02", {"probe": exchange}).slim())
    finally:
        server.stdin.close()
        server.wait(timeout=60)
    print(own_peak_mb())


def own_peak_mb() -> int:
    """This process's peak resident size since its exec, in MB."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        pass
    # Elsewhere `ru_maxrss` (which may include the parent's size at spawn: an upper bound).
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // (1024 * 1024 if sys.platform == "darwin" else 1024)


if __name__ == "__main__":
    serve() if sys.argv[1] == "--serve" else main(int(sys.argv[1]))
