"""python -m conformance.reference [--port 0] [--random-choices SEED] [--fault NAME ...] [--choice KEY=VALUE ...] [--option KEY=VALUE ...] [--sample]

Serves the reference server on 127.0.0.1 and prints its base URL; with --sample it sends the
reference page's sample request once, prints the exchange (credentials redacted) and exits. With
--random-choices SEED it serves the conformant server the generator draws from SEED instead, and
prints every choice it drew.
"""

from __future__ import annotations

import argparse
import base64
import json
import sys

import requests

from conformance.contract.choices import SETTINGS, ProfileError, key_values
from conformance.contract.endpoint import PATH
from conformance.reference.config import SCHEMES, ServerConfig
from conformance.reference.faults import FAULTS
from conformance.reference.generator import draw, reference_config
from conformance.reference.server import ReferenceServer
from conformance.reference.variants import VARIANTS
from conformance.wire.target import is_loopback

REDACTED = {"authorization", "cookie", "x-xsrf-token", "so-apptoken"}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m conformance.reference", description=__doc__.split("\n\n")[1])
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port (default 0: any free port)")
    parser.add_argument("--base-path", help="path up to and including /api/v1 (default /api/v1, or the drawn one)")
    parser.add_argument(
        "--scheme",
        action="append",
        choices=SCHEMES,
        dest="schemes",
        help="enable only these auth schemes (repeatable; default all)",
    )
    parser.add_argument(
        "--random-choices",
        type=int,
        metavar="SEED",
        dest="seed",
        help="serve the conformant server drawn from SEED (every open point, serialisation and "
        "data drawn); --choice, --option and --fault change it further",
    )
    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="NAME",
        help="switch on a named fault (repeatable); --list-faults shows them",
    )
    parser.add_argument(
        "--choice",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="the server's choice on an open point (repeatable); --list-choices shows them",
    )
    parser.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a serialisation or data variant (repeatable); --list-options shows them",
    )
    parser.add_argument("--volatile", type=int, metavar="N", help="flip IsRunning every N served requests")
    parser.add_argument("--slow-seconds", type=float, default=5.5, help="delay of the 'slow' fault")
    parser.add_argument("--list-faults", action="store_true", help="list the faults and exit")
    parser.add_argument("--list-choices", action="store_true", help="list the open points and their choices, and exit")
    parser.add_argument("--list-options", action="store_true", help="list the variants and exit")
    parser.add_argument(
        "--sample", action="store_true", help="send the documented sample request once, print the exchange, exit"
    )
    return parser.parse_args(argv)


def build_config(args: argparse.Namespace) -> ServerConfig:
    config = reference_config(
        args.seed,
        key_values(args.choice, "--choice"),
        key_values(args.option, "--option"),
        args.fault,
        args.volatile,
        args.slow_seconds,
    )
    changes = {"base_path": args.base_path} if args.base_path else {}
    if args.schemes:
        changes["schemes"] = tuple(args.schemes)
    return config.with_(**changes)


def sample(server: ReferenceServer) -> int:
    """The reference page's sample request: Basic auth, Accept JSON with charset, Accept-Language sv."""
    creds = server.config.credentials
    token = base64.b64encode(f"{creds.basic_user}:{creds.basic_password}".encode()).decode()
    headers = {"Authorization": f"Basic {token}", "Accept": "application/json; charset=utf-8", "Accept-Language": "sv"}
    response = requests.post(server.endpoint_url, headers=headers, timeout=10)
    request = response.request
    print(f"{request.method} {request.url}")
    for name, value in request.headers.items():
        print(f"{name}: {'***' if name.lower() in REDACTED else value}")
    print()
    print(f"HTTP/1.1 {response.status_code} {response.reason}")
    for name, value in response.headers.items():
        print(f"{name}: {value}")
    print()
    try:
        print(json.dumps(response.json(), indent=2, ensure_ascii=False))
    except ValueError:
        print(response.text)
    return 0 if response.status_code == 200 else 1


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.list_faults:
        for fault in FAULTS:
            print(f"{fault.name:32} {' '.join(fault.breaks):22} {fault.doc}")
        return 0
    if args.list_choices:
        for s in SETTINGS:
            print(f"{s.key:24} {'|'.join(s.choices):32} default {s.default}: {s.question}")
        return 0
    if args.list_options:
        for v in VARIANTS:
            print(f"{v.key:18} {'|'.join(v.choices):36} default {v.choices[0]}: {v.doc}")
        return 0
    try:
        config = build_config(args)
    except (ValueError, ProfileError) as problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    server = ReferenceServer(config, host=args.host, port=args.port)
    if args.seed is not None:
        print(
            "\n".join(draw(args.seed).describe())
            if config == draw(args.seed).config
            else f"the server drawn from seed {args.seed}, changed by --choice/--option/--fault/--volatile"
        )
    if args.sample:
        with server:
            return sample(server)
    if bind_warning(args.host):
        print(bind_warning(args.host), file=sys.stderr, flush=True)
    print(f"Reference server at {server.base_url} (endpoint {server.base_url}{PATH})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


def bind_warning(host: str) -> str | None:
    """The warning for an address other machines can reach: the server's credentials are public."""
    return (
        None
        if is_loopback(host)
        else (
            f"warning: --host {host} serves the sample credentials (conformance.reference.Credentials, which are "
            "public) to every machine that can reach this address; the default 127.0.0.1 serves this machine only"
        )
    )


if __name__ == "__main__":
    sys.exit(main())
