"""Before any check, two questions whose wrong answers are the user's to fix, not the server's.

1. Can the base URL be reached at all, and (https) does TLS work with the target's trust settings?
   A TCP connection and a TLS handshake only: no request is sent, none of the budget is spent. The
   dry run asks this too.
2. Are the declared credentials accepted? One authorised request per declared scheme (counted in
   the budget). A refusal (401 or 403, a null body, an agent's error object: fact 23) is exit 2
   naming the scheme and the variables it read; an `http://` base URL answered by a redirect to
   https is exit 2 with that hint, before any other credential is sent. A request without an
   answer is not the preflight's to judge: it stops asking and the run goes on (HTTP-01 judges it).

Every problem is one line; `Preflight.entries` is what results.json records of a run that went on.
"""

from __future__ import annotations

import socket
import ssl
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from conformance.wire.target import Secret, Target

SCHEME_NAMES = {"basic": "Basic", "soticket": "SOTicket", "bearer": "Bearer", "session": "The session cookie"}
ACCEPTED_BY = {"basic": "AUTH-01", "soticket": "AUTH-02", "bearer": "AUTH-04", "session": "AUTH-07"}
"""The requirement a server that refuses valid credentials of the scheme fails."""
PLAIN_HTTP_AT_TLS = (
    "WRONG_VERSION_NUMBER",
    "RECORD_LAYER_FAILURE",
    "PACKET_LENGTH_TOO_LONG",
    "HTTP_REQUEST",
    "record layer failure",
    "wrong version number",
)
"""OpenSSL's words for an answer that is no TLS record (a plain HTTP server's 400). A handshake the
server breaks off (an unknown SNI, no common version or cipher, a client certificate required) is
no sign of plain HTTP."""


def unreachable(target: Target) -> str | None:
    """None when a TCP connection to the base URL's host and port opens and, for https, a TLS
    handshake with the target's trust settings completes; else the problem, in one line."""
    parts = urlsplit(target.base_url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    where = f"{target.source}: base_url {target.base_url}"
    timeout = target.limits.connect_timeout
    try:
        connection = socket.create_connection((parts.hostname, port), timeout=timeout)
    except OSError as problem:
        reason = problem.strerror or str(problem) or type(problem).__name__
        return f"{where} is unreachable ({parts.hostname}:{port}: {reason})"
    with connection:
        if parts.scheme != "https":
            return None
        try:
            with _context(target).wrap_socket(connection, server_hostname=parts.hostname):
                return None
        except ssl.SSLCertVerificationError as problem:
            return f"{where}: {_untrusted(problem, target)}"
        except ssl.SSLError as problem:
            if any(mark in f"{problem.reason} {problem}" for mark in PLAIN_HTTP_AT_TLS):
                return (
                    f"{where}: {parts.hostname}:{port} does not speak TLS ({problem.reason or problem}): "
                    "is it plain HTTP? Then use an http:// base_url (credentials go in clear text)"
                )
            if "EOF" in f"{problem.reason} {problem}":
                return (
                    f"{where}: {parts.hostname}:{port} closed the connection during the TLS handshake "
                    f"({problem.reason or problem}): a host name, TLS version or client certificate it wants?"
                )
            return f"{where}: the TLS handshake failed ({problem.reason or problem})"
        except OSError as problem:
            reason = (
                "no handshake within the connect timeout"
                if isinstance(problem, TimeoutError)
                else (problem.strerror or str(problem) or type(problem).__name__)
            )
            return f"{where}: the TLS handshake with {parts.hostname}:{port} did not complete ({reason})"


def _context(target: Target) -> ssl.SSLContext:
    limits = target.limits
    if limits.ca_bundle:
        return ssl.create_default_context(cafile=limits.ca_bundle)
    context = ssl.create_default_context()
    if not limits.verify_tls:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def _untrusted(problem: ssl.SSLCertVerificationError, target: Target) -> str:
    said = problem.verify_message or problem.reason or str(problem)
    if problem.verify_code == 62 or "hostname" in str(said).lower() or "IP address mismatch" in str(said):
        return (
            f"the server's certificate is not for {urlsplit(target.base_url).hostname} ({said}): "
            "use the host name the certificate names in base_url, or fix the certificate"
        )
    bundle = f" (limits.ca_bundle = {target.limits.ca_bundle})" if target.limits.ca_bundle else ""
    return (
        f"the server's certificate is not trusted{bundle} ({said}): give limits.ca_bundle the PEM file of "
        "the CA that signed it, or fix the certificate"
    )


@dataclass
class Preflight:
    entries: list[dict[str, Any]] = field(default_factory=list)
    """Per scheme asked: scheme, label, status (None: no answer), outcome."""
    problem: str | None = None
    """The one line that stops the run (exit 2), or None."""
    spent: int = 0
    """Requests it sent, retries of a 429/503 included: taken from the run's budget."""


def variables(target: Target, scheme: str) -> list[str]:
    """The environment variables a scheme's credentials (and the app token sent with them) came from."""
    names: list[str] = []
    if scheme == "basic" and target.basic:
        names += [target.basic.user.env] if isinstance(target.basic.user, Secret) else []
        names.append(target.basic.password.env)
    elif scheme == "session" and target.session:
        names += [target.session.cookie.env, target.session.xsrf_token.env]
    elif scheme in ("soticket", "bearer") and getattr(target, scheme) is not None:
        names.append(getattr(target, scheme).env)
    tokens = target.apptoken
    if tokens and tokens.required and tokens.granted is not None:
        names.append(tokens.granted.env)
    return names


def credentials(target: Target, client: Any) -> Preflight:
    """One authorised request per declared scheme, through `client` (its budget, rate and guard)."""
    from conformance.checks.auth import refusal_form
    from conformance.wire.transport.errors import BudgetExhausted

    found = Preflight()
    refused: list[str] = []
    for scheme in target.schemes:
        label = f"preflight: {scheme}"
        try:
            exchange = client.send(label, scheme=scheme, headers={"Accept": "application/json"})
        except BudgetExhausted:
            break
        finally:
            found.spent = client.budget.used
        entry: dict[str, Any] = {"scheme": scheme, "label": label, "status": exchange.status}
        found.entries.append(entry)
        if exchange.response is None:
            entry["outcome"] = "no answer"
            break  # the run meets it again and judges it (HTTP-01); asking more would only repeat it
        location = exchange.response.header("Location") or ""
        if (
            target.base_url.startswith("http://")
            and exchange.status in range(300, 400)
            and location.lower().startswith("https://")
        ):
            entry["outcome"] = "redirected to https"
            found.spent = client.budget.used
            found.problem = (
                f"{target.source}: base_url {target.base_url} is answered by a redirect to https "
                f"({exchange.status}, Location: {_head(location)}): use the https:// URL as base_url; "
                "nothing more was sent in clear text"
            )
            return found
        form = refusal_form(exchange)
        entry["outcome"] = (
            "refused" if form else "accepted" if exchange.engine_body is not None else "answered"
        )  # any other answer is the tests' to judge
        if form:
            names = variables(target, scheme)
            refused.append(
                f"{SCHEME_NAMES[scheme]} was refused ({form}): check "
                f"{' and '.join(names) or 'its credentials'}; if {'it is' if len(names) == 1 else 'they are'} valid, the server fails "
                f"{ACCEPTED_BY[scheme]}"
            )
    if refused:
        found.problem = "; ".join(refused)
    found.spent = client.budget.used
    return found


def _head(text: str, limit: int = 120) -> str:
    """A server's text in one line of bounded length (it is shown in a configuration error)."""
    flat = "".join(c if c.isprintable() else "?" for c in text)
    return flat if len(flat) <= limit else flat[:limit] + "..."
