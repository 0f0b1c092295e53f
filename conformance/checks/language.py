"""LANG-01..08: languages, SO-Language, culture, time zones and the app token.

Most are metamorphic: a probe is compared with a reference request whose answer the contract
says it must equal, so the suite needs to know nothing of the server's translations.
"""

from __future__ import annotations

from typing import Any, Callable, cast

from conformance.checks import Check, Context, Exchanges, answered, check, described, left_out, new_violations
from conformance.checks.outcome import Finding, not_applicable, passed, untested, violated
from conformance.model.oracle import differences, non_string_differences
from conformance.wire.exchange import Exchange

UNKNOWN_SETTINGS = {
    "Accept-Language": "unknown_accept_language",
    "SO-Language": "unknown_so_language",
    "SO-Culture": "unknown_culture",
    "SO-TimeZone": "unknown_timezone",
}
"""The profile setting that says how a header's unknown value is answered."""


def allowed_statuses(header: str, ctx: Context) -> set[int]:
    """What an unknown value of a language header may get: 200 (ignored), 400 (rejected) and, for
    Accept-Language, 406 (RFC 9110 12.5.1, fact 22), as the header's setting admits."""
    return {{"ignore": 200, "reject": 400, "406": 406}[c] for c in ctx.profile.choices(UNKNOWN_SETTINGS[header])}


def _valid(rid: str, what: str, *, lenient_zones: bool = False) -> Check:
    @check(rid, answered())
    def valid(ex: Exchanges, ctx: Context) -> Finding:
        """Roles: each request (named for its header values), and optionally "reference" (the
        plain baseline): each gets 200 and a body with no schema violation the reference lacks.
        Roles listed in ctx.case["undocumented"] are spellings the vendor does not document (an
        SO-TimeZone without the space before includeTZOffset): the server may also treat them as
        an unknown zone, as profile unknown_timezone says."""
        reference = ex.get("reference")
        probes = {role: e for role, e in ex.items() if role != "reference"}
        undocumented = set(ctx.case.get("undocumented", ()))
        unread: list[Exchange] = []
        validated = 0
        for role, e in probes.items():
            if role in undocumented and e.status in allowed_statuses("SO-TimeZone", ctx) - {200}:
                validated += 1  # judged: an undocumented spelling answered as an unknown zone may be
                continue
            if e.status == 200 and not e.decoded.ok and e.decoded.kind in ("json", "xml"):
                unread.append(e)
                continue  # a body that cannot be read: ACCEPT-02 and HTTP-02 judge it, whatever the language
            if e.engine_body is None:
                if reference is not None and reference.status == e.status and not isinstance(reference.body, dict):
                    return not_applicable(
                        f"{reference.label} is answered alike ({described(reference)}): not the header's doing",
                        [e, reference],
                    )
                expected = "200" + (" or as an unknown zone" if role in undocumented else "")
                return violated(
                    f"{role} was not answered with the engine status",
                    expected=expected,
                    actual=described(e),
                    evidence=[e],
                )
            found = new_violations(e, reference, selected=ctx.case.get("select") is not None)
            validated += 1
            if found:
                return violated(
                    f"with {role} the body does not validate",
                    expected="ErpSyncEngineStatus",
                    actual="; ".join(found[:5]),
                    evidence=[e],
                )
        if not validated:
            shown = unread[0] if unread else next(iter(probes.values()))
            return untested(f"no body to validate: {described(shown)}", [shown])
        return passed(f"{what}: {', '.join(probes)}", list(probes.values())[:2])

    return valid


lang_01 = _valid("LANG-01", "valid bodies")
lang_06 = _valid("LANG-06", "accepted", lenient_zones=True)
lang_08 = _valid("LANG-08", "SO-AppToken accepted with")


def _same(rid: str, relation: str) -> Check:
    @check(rid, answered("probe", "reference"))
    def same(ex: Exchanges, ctx: Context) -> Finding:
        """Roles "probe" and "reference": the contract says the two answers are equal.
        Optional role "contrast": an answer that should differ from the reference; if it does
        not, the relation cannot tell a conforming server from a broken one: untested."""
        probe, reference = ex["probe"], ex["reference"]
        for e in (probe, reference):
            if e.engine_body is None:
                return violated(
                    f"{e.label} was not answered with the engine status",
                    expected="200",
                    actual=described(e),
                    evidence=[e],
                )
        contrast = ex.get("contrast")
        if (
            contrast is not None
            and isinstance(contrast.body, dict)
            and not differences(contrast.body, reference.body, ignore=ctx.volatile)
        ):
            return untested(
                f"{contrast.label} and {reference.label} give the same body: "
                "this installation's strings do not show the relation",
                [probe, reference, contrast],
            )
        found = differences(probe.body, reference.body, ignore=ctx.volatile)
        if found:
            return violated(
                relation,
                expected=f"the body of {reference.label}{left_out(ctx)}",
                actual="; ".join(found[:5]),
                evidence=[probe, reference],
            )
        return passed(f"{probe.label} equals {reference.label}{left_out(ctx)}", [probe, reference])

    return same


lang_02 = _same("LANG-02", "SO-Language does not override Accept-Language")
lang_03 = _same("LANG-03", "SO-Culture changed the answer although no language was set")


@check("LANG-04", answered("raw"))
def lang_04(ex: Exchanges, ctx: Context) -> Finding:
    """Roles "raw" (no language), and "translated" (a language set), "off" (SO-Language: * or x),
    or both. With ctx.case["claimed"], the language is one an installation may not ship: it is
    judged only where the server claims it, by translating something."""
    translated, raw, off = ex.get("translated"), ex["raw"], ex.get("off")
    if translated is None and off is None:
        return untested("neither a translated nor an untranslated answer to compare")
    for e in (translated, raw, off):
        if e is not None and e.engine_body is None:
            return untested(f"{e.label} got no body: {described(e)}", [e])
    if translated is None:
        off = cast(Exchange, off)  # not None: with both None it returned above
        return _not_off(off, raw, ctx) or passed(
            f"{off.label}: untranslated, as with no language{left_out(ctx)}", [off, raw]
        )
    left = [s for s in strings(translated.body) if "[SR_" in s]
    stable: Callable[[dict[str, Any]], list[str]] = lambda body: strings(  # noqa: E731
        {k: v for k, v in body.items() if k not in ctx.volatile}
    )
    if left and ctx.case.get("claimed") and stable(translated.body) == stable(raw.body):
        return not_applicable(
            f"{translated.label}: the server translates nothing into this language (it does not claim it)",
            [translated, raw],
        )
    if left:
        return violated(
            "resource references are left untranslated with a language set",
            expected="no [SR_...] text",
            actual="; ".join(left[:3]),
            evidence=[translated],
        )
    if off is None:
        return passed(f"{translated.label}: every resource reference translated", [translated])
    return _not_off(off, raw, ctx) or passed(
        f"translated with a language; raw with SO-Language: *{left_out(ctx)}", [translated, off]
    )


def _not_off(off: Exchange, raw: Exchange, ctx: Context) -> Finding | None:
    """The violation when the answer with SO-Language: * (or x) is not the untranslated one, else None."""
    found = differences(off.body, raw.body, ignore=ctx.volatile)
    if not found:
        return None
    return violated(
        "SO-Language: * (or x) does not turn translation off",
        expected=f"the body of {raw.label}{left_out(ctx)}",
        actual="; ".join(found[:4]),
        evidence=[off, raw],
    )


def strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


@check("LANG-05", answered("probe", "reference"))
def lang_05(ex: Exchanges, ctx: Context) -> Finding:
    """Roles "probe" (culture and time zone set) and "reference" (the same language, neither set)."""
    probe, reference = ex["probe"], ex["reference"]
    for e in (probe, reference):
        if e.engine_body is None:
            return untested(f"{e.label} got no body: {described(e)}", [e])
    stable: Callable[[dict[str, Any]], dict[str, Any]] = lambda body: {  # noqa: E731
        k: v for k, v in body.items() if k not in ctx.volatile
    }
    found = non_string_differences(stable(probe.body), stable(reference.body))
    if found:
        return violated(
            "culture or time zone changed a value that is not a string",
            expected="only string values differ" + left_out(ctx),
            actual="; ".join(found[:5]),
            evidence=[probe, reference],
        )
    return passed("only string values differ" + left_out(ctx), [probe, reference])


@check("LANG-07", answered())
def lang_07(ex: Exchanges, ctx: Context) -> Finding:
    """Roles "unknown <header>": a request with a value of that header no installation knows;
    ignored (200) or rejected (400) as the header's profile setting says. Roles in
    ctx.case["maybe"] carry a documented value an installation may ship: 200 is right too."""
    bad = []
    maybe = set(ctx.case.get("maybe", ()))
    for role, e in ex.items():
        if role.startswith("empty "):  # only empty list elements: no value at all (RFC 9110 5.6.1.2)
            allowed = {200}
        else:
            allowed = allowed_statuses(role.removeprefix("unknown "), ctx) | ({200} if role in maybe else set())
        if e.status not in allowed:
            bad.append((role, e, allowed))
    if bad:
        return violated(
            "unknown values were not answered as the server's choice says",
            expected="; ".join(f"{role}: {' or '.join(map(str, sorted(allowed)))}" for role, _, allowed in bad),
            actual="; ".join(f"{role}: {described(e)}" for role, e, _ in bad),
            evidence=[e for _, e, _ in bad],
        )
    return passed("; ".join(f"{role}: {e.status}" for role, e in ex.items()), list(ex.values())[:2])
