"""Targets: where the server is, its auth schemes with secrets from the environment, its profile,
and the limits the suite keeps to.

A target file is TOML validated by schemas/target.schema.json. A secret is written `env:NAME`
and read from the environment when the file is loaded; a missing or empty variable is an error
that names it. With no target file the suite builds one for the bundled reference server.
"""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from conformance.contract import schemas_dir
from conformance.profile import Profile

SCHEMES = ("basic", "soticket", "bearer", "session")


class TargetError(ValueError):
    """A target that cannot be used; the message is one line naming the file, the key and the problem."""


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


def load(path: str | os.PathLike, environ: Mapping[str, str] | None = None) -> Target:
    """Read, validate and resolve a target file; every problem raises TargetError in one line."""
    environ = os.environ if environ is None else environ
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise TargetError(f"{path}: no such target file") from None
    except (OSError, UnicodeDecodeError) as problem:
        raise TargetError(f"{path}: cannot be read: {problem}") from None
    except tomllib.TOMLDecodeError as problem:
        raise TargetError(f"{path}: not valid TOML: {problem}") from None
    errors = sorted(_validator().iter_errors(data), key=lambda e: (list(e.absolute_path), e.message))
    if errors:
        raise TargetError(f"{path}: {_explain(errors[0])}")
    return from_mapping(data, environ, source=str(path))


def from_mapping(data: Mapping[str, Any], environ: Mapping[str, str], source: str) -> Target:
    def secret(key: str, text: str) -> Secret:
        name = text.removeprefix("env:")
        value = environ.get(name)
        if value is None or value == "":
            state = "is not set" if value is None else "is empty"
            raise TargetError(f"{source}: {key}: the environment variable {name} {state}")
        return Secret(value, name)

    def value(key: str, text: str) -> Value:
        return secret(key, text) if text.startswith("env:") else text

    basic = soticket = bearer = session = apptoken = None
    if "basic" in data:
        basic = Basic(value("basic.user", data["basic"]["user"]), secret("basic.password", data["basic"]["password"]))
    if "soticket" in data:
        soticket = secret("soticket.ticket", data["soticket"]["ticket"])
    if "bearer" in data:
        bearer = secret("bearer.token", data["bearer"]["token"])
    if "session" in data:
        s = data["session"]
        session = Session(s["cookie_name"], secret("session.cookie", s["cookie"]),
                          secret("session.xsrf_token", s["xsrf_token"]))
    if "apptoken" in data:
        a = data["apptoken"]
        apptoken = AppTokens(secret("apptoken.granted", a["granted"]),
                             secret("apptoken.restricted", a["restricted"]) if "restricted" in a else None,
                             bool(a.get("required", False)))
    target = Target(
        name=data["name"],
        base_url=data["base_url"],
        profile=Profile.from_mapping(data.get("profile", {})),
        basic=basic, soticket=soticket, bearer=bearer, session=session, apptoken=apptoken,
        limits=Limits(**data.get("limits", {})),
        source=source,
        waivers=Path(source).parent / data["waivers"] if "waivers" in data else None,
    )
    if not target.schemes:
        raise TargetError(f"{source}: no auth scheme: declare at least one of [{'], ['.join(SCHEMES)}]")
    return target


def _explain(error: ValidationError) -> str:
    key = ".".join(str(p) for p in error.absolute_path) or "(top level)"
    if error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        allowed = ", ".join(error.schema.get("properties", {}))
        where = f"{key}." if error.absolute_path else ""
        return f"{where}{extra[0]}: unknown key; expected one of {allowed}"
    if error.validator == "required":
        missing = error.message.split("'")[1]
        where = f"{key}." if error.absolute_path else ""
        return f"{where}{missing}: missing; it is required"
    if error.validator == "pattern" and "env:" in error.schema.get("pattern", ""):
        return f"{key}: expected env:NAME (secrets are read from the environment), got {error.instance!r}"
    if error.validator == "pattern" and key == "base_url":
        return f"base_url: expected an http(s) URL ending in /api/v1, got {error.instance!r}"
    if error.validator == "enum":
        return f"{key}: expected one of {', '.join(map(str, error.validator_value))}, got {error.instance!r}"
    if error.validator == "type":
        return f"{key}: expected {error.validator_value}, got {type(error.instance).__name__} {error.instance!r}"
    return f"{key}: {error.message}"
