"""What ends an exchange before, or instead of, an answer to judge."""

from __future__ import annotations

import requests

from conformance.errors import Stopped


class ForbiddenPath(ValueError):
    """A request for anything but GetEngineStatus (or with another method than POST, or GET for
    HTTP-05): the suite never sends one, whoever proposes it."""


class BudgetExhausted(Stopped):
    """The run's request budget is spent; what is left is untested, not failed. No Exception, for
    NotJudged's reason: inside a generated example (schemathesis, the properties) Hypothesis would
    take it for a failure, then shrink, replay and print a case that cannot be sent."""


class DryRun(Stopped):
    """Raised instead of sending, in --dry-run: the request was recorded as planned."""


class NotJudged(Stopped):
    """Ends a test untested, with this message as the reason: raised instead of an exchange no
    requirement can be judged by. Like pytest's own skip it is no Exception, so that it unwinds
    the test at once: Hypothesis would shrink an Exception for seconds, replaying it, and
    schemathesis would file it as a finding."""


class TargetUnresponsive(NotJudged):
    """Raised instead of sending once the target failed UNRESPONSIVE_AFTER exchanges in a row at
    the transport level. Client.send turns it into an exchange with this error, except inside a
    generated example."""


class TransportFailure(requests.exceptions.ConnectionError):
    """An exchange that got no complete HTTP response; the message says why, in words."""
