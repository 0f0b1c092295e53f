"""The sync engine behind the endpoint: its state over time and the carrier it reports.

The carrier is built in a typed form (bool, timedelta, flag tuples, int) so that the JSON and
the XML renderings each apply their own text conventions to the same data.
"""

from __future__ import annotations

import re
import threading
from dataclasses import replace
from typing import Any

from conformance.reference import locales
from conformance.reference.config import DATA, OTHER_PRINCIPAL, EngineState, ServerConfig

Carrier = dict[str, Any]


class Engine:
    """Engine state, moved on by served requests in volatile mode (a live engine's behaviour)."""

    def __init__(self, config: ServerConfig) -> None:
        self._config = config
        self._served = 0
        self._lock = threading.Lock()

    def snapshot(self) -> EngineState:
        data = self._config.options.data
        base = self._config.engine if data == "default" else DATA[data]
        every = self._config.volatile_every
        with self._lock:
            served = self._served
            self._served += 1
        if self._config.options.live_message == "on":
            base = replace(base, records=base.records + served)  # a count that moves on every read
        if not every:
            return base
        flips = served // every
        return replace(
            base,
            running=base.running ^ bool(flips % 2),
            last_sync=base.last_sync + flips * base.interval,
            records=base.records + 17 * flips,
        )


def carrier(state: EngineState, locale: locales.Locale, config: ServerConfig, scheme: str) -> Carrier:
    """The ErpSyncEngineStatus for one request, translated and formatted for its locale."""
    has = config.has
    table_mask, table_reason = state.table_mask, state.table_reason
    field_masks: tuple[str, ...] | None = None
    if has("schema-unknown-mask-flag") and table_mask is not None:
        table_mask = table_mask + ("Export",)
    if has("auth-scheme-body-differs") and scheme == "bearer":
        table_mask = ("Select",)
    if config.profile.principals == "different" and scheme == "bearer" and table_mask is not None:
        table_mask, table_reason = OTHER_PRINCIPAL["table_mask"], OTHER_PRINCIPAL["table_reason"]
        field_masks = OTHER_PRINCIPAL["field_masks"]
    language = None if has("lang-untranslated") else locale.language
    body: Carrier = {
        "IsRunning": state.running,
        "StatusMessage": status_message(state, locale, config),
        "Interval": state.interval,
        "TableRight": None
        if table_mask is None
        else {"Mask": table_mask, "Reason": locales.translate(table_reason, language)},
        "FieldProperties": {
            name: {
                "FieldRight": None
                if f.mask is None
                else {"Mask": field_masks or f.mask, "Reason": locales.translate(f.reason, language)},
                "FieldType": f.field_type,
                "FieldLength": _field_length(f.length, locale, config),
            }
            for name, f in state.fields
        },
    }
    if has("schema-extra-property"):
        body["LastSyncUtc"] = state.last_sync.isoformat()
    if (has("lang-translates-booleans") and locale.language) or (
        has("lang-swedish-booleans") and locale.language == "sv"
    ):
        table = locales.YES if state.running else locales.NO
        body["IsRunning"] = table[locale.language]
    if has("lang-german-incomplete") and locale.language == "de":
        for prop in body["FieldProperties"].values():
            if prop["FieldRight"] is not None and prop["FieldRight"]["Reason"] == locales.translate(
                "[SR_ERPSYNC_STATUS_READONLY]", "de"
            ):
                prop["FieldRight"]["Reason"] = "[SR_ERPSYNC_STATUS_READONLY]"  # the German table lacks it
    for fault, name, change in SCHEME_FAULTS:
        if has(fault) and scheme == name:
            change(body)
    return body


def _fieldlength_as_text(body: Carrier) -> None:
    for prop in body["FieldProperties"].values():
        prop["FieldLength"] = str(prop["FieldLength"])


def _unknown_flag(body: Carrier) -> None:
    if body["TableRight"] is not None:
        body["TableRight"]["Mask"] = tuple(body["TableRight"]["Mask"]) + ("Export",)


SCHEME_FAULTS = (
    ("schema-fieldlength-string-bearer", "bearer", _fieldlength_as_text),
    ("schema-mask-unknown-session", "session", _unknown_flag),
    ("schema-isrunning-null-soticket", "soticket", lambda body: body.update(IsRunning=None)),
)
"""Faults of one principal's body (a scheme's user whose data the server renders wrongly)."""


def status_message(state: EngineState, locale: locales.Locale, config: ServerConfig) -> str:
    key = "SR_ERPSYNC_STATUS_RUNNING" if state.running else "SR_ERPSYNC_STATUS_STOPPED"
    culture = locales.culture_of(locale.culture)
    time = locales.format_time(state.last_sync, locale, culture)
    count = locales.format_number(state.records, culture)
    seconds = locales.format_number(state.seconds, culture, decimals=1)
    language = None if config.has("lang-untranslated") else locale.language
    if language is None:
        text = f"[{key}] {time} {count} {seconds}"
    else:
        text = locales.RESOURCES[key][language].format(time=time, count=count, seconds=seconds)
    if config.options.message_layout == "multiline":
        # A long message over lines, as an engine's log excerpt may be: CR LF, U+2028, trailing blanks.
        text += " \r\n" + "\r\n".join(f"  [{n:03}] {count} {seconds}\t" for n in range(12)) + "\u2028 \r\n"
    return text


def _field_length(length: int, locale: locales.Locale, config: ServerConfig) -> int:
    if config.has("lang-culture-changes-numbers") and locale.culture_from_header and locale.culture:
        text = locales.format_number(length, locales.culture_of(locale.culture))
        return int(re.match(r"\d*", text).group() or 0)
    return length
