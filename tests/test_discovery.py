"""`erpsync-conformance discover`: the open points decided from the server's own answers, written as
a target's [choices] table that cites the exchange behind each choice."""

from __future__ import annotations

import tomllib

import pytest

from conformance import cli
from conformance.contract.choices import SETTINGS, Profile, flipped_profiles


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


@pytest.mark.parametrize(
    "flipped",
    flipped_profiles(),
    ids=lambda p: ",".join(f"{k}={v}" for k, v in p.as_dict().items() if v != Profile.reference().as_dict()[k]),
)
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


# --- discover --into: merged into the target's own [choices] ------------------------------------


def _tenant(tmp_path, monkeypatch, server, edit=lambda text: text):
    """targets/reference.toml aimed at `server`, its variables set, edited by `edit`."""
    from pathlib import Path

    from conformance.reference.config import Credentials

    sample, c = Path(__file__).parent.parent / "targets" / "reference.toml", Credentials()
    for name, value in {
        "REF_PASSWORD": c.basic_password,
        "REF_TICKET": c.ticket,
        "REF_BEARER": c.bearer,
        "REF_SESSION": c.session_id,
        "REF_XSRF": c.xsrf_token,
        "REF_APP": c.app_token_granted,
        "REF_APP_RESTRICTED": c.app_token_restricted,
    }.items():
        monkeypatch.setenv(name, value)
    path = tmp_path / "my-tenant.toml"
    path.write_text(edit(sample.read_text("utf-8").replace("http://127.0.0.1:8080/api/v1", server.base_url)), "utf-8")
    return path


def test_into_merges_the_choices_keeping_the_files_comments_and_other_keys(tmp_path, monkeypatch, capsys, reference):
    path = _tenant(
        tmp_path,
        monkeypatch,
        reference,
        lambda text: text.replace('xml_nil = "nil-attribute"\n', "").replace(
            'refusal = "status"', 'refusal = "null-body"  # my guess'
        ),
    )
    before = path.read_text("utf-8")
    assert cli.main(["discover", "--into", str(path)]) == 0  # the target is the file merged into
    after = path.read_text("utf-8")
    assert tomllib.loads(after)["choices"] == {**tomllib.loads(before)["choices"], **Profile.reference().as_dict()}
    untouched = {k: v for k, v in tomllib.loads(before).items() if k != "choices"}
    assert {k: v for k, v in tomllib.loads(after).items() if k != "choices"} == untouched
    for line in before.splitlines():  # every comment and every other line kept, in its order
        if line.startswith("#") or not line.startswith(("refusal", "[choices]")):
            assert line in after, line
    assert after.index("[choices]") < after.index("[basic]")  # the table stays where it was
    assert 'refusal = "status" # discover: the server chose this; was null-body' in after, after
    assert "# xml_nil: " in after  # an added key cites why
    err = capsys.readouterr().err
    assert '[choices] merged: 13 added, 1 changed, 8 unchanged (refusal: "null-body" -> "status")' in err, err


def test_into_adds_a_choices_table_to_a_file_without_one(tmp_path, monkeypatch, reference):
    path = _tenant(
        tmp_path, monkeypatch, reference, lambda text: text[: text.index("[choices]")] + text[text.index("[basic]") :]
    )
    assert cli.main(["discover", "--into", str(path)]) == 0
    assert tomllib.loads(path.read_text("utf-8"))["choices"] == Profile.reference().as_dict()


def test_into_a_file_that_is_no_toml_is_one_line_before_any_request(tmp_path, monkeypatch, capsys, serve):
    with serve() as server:
        target = _tenant(tmp_path, monkeypatch, server)
        broken = tmp_path / "broken.toml"
        broken.write_text("[choices]\nselect_case = \n", "utf-8")
        code = cli.main(["discover", "--target", str(target), "--into", str(broken)])
        sent = len(server.requests)
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "broken.toml: not TOML" in err[0] and "nothing merged" in err[0], err
    assert sent == 0
    assert broken.read_text("utf-8") == "[choices]\nselect_case = \n"
