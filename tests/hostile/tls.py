"""A self-signed certificate for 127.0.0.1, made at test time by the openssl command line (no
key or certificate is kept in the repository), and a server-side TLS context that presents it."""

from __future__ import annotations

import ssl
import subprocess
from pathlib import Path


def self_signed(directory: Path) -> tuple[Path, Path]:
    """(certificate, key) in PEM: a P-256 key (quick to make), valid for a day, for IP 127.0.0.1.
    The certificate is its own issuer, so as a CA bundle it is also the trust anchor."""
    certificate, key = directory / "self-signed.pem", directory / "self-signed.key"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(certificate),
        ],
        check=True,
        capture_output=True,
    )
    return certificate, key


def server_context(certificate: Path, key: Path) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate, key)
    return context
