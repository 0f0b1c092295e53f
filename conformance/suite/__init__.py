"""The conformance tests users run: `pytest conformance/suite [--target FILE]` (or `make conformance`)."""
