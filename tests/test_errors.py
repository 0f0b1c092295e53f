"""The two exception families (conformance.errors): every exception class of the package belongs
to one of them or is named below as the package's own business, so a new one has to choose; what
stops a test is no Exception (Hypothesis and schemathesis would take it for a failure)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import conformance
from conformance.errors import ConfigurationError, Stopped

INTERNAL = {
    "CheckError": "a check's own assertion (AssertionError), turned into an outcome",
    "XmlBodyError": "a server's XML body that cannot be read: evidence, not configuration",
    "ForbiddenPath": "the suite refuses to send anything but GetEngineStatus",
    "TransportFailure": "an exchange without a complete response: recorded and judged",
    "Stop": "pytest.exit carrying a configuration error's line and exit code 2",
    "HeadCutShort": "http.client's own family: a response whose head the connection cut",
    "TooManyInterim": "http.client's own family: more 1xx answers than any server needs",
    "AuthCrash": "the reference server's simulated crash (a fault), answered as a 500",
    "SelectCrash": "the reference server's simulated crash (a fault), answered as a 500",
    "LocaleCrash": "the reference server's simulated crash (a fault), answered as a 500",
    "SelectRejected": "the reference server's refusal of a $select, answered as a 400",
}
"""Exception classes of the package that are neither: raised and caught inside one module's job.
(Private classes are their module's own.)"""

CONFIGURATION = {
    "BadUsage",
    "ResultsError",
    "WaiverError",
    "ProfileError",
    "OptionError",
    "TargetError",
    "MergeError",
    "UnknownProfile",
}
STOPPING = {"BudgetExhausted", "DryRun", "NotJudged", "TargetUnresponsive"}


def exception_classes() -> dict[str, type[BaseException]]:
    found = {}
    for info in pkgutil.walk_packages(conformance.__path__, "conformance."):
        if info.name.startswith("conformance.suite") or info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            own = inspect.isclass(value) and value.__module__ == info.name and not name.startswith("_")
            if own and issubclass(value, BaseException):
                found[name] = value
    return found


def test_every_exception_class_belongs_to_a_family():
    loose = {
        name
        for name, cls in exception_classes().items()
        if not issubclass(cls, (ConfigurationError, Stopped))
        and name not in INTERNAL
        and cls not in (ConfigurationError, Stopped)
    }
    assert not loose, f"exception classes in neither family (conformance.errors): {sorted(loose)}"


@pytest.mark.parametrize("name", sorted(CONFIGURATION))
def test_what_exits_2_is_a_configuration_error(name):
    assert issubclass(exception_classes()[name], ConfigurationError)


@pytest.mark.parametrize("name", sorted(STOPPING))
def test_what_stops_a_test_is_no_exception(name):
    cls = exception_classes()[name]
    assert issubclass(cls, Stopped) and not issubclass(cls, Exception)


def test_the_reference_servers_settings_refuse_as_configuration_errors():
    from conformance.reference.config import ServerConfig

    with pytest.raises(ConfigurationError, match="unknown scheme"):
        ServerConfig(schemes=("basic", "kerberos"))
    with pytest.raises(ConfigurationError, match="unknown fault"):
        ServerConfig(faults=frozenset({"no-such-fault"}))
