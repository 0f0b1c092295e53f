"""Peak memory and time of a run against servers whose answers are big but not capped (issue 21,
"Resources"): JSON bodies near the 2 MiB read cap with many FieldProperties entries (broken or
valid), and XML with many elements and attributes. Each server is the reference app with its 200
bodies replaced (tests/hostile/altered.py), or with 90 fat header fields on every answer, on 127.0.0.1; each run is `python -m conformance
--target ... --hypothesis-profile quick --max-requests N --no-reports` in a child process, measured
by bench/processes.py (wall time, peak RSS sampled from /proc). Prints one line per case, a baseline
(the unaltered server) first, and the ratios to it.

    .venv/bin/python bench/hostile_bodies.py [--max-requests 150] [--repeat 1] [--only headers]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.processes import measure  # noqa: E402
from tests.hostile.altered import Altered, json_bodies, serving, unaltered, wide_xml, xml_bodies  # noqa: E402
from tests.hostile.targets import SECRETS, write_target  # noqa: E402

VALID = {"FieldRight": {"Mask": "Read", "Reason": ""}, "FieldType": "System.String", "FieldLength": 10}


def many_entries(count: int, entry) -> callable:
    def change(body: bytes) -> bytes:
        doc = json.loads(body)
        if isinstance(doc, dict) and isinstance(doc.get("FieldProperties"), dict):
            doc["FieldProperties"] = {f"F{i}": entry for i in range(count)}
        return json.dumps(doc, separators=(",", ":")).encode()

    return change


def fat_headers(count: int, size: int) -> callable:
    """Every answer with `count` more header fields of `size` bytes each (http.client takes at most
    100 fields of 64 KiB)."""

    def alter(server: Altered, request):
        response = server.answer(request)
        for i in range(count):
            response.headers[f"X-Fat-{i}"] = "x" * size
        return response

    return alter


CASES = {
    "baseline (the reference answers)": unaltered,
    "120,000 broken FieldProperties entries": json_bodies(many_entries(120_000, 1)),
    "20,000 valid FieldProperties entries": json_bodies(many_entries(20_000, VALID)),
    "XML with 60,000 elements and attributes": xml_bodies(wide_xml(60_000)),
    "90 headers of 64,000 bytes on every answer": fat_headers(90, 64_000),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-requests", type=int, default=150)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--only", default="", help="only the cases whose name holds this text (and the baseline)")
    args = parser.parse_args()
    env = {**os.environ, **SECRETS, "PYTHONPATH": str(ROOT)}
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for name, alter in CASES.items():
            if args.only not in name and alter is not unaltered:
                continue
            with serving(Altered(alter)) as base_url:
                target = write_target(Path(folder), base_url)
                runs = [
                    measure(
                        [
                            sys.executable,
                            "-m",
                            "conformance",
                            "--target",
                            str(target),
                            "-q",
                            "-p",
                            "no:cacheprovider",
                            "--hypothesis-profile",
                            "quick",
                            "--max-requests",
                            str(args.max_requests),
                            "--no-reports",
                        ],
                        cwd=folder,
                        env=env,
                    )
                    for _ in range(args.repeat)
                ]
            wall = sorted(r.wall_s for r in runs)[len(runs) // 2]
            peak = sorted(r.tree_peak_mb for r in runs)[len(runs) // 2]  # ru_maxrss would carry the fork's copy
            verdict = next((line for line in runs[-1].stdout.splitlines() if line.startswith("verdict:")), "no verdict")
            rows.append((name, wall, peak, verdict))
    base_wall, base_peak = rows[0][1], rows[0][2]
    print(f"{'case':42} {'wall s':>7} {'x':>5} {'peak MB':>8} {'x':>5}  verdict")
    for name, wall, peak, verdict in rows:
        print(f"{name:42} {wall:7.1f} {wall / base_wall:5.1f} {peak:8.0f} {peak / base_peak:5.1f}  {verdict[:60]}")


if __name__ == "__main__":
    main()
