"""A run cut short by Ctrl-C says so everywhere: exit 2, results.json and summary.md "interrupted"
(never "conforms"), and reports/latest stays on the last run that ended. Serially and under -n 2,
the signal sent to the run's process group as a terminal sends it, once the target has seen
requests: the run is synchronised on the server's request log, not on time."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest

from conformance.reference import ReferenceServer
from conformance.reference.config import Credentials

C = Credentials()
ENV = {"I_TICKET": C.ticket, "I_BEARER": C.bearer}
TARGET = """name = "interrupted"
base_url = "{base_url}"
[soticket]
ticket = "env:I_TICKET"
[bearer]
token = "env:I_BEARER"
"""


def _as_at_a_terminal() -> None:
    """SIGINT as a terminal's Ctrl-C finds it: handled. A shell runs background jobs (`make test &`,
    nohup) with SIGINT ignored, and the child would inherit that and never see the signal."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_an_interrupted_run_is_recorded_as_interrupted(tmp_path, workers):
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "earlier-run").mkdir()
    os.symlink("earlier-run", tmp_path / "reports" / "latest")
    with ReferenceServer() as server:
        (tmp_path / "target.toml").write_text(TARGET.format(base_url=server.base_url))
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "conformance",
                "--target",
                "target.toml",
                "--hypothesis-profile",
                "thorough",
                "--results-json",
                "results.json",
                *workers,
            ],
            cwd=tmp_path,
            env={**os.environ, **ENV},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_as_at_a_terminal,
        )
        try:
            assert server.requests.wait_for(150, timeout=120), "the run sent too few requests to interrupt"
            os.killpg(process.pid, signal.SIGINT)
            output, _ = process.communicate(timeout=120)
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
    text = output.decode("utf-8", "replace")
    assert process.returncode == 2, text[-3000:]
    doc = json.loads((tmp_path / "results.json").read_text())
    assert doc["verdict"]["status"] == "interrupted" and doc["verdict"]["exit_code"] == 2, doc["verdict"]
    assert doc["run"]["requests"] > 0 or workers, doc["run"]
    folders = [p for p in (tmp_path / "reports").iterdir() if p.name.startswith("interrupted-")]
    assert len(folders) == 1
    summary = (folders[0] / "summary.md").read_text()
    assert "interrupted" in summary and "conforms" not in summary
    assert os.readlink(tmp_path / "reports" / "latest") == "earlier-run"
    assert "verdict: interrupted (exit 2)" in text
