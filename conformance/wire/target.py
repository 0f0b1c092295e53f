"""Targets: where the server is, its auth schemes with secrets from the environment, its profile,
and the limits the suite keeps to.

A target file is TOML validated by schemas/target.schema.json. A secret is written `env:NAME`
and read from the environment when the file is loaded; a missing or empty variable is an error
that names it. With no target file the suite builds one for the bundled reference server.
"""

from __future__ import annotations

import difflib
import ipaddress
import json
import os
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from conformance.contract.choices import Profile, ProfileError
from conformance.contract.endpoint import schemas_dir
from conformance.errors import ConfigurationError

SCHEMES = ("basic", "soticket", "bearer", "session")


class TargetError(ConfigurationError):
    """A target that cannot be used; the message is one line naming the file, the key and what
    was expected. It never holds a secret's value: a literal where env:NAME belongs is not shown."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.splitlines()))


@dataclass(frozen=True)
class Secret:
    """A credential and the environment variable it came from (its name stands in for it in output)."""

    value: str = field(repr=False)
    env: str

    def __str__(self) -> str:
        return f"${self.env}"


Value = str | Secret


def reveal(value: Value) -> str:
    return value.value if isinstance(value, Secret) else value


@dataclass(frozen=True)
class Basic:
    user: Value
    password: Secret


@dataclass(frozen=True)
class Session:
    cookie_name: str
    cookie: Secret
    xsrf_token: Secret


@dataclass(frozen=True)
class AppTokens:
    granted: Secret
    restricted: Secret | None = None
    required: bool = False


@dataclass(frozen=True)
class Limits:
    max_requests: int = 2000
    rate: float = 50.0
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    retries: int = 2
    max_retry_wait: float = 30.0
    verify_tls: bool = True
    ca_bundle: str | None = None
    allow_plain_http: bool = False
    """Credentials may go over plain http:// to a host that is not this machine (the report says so)."""

    @property
    def verify(self) -> bool | str:
        return self.ca_bundle if self.ca_bundle else self.verify_tls


@dataclass(frozen=True)
class Target:
    name: str
    base_url: str
    profile: Profile = field(default_factory=Profile)
    basic: Basic | None = None
    soticket: Secret | None = None
    bearer: Secret | None = None
    session: Session | None = None
    apptoken: AppTokens | None = None
    limits: Limits = field(default_factory=Limits)
    source: str = "bundled reference server"
    waivers: Path | None = None
    published: frozenset[str] = frozenset()
    """Values published beside the suite (the bundled reference server's sample credentials, which
    the pytest shell and the command line give every target): no secret, so outputs search them
    whole only, not in pieces (conformance.text.fragments)."""

    @property
    def schemes(self) -> tuple[str, ...]:
        return tuple(s for s in SCHEMES if getattr(self, s) is not None)

    def secrets(self) -> list[Secret]:
        found: list[Secret] = []

        def walk(value: Any) -> None:
            if isinstance(value, Secret):
                found.append(value)
            elif hasattr(value, "__dataclass_fields__") and not isinstance(value, (Profile, Limits)):
                for name in value.__dataclass_fields__:
                    walk(getattr(value, name))

        walk(self)
        return found


@lru_cache(maxsize=None)
def _validator() -> Draft202012Validator:
    schema = json.loads((schemas_dir() / "target.schema.json").read_text("utf-8"))
    return Draft202012Validator(schema)


def load(path: str | os.PathLike[str], environ: Mapping[str, str] | None = None) -> Target:
    """Read, validate and resolve a target file; every problem raises TargetError in one line."""
    environ = os.environ if environ is None else environ
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise TargetError(f"{path}: no such target file; expected a TOML file such as targets/reference.toml") from None
    except UnicodeDecodeError as problem:
        raise TargetError(
            f"{path}: not UTF-8 text (byte {problem.object[problem.start]:#04x} at offset "
            f"{problem.start}); expected a UTF-8 TOML file"
        ) from None
    except OSError as problem:
        raise TargetError(
            f"{path}: cannot be read ({problem.strerror or type(problem).__name__}); expected a readable TOML file"
        ) from None
    except tomllib.TOMLDecodeError as problem:
        raise TargetError(f"{path}: not valid TOML: {problem}; expected a TOML document") from None
    except RecursionError:
        raise TargetError(
            f"{path}: nests its arrays or tables too deeply to read; expected a target file "
            "such as targets/reference.toml (a few levels deep)"
        ) from None
    if "profile" in data:
        raise TargetError(
            f"{path}: [profile] is now called [choices] (the server's choices on the open points); rename the table"
        )
    errors = sorted(_validator().iter_errors(data), key=lambda e: ([str(p) for p in e.absolute_path], e.message))
    if errors:
        raise TargetError(f"{path}: {_explain(errors[0], errors)}")
    return from_mapping(data, environ, source=str(path))


def from_mapping(data: Mapping[str, Any], environ: Mapping[str, str], source: str) -> Target:
    # variable -> (the keys naming it, "is not set" or "is empty", what it holds): one entry per variable
    unset: dict[str, tuple[list[str], str, str]] = {}
    malformed: list[str] = []  # said after the unset ones: a user exports them all, then fixes the rest

    def secret(key: str, text: str, holds: str = "the secret", carried: str = "header") -> Secret:
        name = text.removeprefix("env:")
        value = environ.get(name)
        if value is None or not value.strip():
            unset.setdefault(name, ([], "is not set" if value is None else "is empty", holds))[0].append(key)
            return Secret("", name)  # every unset variable is named at once, below
        problem = secret_problem(value, carried)
        if problem:
            malformed.append(
                f"{key}: the environment variable {name} {problem}; expected {holds} alone (the value is not shown)"
            )
            return Secret("", name)
        return Secret(value, name)

    def value(key: str, text: str) -> Value:
        if not text.startswith("env:"):
            if ":" in text:
                raise TargetError(
                    f"{source}: basic.user: a user name with ':' cannot be sent in Basic; expected a "
                    "user name without ':'"
                )
            return text
        return secret(key, text, "the user name", carried="user")

    basic = soticket = bearer = session = apptoken = None
    if "basic" in data:
        basic = Basic(
            value("basic.user", data["basic"]["user"]),
            secret("basic.password", data["basic"]["password"], "the password", carried="base64"),
        )
    if "soticket" in data:
        soticket = secret("soticket.ticket", data["soticket"]["ticket"])
    if "bearer" in data:
        bearer = secret("bearer.token", data["bearer"]["token"])
    if "session" in data:
        s = data["session"]
        session = Session(
            s["cookie_name"],
            secret("session.cookie", s["cookie"], carried="cookie"),
            secret("session.xsrf_token", s["xsrf_token"]),
        )
    if "apptoken" in data:
        a = data["apptoken"]
        apptoken = AppTokens(
            secret("apptoken.granted", a["granted"]),
            secret("apptoken.restricted", a["restricted"]) if "restricted" in a else None,
            bool(a.get("required", False)),
        )
    also = f"; and {malformed[0]}" if malformed else ""
    if len(unset) == 1:
        name, (keys, state, holds) = next(iter(unset.items()))
        raise TargetError(
            f"{source}: {', '.join(keys)}: the environment variable {name} {state}; expected it to hold {holds}{also}"
        )
    if unset:
        listed = ", ".join(
            f"{name} ({', '.join(keys)}{'' if state == 'is not set' else ', empty'})"
            for name, (keys, state, _) in unset.items()
        )
        raise TargetError(
            f"{source}: {len(unset)} environment variables the file names are not set: {listed}; "
            f"expected each to hold its secret (export them all, then run again){also}"
        )
    if malformed:
        raise TargetError(f"{source}: {malformed[0]}")
    try:
        profile = Profile.from_mapping(data.get("choices", {}))
    except ProfileError as problem:  # the schema and contract/choices.py disagree; still one line
        raise TargetError(f"{source}: {problem}") from None
    target = Target(
        name=data["name"],
        base_url=data["base_url"],
        profile=profile,
        basic=basic,
        soticket=soticket,
        bearer=bearer,
        session=session,
        apptoken=apptoken,
        limits=limits(data.get("limits", {}), source),
        source=source,
        waivers=Path(source).parent / data["waivers"] if "waivers" in data else None,
    )
    if not target.schemes:
        raise TargetError(
            f"{source}: {', '.join(SCHEMES)}: no auth scheme; expected at least one of the tables "
            f"[{'], ['.join(SCHEMES)}]"
        )
    wrong = base_url_problem(target.base_url, target.limits.allow_plain_http)
    if wrong:
        raise TargetError(f"{source}: base_url: {wrong}")
    return target


URL_PATH = re.compile(r"[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2}")
"""What a URL's path may hold as it is (RFC 3986, 3.3: pchar and '/'); anything else is percent-encoded."""


def plain_http(base_url: str) -> bool:
    """The base URL sends credentials in clear text to another machine: http:// and not loopback."""
    parts = urlsplit(base_url)
    return parts.scheme == "http" and not is_loopback(parts.hostname or "")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def base_url_problem(base_url: str, allow_plain_http: bool) -> str | None:
    """What keeps the base URL from being used as written: a path character a URL must
    percent-encode (the request would go to another path), or credentials in clear text."""
    path = urlsplit(base_url).path
    at = 0
    while at < len(path):
        match = URL_PATH.match(path, at)
        if match is None:
            char = path[at]
            encoded = "".join(f"%{b:02X}" for b in char.encode("utf-8"))
            return (
                f"the path holds {char!r}, which a URL must percent-encode (RFC 3986, 3.3); "
                f"expected it written as {encoded}"
            )
        at = match.end()
    if plain_http(base_url) and not allow_plain_http:
        return (
            f"http:// would send every credential in clear text to {urlsplit(base_url).hostname}; expected "
            "https://, or limits.allow_plain_http = true to accept that (the reports then say so)"
        )
    return None


def secret_problem(value: str, carried: str) -> str | None:
    """What keeps a secret from going on the wire as it is, in words that never show it: a line
    end (secret stores and `echo` often leave one), surrounding spaces, control characters, or a
    character the header that carries it cannot (`carried`: header, cookie, user, base64)."""
    if value.rstrip("\r\n") != value:
        return "ends with a line break (secret stores and `echo` often add one)"
    if value.strip() != value:
        return "begins or ends with white space"
    for position, char in enumerate(value, 1):
        if ord(char) < 32 or ord(char) == 127:
            return f"holds a control character (character {position} of {len(value)})"
        if carried in ("header", "cookie") and ord(char) > 126:
            return (
                f"holds a character an HTTP header cannot carry as it is (character {position} of {len(value)} "
                "is not printable US-ASCII)"
            )
        if carried == "cookie" and char in ' ";,\\':
            return f"holds a character a cookie value cannot (character {position} of {len(value)})"
        if carried == "user" and char == ":":
            return "holds ':', which Basic cannot send in a user name"
    return None


def limits(data: Mapping[str, Any], source: str) -> Limits:
    """[limits], with ca_bundle resolved against the target file's folder and required to exist."""
    data = dict(data)
    bundle = data.get("ca_bundle")
    if bundle is not None:
        path = Path(bundle).expanduser()
        if not path.is_absolute():
            path = Path(source).parent / path
        if not path.is_file():
            raise TargetError(
                f"{source}: limits.ca_bundle: no such file {path} (relative to the target file); "
                "expected a PEM file of the CA that signed the target's certificate"
            )
        data["ca_bundle"] = str(path)
    return Limits(**data)


SECRET_EXPECTED = "env:NAME (secrets are read from the environment, never written in the file)"
EXPECTED = {  # what a key's pattern or purpose asks for, in words (by the key's own name)
    "name": "a name of letters, digits, '.', '_' and '-', at most 64 (it names report folders)",
    "base_url": "an http(s) URL ending in /api/v1, with no user:password@",
    "user": "a user name, or env:NAME",
    "cookie_name": "a cookie name (letters, digits and !#$%&'*+.^_`|~-)",
    "waivers": "the path of a waiver file (a string), relative to the target file",
    "ca_bundle": "the path of a CA bundle file (a string)",
}
TOML_TYPES = {
    "object": "a table",
    "array": "an array",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
}


def _explain(error: ValidationError, others: list[ValidationError] = ()) -> str:  # type: ignore[assignment]
    """One line: the key, and what was expected there in words (never a secret's value). A table
    with both an unknown key and a missing one (a typo: `tiket =`) says both, in any table."""
    path = [str(p) for p in error.absolute_path]
    if error.validator in ("additionalProperties", "required"):
        here = [e for e in (error, *others) if [str(p) for p in e.absolute_path] == path]
        unknown = next((e for e in here if e.validator == "additionalProperties"), None)
        required = next((e for e in here if e.validator == "required"), None)
        said = []
        if unknown is not None:
            known = list(unknown.schema.get("properties", {}))
            extra = sorted(set(unknown.instance) - set(known))[0]
            close = difflib.get_close_matches(extra, known, n=1, cutoff=0.8)
            hint = f" (did you mean {close[0]}?)" if close else ""
            said.append(f"{'.'.join(path + [extra])}: unknown key{hint}; expected one of {', '.join(known)}")
        if required is not None:
            missing = next(k for k in required.validator_value if k not in required.instance)
            expected = _expected(missing, required.schema["properties"][missing])
            said.append(f"{'.'.join(path + [missing])}: missing; expected {expected}")
        return "; ".join(said)
    key = ".".join(path) or "(top level)"
    name = path[-1] if path else ""
    return f"{key}: expected {_expected(name, error.schema)}, got {_shown(name, error.instance, error.schema)}"


def _expected(name: str, schema: Mapping[str, Any]) -> str:
    if "enum" in schema:
        return f"one of {', '.join(map(str, schema['enum']))}"
    if str(schema.get("pattern", "")).startswith("^env:"):
        return SECRET_EXPECTED
    if name in EXPECTED:
        return EXPECTED[name]
    kind = schema.get("type", "")
    bounds = [
        f"{word} {schema[bound]}"
        for bound, word in (("exclusiveMinimum", "greater than"), ("minimum", "at least"), ("maximum", "at most"))
        if bound in schema
    ]
    if kind == "string" and schema.get("minLength"):
        return "a non-empty string"
    return TOML_TYPES.get(kind, "a valid value") + (f" {' and '.join(bounds)}" if bounds else "")


def _shown(name: str, value: Any, schema: Mapping[str, Any]) -> str:
    """The value found, in TOML's words; a secret's value or a URL's credentials are not shown."""
    kind = (
        "a boolean"
        if isinstance(value, bool)
        else "a table"
        if isinstance(value, dict)
        else "an array"
        if isinstance(value, list)
        else "a string"
        if isinstance(value, str)
        else "an integer"
        if isinstance(value, int)
        else "a number"
        if isinstance(value, float)
        else f"a TOML {type(value).__name__}"
    )
    if str(schema.get("pattern", "")).startswith("^env:"):
        return "a literal value (not shown)" if isinstance(value, str) else f"{kind} (not shown)"
    if name == "base_url" and isinstance(value, str) and "@" in value:
        return "a URL with credentials in it (not shown)"
    if isinstance(value, (dict, list)):
        return kind
    text = str(value).lower() if isinstance(value, bool) else repr(value) if isinstance(value, str) else str(value)
    text = text if len(text) <= 80 else text[:77] + "..."
    wrong_type = "type" in schema and not Draft202012Validator({"type": schema["type"]}).is_valid(value)
    return f"{kind} {text}" if wrong_type else text
