"""`erpsync-conformance discover`: the open points decided from the server's own answers, written as
a target's [choices] table that cites the exchange behind each choice."""

from __future__ import annotations

import tomllib

import pytest

from conformance import cli
from conformance.profile import SETTINGS, Profile, flipped_profiles


def discovered(tmp_path, *args: str) -> tuple[dict, str]:
    out = tmp_path / "choices.toml"
    assert cli.main(["discover", "-o", str(out), *args]) == 0
    text = out.read_text("utf-8")
    return tomllib.loads(text)["choices"], text


def test_the_reference_servers_choices_are_decided_and_cited(tmp_path, capsys):
    profile, text = discovered(tmp_path)
    assert profile == Profile.reference().as_dict()
    assert text in capsys.readouterr().out  # printed as well as written
    assert text.count("#   curl -sS -i -X POST") >= len(SETTINGS) - 1  # each choice with its exchange
    assert "REF_PASSWORD" in text and "Tje0" not in text  # secrets as their variables


@pytest.mark.parametrize("flipped", flipped_profiles(),
                         ids=lambda p: ",".join(f"{k}={v}" for k, v in p.as_dict().items()
                                                if v != Profile.reference().as_dict()[k]))
def test_each_flipped_choice_is_discovered(tmp_path, flipped):
    changed = {k: v for k, v in flipped.as_dict().items() if v != Profile.reference().as_dict()[k]}
    args = [arg for k, v in changed.items() for arg in ("--reference-choice", f"{k}={v}")]
    profile, _ = discovered(tmp_path, *args)
    for key, value in changed.items():
        assert profile.get(key) == value, (key, profile)


def test_a_setting_the_data_cannot_decide_is_left_auto_with_the_reason(tmp_path):
    """A carrier with no rights of its own (fact 14): nested paths cannot be told apart."""
    profile, text = discovered(tmp_path, "--reference-option", "data=sparse")
    assert "select_nested" not in profile and '# select_nested = "auto"' in text
    assert "no Mask to select" in text


def test_a_bad_target_is_one_line_and_exit_2(tmp_path, capsys):
    assert cli.main(["discover", "--target", str(tmp_path / "missing.toml")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no such target file" in err[0]


@pytest.mark.parametrize("seed", range(30), ids=lambda s: f"seed{s}")
def test_discovery_on_a_drawn_server_decides_only_what_it_drew(tmp_path, seed):
    """Each situation is decided on its own, from the server's own answers: over 30 conformant
    servers the generator draws (choices per situation, live engines, omitted nulls, ...), a
    decided choice is always the drawn one; what the data cannot tell stays auto."""
    from conformance.reference.generator import draw

    drawn = draw(seed).config.profile.as_dict()
    profile, _ = discovered(tmp_path, "--reference-random", str(seed))
    wrong = {k: (v, drawn[k]) for k, v in profile.items() if v != drawn[k]}
    assert not wrong, wrong
