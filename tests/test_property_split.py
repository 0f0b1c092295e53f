"""The property tests are one test per authentication scheme (so that pytest-xdist can spread them):
the profile's examples are shared out among the schemes, and under a derandomized profile each
scheme's test draws combinations of its own, the same ones on every run."""

from __future__ import annotations

from collections import defaultdict

import pytest

from conformance.run import routing
from conformance.suite import test_properties as properties
from tests.suite_runs import SUITE, run_suite

MODULE = f"{SUITE}/test_properties.py"


@pytest.mark.parametrize(
    "max_examples, schemes, each",
    [(100, 4, 25), (10, 4, 3), (20, 4, 5), (20, 1, 20), (1, 4, 1), (100, 3, 34), (100, 0, 100)],
)
def test_examples_are_shared_out_among_the_schemes(max_examples, schemes, each):
    assert properties.examples_per_scheme(max_examples, schemes) == each


def drawn_combinations(pytester, monkeypatch) -> dict[str, list[tuple]]:
    """The combinations each scheme's test drew in one derandomized run against the bundled server."""
    drawn: dict[str, list[tuple]] = defaultdict(list)
    judge = routing.judge_exchange

    def recording(run, case, probe, send):
        drawn[case.scheme].append(
            (case.accept, case.accept_language, case.so_language, case.so_culture, case.so_timezone, case.select)
        )
        return judge(run, case, probe, send)

    monkeypatch.setattr(routing, "judge_exchange", recording)
    result = run_suite(pytester, "--hypothesis-profile", "ci", suite=MODULE)
    # exit 1 is the gate's "incomplete": the property tests alone leave other MUSTs unrun
    assert result.ret in (0, 1) and not result.red and "4 passed" in result.output, result.output[-3000:]
    # a test may also draw a case without credentials (scheme None): those are every test's
    return {scheme: seen for scheme, seen in drawn.items() if scheme is not None}


def test_each_scheme_draws_its_own_combinations_and_the_same_on_every_run(pytester, monkeypatch):
    first = drawn_combinations(pytester, monkeypatch)
    assert set(first) == set(properties.SCHEMES)
    # 100 examples shared out: about 25 each (Hypothesis may stop early on an exhausted space,
    # and replays count too), never the whole profile's worth each
    assert all(10 <= len(seen) <= 40 for seen in first.values()), {s: len(v) for s, v in first.items()}
    # seeded alike, the four tests would draw the same sequence under different schemes
    openings = {scheme: tuple(seen[:5]) for scheme, seen in first.items()}
    assert len(set(openings.values())) == 4, openings
    everything = [c for seen in first.values() for c in seen]
    assert len(set(everything)) > 0.6 * len(everything), "the schemes' tests mostly repeat each other"
    # derandomized: a second run draws exactly the same
    again = drawn_combinations(pytester, monkeypatch)
    assert {s: v[:10] for s, v in again.items()} == {s: v[:10] for s, v in first.items()}


def test_a_scheme_the_target_lacks_is_not_applicable_for_that_test_only(pytester, monkeypatch):
    """A target with only Basic: the other three tests skip, the Basic test judges everything."""
    from conformance.reference import ReferenceServer

    with ReferenceServer() as server:
        c = server.config.credentials
        monkeypatch.setenv("SPLIT_PASSWORD", c.basic_password)
        target = pytester.path / "basic-only.toml"
        target.write_text(
            f'name = "basic-only"\nbase_url = "{server.base_url}"\n'
            f'[basic]\nuser = "{c.basic_user}"\npassword = "env:SPLIT_PASSWORD"\n'
        )
        result = run_suite(
            pytester, "--target", str(target), "--hypothesis-profile", "quick", "-rs", suite=MODULE, quiet=False
        )
    assert "1 passed, 3 skipped" in result.output, result.output[-2000:]
    assert "the target declares no [bearer]" in result.output
    judged = {rid: o["status"] for rid, o in result.results["requirements"].items() if rid in properties.JUDGED}
    assert set(judged.values()) <= {"pass", "untested", "not-applicable"}, judged
    assert list(judged.values()).count("pass") >= 10, judged
    assert {judged[rid] for rid in ("AUTH-02", "AUTH-04", "AUTH-07")} == {"not-applicable"}, judged
