"""LANG-01..08: languages, SO-Language, culture, time zones and the app token.

Most are metamorphic: a probe is compared with a reference request whose answer the contract
says it must equal, so the suite needs to know nothing of the server's translations.
"""

from __future__ import annotations

from conformance.checks import Context, Exchanges, answered, described, new_violations
from conformance.oracle import differences, non_string_differences
from conformance.outcome import Outcome, passed, untested, violated


def _valid(rid: str, what: str):
    def check(ex: Exchanges, ctx: Context) -> Outcome:
        """Roles: each request (named for its header values), and optionally "reference" (the
        plain baseline): each gets 200 and a body with no schema violation the reference lacks."""
        if (missing := answered(rid, ex)) is not None:
            return missing
        reference = ex.get("reference")
        probes = {role: e for role, e in ex.items() if role != "reference"}
        for role, e in probes.items():
            if e.status != 200 or not isinstance(e.body, dict):
                return violated(rid, f"{role} was not answered with the engine status", expected="200",
                                actual=described(e), evidence=[e])
            found = new_violations(e, reference)
            if found:
                return violated(rid, f"with {role} the body does not validate", expected="ErpSyncEngineStatus",
                                actual="; ".join(found[:5]), evidence=[e])
        return passed(rid, f"{what}: {', '.join(probes)}", list(probes.values())[:2])
    return check


lang_01 = _valid("LANG-01", "valid bodies")
lang_06 = _valid("LANG-06", "accepted")
lang_08 = _valid("LANG-08", "SO-AppToken accepted with")


def _same(rid: str, relation: str):
    def check(ex: Exchanges, ctx: Context) -> Outcome:
        """Roles "probe" and "reference": the contract says the two answers are equal.
        Optional role "contrast": an answer that should differ from the reference; if it does
        not, the relation cannot tell a conforming server from a broken one: untested."""
        if (missing := answered(rid, ex, "probe", "reference")) is not None:
            return missing
        probe, reference = ex["probe"], ex["reference"]
        for e in (probe, reference):
            if e.status != 200 or not isinstance(e.body, dict):
                return violated(rid, f"{e.label} was not answered with the engine status", expected="200",
                                actual=described(e), evidence=[e])
        contrast = ex.get("contrast")
        if contrast is not None and isinstance(contrast.body, dict) and not differences(contrast.body, reference.body):
            return untested(rid, f"{contrast.label} and {reference.label} give the same body: "
                                 "this installation's strings do not show the relation", [probe, reference, contrast])
        found = differences(probe.body, reference.body)
        if found:
            return violated(rid, relation, expected=f"the body of {reference.label}", actual="; ".join(found[:5]),
                            evidence=[probe, reference])
        return passed(rid, f"{probe.label} equals {reference.label}", [probe, reference])
    return check


lang_02 = _same("LANG-02", "SO-Language does not override Accept-Language")
lang_03 = _same("LANG-03", "SO-Culture changed the answer although no language was set")


def lang_04(ex: Exchanges, ctx: Context) -> Outcome:
    """Roles "translated" (a language set), "off" (SO-Language: * beside it) and "raw" (no language)."""
    if (missing := answered("LANG-04", ex, "translated", "off", "raw")) is not None:
        return missing
    translated, off, raw = ex["translated"], ex["off"], ex["raw"]
    for e in (translated, off, raw):
        if e.status != 200 or not isinstance(e.body, dict):
            return untested("LANG-04", f"{e.label} got no body: {described(e)}", [e])
    left = [s for s in _strings(translated.body) if "[SR_" in s]
    if left:
        return violated("LANG-04", "resource references are left untranslated with a language set",
                        expected="no [SR_...] text", actual="; ".join(left[:3]), evidence=[translated])
    found = differences(off.body, raw.body)
    if found:
        return violated("LANG-04", "SO-Language: * does not turn translation off",
                        expected=f"the body of {raw.label}", actual="; ".join(found[:4]), evidence=[off, raw])
    return passed("LANG-04", "translated with a language; raw with SO-Language: *", [translated, off])


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def lang_05(ex: Exchanges, ctx: Context) -> Outcome:
    """Roles "probe" (culture and time zone set) and "reference" (the same language, neither set)."""
    if (missing := answered("LANG-05", ex, "probe", "reference")) is not None:
        return missing
    probe, reference = ex["probe"], ex["reference"]
    for e in (probe, reference):
        if e.status != 200 or not isinstance(e.body, dict):
            return untested("LANG-05", f"{e.label} got no body: {described(e)}", [e])
    found = non_string_differences(probe.body, reference.body)
    if found:
        return violated("LANG-05", "culture or time zone changed a value that is not a string",
                        expected="only string values differ", actual="; ".join(found[:5]), evidence=[probe, reference])
    return passed("LANG-05", "only string values differ", [probe, reference])


def lang_07(ex: Exchanges, ctx: Context) -> Outcome:
    """Roles: requests with an unknown language, culture or zone; ignored (200) or 400 per profile."""
    if (missing := answered("LANG-07", ex)) is not None:
        return missing
    want = 400 if ctx.profile.unknown_locale == "reject" else 200
    bad = [(role, e) for role, e in ex.items() if e.status != want]
    if bad:
        return violated("LANG-07", f"unknown values were not {'rejected' if want == 400 else 'ignored'} "
                                   f"(profile unknown_locale={ctx.profile.unknown_locale})",
                        expected=str(want), actual="; ".join(f"{role}: {described(e)}" for role, e in bad),
                        evidence=[e for _, e in bad])
    return passed("LANG-07", f"{', '.join(ex)}: {want}", list(ex.values())[:2])


CHECKS = {"LANG-01": lang_01, "LANG-02": lang_02, "LANG-03": lang_03, "LANG-04": lang_04, "LANG-05": lang_05,
          "LANG-06": lang_06, "LANG-07": lang_07, "LANG-08": lang_08}
