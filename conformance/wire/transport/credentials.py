"""The credential forms a case may send (conformance.contract.domains.CREDENTIAL_STATES): the right one in
any spelling of the scheme word, wrong values, near-misses of the right value (a prefix, one
character more, another case, a password with ':' or a non-ASCII character after it), empty parts
and malformed encodings.

Near-misses are made from the target's secrets, so they are secrets too: `derived` lists each with
how it is written in output (`$NAME` of the variable, and the shell expression that rebuilds it in
a curl line), and the run's redactor knows them from the start.
"""

from __future__ import annotations

import base64
from typing import Iterator

from requests.auth import AuthBase

from conformance.contract.domains import SPELLINGS
from conformance.text.redaction import shell_word
from conformance.wire.target import Secret, Target, reveal
from conformance.wire.transport.auth import DEFAULT_WORDS, RawAuthorization, SchemeAuth, SessionAuth

WRONG = "erpsync-conformance-wrong"


def _b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def _swapped(value: str) -> str:
    swapped = value.swapcase()
    return swapped if swapped != value else value + "X"


def _password_forms(target: Target) -> dict[str, str]:
    """Basic's near-miss passwords, by state."""
    password = target.basic.password.value
    return {
        "password-with-colon": password + ":x",
        "password-non-ascii": password + "\u00e9",
        "password-prefix": password[:-1],
        "empty-password": "",
        "wrong-password": WRONG,
    }


def _extended(value: str) -> str:
    """One character more, before any base64 padding (token68 allows '=' only at the end)."""
    stem = value.rstrip("=")
    return stem + "x" + value[len(stem) :]


def _value_forms(value: str) -> dict[str, str]:
    return {
        "wrong": f"{value[:3]}{WRONG}" if ":" in value[:3] else WRONG,
        "prefix": value[:-1],
        "extended": _extended(value),
        "case-variant": _swapped(value),
    }


def auth_for(target: Target, scheme: str, state: str) -> AuthBase:
    """The auth of one credential form of a scheme the target declares."""
    word = DEFAULT_WORDS.get(scheme, "")
    if state == "valid" or state in SPELLINGS:
        spelled = SPELLINGS[state](word) if state in SPELLINGS else word
        if scheme == "basic":
            return SchemeAuth(spelled, _b64(f"{reveal(target.basic.user)}:{target.basic.password.value}"))
        if scheme == "session":
            s = target.session
            return SessionAuth(s.cookie_name, s.cookie.value, s.xsrf_token.value)
        return SchemeAuth(spelled, getattr(target, scheme).value)
    if scheme == "session":
        s = target.session
        cookie, xsrf = s.cookie.value, s.xsrf_token.value
        return {
            "no-xsrf": SessionAuth(s.cookie_name, cookie, None),
            "wrong-xsrf": SessionAuth(s.cookie_name, cookie, WRONG),
            "xsrf-prefix": SessionAuth(s.cookie_name, cookie, xsrf[:-1]),
            "wrong-cookie": SessionAuth(s.cookie_name, WRONG, xsrf),
        }[state]
    if state == "empty":
        return RawAuthorization(word)
    if scheme == "basic":
        user = reveal(target.basic.user)
        if state == "no-colon":
            return RawAuthorization(f"Basic {_b64(user)}")
        if state == "not-base64":
            return RawAuthorization("Basic !!!not-base64!!!")
        if state == "wrong-user":
            return RawAuthorization(f"Basic {_b64(WRONG + ':' + target.basic.password.value)}")
        return RawAuthorization(f"Basic {_b64(user + ':' + _password_forms(target)[state])}")
    return RawAuthorization(f"{word} {_value_forms(getattr(target, scheme).value)[state]}")


def derived(target: Target) -> Iterator[tuple[str, str, str]]:
    """(value, as written, as a shell expression) of every near-miss made from a secret."""
    for name in ("soticket", "bearer"):
        secret: Secret | None = getattr(target, name)
        if secret is not None:
            yield from _near(secret.value, secret.env)
    if target.session is not None:
        yield from _near(target.session.xsrf_token.value, target.session.xsrf_token.env)
    if target.basic is not None:
        user, password = target.basic.user, target.basic.password
        shown_user = f"${user.env}" if isinstance(user, Secret) else reveal(user)
        yield from _near(password.value, password.env)
        shell_user = shell_word(reveal(user), shown_user)
        pairs = {
            f"{reveal(user)}:{form}": (
                f"{shown_user}:{_shell_of(state, password.env)}",
                f"{shell_user}:{_shell_of(state, password.env)}",
            )
            for state, form in _password_forms(target).items()
            if state not in ("wrong-password", "empty-password")
        }
        pairs[f"{WRONG}:{password.value}"] = (f"{WRONG}:${password.env}", f"{shell_word(WRONG, WRONG)}:${password.env}")
        for value, (shown, shell) in pairs.items():
            yield value, shown, shell


def _near(value: str, env: str) -> Iterator[tuple[str, str, str]]:
    yield value[:-1], f"${{{env}%?}}", f"${{{env}%?}}"
    if value.endswith("="):
        yield _extended(value), f"extended(${env})", _extended(value).replace(value.rstrip("="), f"${{{env}%%=*}}", 1)
    yield _swapped(value), f"swapcase(${env})", f"$(printf %s \"${env}\" | tr 'a-zA-Z' 'A-Za-z')"


def _shell_of(state: str, env: str) -> str:
    return {
        "password-with-colon": f"${env}:x",
        "password-non-ascii": f"${env}\u00e9",
        "password-prefix": f"${{{env}%?}}",
    }[state]
