"""Child processes measured: wall time, the largest single process's own peak RSS (its VmHWM in
/proc, sampled) and the peak of the whole tree's summed RSS (what -n 2's controller and two
workers hold together), sampled from /proc too.

Not wait4's ru_maxrss (issue 24): Linux keeps the larger of the old and the new address space's
high-water mark across execve, and a child started by vfork or fork begins in this process's
address space, so ru_maxrss reports the benchmark's own size for a child smaller than it. VmHWM
belongs to the process's own address space since its exec. It is read while the process lives
(a zombie has none), every SAMPLE_EVERY s and once right after the start, so at most the growth of
a child's last SAMPLE_EVERY s is missed."""

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
    """The largest VmHWM seen among the child and its descendants: one process's own peak RSS."""
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


def _tree(pid: int) -> list[int]:
    children = _children_map()
    found, stack = [], [pid]
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(children.get(current, ()))
    return found


def tree_rss_bytes(pid: int) -> int:
    total = 0
    for current in _tree(pid):
        try:
            total += int(Path(f"/proc/{current}/statm").read_text().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            pass
    return total


def high_water_bytes(pid: int) -> int:
    """A process's VmHWM (its own address space's peak RSS); 0 if it is gone or a zombie."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except (OSError, IndexError, ValueError):
        pass
    return 0


def tree_high_water_bytes(pid: int) -> int:
    return max((high_water_bytes(p) for p in _tree(pid)), default=0)


def measure(cmd: list[str], cwd: str | Path, env: dict[str, str] | None = None, timeout: float = 600) -> Measured:
    out_path, err_path = Path(cwd, ".bench-stdout"), Path(cwd, ".bench-stderr")
    peak = high_water = 0
    done = threading.Event()
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        started = time.perf_counter()
        process = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=err)

        def sample() -> None:
            nonlocal peak, high_water
            while True:  # Popen returns after the child's exec: its first sample is its own
                peak = max(peak, tree_rss_bytes(process.pid))
                high_water = max(high_water, tree_high_water_bytes(process.pid))
                if done.wait(SAMPLE_EVERY):
                    return

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        timer = threading.Timer(timeout, process.kill)
        timer.start()
        try:
            _, status = os.waitpid(process.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - started
        done.set()
        sampler.join()
        process.returncode = os.waitstatus_to_exitcode(status)
    return Measured(
        process.returncode,
        wall,
        high_water / 2**20,
        peak / 2**20,
        out_path.read_text(errors="replace"),
        err_path.read_text(errors="replace"),
    )
