"""Every invariant on every exchange: for a drawn case and the server's answer to it, every
requirement that applies, each judged by its registered check on the exchanges it needs (the
answer, and the references its relation compares it with, sent through the run and cached).

A case combines features (credentials, $select, language headers, Accept). A status that another
feature of the case may cause (a 406 for an unsupported Accept beside a $select) is not the other
features' to judge; a status no feature admits is judged by every feature's requirement, and
Hypothesis shrinks the case to the feature that causes it. The property tests and the schemathesis
test both judge through here.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Callable

from conformance.checks import engine_keys
from conformance.checks.auth import null_body
from conformance.checks.outcome import Outcome
from conformance.contract import domains, endpoint
from conformance.contract.choices import Profile
from conformance.contract.endpoint import JSON_TYPES, MEDIA_TYPES, XML_TYPES
from conformance.model.case import Case, Expectation, expect
from conformance.model.oracle import predict_media
from conformance.wire.exchange import Exchange
from conformance.wire.transport.credentials import auth_for

SCHEME_REQUIREMENT = {"basic": "AUTH-01", "soticket": "AUTH-02", "bearer": "AUTH-04", "session": "AUTH-07"}
JUDGED = (
    "HTTP-02",
    "HTTP-03",
    "HTTP-04",
    "HTTP-08",
    "AUTH-01",
    "AUTH-02",
    "AUTH-03",
    "AUTH-04",
    "AUTH-05",
    "AUTH-06",
    "AUTH-07",
    "AUTH-08",
    "SELECT-01",
    "SELECT-02",
    "SELECT-03",
    "SELECT-04",
    "SELECT-05",
    "SELECT-06",
    "SELECT-07",
    "SELECT-08",
    "SELECT-09",
    "ACCEPT-01",
    "ACCEPT-02",
    "ACCEPT-03",
    "ACCEPT-04",
    "ACCEPT-05",
    "ACCEPT-06",
    "ACCEPT-07",
    "LANG-01",
    "LANG-02",
    "LANG-03",
    "LANG-04",
    "LANG-05",
    "LANG-06",
    "LANG-07",
)
"""Every requirement judge_exchange may judge."""
REFUSAL_REQUIREMENT = {"none": "AUTH-05", "wrong": "AUTH-06", "malformed": "AUTH-08"}
REQUESTS_PER_CASE = 12
"""Requests one case may cost at most: the answer, its references, and a relation's re-check."""
NESTED_NAMES = ("TableRight/Mask", "TableRight/Reason")


def accept_requirement(accept: str | None) -> str:
    """The requirement a negotiation outcome rests on, by what the Accept header exercises."""
    if accept is None or accept.strip() == "*/*":
        return "ACCEPT-05"
    if accept.strip() in MEDIA_TYPES:
        return "ACCEPT-01"
    named = predict_media(",".join(item.split(";")[0] for item in accept.split(",")), Profile.reference())
    if named.unsupported:
        return "ACCEPT-06"  # no documented type is named at all, at any q
    if accept != accept.lower() or "charset" in accept.lower():
        return "ACCEPT-07"
    return "ACCEPT-04"


def select_requirement(clause: str | None, kind: str = "pattern") -> str:
    """The requirement a $select outcome rests on, by the most specific feature of the clause."""
    raw = [n for n in (clause or "").split(",") if n.strip()]
    names = [n.strip() for n in raw]
    canonical = {p.lower(): p for p in endpoint.PROPERTIES + NESTED_NAMES}
    known = [n for n in names if n.lower() in canonical]
    if not names:
        return "SELECT-01"
    if any(canonical[n.lower()] != n for n in known):
        return "SELECT-04"
    if any("/" in n for n in known):
        return "SELECT-07"
    if any(r != r.strip() for r in raw) or len(set(map(str.lower, names))) < len(names):
        return "SELECT-05"
    if not known:
        return "SELECT-09"
    if len(known) < len(names):
        return "SELECT-06"
    return {"changed": "SELECT-02", "nulled": "SELECT-03"}.get(kind, "SELECT-03")


CAUSES = {400: ("select", "locale"), 406: ("accept",), 401: ("auth",), 403: ("auth",)}
"""The features a status can come from: a 400 from a $select or a language header, a 406 from Accept,
a refusal from the credentials. Any other status (404, 415, a redirect) is the credentials' feature:
a valid request was not answered."""


class Blame:
    """Which features of a case judge its answer. A 200 is every feature's to judge; an admissible
    error status is the features' that admit it; a status no feature admits is the features' that
    can cause it, and where several of the case's features can, the run sends the case without
    each of them (one request each) to see which one the status comes with."""

    def __init__(self, run, case: Case, probe: Exchange, expectation: Expectation, send) -> None:
        self.expectation, self.status = expectation, probe.status
        self.blamed: set[str] | None = None
        if self.status != 200 and not expectation.admits(self.status):
            present = [f for f in features(case) if f.split(":")[0] in CAUSES.get(self.status, ("auth",))]
            self.blamed = set(present)
            if len(present) > 1:
                self.blamed = {f for f in present if _answer_without(run, case, f, send) != self.status} or set(present)

    def judges(self, feature: str) -> bool:
        if self.status == 200:
            return True
        if self.blamed is None:
            return any(f == feature or f.startswith(feature + ":") for f in self.expectation.statuses[self.status])
        return any(f == feature or f.startswith(feature + ":") for f in self.blamed) or (
            feature == "auth" and not self.blamed
        )


def features(case: Case) -> list[str]:
    found = ["auth"]
    if case.select is not None:
        found.append("select")
    found += [f"locale:{h}" for h in case.locale_headers()]
    if case.accept is not None:
        found.append("accept")
    return found


def _answer_without(run, case: Case, feature: str, send) -> int | None:
    if feature == "select":
        reduced = replace(case, select=None)
    elif feature == "accept":
        reduced = replace(case, accept=None)
    else:
        field = {
            "Accept-Language": "accept_language",
            "SO-Language": "so_language",
            "SO-Culture": "so_culture",
            "SO-TimeZone": "so_timezone",
        }[feature.split(":", 1)[1]]
        reduced = replace(case, **{field: None})
    return send(f"{reduced.describe()} (without {feature}, to see what the status comes with)", reduced).status


def judge_exchange(
    run, case: Case, probe: Exchange, send: Callable[[str, Case], Exchange], relations: bool = True
) -> list[Outcome]:
    """Every requirement that applies to `probe`, the answer to `case`. `send(label, case)` sends
    another case (a relation's reference, the JSON counterpart of an XML answer). `relations`:
    False for the covering rows, which judge the relations whose references cost a request of their
    own (LANG-02/03/05, ACCEPT-03) only through the example tests and the generated ones."""
    outcomes = [run.judge("HTTP-03", {"probe": probe}), run.judge("HTTP-04", {"probe": probe})]
    if case.accept_encoding is not None or probe.response is not None and probe.response.header("Content-Encoding"):
        outcomes.append(run.judge("HTTP-08", {"probe": probe}))  # the coding named is the coding applied
    if probe.response is None or probe.status >= 500:
        return outcomes
    if probe.status == 200 and probe.response.media_type in JSON_TYPES:
        outcomes.append(run.judge("HTTP-02", {"probe": probe}))  # every JSON answer is UTF-8, not a few
    expectation = expect(case, run.profile)
    if not case.authorised:
        return outcomes + _refused(run, case, probe, expectation)
    blame = Blame(run, case, probe, expectation, send)
    if null_body(probe):  # valid credentials answered as a refusal (fact 23): the scheme's finding alone
        return outcomes + _accepted(run, case, probe, blame)
    references = References(run, case, send, cheap=not relations)
    outcomes += _accepted(run, case, probe, blame)
    outcomes += _selected(run, case, probe, blame, references)
    outcomes += _localised(run, case, probe, expectation, blame, references)
    outcomes += _negotiated(run, case, probe, blame)
    if probe.status == 200 and probe.response.media_type in JSON_TYPES + XML_TYPES:
        outcomes += _bodies(run, case, probe, references, relations)
    return outcomes


class References:
    """The answers a relation compares a case's answer with: the same case with some headers
    changed. Without $select they are the run's cached baselines; with one, the same clause is
    sent again (a $select answer is compared with a $select answer)."""

    def __init__(self, run, case: Case, send, cheap: bool = False) -> None:
        self.run, self.case, self.send, self.cheap = run, case, send, cheap

    def judged(
        self,
        rid: str,
        roles: dict[str, Exchange],
        role: str,
        changes: dict[str, str | None],
        *,
        keep_select: bool = True,
        again: Callable[[], dict[str, Exchange]] | None = None,
        **case,
    ) -> Outcome:
        """`rid` on `roles` beside the reference the case with `changes` gives (a relation, re-checked
        as Run.relate does, when `again` sends the probes anew). `cheap` (the covering rows): beside
        the plain baseline first, which most rows share, and beside the precise reference only when
        that fails, so a row costs its own request and what its failures need."""
        if self.cheap and self.case.scheme is not None:
            outcome = self.run.judge(rid, {**roles, role: self.run.baseline(scheme=self.case.scheme)}, **case)
            if not outcome.status.red:
                return outcome
        precise = self.of(select=keep_select, **changes)
        if again is not None:
            return self.run.relate(rid, again, precise, reference_role=role, first=roles, **case)
        return self.run.judge(rid, {**roles, role: precise(False)}, **case)

    def of(self, select: bool = True, **changes: str | None) -> Callable[[bool], Exchange]:
        """A reference: fresh (True) or at hand (False). `select`: keep the case's $select. Never
        with the case's Accept-Encoding: a decoded body is compared as any other (HTTP-08), and
        the run's baselines serve every coding without a request of their own."""
        case = replace(self.case, accept_encoding=None, **{FIELDS[k]: v for k, v in changes.items()})
        if case.accept is None:
            case = replace(case, accept="application/json")
        if select and case.select is not None:
            made: list[Exchange] = []

            def selected(fresh: bool) -> Exchange:
                if fresh or not made:
                    made[:] = [self.send(f"{case.describe()} (reference)", case)]
                return made[0]

            return selected
        return lambda fresh: self.run.baseline(scheme=case.scheme, headers=case.headers(), fresh=fresh)


FIELDS = {
    "Accept": "accept",
    "Accept-Language": "accept_language",
    "SO-Language": "so_language",
    "SO-Culture": "so_culture",
    "SO-TimeZone": "so_timezone",
}


NEAR_MISSES = frozenset(
    {
        "password-with-colon",
        "password-non-ascii",
        "password-prefix",
        "empty-password",
        "prefix",
        "extended",
        "case-variant",
        "xsrf-prefix",
    }
)
"""Wrong credentials shaped like the right one: a server may also refuse them as malformed (400)."""


def _refused(run, case: Case, probe: Exchange, expectation: Expectation) -> list[Outcome]:
    """Without valid credentials, whatever else the request sends: refused without engine data.
    An error status another feature causes (400, 406) is a refusal too when it carries no data."""
    if probe.status != 200 and expectation.admits(probe.status) and not engine_keys(probe):
        return []  # an error another feature causes, carrying no data: a refusal too
    if probe.status == 400 and case.credential in NEAR_MISSES and not engine_keys(probe):
        return []
    body = []
    if probe.status == 200 and probe.response.media_type in JSON_TYPES and not probe.decoded.ok:
        # a refusal whose JSON cannot be read carries no engine data (AUTH's), and is a broken body
        body = [run.judge("ACCEPT-02", {"probe": probe})]
    return body + _refusal(run, case, probe)


def _refusal(run, case: Case, probe: Exchange) -> list[Outcome]:
    if case.scheme is None:
        return [run.judge("AUTH-05", {"no credentials": probe})]
    if domains.credential_kind(case.credential) == "malformed":
        return [run.judge("AUTH-08", {case.describe(): probe})]
    if case.scheme == "session":
        return [run.judge("AUTH-07", {"matching": run.baseline(scheme="session"), case.credential: probe})]
    return [run.judge("AUTH-06", {f"wrong {case.scheme}": probe})]


def _accepted(run, case: Case, probe: Exchange, blame: Blame) -> list[Outcome]:
    if not blame.judges("auth"):
        return []
    if case.credential in domains.SPELLINGS:  # the scheme word in another spelling
        return [run.judge("AUTH-03", {case.credential: probe})]
    rid = SCHEME_REQUIREMENT[case.scheme]
    return [run.judge(rid, {"matching" if rid == "AUTH-07" else "probe": probe})]


def sender(run) -> Callable[[str, Case], Exchange]:
    """Sends a case: its scheme's credential in the form it names, its headers, its $select."""

    def send(label: str, case: Case) -> Exchange:
        auth = None
        if case.scheme is not None and case.credential != "valid":
            auth = auth_for(run.target, case.scheme, case.credential)
        return run.send(label, scheme=case.scheme, auth=auth, headers=case.headers(), select=case.select)

    return send


def _selected(run, case: Case, probe: Exchange, blame: Blame, references: References) -> list[Outcome]:
    """The clause's name-matching requirement judges which properties are kept; SELECT-02 the kept
    values, SELECT-03 how the rest is nulled (on a 200 only)."""
    if case.select is None or not blame.judges("select"):
        return []
    if probe.status == 200 and not probe.decoded.ok:
        return []  # no body to read: ACCEPT-02/03 judge it
    rids = [select_requirement(case.select, "pattern")]
    if rids[0] in ("SELECT-02", "SELECT-03") and probe.status == 200:
        rids = ["SELECT-02", "SELECT-03"]  # documented names only: the kept values and the nulls
    outcomes = [
        references.judged(
            rid,
            {"probe": probe},
            "baseline",
            {},
            keep_select=False,
            select=case.select,
            again=lambda: {"probe": references.send(case.describe(), case)},
        )
        for rid in rids
    ]
    if not any(o.status.red for o in outcomes) or probe.status != 200:
        return outcomes
    return _isolated_select(run, case, probe, references) or outcomes


def _isolated_select(run, case: Case, probe: Exchange, references: References) -> list[Outcome] | None:
    """A $select answer that fails its clause's requirement, traced to what it comes with: in XML,
    the same case as JSON (if that is right, the fault is XML's: SELECT-08); a clause spelled
    otherwise than the documented names, the same names as documented (if that fails alike, the
    fault is the documented names' requirement, not the spelling's). None: no other cause found."""
    if probe.response.media_type in XML_TYPES:
        as_json = replace(case, accept="application/json")
        json_answer = references.send(f"{as_json.describe()} (as JSON, to see whether XML is the cause)", as_json)
        if not any(o.status.red for o in _selected_once(run, as_json, json_answer, references)):
            outcome = run.judge("SELECT-08", {"json": json_answer, "xml": probe}, select=case.select)
            if outcome.status.red:
                return [outcome]
    documented = canonical_clause(case.select)
    if documented is None or documented == case.select:
        return None
    plain = replace(case, select=documented)
    answer = references.send(
        f"{plain.describe()} (the documented spelling, to see whether the spelling is the cause)", plain
    )
    again = _selected_once(run, plain, answer, references)
    return again if any(o.status.red for o in again) else None


def _selected_once(run, case: Case, probe: Exchange, references: References) -> list[Outcome]:
    rids = [select_requirement(case.select, "pattern")]
    if rids[0] in ("SELECT-02", "SELECT-03") and probe.status == 200:
        rids = ["SELECT-02", "SELECT-03"]
    baseline = References(run, case, references.send).of(select=False)(False)
    return [run.judge(rid, {"probe": probe, "baseline": baseline}, select=case.select) for rid in rids]


def canonical_clause(clause: str | None) -> str | None:
    """The documented names a clause means, in their documented case, once each, without spaces
    or empty items; None when it names no documented property."""
    canonical = {p.lower(): p for p in endpoint.PROPERTIES + NESTED_NAMES}
    names = [canonical[n.strip().lower()] for n in (clause or "").split(",") if n.strip().lower() in canonical]
    return ",".join(dict.fromkeys(names)) or None


def _localised(
    run, case: Case, probe: Exchange, expectation: Expectation, blame: Blame, references: References
) -> list[Outcome]:
    """LANG-07 for the headers whose value an installation may not know (a 400 needs one of them
    to admit it; a 200 needs all of them to), LANG-06 for a zone, LANG-01 for a language: an answer
    in it is a valid body (beside the same request without the language)."""
    consulted = case.consulted()
    out = []
    unknown = {h: k for h, k in consulted.items() if k in ("unknown", "maybe") and h in case.headers()}
    if unknown and probe.status in (200, 400) and any(blame.judges(f"locale:{h}") for h in unknown):
        roles = {f"unknown {h}": probe for h in unknown}
        maybe = [f"unknown {h}" for h, k in unknown.items() if k == "maybe"]
        if probe.status == 400:
            admitting = [h for h in unknown if f"locale:{h}" in expectation.statuses.get(400, ())]
            roles = {f"unknown {h}": probe for h in admitting or [h for h in unknown if blame.judges(f"locale:{h}")]}
        if roles:
            out.append(run.judge("LANG-07", roles, maybe=maybe))
    if (
        case.accept_language is not None
        and "Accept-Language" not in consulted
        and blame.judges("locale:Accept-Language")
        and domains.accept_language_kind(case.accept_language) == "absent"
    ):
        out.append(run.judge("LANG-07", {"empty Accept-Language": probe}))
    zone = consulted.get("SO-TimeZone")
    if (
        zone in ("known", "spelling")
        and blame.judges("locale:SO-TimeZone")
        and (probe.status != 200 or probe.decoded.ok)
    ):
        role = f"SO-TimeZone: {case.so_timezone}"
        out.append(
            references.judged(
                "LANG-06",
                {role: probe},
                "reference",
                {"SO-TimeZone": None},
                undocumented=[role] if zone == "spelling" else [],
                select=case.select,
            )
        )
    language = (
        consulted.get("SO-Language")
        if consulted.get("SO-Language") in ("known", "maybe")
        else consulted.get("Accept-Language")
        if "SO-Language" not in consulted
        else None
    )
    if (
        language is not None
        and blame.judges("locale:Accept-Language")
        and (language == "known" or probe.status == 200)
        and (probe.status != 200 or probe.response.media_type in JSON_TYPES)
    ):
        header = "SO-Language" if "SO-Language" in consulted else "Accept-Language"
        out.append(
            references.judged(
                "LANG-01",
                {f"{header}: {case.headers()[header]}": probe},
                "reference",
                {"Accept-Language": None, "SO-Language": None, "SO-Culture": None},
                select=case.select,
            )
        )
    return out


def _negotiated(run, case: Case, probe: Exchange, blame: Blame) -> list[Outcome]:
    if not blame.judges("accept"):
        return []
    rid = accept_requirement(case.accept)
    if rid == "ACCEPT-05":
        return [run.judge(rid, {"none" if case.accept is None else "any": probe})]
    return [run.judge(rid, {"probe": probe}, accept=case.accept)]


def _bodies(run, case: Case, probe: Exchange, references: References, relations: bool) -> list[Outcome]:
    """The answer's body, and the relations the contract states between bodies."""
    out = []
    media = probe.response.media_type
    consulted = case.consulted()
    if media in JSON_TYPES:
        # What the media type broke, beside what the same request as application/json has (a
        # language that breaks the body is LANG's finding, not ACCEPT's). The covering rows
        # compare with the plain answer first, and with the precise one only when that fails.
        plain = run.baseline(scheme=case.scheme)
        outcome = run.judge("ACCEPT-02", {"probe": probe, "reference": plain}, select=case.select)
        if relations or outcome.status.red:
            outcome = run.judge(
                "ACCEPT-02",
                {"probe": probe, "reference": references.of(Accept="application/json")(False)},
                select=case.select,
            )
        out.append(outcome)
    elif relations:
        as_json = references.of(Accept="application/json")
        outcome = run.relate(
            "ACCEPT-03",
            lambda: {"xml": references.send(case.describe(), case)},
            as_json,
            reference_role="json",
            first={"xml": probe},
        )
        if outcome.status.red and case.select is not None:
            # XML and JSON differ in what the $select nulls: SELECT-08's, not the format's
            selected = run.judge("SELECT-08", {"json": as_json(False), "xml": probe}, select=case.select)
            outcome = selected if selected.status.red else outcome
        out.append(outcome)
    if media not in JSON_TYPES:
        return out
    # beside the same culture and zone without a language: what a culture does without a language
    # is LANG-03's, and a language the server does not ship leaves it without one
    raw = references.of(**{"Accept-Language": None, "SO-Language": None})

    def anew(role: str) -> Callable[[], dict[str, Exchange]]:
        # a relation's re-check sends the case again: a live engine may have moved since the first answer
        return lambda: {role: references.send(f"{case.describe()} (again)", case)}

    if case.language_maybe_in_effect():
        out.append(
            run.relate(
                "LANG-04", anew("translated"), raw, reference_role="raw", first={"translated": probe}, claimed=True
            )
        )
    if consulted.get("SO-Language") == "off":
        out.append(run.relate("LANG-04", anew("off"), raw, reference_role="raw", first={"off": probe}))
    if not relations:
        return out
    if "SO-Culture" in consulted or consulted.get("SO-TimeZone") == "known":
        out.append(
            run.relate(
                "LANG-05",
                anew("probe"),
                references.of(**{"SO-Culture": None, "SO-TimeZone": None}),
                first={"probe": probe},
            )
        )
    if case.so_culture is not None and "SO-Culture" not in consulted and consulted.get("SO-Language") != "off":
        if not case.language_in_effect() and not any(k == "maybe" for k in consulted.values()):
            out.append(
                run.relate("LANG-03", anew("probe"), references.of(**{"SO-Culture": None}), first={"probe": probe})
            )
    if consulted.get("SO-Language") == "known" and case.accept_language is not None:
        out.append(
            run.relate("LANG-02", anew("probe"), references.of(**{"Accept-Language": None}), first={"probe": probe})
        )
    return out
