"""Target files: every way one can be wrong gets one line naming the file, the key and the problem."""

from __future__ import annotations

import pytest

from conformance.target import Secret, TargetError, load

GOOD = '''name = "staging"
base_url = "https://sod.superoffice.com/Cust12345/api/v1"
[soticket]
ticket = "env:SO_TICKET"
'''
ENV = {"SO_TICKET": "7T:secret-ticket", "SO_PASSWORD": "pw"}

BAD = [
    ("not TOML", "name = \n", "not valid TOML"),
    ("unknown key", GOOD + "colour = 'blue'\n", "colour: unknown key; expected one of"),
    ("unknown nested key", GOOD.replace('ticket = "env:SO_TICKET"', 'ticket = "env:SO_TICKET"\ncolor = 1'),
     "soticket.color: unknown key"),
    ("wrong type", GOOD + "[limits]\nmax_requests = 'many'\n", "limits.max_requests: expected integer, got str 'many'"),
    ("missing base_url", 'name = "x"\n[soticket]\nticket = "env:SO_TICKET"\n', "base_url: missing; it is required"),
    ("base URL not http", GOOD.replace("https://", "ftp://"), "base_url: expected an http(s) URL ending in /api/v1"),
    ("base URL without api/v1", GOOD.replace("/api/v1", "/api"), "base_url: expected an http(s) URL ending in /api/v1"),
    ("unknown profile value", GOOD + "[profile]\nselect_case = 'sometimes'\n",
     "profile.select_case: expected one of insensitive, exact, got 'sometimes'"),
    ("unknown profile key", GOOD + "[profile]\nselect_colour = 'red'\n", "profile.select_colour: unknown key"),
    ("secret written in the file", GOOD.replace('"env:SO_TICKET"', '"7T:abc"'),
     "soticket.ticket: expected env:NAME (secrets are read from the environment), got '7T:abc'"),
    ("secret variable unset", GOOD.replace("SO_TICKET", "SO_NOT_SET"),
     "soticket.ticket: the environment variable SO_NOT_SET is not set"),
    ("secret variable empty", GOOD.replace("SO_TICKET", "SO_EMPTY"),
     "soticket.ticket: the environment variable SO_EMPTY is empty"),
    ("no scheme", 'name = "x"\nbase_url = "http://h/api/v1"\n', "no auth scheme"),
    ("rate of zero", GOOD + "[limits]\nrate = 0\n", "limits.rate"),
]


@pytest.mark.parametrize("text, message", [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_target_files(tmp_path, text, message):
    path = tmp_path / "target.toml"
    path.write_text(text)
    with pytest.raises(TargetError) as raised:
        load(path, ENV | {"SO_EMPTY": ""})
    assert str(raised.value).startswith(f"{path}: ")
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def test_a_missing_file(tmp_path):
    with pytest.raises(TargetError, match="no such target file"):
        load(tmp_path / "nope.toml", ENV)


def test_a_good_file_resolves_secrets_and_keeps_them_out_of_repr(tmp_path):
    path = tmp_path / "target.toml"
    path.write_text(GOOD + '[basic]\nuser = "tje0"\npassword = "env:SO_PASSWORD"\n[limits]\nca_bundle = "/x.pem"\n')
    target = load(path, ENV)
    assert target.schemes == ("basic", "soticket")
    assert target.soticket == Secret("7T:secret-ticket", "SO_TICKET")
    assert "secret-ticket" not in repr(target) and "pw'" not in repr(target)
    assert target.limits.verify == "/x.pem"
    assert [s.env for s in target.secrets()] == ["SO_PASSWORD", "SO_TICKET"]


@pytest.mark.parametrize("name", ["reference.toml", "superoffice-online.toml", "superoffice-onsite.toml"])
def test_shipped_examples_are_valid(name):
    from pathlib import Path
    env = {k: "x" for k in ("REF_PASSWORD", "REF_TICKET", "REF_BEARER", "REF_SESSION", "REF_XSRF", "REF_APP",
                            "REF_APP_RESTRICTED", "SO_TICKET", "SO_BEARER", "SO_APP_SECRET",
                            "SO_APP_SECRET_NO_ERPSYNC", "SO_USER", "SO_PASSWORD", "SO_SESSION", "SO_XSRF")}
    target = load(Path(__file__).parent.parent / "targets" / name, env)
    assert target.name == name.removesuffix(".toml")
