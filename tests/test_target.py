"""Target files: every way one can be wrong gets exit code 2 and one line naming the file, the key
and what was expected; never a traceback, never a secret's value."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from conformance.contract.choices import ALIASES, SETTINGS
from conformance.wire.target import Secret, TargetError, load, plain_http
from tests.suite_runs import SUITE

CANARY = "CANARY-5eb1d7c0-secret"
"""The value of every secret variable a row sets (and of a secret written in the file): never shown."""
ENV = {
    "ERPSYNC_T_TICKET": f"7T:{CANARY}",
    "ERPSYNC_T_PASSWORD": f"pw-{CANARY}",
    "ERPSYNC_T_USER": "tje0",
    "ERPSYNC_T_EMPTY": "",
    "ERPSYNC_T_BLANK": "  ",
    "ERPSYNC_T_NEWLINE": f"7T:{CANARY}\n",
    "ERPSYNC_T_EURO": f"8A:{CANARY}\u20ac",
    "ERPSYNC_T_CONTROL": f"x{CANARY}\x07y",
    "ERPSYNC_T_COLON": f"tje0:{CANARY}",
    "ERPSYNC_T_SEMICOLON": f"{CANARY};x",
}
UNSET = "ERPSYNC_T_NOT_SET"
NO_FILE, DIRECTORY = None, "<a directory>"
BASE_URL = "https://sod.superoffice.com/Cust12345/api/v1"
TICKET = '[soticket]\nticket = "env:ERPSYNC_T_TICKET"\n'
SECRET = "env:NAME (secrets are read from the environment, never written in the file)"
URL = "an http(s) URL ending in /api/v1, with no user:password@"
NAME = "a name of letters, digits, '.', '_' and '-', at most 64 (it names report folders)"
ALONE = "expected the secret alone (the value is not shown)"
WAIVERS = "the path of a waiver file (a string), relative to the target file"
TABLES = "name, description, base_url, waivers, choices, basic, soticket, bearer, session, apptoken, limits"
LIMITS = (
    "max_requests, rate, connect_timeout, read_timeout, retries, max_retry_wait, verify_tls, allow_plain_http, "
    "ca_bundle"
)
PROFILE = ", ".join([s.key for s in SETTINGS] + list(ALIASES))


def target(
    top: str = "",
    tables: str = TICKET,
    *,
    name: str = 'name = "staging"\n',
    base_url: str = f'base_url = "{BASE_URL}"\n',
) -> str:
    """A target file: name, base URL and keys of the top level, then its tables (a ticket by default)."""
    return name + base_url + top + tables


# (description, file text (None: no file), environment, the message after "FILE: ")
BAD = [
    ("not TOML", "name = \n", ENV, "not valid TOML: Invalid value (at line 1, column 8); expected a TOML document"),
    (
        "nested 5000 deep",
        "deep = " + "[" * 5000 + "]" * 5000 + "\n",
        ENV,
        "nests its arrays or tables too deeply to read; expected a target file such as targets/reference.toml "
        "(a few levels deep)",
    ),
    ("not UTF-8", b'name = "caf\xe9"\n', ENV, "not UTF-8 text (byte 0xe9 at offset 11); expected a UTF-8 TOML file"),
    ("no such file", NO_FILE, ENV, "no such target file; expected a TOML file such as targets/reference.toml"),
    ("a directory, not a file", DIRECTORY, ENV, "cannot be read (Is a directory); expected a readable TOML file"),
    ("unknown top-level key", target('colour = "blue"\n'), ENV, f"colour: unknown key; expected one of {TABLES}"),
    (
        "misspelt table",
        target(tables=TICKET.replace("[soticket]", "[soticet]")),
        ENV,
        f"soticet: unknown key (did you mean soticket?); expected one of {TABLES}",
    ),
    (
        "unknown key in [limits]",
        target(tables=TICKET + "[limits]\nmax_request = 10\n"),
        ENV,
        f"limits.max_request: unknown key (did you mean max_requests?); expected one of {LIMITS}",
    ),
    (
        "unknown key in [choices]",
        target(tables=TICKET + "[choices]\nselect_colour = 'red'\n"),
        ENV,
        f"choices.select_colour: unknown key; expected one of {PROFILE}",
    ),
    (
        "unknown key in [soticket]",
        target(tables=TICKET + "colour = 1\n"),
        ENV,
        "soticket.colour: unknown key; expected one of ticket",
    ),
    (
        "max_requests a string",
        target(tables=TICKET + "[limits]\nmax_requests = 'many'\n"),
        ENV,
        "limits.max_requests: expected an integer at least 1, got a string 'many'",
    ),
    (
        "verify_tls a string",
        target(tables=TICKET + "[limits]\nverify_tls = 'yes'\n"),
        ENV,
        "limits.verify_tls: expected true or false, got a string 'yes'",
    ),
    ("choices not a table", target('choices = "strict"\n'), ENV, "choices: expected a table, got a string 'strict'"),
    (
        "the old name [profile]",
        target(tables=TICKET + "[profile]\nselect_case = 'exact'\n"),
        ENV,
        "[profile] is now called [choices] (the server's choices on the open points); rename the table",
    ),
    ("name a number", target(name="name = 5\n"), ENV, f"name: expected {NAME}, got an integer 5"),
    ("name with a space", target(name='name = "my target"\n'), ENV, f"name: expected {NAME}, got 'my target'"),
    (
        "rate of zero",
        target(tables=TICKET + "[limits]\nrate = 0\n"),
        ENV,
        "limits.rate: expected a number greater than 0, got 0",
    ),
    (
        "retries out of range",
        target(tables=TICKET + "[limits]\nretries = 9\n"),
        ENV,
        "limits.retries: expected an integer at least 0 and at most 5, got 9",
    ),
    ("missing base_url", target(base_url=""), ENV, f"base_url: missing; expected {URL}"),
    (
        "plain http to another host",
        target(base_url='base_url = "http://sod.example.com/Cust1/api/v1"\n'),
        ENV,
        "base_url: http:// would send every credential in clear text to sod.example.com; expected https://, or "
        "limits.allow_plain_http = true to accept that (the reports then say so)",
    ),
    (
        "a path character to percent-encode",
        target(base_url='base_url = "https://sod.example.com/C`{x}/api/v1"\n'),
        ENV,
        "base_url: the path holds '`', which a URL must percent-encode (RFC 3986, 3.3); expected it written as %60",
    ),
    (
        "braces to percent-encode",
        target(base_url='base_url = "https://sod.example.com/C{x}/api/v1"\n'),
        ENV,
        "base_url: the path holds '{', which a URL must percent-encode (RFC 3986, 3.3); expected it written as %7B",
    ),
    ("missing name", target(name=""), ENV, f"name: missing; expected {NAME}"),
    (
        "missing ticket in [soticket]",
        target(tables="[soticket]\n"),
        ENV,
        f"soticket.ticket: missing; expected {SECRET}",
    ),
    (
        "secret variable unset",
        target(tables=f'[bearer]\ntoken = "env:{UNSET}"\n'),
        ENV,
        f"bearer.token: the environment variable {UNSET} is not set; expected it to hold the secret",
    ),
    (
        "secret variable empty",
        target(tables='[bearer]\ntoken = "env:ERPSYNC_T_EMPTY"\n'),
        ENV,
        "bearer.token: the environment variable ERPSYNC_T_EMPTY is empty; expected it to hold the secret",
    ),
    (
        "secret variable blank",
        target(tables='[bearer]\ntoken = "env:ERPSYNC_T_BLANK"\n'),
        ENV,
        "bearer.token: the environment variable ERPSYNC_T_BLANK is empty; expected it to hold the secret",
    ),
    (
        "secret with a trailing newline",
        target(tables='[soticket]\nticket = "env:ERPSYNC_T_NEWLINE"\n'),
        ENV,
        "soticket.ticket: the environment variable ERPSYNC_T_NEWLINE ends with a line break (secret stores and `echo` "
        f"often add one); {ALONE}",
    ),
    (
        "secret a header cannot carry",
        target(tables='[bearer]\ntoken = "env:ERPSYNC_T_EURO"\n'),
        ENV,
        "bearer.token: the environment variable ERPSYNC_T_EURO holds a character an HTTP header cannot carry as it is "
        f"(character {len(CANARY) + 4} of {len(CANARY) + 4} is not printable US-ASCII); {ALONE}",
    ),
    (
        "secret with a control character",
        target(tables='[bearer]\ntoken = "env:ERPSYNC_T_CONTROL"\n'),
        ENV,
        f"bearer.token: the environment variable ERPSYNC_T_CONTROL holds a control character (character {len(CANARY) + 2} "
        f"of {len(CANARY) + 3}); {ALONE}",
    ),
    (
        "cookie a cookie cannot carry",
        target(
            tables='[session]\ncookie_name = "ASP.NET_SessionId"\n'
            'cookie = "env:ERPSYNC_T_SEMICOLON"\nxsrf_token = "env:ERPSYNC_T_TICKET"\n'
        ),
        ENV,
        "session.cookie: the environment variable ERPSYNC_T_SEMICOLON holds a character a cookie value cannot "
        f"(character {len(CANARY) + 1} of {len(CANARY) + 2}); expected the secret alone (the value is not shown)",
    ),
    (
        "user with a colon",
        target(tables='[basic]\nuser = "env:ERPSYNC_T_COLON"\npassword = "env:ERPSYNC_T_PASSWORD"\n'),
        ENV,
        "basic.user: the environment variable ERPSYNC_T_COLON holds ':', which Basic cannot send in a user name; "
        "expected the user name alone (the value is not shown)",
    ),
    (
        "CA bundle missing",
        target(tables=TICKET + "[limits]\nca_bundle = 'ca.pem'\n"),
        ENV,
        "limits.ca_bundle: no such file <folder>/ca.pem (relative to the target file); expected a PEM file of the CA "
        "that signed the target's certificate",
    ),
    ("name too long", target(name=f'name = "{"n" * 300}"\n'), ENV, f"name: expected {NAME}, got '{'n' * 76}..."),
    (
        "user variable unset",
        target(tables=f'[basic]\nuser = "env:{UNSET}"\npassword = "env:ERPSYNC_T_PASSWORD"\n'),
        ENV,
        f"basic.user: the environment variable {UNSET} is not set; expected it to hold the user name",
    ),
    (
        "user env name malformed",
        target(tables='[basic]\nuser = "env:"\npassword = "env:ERPSYNC_T_PASSWORD"\n'),
        ENV,
        "basic.user: expected a user name, or env:NAME, got 'env:'",
    ),
    (
        "secret written in the file",
        target(tables=f'[soticket]\nticket = "7T:{CANARY}"\n'),
        ENV,
        f"soticket.ticket: expected {SECRET}, got a literal value (not shown)",
    ),
    (
        "secret password written in the file",
        target(tables=f'[basic]\nuser = "tje0"\npassword = "{CANARY}"\n'),
        ENV,
        f"basic.password: expected {SECRET}, got a literal value (not shown)",
    ),
    (
        "secret a number",
        target(tables="[bearer]\ntoken = 12345\n"),
        ENV,
        f"bearer.token: expected {SECRET}, got an integer (not shown)",
    ),
    (
        "unknown profile value",
        target(tables=TICKET + "[choices]\nselect_case = 'sometimes'\n"),
        ENV,
        "choices.select_case: expected one of insensitive, exact, auto, got 'sometimes'",
    ),
    (
        "base URL ftp",
        target(base_url=f'base_url = "{BASE_URL.replace("https", "ftp")}"\n'),
        ENV,
        f"base_url: expected {URL}, got 'ftp://sod.superoffice.com/Cust12345/api/v1'",
    ),
    (
        "base URL without a scheme",
        target(base_url='base_url = "sod.superoffice.com/Cust12345/api/v1"\n'),
        ENV,
        f"base_url: expected {URL}, got 'sod.superoffice.com/Cust12345/api/v1'",
    ),
    (
        "base URL not ending in api v1",
        target(base_url=f'base_url = "{BASE_URL}/"\n'),
        ENV,
        f"base_url: expected {URL}, got '{BASE_URL}/'",
    ),
    (
        "base URL with credentials",
        target(base_url=f'base_url = "https://tje0:{CANARY}@sod.superoffice.com/api/v1"\n'),
        ENV,
        f"base_url: expected {URL}, got a URL with credentials in it (not shown)",
    ),
    (
        "no auth scheme",
        target(tables=""),
        ENV,
        "basic, soticket, bearer, session: no auth scheme; expected at least one of the tables "
        "[basic], [soticket], [bearer], [session]",
    ),
    ("waivers a number", target("waivers = 5\n"), ENV, f"waivers: expected {WAIVERS}, got an integer 5"),
    (
        "waivers a table",
        target(tables=TICKET + "[waivers]\nfile = 'w.toml'\n"),
        ENV,
        f"waivers: expected {WAIVERS}, got a table",
    ),
    ("waivers empty", target('waivers = ""\n'), ENV, f"waivers: expected {WAIVERS}, got ''"),
]
IDS = [row[0] for row in BAD]
assert len(set(IDS)) == len(IDS)


def write(path: Path, text: str | bytes | None) -> Path:
    if text is DIRECTORY:
        path.mkdir()
    elif isinstance(text, bytes):
        path.write_bytes(text)
    elif text is not None:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("text, env, message", [row[1:] for row in BAD], ids=IDS)
def test_load_names_the_file_the_key_and_what_was_expected(tmp_path, text, env, message):
    path = write(tmp_path / "target.toml", text)
    with pytest.raises(TargetError) as raised:
        load(path, env)
    assert str(raised.value) == f"{path}: {message.replace('<folder>', str(path.parent))}"
    assert CANARY not in str(raised.value)


@pytest.fixture
def environment(monkeypatch):
    """The row's variables set, and the unset one surely unset, for a run of the suite."""

    def apply(env: dict[str, str]) -> None:
        monkeypatch.delenv(UNSET, raising=False)
        monkeypatch.delenv("ERPSYNC_TARGET", raising=False)
        for name, value in env.items():
            monkeypatch.setenv(name, value)

    return apply


def assert_usage_error(result, path: Path, message: str) -> None:
    output = "\n".join(result.outlines + result.errlines)
    assert result.ret == 2, output
    lines = [line for line in output.splitlines() if "erpsync-conformance:" in line]
    assert lines == [f"erpsync-conformance: {path}: {message.replace('<folder>', str(path.parent))}"], output
    assert "Traceback" not in output
    assert CANARY not in output


@pytest.mark.parametrize("text, env, message", [row[1:] for row in BAD], ids=IDS)
def test_the_suite_stops_with_exit_code_2_and_one_line(pytester, environment, text, env, message):
    """The suite's own entry (pytest with the plugin), in process: quick enough for every row."""
    environment(env)
    path = write(pytester.path / "target.toml", text)
    # Exit code 2 is also pytest's "interrupted": no_reraise_ctrlc keeps pytester from treating
    # the run's early exit (before its own recorder is configured) as a Ctrl-C.
    result = pytester.runpytest_inprocess(
        SUITE, "-q", "-p", "no:cacheprovider", "--target", str(path), no_reraise_ctrlc=True
    )
    assert_usage_error(result, path, message)


SUBPROCESS = {"secret written in the file": [], "base URL with credentials": ["-n", "2"]}


@pytest.mark.parametrize(
    "text, env, message, extra",
    [row[1:] + (SUBPROCESS[row[0]],) for row in BAD if row[0] in SUBPROCESS],
    ids=[f"{i} {' '.join(SUBPROCESS[i])}".strip() for i in IDS if i in SUBPROCESS],
)
def test_a_real_process_exits_2_with_one_line(pytester, environment, text, env, message, extra):
    """A few rows in a real process (the exit code and stderr as a shell sees them), some under xdist."""
    environment(env)
    path = write(pytester.path / "target.toml", text)
    result = pytester.runpytest_subprocess(SUITE, "-q", "-p", "no:cacheprovider", "--target", str(path), *extra)
    assert_usage_error(result, path, message)


def test_a_good_file_resolves_secrets_and_keeps_them_out_of_repr(tmp_path):
    path = tmp_path / "target.toml"
    path.write_text(
        target(
            tables=TICKET + '[basic]\nuser = "env:ERPSYNC_T_USER"\npassword = "env:ERPSYNC_T_PASSWORD"\n'
            '[limits]\nca_bundle = "certs/ca.pem"\n'
        )
    )
    (tmp_path / "certs").mkdir()
    (tmp_path / "certs" / "ca.pem").write_text("-----BEGIN CERTIFICATE-----\n")
    loaded = load(path, ENV)
    assert loaded.schemes == ("basic", "soticket")
    assert loaded.soticket == Secret(f"7T:{CANARY}", "ERPSYNC_T_TICKET")
    assert loaded.basic.user == Secret("tje0", "ERPSYNC_T_USER")
    assert CANARY not in repr(loaded)
    assert loaded.limits.verify == str(tmp_path / "certs" / "ca.pem")  # relative to the target file
    assert [s.env for s in loaded.secrets()] == ["ERPSYNC_T_USER", "ERPSYNC_T_PASSWORD", "ERPSYNC_T_TICKET"]


@pytest.mark.parametrize(
    "base_url, limits, plain",
    [
        ("http://127.0.0.1:8080/api/v1", "", False),
        ("http://localhost/api/v1", "", False),
        ("http://[::1]:9/api/v1", "", False),
        ("http://sod.example.com/api/v1", "allow_plain_http = true\n", True),
        ("https://sod.example.com/C%20x/api/v1", "", False),
    ],
)
def test_plain_http_goes_only_to_this_machine_unless_allowed(tmp_path, base_url, limits, plain):
    path = tmp_path / "target.toml"
    path.write_text(target(base_url=f'base_url = "{base_url}"\n', tables=TICKET + "[limits]\n" + limits))
    assert plain_http(load(path, ENV).base_url) is plain


@pytest.mark.parametrize("name", ["reference.toml", "superoffice-online.toml", "superoffice-onsite.toml"])
def test_shipped_examples_are_valid(name):
    env = {
        k: "x"
        for k in (
            "REF_PASSWORD",
            "REF_TICKET",
            "REF_BEARER",
            "REF_SESSION",
            "REF_XSRF",
            "REF_APP",
            "REF_APP_RESTRICTED",
            "SO_TICKET",
            "SO_BEARER",
            "SO_APP_SECRET",
            "SO_APP_SECRET_NO_ERPSYNC",
            "SO_USER",
            "SO_PASSWORD",
            "SO_SESSION",
            "SO_XSRF",
        )
    }
    loaded = load(Path(__file__).parent.parent / "targets" / name, env)
    assert loaded.name == name.removesuffix(".toml")


SAMPLES = Path(__file__).parent.parent / "targets"


def _variables(text: str) -> list[str]:
    return re.findall(r'"env:([A-Z_][A-Z0-9_]*)"', text)


@pytest.mark.parametrize("name", ["superoffice-online.toml", "superoffice-onsite.toml"])
def test_a_samples_comment_exports_every_variable_it_names(name):
    text = (SAMPLES / name).read_text("utf-8")
    exported = {
        v
        for line in text.splitlines()
        if line.startswith("#   export ")
        for v in re.findall(r"([A-Z_][A-Z0-9_]*)=", line)
    }
    assert set(_variables(text)) == exported, (sorted(_variables(text)), sorted(exported))


def test_the_readme_exports_every_variable_of_the_sample_it_copies():
    readme = (Path(__file__).parent.parent / "README.md").read_text("utf-8")
    step = readme[readme.index("1. **Copy a target file") : readme.index("4. **Look before you send")]
    copied = re.search(r"cp targets/(\S+\.toml) my-tenant\.toml", step).group(1)
    exported = set(re.findall(r"([A-Z_][A-Z0-9_]*)='", step))
    assert set(_variables((SAMPLES / copied).read_text("utf-8"))) == exported


def test_the_readmes_copy_step_gives_a_target_that_loads(tmp_path, monkeypatch):
    """Step 1 verbatim (the sample and the waiver file it names), step 3's variables set: the file
    loads and its waiver file is found beside it."""
    readme = (Path(__file__).parent.parent / "README.md").read_text("utf-8")
    command = re.search(r"`(cp targets/\S+ my-tenant\.toml && cp targets/\S+ \.)`", readme).group(1)
    monkeypatch.chdir(tmp_path)
    for part in command.split(" && "):
        _, source, destination = part.split()
        shutil.copy(Path(__file__).parent.parent / source, tmp_path / destination)
    env = {v: "x" for v in _variables((tmp_path / "my-tenant.toml").read_text("utf-8"))}
    loaded = load(tmp_path / "my-tenant.toml", env)
    assert loaded.waivers is not None and loaded.waivers.is_file()


def test_every_unset_variable_is_named_at_once(tmp_path):
    path = tmp_path / "t.toml"
    path.write_text((SAMPLES / "superoffice-online.toml").read_text("utf-8"))
    with pytest.raises(TargetError) as raised:
        load(path, {"SO_BEARER": "8A:x"})
    message = str(raised.value)
    assert message.count("\n") == 0 and "3 environment variables the file names are not set" in message
    for name, key in (
        ("SO_TICKET", "soticket.ticket"),
        ("SO_APP_SECRET", "apptoken.granted"),
        ("SO_APP_SECRET_NO_ERPSYNC", "apptoken.restricted"),
    ):
        assert f"{name} ({key})" in message, message


def test_a_variable_named_twice_is_listed_once_and_a_malformed_one_does_not_hide_the_unset_ones(tmp_path):
    path = tmp_path / "t.toml"
    path.write_text(
        'name = "t"\nbase_url = "http://127.0.0.1:1/api/v1"\n[soticket]\nticket = "env:T_SAME"\n'
        '[bearer]\ntoken = "env:T_SAME"\n[session]\ncookie_name = "c"\ncookie = "env:T_BAD"\n'
        'xsrf_token = "env:T_OTHER"\n'
    )
    with pytest.raises(TargetError) as raised:
        load(path, {"T_BAD": "a\nb"})
    message = str(raised.value)
    assert (
        "2 environment variables the file names are not set: T_SAME (soticket.ticket, bearer.token), "
        "T_OTHER (session.xsrf_token)" in message
    ), message
    assert "; and session.cookie: the environment variable T_BAD" in message and "a\nb" not in message


@pytest.mark.parametrize(
    "table, key, typo",
    [
        ("soticket", "ticket", "tiket"),
        ("bearer", "token", "tokn"),
        ("basic", "password", "pasword"),
        ("session", "xsrf_token", "xsrf_tokn"),
    ],
)
def test_a_typo_is_named_as_an_unknown_key_and_the_missing_one(tmp_path, table, key, typo):
    sample = (SAMPLES / "superoffice-onsite.toml").read_text("utf-8")
    sample += '\n[bearer]\ntoken = "env:SO_BEARER"\n' if table == "bearer" else ""
    path = tmp_path / "t.toml"
    path.write_text(re.sub(rf"(?m)^(\[{table}\][^\[]*?)^{key} =", rf"\1{typo} =", sample, count=1))
    with pytest.raises(TargetError) as raised:
        load(path, {v: "x" for v in _variables(sample)})
    message = str(raised.value)
    assert f"{table}.{typo}: unknown key (did you mean {key}?)" in message and f"{table}.{key}: missing" in message
