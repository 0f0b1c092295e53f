"""What the search for pieces of secrets (conformance/text/fragments.py) costs the redactor: the same
texts redacted with the pieces searched and with the secrets searched whole only (their values
passed as `public`), in one run, median of 5; prints seconds per MB and the ratio.

    .venv/bin/python bench/redaction.py
"""

from __future__ import annotations

import random
import string
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from conformance.reference.config import Credentials  # noqa: E402
from conformance.text.redaction import Redactor  # noqa: E402

SAMPLE = Credentials()
SECRETS = [
    ("8A:Tenant.Q29uZmlkZW50aWFsLXRva2Vu-4f1c", "SO_BEARER"),
    ("7T:dGVuYW50LXRpY2tldC0yMDI2", "SO_TICKET"),
    ("Wq8-pass-Zx91", "SO_PASSWORD"),
    ("c0ffee-session-1b2c3d4e", "SO_SESSION"),
    ("xsrf-77a1b2c3d4", "SO_XSRF"),
    ("app-granted-9Jk2mQ", "SO_APP"),
]


def texts() -> dict[str, str]:
    rng = random.Random(1)
    return {
        "random printable": "".join(rng.choice(string.printable) for _ in range(1_000_000)),
        "prose": "The server said the engine is running; reference 2026-12-02, 4 requests. " * 13_700,
        "JSON bodies": '{"IsRunning": true, "StatusMessage": "Engine is running", "FieldProperties": '
        '{"Contact.Name": {"FieldRight": {"Mask": "Read", "Reason": ""}}}} ' * 7000,
        "short lines (100 characters, 10,000 of them)": "",
    }


def median(redactor: Redactor, text: str, short: list[str]) -> float:
    runs = []
    for _ in range(5):
        started = time.perf_counter()
        if text:
            redactor._redacted(text)
        else:
            for line in short:
                redactor._redacted(line)
        runs.append(time.perf_counter() - started)
    return sorted(runs)[2]


def main() -> None:
    with_pieces = Redactor(SECRETS, ("tenant-admin", "tenant-admin", SECRETS[2][0], "SO_PASSWORD"))
    whole_only = Redactor(
        SECRETS, ("tenant-admin", "tenant-admin", SECRETS[2][0], "SO_PASSWORD"), public=[value for value, _ in SECRETS]
    )
    rng = random.Random(2)
    short = ["".join(rng.choice(string.ascii_letters + " ") for _ in range(100)) for _ in range(10_000)]
    print(f"{'text':46} {'whole only s':>12} {'with pieces s':>13} {'ratio':>6}")
    for name, text in texts().items():
        a, b = median(whole_only, text, short), median(with_pieces, text, short)
        print(f"{name:46} {a:12.3f} {b:13.3f} {b / a:6.2f}")


if __name__ == "__main__":
    main()
