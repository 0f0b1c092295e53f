"""What one connection per exchange costs (conformance/wire/transport/deadline.py's pools close each
connection after its exchange, so that nothing a server sends afterwards is read as another
answer): the suite's client loop (bench/loops.py's suite_loop) against the bundled reference
server, alternating that against connections kept alive, the same number of exchanges each time.
Prints the exchanges per second of each, their medians and the median ratio.

    .venv/bin/python bench/connections.py [--requests 400] [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

import urllib3

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.loops import suite_loop  # noqa: E402
from conformance.reference import ReferenceServer  # noqa: E402
from conformance.wire.transport import deadline  # noqa: E402

POOLS = (deadline.WatchedHTTPPool, deadline.WatchedHTTPSPool)


def kept_alive(on: bool) -> None:
    """Connections given back to the pool as urllib3 does it (on) or closed (the suite's way)."""
    for pool in POOLS:
        if on:
            pool._put_conn = urllib3.HTTPConnectionPool._put_conn
        elif "_put_conn" in pool.__dict__:
            del pool._put_conn


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rates: dict[str, list[float]] = {"one connection per exchange": [], "kept alive": []}
    with ReferenceServer() as server:
        try:
            for _ in range(args.repeat):
                for mode, runs in rates.items():
                    kept_alive(mode == "kept alive")
                    runs.append(suite_loop(server, args.requests).per_second)
        finally:
            kept_alive(False)
    for mode, runs in rates.items():
        print(f"{mode:28} median {statistics.median(runs):6.0f} exchanges/s  ({', '.join(f'{r:.0f}' for r in runs)})")
    ratios = [a / b for a, b in zip(*rates.values())]
    print(
        f"ratio one-per-exchange / kept-alive: median {statistics.median(ratios):.3f} "
        f"({min(ratios):.3f}-{max(ratios):.3f})"
    )


if __name__ == "__main__":
    main()
