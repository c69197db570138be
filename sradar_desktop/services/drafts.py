"""Changes the database refused, kept on disk until they are saved.

When a save fails (database locked, read-only, disk full, file removed), what the agent typed
stays on screen; it is also written here, in the user's data folder, so that closing the window
or a crash does not lose it. The next window on the same database offers to save it again.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from sradar_desktop.paths import data_dir

log = logging.getLogger(__name__)

FIELDS = ("status", "comment", "target", "achieved")


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


def drafts_dir() -> Path:
    return data_dir() / "brouillons"


class DraftStore:
    """The unsaved changes of one database (one JSON file)."""

    def __init__(self, key: str, folder: Path | None = None) -> None:
        self.path = (folder or drafts_dir()) / f"{key}.json"

    def load(self) -> list[Draft]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        except (OSError, ValueError) as error:
            log.warning("Brouillons illisibles dans %s : %s", self.path, error)
            return []
        drafts = []
        for item in data.get("drafts", []) if isinstance(data, dict) else []:
            try:
                draft = Draft(
                    campaign_id=str(item["campaign_id"]),
                    respondent_code=str(item["respondent_code"]),
                    action_code=str(item["action_code"]),
                    field=str(item["field"]),
                    position=None if item.get("position") is None else int(item["position"]),
                    value=None if item.get("value") is None else str(item["value"]),
                    actor=str(item.get("actor", "")),
                    at=str(item.get("at", "")),
                )
            except (KeyError, TypeError, ValueError):
                continue
            if draft.field in FIELDS:
                drafts.append(draft)
        return drafts

    def save(self, drafts: list[Draft]) -> bool:
        """Replace the file's content (atomically); an empty list removes it. False when the
        disk refuses too (the changes then live only in the window)."""
        try:
            if not drafts:
                self.path.unlink(missing_ok=True)
                return True
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.path.with_suffix(".json.tmp")
            content = json.dumps(
                {"version": 1, "drafts": [asdict(d) for d in drafts]},
                ensure_ascii=False,
                indent=1,
            )
            with temporary.open("w", encoding="utf-8") as handle:
                handle.write(content)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, self.path)
            return True
        except OSError as error:
            log.warning("Impossible d'écrire les brouillons dans %s : %s", self.path, error)
            return False

    def clear(self) -> None:
        self.save([])
