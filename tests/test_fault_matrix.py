"""The suite can fail: each fault of the reference server turns its requirement red, and nothing
it does not declare, both when the run is told the server's choices (the target pins them) and
when it infers them (no [choices]). A conformant server, under every choice on every open point and
every serialisation or data variant, gives no failure at all, told or inferring.

A fault that amounts to a legitimate choice made consistently (Fault.choice) is caught where the
target pins the other choice; a run that infers the profile reports it as the server's observed
choice instead (CONTRACT-NOTES, "Open points").
"""

from __future__ import annotations

import pytest

from conformance.contract import requirements
from conformance.contract.choices import Profile, flipped_profiles
from conformance.reference.backgrounds import backgrounds
from conformance.reference.faults import FAULTS, SLOW
from conformance.reference.variants import Options, varied_options
from tests.suite_runs import run_suite

MODES = {"pinned": [], "inferred": ["--reference-infer"]}


def _changed(profile: Profile) -> dict[str, str]:
    return {k: v for k, v in profile.as_dict().items() if v != Profile.reference().as_dict()[k]}


def profile_args(profile: Profile) -> list[str]:
    return [arg for k, v in _changed(profile).items() for arg in ("--reference-choice", f"{k}={v}")]


def option_args(options: Options) -> list[str]:
    default = Options().__dict__
    return [arg for k, v in options.__dict__.items() if v != default[k] for arg in ("--reference-option", f"{k}={v}")]


BEHAVIOURS = [pytest.param([], "pinned", id="reference-pinned")]
BEHAVIOURS += [
    pytest.param(profile_args(p), "inferred", id="-".join(f"{k}={v}" for k, v in _changed(p).items()))
    for p in flipped_profiles()
]
BEHAVIOURS += [
    pytest.param(option_args(o), ("pinned", "inferred")[i % 2], id="-".join(option_args(o)[1::2]))
    for i, o in enumerate(varied_options())
]
"""Each choice flipped alone, inferred (tests/test_discovery.py holds that discovery decides it; the
drawn servers of tests/test_sweep.py pin them in combination), and each variant alone, pinned and
inferred in turn. `make sweep` runs both modes over 200 drawn servers."""


def infers(fault) -> bool:
    """A fault whose judgement rests on a choice the run infers: it amounts to a choice itself, or
    a requirement it breaks depends on an open-point setting."""
    return fault.choice is not None or any(requirements.get(r).settings for r in fault.breaks)


FAULT_RUNS = [pytest.param(f, "pinned", id=f"{f.name}-pinned") for f in FAULTS if not infers(f)]
FAULT_RUNS += [pytest.param(f, "inferred", id=f"{f.name}-inferred") for f in FAULTS if f.choice is not None]
"""Over the reference defaults: each fault whose judgement rests on no open point, told the choices;
each that amounts to a choice, inferring (the run reports the server's choice). The faults whose
requirement rests on an open point run over a drawn server below, where the background matters;
`make sensitivity` runs every fault over the reference defaults, `--backgrounds K` over K drawn."""


def seeing(fault) -> list[str]:
    """The run that can see the fault: every test that judges a requirement it breaks, the covering
    rows and generated tests among them (--requirement), as a user reproducing a failure would run
    it. Over a drawn background this is the fault's run (a whole run there cost up to 74 s); that it
    turns nothing else red is held over the reference defaults, where its run is the whole suite."""
    return [arg for rid in fault.breaks for arg in ("--requirement", rid)]


def caught(pytester, fault, mode: str, background: list[str]) -> None:
    """Run the suite against the server with the fault switched on (over the reference defaults,
    the whole suite; over a drawn `background`, what can see the fault: seeing), and hold the run
    to what the fault breaks: its requirement red, nothing else red, the exit code its level gives.
    A drawn server's data may leave a relation unshown (its strings do not change with the
    language): the run is then "incomplete", never for a requirement the fault breaks."""
    extra = (
        (["--slow-ms", "10"] if fault.name in SLOW else []) + fault.suite_args + (seeing(fault) if background else [])
    )
    run = run_suite(
        pytester, *background, "--reference-fault", fault.name, "--hypothesis-profile", "quick", *extra, *MODES[mode]
    )
    primary = requirements.get(fault.breaks[0])
    observed = {k: v["observed"] for k, v in run.results["doc"]["run"]["choices"].items()}
    if mode == "inferred" and fault.choice is not None:
        setting, choice = fault.choice
        assert observed[setting] == choice, f"{fault.name}: observed {setting}={observed[setting]}\n{run.output}"
        assert primary.id not in run.red, run.output  # the server's own choice, held to consistently
    elif primary.level == "INFO":
        default = run_suite(
            pytester, *background, "--hypothesis-profile", "quick", *(seeing(fault) if background else []), *MODES[mode]
        )
        assert run.reason(primary.id) != default.reason(primary.id), run.output
    else:
        assert primary.id in run.red, f"{fault.name} is not caught by {primary.id}\n{run.output}"
    if not fault.cascades:
        assert run.red <= set(fault.breaks), f"{fault.name} also turns {sorted(run.red - set(fault.breaks))} red"
    must_broken = any(run.status(r) == "fail" for r in run.red)
    verdict = run.results["doc"]["verdict"]["status"]
    if must_broken:
        assert run.ret == 1 and verdict == "does not conform", run.output
    elif background and verdict == "incomplete":
        untested = {r for r, o in run.results["requirements"].items() if o["status"] == "untested"}
        assert run.ret == 1 and not untested & set(fault.breaks), (untested, run.output)
    else:
        assert run.ret == 0 and verdict == "conforms", run.output


@pytest.mark.parametrize(("fault", "mode"), FAULT_RUNS)
def test_each_fault_is_caught_by_its_requirement_and_nothing_else(pytester, fault, mode):
    caught(pytester, fault, mode, [])


@pytest.mark.parametrize("fault", [f for f in FAULTS if infers(f)], ids=lambda f: f"{f.name}-seed{backgrounds(f)[0]}")
def test_each_fault_is_caught_over_a_drawn_conformant_server(pytester, fault):
    """A fault must show against every legitimate background, not only the reference defaults: each
    is switched on over a server the generator draws (the first seed from the fault's own start that
    can show it, conformance.reference.backgrounds), the drawn choices pinned where the fault amounts
    to a choice (caught where the target pins the other), inferred where its requirement rests on an
    inferred choice. Here the faults whose requirement rests on an open point (where the background
    matters most); `bench/sensitivity.py --backgrounds K` runs every fault over K of them. Only what
    can see the fault runs (seeing), so this holds sensitivity: that the fault turns nothing else red
    is held by the test above, over the reference defaults, where the whole suite runs."""
    seed = backgrounds(fault)[0]
    mode = "pinned" if fault.choice is not None or not infers(fault) else "inferred"
    caught(pytester, fault, mode, ["--reference-random", str(seed)])


@pytest.mark.parametrize(
    "fault",
    [
        f
        for f in FAULTS
        if f.name in ("schema-unknown-mask-flag", "charset-missing", "coding-unasked", "accept-qvalues-ignored")
    ],
    ids=lambda f: f.name,
)
def test_a_should_fault_fails_the_run_only_when_strict(pytester, fault):
    quick = ("--hypothesis-profile", "quick", *seeing(fault))
    assert run_suite(pytester, "--reference-fault", fault.name, *quick).ret == 0
    assert run_suite(pytester, "--reference-fault", fault.name, "--strict-should", *quick).ret == 1


def test_strictness_is_the_suites_own_option(pytester, monkeypatch):
    """pytest's own --strict and `strict` ini setting (its strict modes) leave a SHOULD finding
    non-strict; the suite's environment variable makes it fail the run, as --strict-should does."""
    quick = ("--hypothesis-profile", "quick", "-k", "charset")
    run = run_suite(pytester, "--reference-fault", "charset-missing", "--strict", "-o", "strict=true", *quick)
    assert run.ret == 0 and run.status("HTTP-02") == "non-strict", run.output
    monkeypatch.setenv("ERPSYNC_STRICT", "1")
    run = run_suite(pytester, "--reference-fault", "charset-missing", *quick)
    assert run.ret == 1 and run.status("HTTP-02") == "non-strict", run.output


@pytest.mark.parametrize(("behaviour", "mode"), BEHAVIOURS)
def test_no_false_alarm_under_any_behaviour(pytester, behaviour, mode):
    """Every choice on every open point and every variant, the choice told or inferred: nothing red,
    no MUST untested, exit 0. (quick: 20 drawn examples per run; the reference server itself is
    swept with the ci profile's 100 below.)"""
    run = run_suite(pytester, *behaviour, *MODES[mode], "--hypothesis-profile", "quick")
    # A 401 without WWW-Authenticate breaks RFC 9110 15.5.2 unless the target pins the choice: inferred,
    # it is AUTH-10's SHOULD finding (non-strict), never a failure.
    finding = {"AUTH-10"} if mode == "inferred" and "www_authenticate=optional" in behaviour else set()
    assert run.ret == 0 and run.red == finding, run.output
    untested = {
        rid
        for rid, o in run.results["requirements"].items()
        if o["status"] == "untested" and requirements.get(rid).level == "MUST"
    }
    assert not untested, {rid: run.reason(rid) for rid in untested}


@pytest.mark.parametrize("mode", MODES)
def test_no_false_alarm_with_a_hundred_drawn_examples(pytester, mode):
    run = run_suite(pytester, "--hypothesis-profile", "ci", *MODES[mode])
    assert run.ret == 0 and not run.red, run.output


@pytest.mark.parametrize(
    "behaviour",
    [p.values[0] for p in BEHAVIOURS if p.id in ("reference-pinned", "select_nested=ignored")],
    ids=("reference", "select_nested=ignored"),
)
def test_the_inferred_choices_are_the_servers(pytester, behaviour):
    """With no [choices], the run observes what the server does and reports it per setting."""
    run = run_suite(pytester, *behaviour, "--reference-infer", "--hypothesis-profile", "quick")
    observed = {k: v["observed"] for k, v in run.results["doc"]["run"]["choices"].items()}
    expected = Profile.reference().with_(**dict(a.split("=") for a in behaviour[1::2])).as_dict()
    decided = {k: v for k, v in observed.items() if v is not None}
    assert decided == {k: expected[k] for k in decided}, decided
    assert len(decided) >= len(expected) - 2, observed  # nested and www_authenticate need their data


@pytest.mark.parametrize("seed", range(3))
def test_a_live_engine_conforms(pytester, seed):
    """IsRunning flips every 3 served requests and StatusMessage moves on, as a live engine's would:
    the run learns what changes on its own, judges every relation on what holds still, and names
    what it left out. Nothing red, nothing untested."""
    # dev is not derandomized, so each explicit seed draws other combinations (and repeats them).
    run = run_suite(pytester, "--reference-volatile", "3", "--hypothesis-profile", "dev", f"--hypothesis-seed={seed}")
    assert run.ret == 0 and not run.red, run.output
    untested = {
        rid
        for rid, o in run.results["requirements"].items()
        if o["status"] == "untested" and requirements.get(rid).level == "MUST"
    }
    assert not untested, {rid: run.reason(rid) for rid in untested}
    learned = {v["property"] for v in run.results["doc"]["run"]["volatile"]}
    assert "IsRunning" in learned, learned
