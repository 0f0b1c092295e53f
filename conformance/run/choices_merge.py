"""`erpsync-conformance discover --into FILE`: the decided choices merged into a target file's
[choices] table, the file's comments, key order and other tables kept (tomlkit, a style-preserving
TOML library), instead of a second [choices] table pasted below the first (which TOML refuses:
"Cannot declare ('choices',) twice").

A key the file already has keeps its place and comments; its value becomes the server's choice,
with a trailing comment naming the value it replaces when they differ. A key it lacks is added
with a comment line citing why. An undecided setting leaves the file's key as it was. The file is
replaced whole (a temporary file beside it, then a rename), and only once the new text reads back
as TOML holding the choices written.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import tomlkit
from tomlkit.exceptions import TOMLKitError
from tomlkit.items import Table

from conformance.checks import Observation
from conformance.contract.choices import SETTINGS
from conformance.errors import ConfigurationError
from conformance.text.sinks import shown, toml_comment


class MergeError(ConfigurationError):
    """The file cannot take the choices; the message names the file and why."""


@dataclass
class Merged:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    """'key: "old" -> "new"' for each key whose value the server's choice replaced."""
    unchanged: list[str] = field(default_factory=list)

    def said(self, path: str) -> str:
        parts = [f"{len(self.added)} added", f"{len(self.changed)} changed", f"{len(self.unchanged)} unchanged"]
        line = f"{shown(path)}: [choices] merged: " + ", ".join(parts)
        if self.changed:
            line += " (" + "; ".join(self.changed) + ")"
        return line + "; its comments and other keys kept"


def readable(path: Path) -> tomlkit.TOMLDocument:
    """The file's document, or MergeError saying why it cannot take the choices (called before any
    request is sent, and again when merging)."""
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        raise MergeError(f"{shown(str(path))}: no such target file to merge into") from None
    except (OSError, UnicodeDecodeError) as problem:
        raise MergeError(
            f"{shown(str(path))}: cannot read it: {getattr(problem, 'strerror', None) or problem}"
        ) from None
    try:
        document = tomlkit.parse(text)
    except TOMLKitError as problem:
        raise MergeError(f"{shown(str(path))}: not TOML ({shown(str(problem))}); nothing merged") from None
    if "choices" in document and not isinstance(document["choices"], dict):
        raise MergeError(f"{shown(str(path))}: `choices` is not a table; nothing merged")
    return document


def merge(path: Path, observations: dict[str, Observation]) -> Merged:
    """Merge the decided choices of `observations` into the target file at `path`."""
    document = readable(path)
    table = document.get("choices")
    if table is None:
        table = tomlkit.table()
        table.add(tomlkit.comment("[choices] written by erpsync-conformance discover"))
        document.append("choices", table)
    merged, decided = Merged(), {}
    for setting in SETTINGS:
        found = observations.get(setting.key)
        if found is None or found.choice is None:
            continue
        decided[setting.key] = found.choice
        if setting.key not in table:
            if isinstance(table, Table):
                table.add(tomlkit.comment(f"{setting.key}: {toml_comment(found.reason)}"))
            table[setting.key] = found.choice
            merged.added.append(setting.key)
        elif table[setting.key] == found.choice:
            merged.unchanged.append(setting.key)
        else:
            old = table[setting.key]
            merged.changed.append(f'{setting.key}: "{shown(str(old))}" -> "{found.choice}"')
            item = tomlkit.item(found.choice)
            item.comment(f"discover: the server chose this; was {toml_comment(str(old))}")
            table[setting.key] = item
    if merged.added and isinstance(table, Table):
        table.add(tomlkit.nl())  # a blank line before the next table, as a person writes it
    new_text = tomlkit.dumps(document)
    try:
        written = tomllib.loads(new_text).get("choices", {})
    except tomllib.TOMLDecodeError as problem:  # tomlkit wrote what tomllib refuses: keep the file
        raise MergeError(f"{shown(str(path))}: the merged text would not be TOML ({problem}); nothing merged") from None
    if any(written.get(key) != value for key, value in decided.items()):
        raise MergeError(f"{shown(str(path))}: the merged [choices] would not hold the choices; nothing merged")
    _replace(path, new_text)
    return merged


def _replace(path: Path, text: str) -> None:
    """Write `text` as `path`, whole or not at all, keeping the file's permissions."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        shutil.copymode(path, temporary)
        os.replace(temporary, path)
    except OSError as problem:
        Path(temporary).unlink(missing_ok=True)
        raise MergeError(f"{shown(str(path))}: cannot write it: {problem.strerror or problem}") from None
