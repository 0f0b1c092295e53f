"""The two families of exceptions every layer shares (the lowest layer: it imports nothing).

ConfigurationError: what the user gave cannot be used (a target file, a waiver file, an option, a
choice, a results file, the reference server's settings). Its message is one line naming what is
wrong; the command line and the pytest shell turn any of them into exit 2 with that line, never
a traceback. A ValueError, so that code which only validates a value may still catch it as one.

Stopped: a request or a test ends before anything is judged, on purpose: the budget is spent, an
exchange could judge no requirement, or a dry run lists instead of sending. No Exception, like
pytest's own skip: inside a generated example Hypothesis would take an Exception for a failure,
shrink and replay it, and schemathesis would file it as a finding. What it ends is untested.
"""

from __future__ import annotations


class ConfigurationError(ValueError):
    """An input of the user's that cannot be used; exit 2 with this one-line message."""


class Stopped(BaseException):
    """Ends a request or a test unjudged, with this message as the reason."""
