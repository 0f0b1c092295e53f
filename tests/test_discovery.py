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


def test_what_a_hostile_server_sends_stays_inside_the_toml_comments(tmp_path, monkeypatch, capsys):
    """discover -o cites the server's answers in TOML comments: control characters in them (a media
    type carrying escapes, VT, FF, DEL) are written escaped, so the file stays TOML (issue 21)."""
    from tests.hostile import sockets
    from tests.hostile.targets import SECRETS, write_target

    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    with sockets.SocketServer(sockets.hostile_media_type) as server:
        target = write_target(tmp_path, server.base_url)
        out = tmp_path / "choices.toml"
        code = cli.main(["discover", "--target", str(target), "-o", str(out)])
    text = out.read_text("utf-8")
    assert code == 0 and "pwned" in text, text  # the server's text is cited, so the test can fail
    tomllib.loads(text)  # still TOML
    assert not any(c in text for c in "\x1b\x07\x0b\x0c\x7f"), "control characters written raw"
    assert "\x1b" not in capsys.readouterr().out


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
