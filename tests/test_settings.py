"""The suite's options resolve once into one typed Settings (conformance.plugin.options): the
command line over the environment over the default, each field an option's, and pytest's own
config.option is left as pytest parsed it."""

from __future__ import annotations

import dataclasses

from conformance.plugin.options import OPTIONS, Settings
from conformance.wire.target import Limits

PROBE = """
from conformance.plugin.state import state


def test_probe(request):
    settings = state(request.config).settings
    option = request.config.option
    print("SETTINGS", settings.max_requests, settings.rate, settings.dry_run, settings.requirement)
    print("OPTION", option.max_requests, option.rate, option.dry_run)
"""


def test_every_option_has_its_typed_field():
    assert [f.name for f in dataclasses.fields(Settings)] == [o.dest for o in OPTIONS]


def test_the_budget_and_rate_options_go_over_a_targets_limits():
    limits = Limits(max_requests=500, rate=5)
    assert Settings().limits(limits) == limits
    assert Settings(max_requests=40, rate=2.5).limits(limits) == Limits(max_requests=40, rate=2.5)
    assert Settings(rate=1).limits(limits).max_requests == 500


def test_the_environment_is_resolved_into_settings_and_config_option_left_as_parsed(pytester, monkeypatch):
    monkeypatch.setenv("ERPSYNC_MAX_REQUESTS", "70")
    monkeypatch.setenv("ERPSYNC_DRY_RUN", "yes")
    pytester.makepyfile(test_probe=PROBE)
    result = pytester.runpytest_inprocess("-s", "-p", "no:cacheprovider", "--no-reports", "--rate", "3")
    out = result.stdout.str()
    assert "SETTINGS 70 3.0 True ()" in out, out
    assert "OPTION None 3 None" in out, out  # the variable is the setting's, not written back


def test_a_bad_variable_is_one_line_naming_it(pytester, monkeypatch):
    monkeypatch.setenv("ERPSYNC_RATE", "fast")
    pytester.makepyfile(test_probe=PROBE)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--no-reports")  # exits at configure
    assert result.ret == 2
    assert "erpsync-conformance: ERPSYNC_RATE: 'fast' is not a number" in result.stderr.str()
