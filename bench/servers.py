"""Servers in their own processes, for the comparison with Prism under the same client loop: the
reference server (`python -m conformance.reference`) and Stoplight Prism serving
schemas/openapi.yaml as a mock, installed from npm into bench/.prism on first use."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

from bench.loops import sample_headers

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PRISM_PACKAGE = "@stoplight/prism-cli@5"


class ServerFailed(RuntimeError):
    """A server could not be installed or started; the message says why."""


class Spawned:
    """A server process started in its own session (so it and its children end together), its
    output in a file, and the URL of GetEngineStatus it announced."""

    def __init__(self, cmd: list[str], announce: str, cwd: Path, timeout: float = 60) -> None:
        self._log = tempfile.NamedTemporaryFile(prefix="bench-server-", suffix=".log", delete=False)
        self.process = subprocess.Popen(
            cmd, cwd=cwd, stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = re.search(announce, self.output())
            if found:
                self.url = found.group("url")
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        self.stop()
        raise ServerFailed(f"{' '.join(cmd[:3])} ... did not start: {self.output()[-600:].strip()}")

    def output(self) -> str:
        return Path(self._log.name).read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self._log.close()
        Path(self._log.name).unlink(missing_ok=True)

    def __enter__(self) -> "Spawned":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def answers_sample(url: str) -> dict:
    """One sample request: what the server answers. ServerFailed unless it is a 200, so that a
    loop is never timed over refusals."""
    response = requests.post(url, headers=sample_headers(), timeout=10)
    seen = {
        "status": response.status_code,
        "content_type": response.headers.get("Content-Type"),
        "body_bytes": len(response.content),
        "connection": response.headers.get("Connection"),
    }
    if response.status_code != 200:
        raise ServerFailed(f"{url} answers the sample request {response.status_code}, not 200: {seen}")
    return seen


def reference_process() -> Spawned:
    return Spawned(
        [sys.executable, "-m", "conformance.reference", "--port", "0"], r"\(endpoint (?P<url>http://\S+)\)", ROOT
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def install_prism(prefix: Path) -> tuple[Path, str]:
    """The prism executable under prefix (npm install --no-save on first use) and its version."""
    executable = prefix / "node_modules" / ".bin" / "prism"
    if not executable.exists():
        npm = shutil.which("npm")
        if npm is None:
            raise ServerFailed("npm is not on PATH: Stoplight Prism cannot be installed")
        prefix.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            [npm, "install", "--no-save", "--no-audit", "--no-fund", "--prefix", str(prefix), PRISM_PACKAGE],
            capture_output=True,
            text=True,
            timeout=600,
        )
        if done.returncode != 0 or not executable.exists():
            raise ServerFailed(
                f"npm install {PRISM_PACKAGE} failed (exit {done.returncode}): "
                f"{(done.stderr or done.stdout).strip()[-600:]}"
            )
    version = subprocess.run([str(executable), "--version"], capture_output=True, text=True, timeout=60)
    return executable, version.stdout.strip()


def prism(executable: Path) -> Spawned:
    """`prism mock` of schemas/openapi.yaml (static responses) on a free port of 127.0.0.1. Prism
    serves the paths without the servers' base path, and announces each operation's URL."""
    port = free_port()
    return Spawned(
        [str(executable), "mock", "-p", str(port), "-h", "127.0.0.1", str(ROOT / "schemas" / "openapi.yaml")],
        r"POST\s+(?P<url>http://127\.0\.0\.1:\d+/\S*GetEngineStatus)",
        ROOT,
    )
