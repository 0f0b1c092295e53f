"""`python -m conformance`: the suite with the gate's exit codes (see conformance.cli)."""

import sys

from conformance.cli import main

sys.exit(main())
