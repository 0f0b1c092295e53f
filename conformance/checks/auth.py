"""AUTH-01..11: the schemes, refusals without data, sessions, malformed values, app tokens."""

from __future__ import annotations

from typing import cast

from conformance.checks import Check, Context, Exchanges, answered, check, described, engine_keys, left_out
from conformance.checks.outcome import Finding, not_applicable, passed, untested, violated
from conformance.model.oracle import differences
from conformance.wire.exchange import Exchange, Received

ENGINE_STATE = ("IsRunning", "StatusMessage", "Interval")
"""What is the engine's own, whoever asks (fact 17); TableRight and FieldProperties are the caller's."""


def _accepted(rid: str, what: str) -> Check:
    @check(rid, answered("probe"))
    def accepted(ex: Exchanges, ctx: Context) -> Finding:
        """Role "probe": a request with valid credentials of one scheme."""
        probe = ex["probe"]
        if probe.status != 200 or null_body(probe):  # the body is SCHEMA's and ACCEPT's to judge
            return violated(
                f"{what} was not accepted",
                expected="200 with the engine status",
                actual=described(probe) + (" with a null body (a refusal)" if null_body(probe) else ""),
                evidence=[probe],
            )
        return passed(f"{what}: 200", [probe])

    return accepted


def null_body(exchange: Exchange) -> bool:
    """A 200 whose body reads as null: an agent's refusal (fact 23), never the engine status."""
    return exchange.status == 200 and exchange.decoded.ok and exchange.body is None


auth_01 = _accepted("AUTH-01", "Basic with valid credentials")
auth_02 = _accepted("AUTH-02", "SOTicket with a valid ticket")
auth_04 = _accepted("AUTH-04", "Bearer with a valid token")


@check("AUTH-03", answered())
def auth_03(ex: Exchanges, ctx: Context) -> Finding:
    """Roles: the scheme word as sent ("soticket", "SOTICKET", ...), each with valid credentials."""
    refused = [f"{word!r}: {described(e)}" for word, e in ex.items() if e.status != 200 or null_body(e)]
    if refused:
        return violated(
            "a spelling of the scheme word was not accepted",
            expected="200 with the engine status for every spelling",
            actual="; ".join(refused),
            evidence=[e for e in ex.values() if e.status != 200 or null_body(e)],
        )
    return passed(f"accepted as {', '.join(repr(w) for w in ex)}", list(ex.values())[:1])


def refusal_form(exchange: Exchange) -> str | None:
    """How an answer refuses its credentials in one of fact 23's forms (401, 403, a 200 with a null
    body or with an error object and no engine data), or None. The one definition the preflight
    and the across-run judgements (conformance.run.everywhere) share."""
    status = exchange.status
    if status in (401, 403):
        return str(status)
    if status == 200 and exchange.decoded.ok:
        body = exchange.body
        if body is None:
            return "200 with a null body"
        if isinstance(body, dict) and "Message" in body and not engine_keys(exchange):
            return "200 with an error object"
    return None


def refusal_forms(ctx: Context, *, offered: bool = True) -> str:
    forms = "401 or 403" + (" or 400 (a scheme the installation does not offer, fact 18)" if not offered else "")
    if "null-body" in ctx.profile.choices("refusal"):
        forms += " or 200 with a null body"
    return forms


def refusal_problem(exchange: Exchange, ctx: Context, *, offered: bool = True) -> str | None:
    """Why an exchange is not a refusal without engine data, or None when it is one. `offered`:
    False for a scheme the target does not declare, which a server may answer 400 (fact 18)."""
    if exchange.response is None:
        return f"no response ({exchange.error})"
    status = exchange.status
    leaked = engine_keys(exchange)
    refused = (401, 403) if offered else (400, 401, 403)
    if status in refused:
        return f"{status} but the body carries engine data ({', '.join(leaked)})" if leaked else None
    if "null-body" in ctx.profile.choices("refusal") and status == 200:
        if exchange.decoded.kind in ("json", "xml") and exchange.decoded.ok and exchange.body is None:
            return None
        if exchange.decoded.kind in ("json", "xml") and not exchange.decoded.ok and not leaked:
            return None  # JSON or XML that cannot be read carries no engine data: ACCEPT-02 judges the body
        return f"200 with a body that is not null: {described(exchange)}" + (
            f", carrying {', '.join(leaked)}" if leaked else ""
        )
    return f"{described(exchange)}, expected {refusal_forms(ctx, offered=offered)}" + (
        f"; engine data: {', '.join(leaked)}" if leaked else ""
    )


def _offered(role: str, ctx: Context) -> bool:
    """Roles named "wrong <scheme>" are offered when the target declares the scheme."""
    scheme = role.removeprefix("wrong ").strip()
    return scheme not in ("basic", "soticket", "bearer") or scheme in ctx.schemes


def _refused(rid: str, what: str) -> Check:
    @check(rid, answered())
    def refused(ex: Exchanges, ctx: Context) -> Finding:
        """Roles: each request that must be refused (named for what it sent)."""
        problems = [(role, e, refusal_problem(e, ctx, offered=_offered(role, ctx))) for role, e in ex.items()]
        bad = [(role, e, p) for role, e, p in problems if p is not None]
        if bad:
            return violated(
                f"{what} was not refused without data",
                expected=f"{refusal_forms(ctx)}, with no engine data",
                actual="; ".join(f"{role}: {p}" for role, _, p in bad),
                evidence=[e for _, e, _ in bad],
            )
        return passed(f"refused: {', '.join(f'{r} ({e.status})' for r, e in ex.items())}", list(ex.values()))

    return refused


auth_05 = _refused("AUTH-05", "a request with no credentials")
auth_06 = _refused("AUTH-06", "a request with wrong credentials")


@check("AUTH-07", answered("matching"))
def auth_07(ex: Exchanges, ctx: Context) -> Finding:
    """Roles: "matching" (cookie with its X-XSRF-TOKEN) and refusals "no-xsrf", "wrong-xsrf"."""
    matching = ex["matching"]
    if matching.status != 200 or null_body(matching):
        return violated(
            "the session with its matching X-XSRF-TOKEN was not accepted",
            expected="200 with the engine status",
            actual=described(matching),
            evidence=[matching],
        )
    bad = [(role, e, refusal_problem(e, ctx)) for role, e in ex.items() if role != "matching"]
    bad = [(role, e, p) for role, e, p in bad if p is not None]
    if bad:
        return violated(
            "the session was accepted without its matching X-XSRF-TOKEN",
            expected=f"refused ({refusal_forms(ctx)}) without the matching token",
            evidence=[e for _, e, _ in bad],
            actual="; ".join(f"{role}: {p}" for role, _, p in bad),
        )
    return passed("accepted with the matching X-XSRF-TOKEN, refused without", list(ex.values()))


@check("AUTH-08", answered())
def auth_08(ex: Exchanges, ctx: Context) -> Finding:
    """Roles: malformed Authorization values; each must get a 4xx (or the profile's null-body
    refusal), never 200 with data or 5xx."""
    null_body = "null-body" in ctx.profile.choices("refusal")

    def refused(e: Exchange) -> bool:
        if 400 <= cast(int, e.status) < 500:  # answered: every role got a response
            return not engine_keys(e)
        return null_body and e.status == 200 and e.decoded.ok and e.body is None

    bad = [(role, e) for role, e in ex.items() if not refused(e)]
    if bad:
        return violated(
            "a malformed Authorization header was not refused",
            expected="4xx without engine data" + (" or 200 with a null body" if null_body else ""),
            actual="; ".join(f"{role!r}: {described(e)}" for role, e in bad),
            evidence=[e for _, e in bad],
        )
    return passed("; ".join(f"{role!r}: {e.status}" for role, e in ex.items()), list(ex.values())[:2])


@check("AUTH-09", answered("granted"))
def auth_09(ex: Exchanges, ctx: Context) -> Finding:
    """Roles: "granted" (an app token with ErpSync access) and "restricted" (one without)."""
    granted = ex["granted"]
    if granted.status != 200 or null_body(granted):
        return violated(
            "the granted app token was not accepted",
            expected="200 with the engine status",
            actual=described(granted),
            evidence=[granted],
        )
    if "restricted" not in ex:
        return untested("the target declares no restricted app token", [granted])
    restricted = ex["restricted"]
    if restricted.response is None:
        return untested(f"the restricted request got no response: {restricted.error}", [restricted])
    choices = ctx.profile.choices("app_tokens")
    problem = refusal_problem(restricted, ctx)
    if problem is None and "checked" in choices:
        return passed(f"granted: 200, restricted: refused ({restricted.status})", [granted, restricted])
    if "unchecked" in choices and restricted.engine_body is not None:
        return passed(
            "granted: 200, restricted: 200 (app tokens are not checked here, as on-site installations do not, fact 18)",
            [granted, restricted],
        )
    expected = " or ".join(
        ([f"refused ({refusal_forms(ctx)}) without engine data"] if "checked" in choices else [])
        + (["200 (tokens not checked)"] if "unchecked" in choices else [])
    )
    return violated(
        "an app token without ErpSync access was answered neither as refused nor as unchecked",
        expected=expected,
        actual=problem or described(restricted),
        evidence=[restricted],
    )


@check("AUTH-12", answered("without app token"))
def auth_12(ex: Exchanges, ctx: Context) -> Finding:
    """Role "without app token": valid credentials of the main scheme, no SO-AppToken, on a target
    that declares app tokens required (Online, fact 21): refused, in the server's refusal form."""
    probe = ex["without app token"]
    problem = refusal_problem(probe, ctx)
    if problem is not None:
        return violated(
            "a call without SO-AppToken was not refused on Online",
            expected=f"refused ({refusal_forms(ctx)}) without engine data",
            actual=problem,
            evidence=[probe],
        )
    return passed(f"without SO-AppToken: refused ({probe.status})", [probe])


@check("AUTH-10")
def auth_10(ex: Exchanges, ctx: Context) -> Finding:
    """Any exchanges: every 401 among them must carry WWW-Authenticate (RFC 9110 15.5.2)."""
    unauthorized = [e for e in ex.values() if e.status == 401]
    choices = ctx.profile.choices("www_authenticate")
    if not unauthorized:
        if "status" not in ctx.profile.choices("refusal"):
            return not_applicable("choice refusal=null-body: refusals came as 200 with a null body")
        return untested("no 401 response was seen")
    bare = [e for e in unauthorized if not cast(Received, e.response).header_values("WWW-Authenticate")]
    if bare and choices == ("optional",) and "www_authenticate" not in ctx.observations:
        return not_applicable(
            'the target pins www_authenticate = "optional": 401 without WWW-Authenticate is accepted', bare[:1]
        )
    if bare:
        # RFC 9110 15.5.2 is the authority whatever the run observed first: an omission is a finding.
        return violated(
            "a 401 carries no WWW-Authenticate",
            expected="WWW-Authenticate: <scheme> ... (RFC 9110 section 15.5.2; pin www_authenticate = "
            '"optional" to accept its absence)',
            actual=f"{len(bare)} of {len(unauthorized)} 401 responses without it",
            evidence=bare[:2],
        )
    challenges = sorted({c for e in unauthorized for c in cast(Received, e.response).header_values("WWW-Authenticate")})
    return passed(f"challenges: {'; '.join(challenges)}", unauthorized[:1])


@check("AUTH-11", answered())
def auth_11(ex: Exchanges, ctx: Context) -> Finding:
    """Roles: one exchange per scheme, same headers otherwise. Under principals=same the bodies are
    equal; under different (or undecided) only the engine's own state is (fact 17)."""
    if len(ex) < 2:
        return untested("fewer than two schemes to compare")
    refused = [(s, e) for s, e in ex.items() if e.engine_body is None]
    if refused:
        return untested(f"no body to compare from {', '.join(s for s, _ in refused)}", [e for _, e in refused])
    same_principal = ctx.profile.choices("principals") == ("same",)
    compared = set(ENGINE_STATE) - ctx.volatile if not same_principal else None
    if compared is not None and not compared:
        return untested("every engine field changes on its own between identical reads: nothing stable to compare")
    (first, reference), *others = ex.items()
    for scheme, exchange in others:
        if same_principal:
            found = differences(reference.body, exchange.body, ignore=ctx.volatile)
        else:
            kept = cast(set[str], compared)  # not None: the principals are not the same
            found = differences(
                {k: v for k, v in reference.body.items() if k in kept},
                {k: v for k, v in exchange.body.items() if k in kept},
            )
        if found:
            return violated(
                f"{scheme} returns another {'body' if same_principal else 'engine state'} than {first}",
                expected=f"the {'body' if same_principal else 'IsRunning, StatusMessage and Interval'} "
                f"{first} returns" + left_out(ctx),
                actual="; ".join(found[:5]),
                evidence=[reference, exchange],
            )
    what = "the same body" if same_principal else f"the same {', '.join(sorted(cast(set[str], compared)))}"
    return passed(f"{what} through {', '.join(ex)}{left_out(ctx)}", list(ex.values())[:2])
