"""Child processes measured: wall time, peak RSS by wait4 (the largest single process of the tree
that the child waited for) and, sampled from /proc, the peak of the whole tree's summed RSS
(what -n 2's controller and two workers hold together)."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")
SAMPLE_EVERY = 0.1


@dataclass
class Measured:
    returncode: int
    wall_s: float
    maxrss_mb: float
    """ru_maxrss of the child from wait4: its own peak, or a waited-for descendant's if larger."""
    tree_peak_mb: float
    """Peak of the summed RSS of the child and all its descendants, sampled every SAMPLE_EVERY s."""
    stdout: str
    stderr: str


def _children_map() -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        out.setdefault(ppid, []).append(int(entry.name))
    return out


def tree_rss_bytes(pid: int) -> int:
    children = _children_map()
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        stack.extend(children.get(current, ()))
        try:
            total += int(Path(f"/proc/{current}/statm").read_text().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            pass
    return total


def measure(cmd: list[str], cwd: str | Path, env: dict[str, str] | None = None, timeout: float = 600) -> Measured:
    out_path, err_path = Path(cwd, ".bench-stdout"), Path(cwd, ".bench-stderr")
    peak = 0
    done = threading.Event()
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        started = time.perf_counter()
        process = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=err)

        def sample() -> None:
            nonlocal peak
            while not done.wait(SAMPLE_EVERY):
                peak = max(peak, tree_rss_bytes(process.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        timer = threading.Timer(timeout, process.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - started
        done.set()
        sampler.join()
        process.returncode = os.waitstatus_to_exitcode(status)
    return Measured(process.returncode, wall, usage.ru_maxrss / 1024, peak / 2**20,
                    out_path.read_text(errors="replace"), err_path.read_text(errors="replace"))
