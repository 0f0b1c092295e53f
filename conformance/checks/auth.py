"""AUTH-01..11: the schemes, refusals without data, sessions, malformed values, app tokens."""

from __future__ import annotations

from conformance.checks import Context, Exchanges, answered, described, engine_keys
from conformance.exchange import Exchange
from conformance.oracle import differences
from conformance.outcome import Outcome, not_applicable, passed, untested, violated
from conformance.profile import Profile


def _accepted(rid: str, what: str):
    def check(ex: Exchanges, ctx: Context) -> Outcome:
        """Role "probe": a request with valid credentials of one scheme."""
        if (missing := answered(rid, ex, "probe")) is not None:
            return missing
        probe = ex["probe"]
        if probe.status != 200 or not isinstance(probe.body, dict):
            return violated(rid, f"{what} was not accepted", expected="200 with the engine status",
                            actual=described(probe), evidence=[probe])
        return passed(rid, f"{what}: 200", [probe])
    return check


auth_01 = _accepted("AUTH-01", "Basic with valid credentials")
auth_02 = _accepted("AUTH-02", "SOTicket with a valid ticket")
auth_04 = _accepted("AUTH-04", "Bearer with a valid token")


def auth_03(ex: Exchanges, ctx: Context) -> Outcome:
    """Roles: the scheme word as sent ("soticket", "SOTICKET", ...), each with valid credentials."""
    if (missing := answered("AUTH-03", ex)) is not None:
        return missing
    refused = [f"{word!r}: {described(e)}" for word, e in ex.items() if e.status != 200]
    if refused:
        return violated("AUTH-03", "a spelling of the scheme word was not accepted",
                        expected="200 for every spelling", actual="; ".join(refused),
                        evidence=[e for e in ex.values() if e.status != 200])
    return passed("AUTH-03", f"accepted as {', '.join(repr(w) for w in ex)}", list(ex.values())[:1])


def refusal_problem(exchange: Exchange, profile: Profile) -> str | None:
    """Why an exchange is not a refusal without engine data, or None when it is one."""
    if exchange.response is None:
        return f"no response ({exchange.error})"
    status = exchange.status
    leaked = engine_keys(exchange)
    if status in (401, 403):
        return f"{status} but the body carries engine data ({', '.join(leaked)})" if leaked else None
    if profile.refusal == "null-body" and status == 200:
        if exchange.decoded.kind in ("json", "xml") and exchange.decoded.ok and exchange.body is None:
            return None
        return f"200 with a body that is not null: {described(exchange)}" + (
            f", carrying {', '.join(leaked)}" if leaked else "")
    expected = "401/403" + (" or 200 with a null body" if profile.refusal == "null-body" else "")
    return f"{described(exchange)}, expected {expected}" + (f"; engine data: {', '.join(leaked)}" if leaked else "")


def _refused(rid: str, what: str):
    def check(ex: Exchanges, ctx: Context) -> Outcome:
        """Roles: each request that must be refused (named for what it sent)."""
        if not ex:
            return untested(rid, f"nothing to send for {what}")
        if (missing := answered(rid, ex)) is not None:  # no answer is no refusal, and no failure to refuse
            return missing
        problems = [(role, e, refusal_problem(e, ctx.profile)) for role, e in ex.items()]
        bad = [(role, e, p) for role, e, p in problems if p is not None]
        if bad:
            return violated(rid, f"{what} was not refused without data",
                            expected="401 or 403 with no engine data" + (
                                " (or 200 null, profile refusal=null-body)" if ctx.profile.refusal == "null-body" else ""),
                            actual="; ".join(f"{role}: {p}" for role, _, p in bad), evidence=[e for _, e, _ in bad])
        return passed(rid, f"refused: {', '.join(f'{r} ({e.status})' for r, e in ex.items())}", list(ex.values()))
    return check


auth_05 = _refused("AUTH-05", "a request with no credentials")
auth_06 = _refused("AUTH-06", "a request with wrong credentials")


def auth_07(ex: Exchanges, ctx: Context) -> Outcome:
    """Roles: "matching" (cookie with its X-XSRF-TOKEN) and refusals "no-xsrf", "wrong-xsrf"."""
    if (missing := answered("AUTH-07", ex)) is not None:
        return missing
    matching = ex["matching"]
    if matching.status != 200:
        return violated("AUTH-07", "the session with its matching X-XSRF-TOKEN was not accepted",
                        expected="200", actual=described(matching), evidence=[matching])
    bad = [(role, e, refusal_problem(e, ctx.profile)) for role, e in ex.items() if role != "matching"]
    bad = [(role, e, p) for role, e, p in bad if p is not None]
    if bad:
        return violated("AUTH-07", "the session was accepted without its matching X-XSRF-TOKEN",
                        expected="refused (401) without the matching token", evidence=[e for _, e, _ in bad],
                        actual="; ".join(f"{role}: {p}" for role, _, p in bad))
    return passed("AUTH-07", "accepted with the matching X-XSRF-TOKEN, refused without", list(ex.values()))


def auth_08(ex: Exchanges, ctx: Context) -> Outcome:
    """Roles: malformed Authorization values; each must get a 4xx."""
    if (missing := answered("AUTH-08", ex)) is not None:
        return missing
    bad = [(role, e) for role, e in ex.items() if not 400 <= e.status < 500]
    if bad:
        return violated("AUTH-08", "a malformed Authorization header was not answered 4xx",
                        expected="4xx", actual="; ".join(f"{role!r}: {described(e)}" for role, e in bad),
                        evidence=[e for _, e in bad])
    return passed("AUTH-08", "; ".join(f"{role!r}: {e.status}" for role, e in ex.items()), list(ex.values())[:2])


def auth_09(ex: Exchanges, ctx: Context) -> Outcome:
    """Roles: "granted" (an app token with ErpSync access) and "restricted" (one without)."""
    if (missing := answered("AUTH-09", ex)) is not None:
        return missing
    granted = ex["granted"]
    if granted.status != 200:
        return violated("AUTH-09", "the granted app token was not accepted", expected="200",
                        actual=described(granted), evidence=[granted])
    if "restricted" not in ex:
        return untested("AUTH-09", "the target declares no restricted app token", [granted])
    restricted = ex["restricted"]
    if (problem := refusal_problem(restricted, ctx.profile)) is not None:
        return violated("AUTH-09", "an app token without ErpSync access was not refused",
                        expected="403 (or 401) without engine data", actual=problem, evidence=[restricted])
    return passed("AUTH-09", f"granted: 200, restricted: {restricted.status}", [granted, restricted])


def auth_10(ex: Exchanges, ctx: Context) -> Outcome:
    """Any exchanges: every 401 among them must carry WWW-Authenticate."""
    if ctx.profile.www_authenticate == "optional":
        return not_applicable("AUTH-10", "profile www_authenticate=optional")
    unauthorized = [e for e in ex.values() if e.status == 401]
    if not unauthorized and ctx.profile.refusal == "null-body":
        return not_applicable("AUTH-10", "profile refusal=null-body: refusals came as 200 with a null body")
    if not unauthorized:
        return untested("AUTH-10", "no 401 response was seen")
    bare = [e for e in unauthorized if not e.response.header_values("WWW-Authenticate")]
    if bare:
        return violated("AUTH-10", "a 401 carries no WWW-Authenticate", expected="WWW-Authenticate: <scheme> ...",
                        actual=f"{len(bare)} of {len(unauthorized)} 401 responses without it", evidence=bare[:2])
    challenges = sorted({c for e in unauthorized for c in e.response.header_values("WWW-Authenticate")})
    return passed("AUTH-10", f"challenges: {'; '.join(challenges)}", unauthorized[:1])


def auth_11(ex: Exchanges, ctx: Context) -> Outcome:
    """Roles: one exchange per scheme, same principal, same headers otherwise."""
    if (missing := answered("AUTH-11", ex)) is not None:
        return missing
    if len(ex) < 2:
        return untested("AUTH-11", "fewer than two schemes to compare")
    refused = [(s, e) for s, e in ex.items() if e.status != 200 or not isinstance(e.body, dict)]
    if refused:
        return untested("AUTH-11", f"no body to compare from {', '.join(s for s, _ in refused)}",
                        [e for _, e in refused])
    (first, reference), *others = ex.items()
    for scheme, exchange in others:
        found = differences(reference.body, exchange.body)
        if found:
            return violated("AUTH-11", f"{scheme} returns another body than {first}",
                            expected=f"the body {first} returns", actual="; ".join(found[:5]),
                            evidence=[reference, exchange])
    return passed("AUTH-11", f"the same body through {', '.join(ex)}", list(ex.values())[:2])


CHECKS = {"AUTH-01": auth_01, "AUTH-02": auth_02, "AUTH-03": auth_03, "AUTH-04": auth_04, "AUTH-05": auth_05,
          "AUTH-06": auth_06, "AUTH-07": auth_07, "AUTH-08": auth_08, "AUTH-09": auth_09, "AUTH-10": auth_10,
          "AUTH-11": auth_11}
