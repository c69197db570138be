"""Changes the database refused, kept on disk until they are saved.

When a save fails (database locked, read-only, disk full, file removed), what the agent typed
stays on screen; it is also written here, in the user's data folder, so that closing the window
or a crash does not lose it. The next window on the same database offers to save it again.

The file holds one JSON line per draft, after a header line that says how many there are: a
damaged line costs that draft only. The file is pure ASCII, so an editor that re-saves it in
another encoding changes nothing. A file that cannot be read whole (truncated, garbled, another
encoding, or the single JSON document of the first version, damaged) is never overwritten: it is
moved aside under a name that says so, every draft that can still be read is taken from it, and
``DraftStore.recovery`` says where the copy is and how many drafts came back.
"""

from __future__ import annotations

import codecs
import json
import logging
import os
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sradar_desktop.paths import data_dir

log = logging.getLogger(__name__)

FIELDS = ("status", "comment", "target", "achieved")
FORMAT = "sradar-desktop-brouillons"
VERSION = 2
DAMAGED = "illisible"  # in the name of a damaged file set aside

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


@dataclass(frozen=True)
class Draft:
    """One field of one answer, as the agent left it."""

    campaign_id: str
    respondent_code: str
    action_code: str
    field: str
    position: int | None
    value: str | None
    actor: str = ""
    at: str = ""  # ISO 8601, when it was typed

    @property
    def key(self) -> tuple[str, str, str, str, int | None]:
        return (self.campaign_id, self.respondent_code, self.action_code, self.field, self.position)


@dataclass(frozen=True)
class Recovery:
    """A damaged drafts file found on loading: where it was kept, how many drafts it gave."""

    copy: Path | None  # None when it could not be moved aside (it is then left in place)
    recovered: int


_KEYS = frozenset(Draft.__dataclass_fields__)


def drafts_dir() -> Path:
    return data_dir() / "brouillons"


def _draft(item: Any) -> Draft | None:
    """The draft an entry of the file describes, or None when it is not one."""
    if not isinstance(item, dict) or not item.keys() >= _KEYS:
        return None  # every key is always written: one missing is a damaged entry
    campaign, respondent, action = texts = (
        item["campaign_id"],
        item["respondent_code"],
        item["action_code"],
    )
    field, position, value = item["field"], item["position"], item["value"]
    actor, at = item["actor"], item["at"]
    if (
        not all(isinstance(text, str) for text in [*texts, actor, at])
        or field not in FIELDS
        or not (position is None or (isinstance(position, int) and not isinstance(position, bool)))
        or not (value is None or isinstance(value, str))
    ):
        return None
    return Draft(campaign, respondent, action, field, position, value, actor, at)


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def _parse(raw: bytes) -> list[Draft] | None:
    """Every draft of a sound file (this format or the first version's), or None when any
    part of it cannot be read."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    first, _, rest = text.partition("\n")
    header = _json(first)
    if isinstance(header, dict) and header.get("format") == FORMAT:
        if header.get("version") != VERSION or not text.endswith("\n"):
            return None
        lines = rest.split("\n")[:-1]
        drafts = [d for line in lines if (d := _draft(_json(line))) is not None]
        if len(drafts) != len(lines) or len(drafts) != header.get("count"):
            return None  # a line garbled, or whole lines lost at the end
        return drafts
    document = _json(text)  # version 1: one JSON document
    items = document.get("drafts") if isinstance(document, dict) else None
    if not isinstance(items, list):
        return None
    drafts = [d for item in items if (d := _draft(item)) is not None]
    return drafts if len(drafts) == len(items) else None


def _decode_damaged(raw: bytes) -> str:
    """As much of a damaged file's text as can be decoded: a line that is not UTF-8 is left
    out, unless no line is (a file re-saved in the Windows legacy encoding)."""
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            raw = raw[len(bom) :]
            try:
                return raw.decode(codec)
            except UnicodeDecodeError:
                break
    lines = raw.split(b"\n")
    texts = _decode_lines(lines, "utf-8")
    if None in texts and all(text is None or text.isascii() for text in texts):
        texts = _decode_lines(lines, "cp1252")
    return "\n".join(text or "" for text in texts)


def _decode_lines(lines: list[bytes], codec: str) -> list[str | None]:
    """Each line decoded, or None where it cannot be."""
    texts: list[str | None] = []
    for line in lines:
        try:
            texts.append(line.decode(codec))
        except UnicodeDecodeError:
            texts.append(None)
    return texts


def salvage(raw: bytes) -> list[Draft]:
    """Every draft that can still be read from a damaged file, whatever its version: each JSON
    object in it that is a whole draft (a later one for the same field wins)."""
    text = _decode_damaged(raw)
    decoder = json.JSONDecoder()
    found: dict[tuple, Draft] = {}
    start = text.find("{")
    while start >= 0:
        try:
            item, end = decoder.raw_decode(text, start)
        except ValueError:
            item = None
        draft = _draft(item)
        if draft is None:
            # Not a draft, or unreadable: one may still start further in (the first
            # version's list of drafts is inside one object).
            end = start + 1
        else:
            found[draft.key] = draft
        start = text.find("{", end)
    return list(found.values())


class DraftStore:
    """The unsaved changes of one database (one file, see the module's docstring)."""

    def __init__(self, key: str, folder: Path | None = None) -> None:
        self.path = (folder or drafts_dir()) / f"{key}.json"
        self.recovery: Recovery | None = None  # set by ``load`` when the file was damaged
        self._damaged_in_place = False  # a damaged file that could not be moved aside
        # The file could not be read at all (locked by another program, a transient error):
        # not proven damaged, so neither moved aside nor written over until it is read.
        self._unread = False

    def load(self) -> list[Draft]:
        """The drafts on disk. A damaged file is moved aside and what can be read of it is
        returned and written back in a sound file (see ``recovery``)."""
        self.recovery = None
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return []
        except OSError as error:
            log.warning("Brouillons momentanément illisibles dans %s : %s", self.path, error)
            self._unread = True
            return []
        self._unread = False
        drafts = _parse(raw) if raw else None
        if drafts is not None:
            return drafts
        drafts = salvage(raw)
        copy = self._set_aside()
        self.recovery = Recovery(copy, len(drafts))
        if copy is not None:
            log.warning(
                "Fichier de brouillons endommagé, conservé dans %s : %d brouillon(s) récupéré(s)",
                copy,
                len(drafts),
            )
            if drafts:
                self.save(drafts)
        return drafts

    def _set_aside(self) -> Path | None:
        """Move the damaged file to a name of its own (never over another copy); None when
        the disk refuses, the file then staying where it is, protected from ``save``."""
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        number = 0
        while True:
            number += 1
            suffix = "" if number == 1 else f"-{number}"
            copy = self.path.with_name(
                f"{self.path.stem}.{DAMAGED}-{stamp}{suffix}{self.path.suffix}"
            )
            if copy.exists():
                continue
            try:
                os.rename(self.path, copy)
            except FileExistsError:
                continue
            except FileNotFoundError:  # gone meanwhile: nothing left to protect
                self._damaged_in_place = False
                return None
            except OSError as error:
                log.error(
                    "Fichier de brouillons endommagé %s impossible à mettre de côté : %s",
                    self.path,
                    error,
                )
                self._damaged_in_place = True
                return None
            self._damaged_in_place = False
            return copy

    def save(self, drafts: list[Draft]) -> bool:
        """Replace the file's content (atomically); an empty list removes it. False when the
        disk refuses too (the changes then live only in the window)."""
        if self._damaged_in_place and self._set_aside() is None:
            return False  # never over a damaged file that holds drafts not recovered
        if self._unread:
            # Read what the file holds now, and keep it beside this window's drafts.
            on_disk = self.load()
            if self._unread:
                return False  # still unreadable: never written over
            merged = {draft.key: draft for draft in on_disk}
            merged.update((draft.key, draft) for draft in drafts)
            drafts = list(merged.values())
        try:
            if not drafts:
                self.path.unlink(missing_ok=True)
                return True
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.path.with_suffix(".json.tmp")
            header = {"format": FORMAT, "version": VERSION, "count": len(drafts)}
            lines = [json.dumps(header), *(json.dumps(asdict(d)) for d in drafts)]
            with temporary.open("w", encoding="ascii", newline="\n") as handle:
                handle.write("\n".join(lines) + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, self.path)
            return True
        except OSError as error:
            log.warning("Impossible d'écrire les brouillons dans %s : %s", self.path, error)
            return False

    def clear(self) -> None:
        self.save([])
