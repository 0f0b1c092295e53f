"""Deciding the open points from the server's own answers (profile settings left `auto`).

Each setting has a decider: it sends the one or two requests that tell the choices apart (see
Setting.decided_by) and returns an Observation: the choice, why, and the exchange that showed it.
A setting no answer decides (the data does not tell the choices apart, the budget ran out, a dry
run) stays undecided, and the oracle admits every choice of it. The run holds every later
exchange to a decided choice, citing the deciding exchange when one contradicts it.

The same deciders serve the run (each setting the target leaves `auto`) and `erpsync-conformance
discover`, which decides every setting and writes them as a target's [choices] table.
"""

from __future__ import annotations

import base64
from typing import Callable, Iterable

from conformance import checks
from conformance.checks import Observation
from conformance.checks.accept import mislabelled, nil_form
from conformance.checks.auth import refusal_problem
from conformance.contract import endpoint
from conformance.contract.choices import PATH_FALLBACK, SETTINGS, Profile
from conformance.contract.endpoint import JSON_TYPES, PROPERTIES
from conformance.contract.xmlbody import XmlBodyError, interval_form, parse
from conformance.errors import Stopped
from conformance.model.oracle import looks_nulled, same_value
from conformance.text.sinks import json_text, toml_comment, toml_string
from conformance.wire.exchange import Exchange
from conformance.wire.transport.auth import RawAuthorization
from conformance.wire.transport.errors import DryRun

UNKNOWN = "ErpSyncConformanceNoSuchName"
UNKNOWN_HEADERS = {
    "unknown_accept_language": {"Accept-Language": "zz"},
    "unknown_so_language": {"SO-Language": "x-klingon"},
    "unknown_culture": {"Accept-Language": "en", "SO-Culture": "xx-YY"},
    "unknown_timezone": {"SO-TimeZone": "Mars/Olympus_Mons"},
}
JSON = {"Accept": "application/json"}
Decider = Callable[["Probe"], Observation]


class Probe:
    """What a decider may use: the run's sending, the plain baseline, and the target."""

    def __init__(self, run) -> None:
        self.run = run
        self.plain = run.baseline()
        self.decided: dict[str, str] = {k: v for k, v in run.target.profile.as_dict().items() if v != "auto"}
        """The choices pinned or decided so far: a later decider reads an answer in their light."""

    @property
    def body(self) -> dict | None:
        return self.plain.engine_body

    def select(self, clause: str, accept: str = "application/json") -> Exchange:
        return self.run.send(f"discovery: $select={clause!r}", select=clause, headers={"Accept": accept})

    def distinct(self) -> list[str]:
        """Properties whose unfiltered value no nulled form looks like (so kept and nulled differ),
        the stable ones first, and IsRunning last: a live engine's IsRunning may turn false (a
        nulled form) between two reads before the run has seen it change."""
        body = self.body or {}
        found = [p for p in PROPERTIES if p in body and not looks_nulled(p, body[p]) and body[p] not in ({}, "")]
        return sorted(found, key=lambda p: (p in self.run.volatile, p == "IsRunning"))


def observation(key: str, choice: str | None, reason: str, *evidence: Exchange) -> Observation:
    return Observation(key, choice, reason, tuple(e for e in evidence if e is not None))


def _kept(name: str, exchange: Exchange, probe: Probe) -> bool | None:
    """Whether a property came back as in the baseline (True), nulled in some form (False), or
    neither (None)."""
    body = exchange.engine_body
    if body is None or probe.body is None:
        return None
    value = body.get(name)
    if name in ("IsRunning", "Interval") and value is not None and probe.decided.get("select_value_types") == "null":
        return True  # a value type is nulled to null here: any value is the property kept
    if name not in body or looks_nulled(name, value):
        if (
            name == "IsRunning"
            and name in body
            and name not in probe.run.volatile
            and not looks_nulled(name, probe.body.get(name))
        ):
            # A live engine's IsRunning may have turned false (a nulled form) since the baseline:
            # read it once more; if it changed, the answer cannot tell kept from nulled.
            probe.plain = probe.run.baseline(fresh=True)
            if name in probe.run.volatile:
                return None
        return False
    if name in probe.run.volatile:
        return type(value) is type(probe.body[name])
    return True if same_value(name, value, probe.body[name]) else None


def select_case(p: Probe) -> Observation:
    key = "select_case"
    candidates = [n for n in p.distinct() if n.lower() != n]
    if not candidates:
        return observation(key, None, "no property of the unfiltered body tells kept from nulled", p.plain)
    name = candidates[0]
    other = next((q for q in PROPERTIES if q != name), "IsRunning")
    answer = p.select(f"{other},{name.lower()}")
    if answer.status == 400:
        return observation(
            key, "exact", f"$select naming {name.lower()!r} was rejected (400): names match exactly", answer
        )
    kept = _kept(name, answer, p)
    if kept is None:
        return observation(key, None, f"$select naming {name.lower()!r}: {answer.summary()}", answer)
    return observation(
        key,
        "insensitive" if kept else "exact",
        f"$select naming {name.lower()!r} {'kept' if kept else 'nulled'} {name}",
        answer,
    )


def select_value_types(p: Probe) -> Observation:
    key = "select_value_types"
    answer = p.select("StatusMessage")
    body = answer.engine_body
    if body is None:
        return observation(key, None, f"$select=StatusMessage: {answer.summary()}", answer)
    forms = set()
    for name, default in (("IsRunning", False), ("Interval", None)):
        if name not in body:
            forms.add("omitted")
        elif body[name] is None:
            forms.add("null")
        elif looks_nulled(name, body[name]):
            forms.add("default")
        else:
            return observation(key, None, f"$select=StatusMessage kept {name}: $select had no effect", answer)
    if len(forms) != 1:
        return observation(
            key, None, f"IsRunning and Interval nulled in different forms ({', '.join(sorted(forms))})", answer
        )
    return observation(
        key,
        forms.pop(),
        f"$select=StatusMessage: IsRunning and Interval came back {_form_words(body, ('IsRunning', 'Interval'))}",
        answer,
    )


def _form_words(body: dict, names: Iterable[str]) -> str:
    return ", ".join(f"{n} {'absent' if n not in body else json_text(body[n])[:80]}" for n in names)


def select_reference_types(p: Probe) -> Observation:
    key = "select_reference_types"
    answer = p.select("IsRunning")
    body = answer.engine_body
    if body is None:
        return observation(key, None, f"$select=IsRunning: {answer.summary()}", answer)
    names = [n for n in ("StatusMessage", "TableRight", "FieldProperties") if p.body and p.body.get(n) is not None]
    if not names:
        return observation(key, None, "no reference-type property has a value unfiltered", answer)
    forms = {"omitted" if n not in body else "null" if body[n] is None else "kept" for n in names}
    if forms - {"omitted", "null"} or len(forms) != 1:
        return observation(key, None, f"$select=IsRunning: {_form_words(body, names)}", answer)
    return observation(key, forms.pop(), f"$select=IsRunning: {_form_words(body, names)}", answer)


def select_unknown(p: Probe) -> Observation:
    key = "select_unknown"
    answer = p.select(f"IsRunning,{UNKNOWN}")
    if answer.status == 400:
        return observation(key, "reject", f"$select naming {UNKNOWN!r} was rejected (400)", answer)
    if answer.status == 200:
        return observation(key, "ignore", f"$select naming {UNKNOWN!r} was answered 200", answer)
    return observation(key, None, f"$select naming an unknown name: {answer.summary()}", answer)


def select_only_unknown(p: Probe) -> Observation:
    key = "select_only_unknown"
    distinct = p.distinct()
    if not distinct:
        return observation(key, None, "no property of the unfiltered body tells kept from nulled", p.plain)
    answer = p.select(UNKNOWN)
    if answer.status == 400:
        return observation(
            key, None, "a $select of only an unknown name was rejected (400): the choice does not arise", answer
        )
    kept = _kept(distinct[0], answer, p)
    if kept is None:
        return observation(key, None, f"$select={UNKNOWN!r}: {answer.summary()}", answer)
    return observation(
        key,
        "as-no-select" if kept else "null-all",
        f"$select={UNKNOWN!r} {'kept' if kept else 'nulled'} {distinct[0]}",
        answer,
    )


def select_nested(p: Probe) -> Observation:
    key = "select_nested"
    table = (p.body or {}).get("TableRight")
    if not isinstance(table, dict) or table.get("Mask") is None:
        return observation(key, None, "the unfiltered TableRight has no Mask to select", p.plain)
    answer = p.select("StatusMessage,TableRight/Mask")
    if answer.status == 400:
        return observation(key, "ignored", "$select=TableRight/Mask was rejected (400) as an unknown name", answer)
    body = answer.engine_body
    if body is None:
        return observation(key, None, f"$select=TableRight/Mask: {answer.summary()}", answer)
    value = body.get("TableRight")
    if not isinstance(value, dict):
        return observation(key, "ignored", f"$select=TableRight/Mask nulled TableRight ({value!r})", answer)
    if not same_value("Mask", value.get("Mask"), table["Mask"], "TableRight"):
        return observation(key, None, f"$select=TableRight/Mask changed the Mask ({value.get('Mask')!r})", answer)
    if table.get("Reason") in (None, ""):
        return observation(
            key,
            None,
            "the unfiltered TableRight has no Reason: keeping the Mask only and keeping "
            "the whole TableRight look alike",
            answer,
        )
    if value.get("Reason") == table["Reason"]:
        return observation(key, "parent", "$select=TableRight/Mask kept the whole TableRight", answer)
    return observation(key, "sub-property", "$select=TableRight/Mask kept the Mask and nulled the Reason", answer)


def select_path_fallbacks(p: Probe) -> list[Observation]:
    """A path into each property is its own situation (profile.PATH_FALLBACK): one $select names a
    path into four of them beside StatusMessage, and a second names StatusMessage/x beside IsRunning;
    each property kept says `parent`, nulled says `unknown`. A 400 (unknown names rejected) sends
    each path alone, so that the one rejected is known."""
    unknown_path = {top: f"{top}/{UNKNOWN}" for top in PATH_FALLBACK}
    groups = (
        ("StatusMessage", ("FieldProperties", "TableRight", "IsRunning", "Interval")),
        ("IsRunning", ("StatusMessage",)),
    )
    out = []
    for plain, tops in groups:
        answer = p.select(",".join([plain, *(unknown_path[t] for t in tops)]))
        for top in tops:
            one = answer
            if answer.status == 400 and len(tops) > 1:
                one = p.select(f"{plain},{unknown_path[top]}")
            out.append(_path_fallback(p, top, one))
    return out


def _path_fallback(p: Probe, top: str, answer: Exchange) -> Observation:
    key, shown = PATH_FALLBACK[top], f"$select={top}/x"
    if answer.status == 400:
        return observation(key, "unknown", f"{shown} was rejected (400) as an unknown name", answer)
    if answer.status == 200 and p.decided.get("select_unknown") == "reject":
        return observation(
            key, "parent", f"{shown} was answered 200 where unknown names are rejected: read as {top}", answer
        )
    unfiltered = (p.body or {}).get(top)
    if looks_nulled(top, unfiltered) or unfiltered in ({}, ""):
        return observation(key, None, f"the unfiltered {top} is {unfiltered!r}: kept and nulled look alike", answer)
    kept = _kept(top, answer, p)
    if kept is None:
        return observation(key, None, f"{shown}: {answer.summary()}", answer)
    return observation(
        key,
        "parent" if kept else "unknown",
        f"{shown} {'kept the whole' if kept else 'nulled'} {top}{'' if kept else ': an unknown name'}",
        answer,
    )


def interval_format(p: Probe) -> Observation:
    key = "interval_format"
    if p.body is None or not isinstance(p.body.get("Interval"), str):
        return observation(key, None, "the unfiltered body has no Interval text", p.plain)
    text = p.body["Interval"]
    form = interval_form(text)
    if form is None:
        return observation(key, "any", f"Interval {text!r} is neither a TimeSpan nor an ISO 8601 duration", p.plain)
    return observation(
        key, form, f"Interval {text!r} is a{'n ISO 8601 duration' if form == 'iso8601' else ' TimeSpan'}", p.plain
    )


def unsupported_accept(p: Probe) -> Observation:
    key = "unsupported_accept"
    answers = [p.run.send(f"discovery: Accept: {t}", headers={"Accept": t}) for t in ("text/csv", "text/html")]
    forms = set()
    for answer in answers:
        media = answer.response.media_type if answer.response else None
        if answer.status == 406:
            forms.add("406")
        elif answer.status == 200 and media in JSON_TYPES and isinstance(answer.body, dict):
            forms.add("json")
        elif answer.status == 200 and media not in endpoint.MEDIA_TYPES and not mislabelled(answer):
            forms.add("other")
        else:
            return observation(key, None, f"{answer.label}: {answer.summary()}", *answers)
    choice = forms.pop() if len(forms) == 1 and forms <= {"406", "json"} else "any"
    shown = "; ".join(f"{a.label.removeprefix('discovery: ')} -> {a.summary().split('-> ')[-1]}" for a in answers)
    return observation(key, choice, shown, *answers)


def _wrong_credential(p: Probe) -> Exchange:
    target = p.run.target
    scheme = target.schemes[0]
    value = {
        "basic": "Basic " + base64.b64encode(b"erpsync-conformance:not-the-password").decode(),
        "soticket": "SOTicket 7T:ZXJwc3luYy1jb25mb3JtYW5jZS11bmtub3duLXRpY2tldA==",
        "bearer": "Bearer 8A:Cust00000.erpsync-conformance-invalid-token",
    }.get(scheme)
    if value is None:  # a session: the cookie without its X-XSRF-TOKEN
        return p.run.send(
            "discovery: session without X-XSRF-TOKEN",
            scheme=None,
            auth=p.run.client.auth("session", xsrf=False),
            headers=JSON,
        )
    return p.run.send(f"discovery: wrong {scheme} credentials", scheme=None, auth=RawAuthorization(value), headers=JSON)


def refusal_and_challenge(p: Probe) -> list[Observation]:
    answer = _wrong_credential(p)
    out = []
    if answer.status in (401, 403) and refusal_problem(answer, checks.Context(Profile(refusal="status"))) is None:
        out.append(
            observation("refusal", "status", f"{answer.label.removeprefix('discovery: ')}: {answer.status}", answer)
        )
    elif answer.status == 200 and answer.decoded.ok and answer.body is None:
        out.append(observation("refusal", "null-body", "wrong credentials: 200 with a null body", answer))
    else:
        out.append(observation("refusal", None, f"wrong credentials: {answer.summary()}", answer))
    if answer.status == 401:
        sent = bool(answer.response.header_values("WWW-Authenticate"))
        out.append(
            observation(
                "www_authenticate",
                "required" if sent else "optional",
                f"the 401 {'carries' if sent else 'carries no'} WWW-Authenticate",
                answer,
            )
        )
    else:
        out.append(observation("www_authenticate", None, "no 401 to see a challenge on", answer))
    return out


def unknown_locales(p: Probe) -> list[Observation]:
    out = []
    for key, headers in UNKNOWN_HEADERS.items():
        shown = ", ".join(f"{k}: {v}" for k, v in headers.items())
        answer = p.run.send(f"discovery: {shown}", headers={**JSON, **headers})
        choice = {200: "ignore", 400: "reject", 406: "406" if key == "unknown_accept_language" else None}.get(
            answer.status
        )
        out.append(observation(key, choice, f"{shown}: {answer.summary().split('-> ')[-1]}", answer))
    return out


def xml_nil(p: Probe) -> Observation:
    key = "xml_nil"
    answer = p.select("IsRunning", accept="application/xml")
    if answer.status != 200 or answer.response.media_type not in endpoint.XML_TYPES:
        return observation(key, None, f"XML with $select=IsRunning: {answer.summary()}", answer)
    try:
        _, root = parse(answer.response.body)
    except XmlBodyError as problem:
        return observation(key, None, f"the XML cannot be read: {problem}", answer)
    form = nil_form(root if isinstance(root, dict) else {}, "StatusMessage")
    choice = {"nil-attribute": "nil-attribute", "empty": "empty", "absent": "omitted"}.get(form)
    return observation(key, choice, f"XML with $select=IsRunning writes StatusMessage as {form}", answer)


def principals(p: Probe) -> Observation:
    key = "principals"
    schemes = p.run.target.schemes
    if len(schemes) < 2:
        return observation(key, None, "the target declares one scheme")
    answers = {s: p.run.baseline(scheme=s) for s in schemes}
    bodies = {s: a.body for s, a in answers.items() if a.engine_body is not None}
    if len(bodies) < 2:
        return observation(key, None, "fewer than two schemes give a body", *answers.values())
    first, *others = bodies
    for scheme in others:
        for name in ("TableRight", "FieldProperties"):
            if name not in p.run.volatile and not same_value(name, bodies[first].get(name), bodies[scheme].get(name)):
                return observation(
                    key, "different", f"{name} differs between {first} and {scheme}", answers[first], answers[scheme]
                )
    return observation(
        key, "same", f"TableRight and FieldProperties agree through {', '.join(bodies)}", *list(answers.values())[:2]
    )


def app_tokens(p: Probe) -> Observation:
    key = "app_tokens"
    tokens = p.run.target.apptoken
    if tokens is None or tokens.restricted is None:
        return observation(key, None, "the target declares no restricted app token")
    answer = p.run.send("discovery: app token without ErpSync access", app_token=tokens.restricted, headers=JSON)
    if answer.engine_body is not None:
        return observation(key, "unchecked", "the restricted app token got the engine status (200)", answer)
    if refusal_problem(answer, checks.Context(Profile())) is None:
        return observation(key, "checked", f"the restricted app token was refused ({answer.status})", answer)
    return observation(key, None, f"the restricted app token: {answer.summary()}", answer)


DECIDERS: tuple[tuple[tuple[str, ...], Callable[[Probe], Observation | list[Observation]]], ...] = (
    (("interval_format",), interval_format),
    (("select_case",), select_case),
    (("select_value_types",), select_value_types),
    (("select_reference_types",), select_reference_types),
    (("select_unknown",), select_unknown),
    (("select_only_unknown",), select_only_unknown),
    (("select_nested",), select_nested),
    (tuple(PATH_FALLBACK.values()), select_path_fallbacks),
    (("unsupported_accept",), unsupported_accept),
    (("refusal", "www_authenticate"), refusal_and_challenge),
    (tuple(UNKNOWN_HEADERS), unknown_locales),
    (("xml_nil",), xml_nil),
    (("principals",), principals),
    (("app_tokens",), app_tokens),
)
assert {k for keys, _ in DECIDERS for k in keys} == {s.key for s in SETTINGS}, "a setting without a decider"


def discover(run, keys: Iterable[str] | None = None) -> dict[str, Observation]:
    """Decide `keys` (default: every setting the target leaves `auto`) from the server's answers.
    Two identical plain reads come first, so that fields that change on their own are known
    before anything is compared. A budget cut, a dry run or an unresponsive target leaves the rest
    undecided, with that reason."""
    wanted = set(run.target.profile.undecided() if keys is None else keys)
    if not wanted:
        return {}
    out: dict[str, Observation] = {}
    try:
        probe = Probe(run)
        run.baseline(fresh=True)  # a second identical read: what changes on its own
        for settled, decider in DECIDERS:
            if not wanted & set(settled):
                continue
            found = decider(probe)
            for item in found if isinstance(found, list) else [found]:
                if item.setting in wanted:
                    out[item.setting] = item
                    if item.choice is not None:
                        probe.decided[item.setting] = item.choice
    except Stopped as stopped:
        reason = "dry run: nothing was sent" if isinstance(stopped, DryRun) else str(stopped)
        for key in sorted(wanted - set(out)):
            out[key] = observation(key, None, f"not decided: {reason}")
    return out


def profile_toml(observations: dict[str, Observation], declared: Profile) -> str:
    """A target's [choices] table of the decided settings, each with a comment citing its exchange."""
    lines = ["[choices]"]
    for setting in SETTINGS:
        found = observations.get(setting.key)
        pinned = getattr(declared, setting.key)
        if found is None:
            continue
        lines.append(f"# {setting.key}: {toml_comment(found.reason)}")
        for exchange in found.evidence[:2]:
            lines.append(f"#   {toml_comment(exchange.summary())}")
            lines.append(f"#   {toml_comment(exchange.curl)}")
        if pinned != "auto" and found.choice is not None and pinned != found.choice:
            lines.append(
                f"# (the target pins {setting.key} = {toml_comment(toml_string(pinned))}; "
                f"the server chose {toml_comment(toml_string(found.choice))})"
            )
        if found.choice is None:
            lines.append(f'# {setting.key} = "auto"   (undecided: every choice is admitted)')
        else:
            lines.append(f"{setting.key} = {toml_string(found.choice)}")
    return "\n".join(lines) + "\n"
