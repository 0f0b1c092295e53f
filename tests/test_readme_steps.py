"""The README's "Against your tenant in five steps", verbatim, from a fresh folder against an Online
installation on loopback (the bundled server with installation=online, at a tenant's rate cut to
what a test can wait for): each command is read from the README itself, so a step the README
changes is the step tested."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

from conformance.reference import ReferenceServer, ServerConfig
from conformance.reference.config import Credentials
from conformance.reference.variants import Options

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text("utf-8")
STEPS = README[README.index("## Against your tenant in five steps") : README.index("## The gate")]


def _step(number: int) -> str:
    return STEPS[STEPS.index(f"{number}. **") : STEPS.index(f"{number + 1}. **") if number < 5 else None]


def _commands(text: str, starts: str) -> list[str]:
    """The README's commands in a step: inline `code` and fenced lines that begin with `starts`."""
    found = re.findall(r"`([^`]+)`", text.replace("\n   ", " "))
    found += [line.strip() for line in text.splitlines() if line.strip().startswith(starts)]
    return list(dict.fromkeys(c for c in found if c.startswith(starts)))


def _run(command: str, cwd: Path, env: dict) -> subprocess.CompletedProcess:
    words = shlex.split(command)
    assert words[0] == ".venv/bin/erpsync-conformance", command
    return subprocess.run(
        [sys.executable, "-m", "conformance", *words[1:]], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )


def test_the_five_steps_work_verbatim_against_an_online_installation_on_loopback(tmp_path):
    c = Credentials()
    with ReferenceServer(ServerConfig().with_(options=Options(installation="online"))) as server:
        # 1. Copy a target file and the waiver file it names.
        (copy,) = _commands(_step(1), "cp ")
        for part in copy.split(" && "):
            _, source, destination = part.split()
            (tmp_path / destination).write_bytes((ROOT / source).read_bytes()) if destination != "." else (
                tmp_path / Path(source).name
            ).write_bytes((ROOT / source).read_bytes())
        target = tmp_path / "my-tenant.toml"
        # 2. Set the base URL (the README's example line replaced by this server's) and the limits.
        example = re.search(r'`(base_url = "[^"]+")`', _step(2)).group(1)
        text = target.read_text("utf-8")
        assert example in text, "step 2's example is not the line the sample holds"
        text = text.replace(example, f'base_url = "{server.base_url}"')
        text = re.sub(r"max_requests = \d+", "max_requests = 400", text)
        text = re.sub(r"rate = \d+", "rate = 200", text)
        target.write_text(text, "utf-8")
        # 3. Export the secrets the file names: the README's export line, with this server's values.
        export = next(line.strip() for line in _step(3).splitlines() if line.strip().startswith("export "))
        values = {
            "SO_TICKET": c.ticket,
            "SO_BEARER": c.bearer,
            "SO_APP_SECRET": c.app_token_granted,
            "SO_APP_SECRET_NO_ERPSYNC": c.app_token_restricted,
        }
        named = re.findall(r"([A-Z_]+)=", export)
        assert set(named) == set(values), named
        env = {**{k: v for k, v in os.environ.items() if not k.startswith("SO_")}, **values}
        # 4. Look before you send: the dry run, then discover merging into the file.
        dry, discover = _commands(_step(4), ".venv/bin/erpsync-conformance")
        assert "--dry-run" in dry and "discover" in discover, (dry, discover)
        looked = _run(dry, tmp_path, env)
        assert looked.returncode == 0, looked.stdout[-3000:] + looked.stderr[-2000:]
        assert server.requests.arrivals() == [], "the dry run sent a request"
        merged = _run(discover, tmp_path, env)
        assert merged.returncode == 0, merged.stdout[-3000:] + merged.stderr[-2000:]
        assert "[choices] merged" in merged.stderr, merged.stderr
        assert tomllib.loads(target.read_text("utf-8"))["choices"]["app_tokens"] == "checked"
        # 5. Run it.
        (run,) = [c for c in _commands(_step(5), ".venv/bin/erpsync-conformance") if "--target" in c]
        done = _run(run, tmp_path, env)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert re.search(r"^verdict: conforms", done.stdout, re.MULTILINE), done.stdout[-3000:]
    assert "erpsync-conformance report:" in done.stdout and (tmp_path / "reports" / "latest" / "report.html").exists()
    for secret in values.values():
        assert secret not in done.stdout + merged.stdout + looked.stdout
