"""What reading or importing files came to: per file, its outcome (what it brings or changed,
its conflicts) or its refusal. The same for an import into the database (``services.imports``)
and a merge without one (``merging``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sradar_desktop.domain.dates import moment_text, short_datetime
from sradar_desktop.domain.merge import Decision, Stamped
from sradar_desktop.domain.text import count
from sradar_desktop.errors import UserError


@dataclass(frozen=True)
class Conflict:
    """The same answer changed in two places; the later change won."""

    respondent: str
    action_code: str
    indicator: str | None
    decision: Decision
    database: Stamped
    file: Stamped

    def describe(self) -> str:
        what = f"{self.respondent} {self.action_code}" + (
            f" (indicateur « {self.indicator} »)" if self.indicator else ""
        )

        def show(stamped: Stamped) -> str:
            values = " / ".join(v for v in stamped.value if v) or "vide"
            when = short_datetime(stamped.at)
            return f"« {values[:60]} » ({stamped.by}, {when})"

        kept, lost = (
            (self.database, self.file)
            if self.decision is Decision.KEPT
            else (self.file, self.database)
        )
        return f"{what} : {show(kept)} l'emporte sur {show(lost)}"


@dataclass(frozen=True)
class ImportOutcome:
    """The effect of importing one file: previewed, or applied when ``import_id`` is set."""

    file_name: str
    kind: str
    questionnaire_id: str
    questionnaire_title: str
    plan_counts: tuple[int, int, int]
    new_questionnaire: bool
    respondents: tuple[str, ...]
    decisions: dict[Decision, int] = field(default_factory=dict)
    conflicts: tuple[Conflict, ...] = ()
    edited_outside: int = 0
    unplaced: tuple[str, ...] = ()
    already_imported_at: datetime | None = None
    import_id: int | None = None
    # A campaign this database does not know yet, that the import creates: what it says of it.
    new_campaign: str = ""
    # What was read otherwise than expected (a filled copy of the sheet, say).
    notes: tuple[str, ...] = ()
    # A file taken from a saved message: the message (« courriel de … du … : « objet » »), and
    # what does not match in its sender, if anything (shown, never hidden).
    source: str = ""
    sender_warning: str = ""

    @property
    def applied(self) -> int:
        return sum(n for decision, n in self.decisions.items() if decision.applies)

    def count(self, decision: Decision) -> int:
        return self.decisions.get(decision, 0)

    def effect(self) -> str:
        """What the import does, counted, in French (the preview shows it under the file's
        name; its detail says the rest)."""
        if self.already_imported_at is not None:
            return f"déjà importé le {moment_text(self.already_imported_at)}, rien n'a changé."
        objectives, themes, actions = self.plan_counts
        parts = [
            (
                f"nouveau questionnaire {self.questionnaire_id} ({count(objectives, 'objectif')}, "
                f"{count(themes, 'thématique')}, {count(actions, 'action')})"
            )
            if self.new_questionnaire
            else f"questionnaire {self.questionnaire_id}"
        ]
        if self.new_campaign:
            parts.append(self.new_campaign)
        if self.respondents:
            who = ", ".join(self.respondents[:5]) + (
                f" et {len(self.respondents) - 5} autres" if len(self.respondents) > 5 else ""
            )
            parts.append(
                f"répondant{'s' if len(self.respondents) > 1 else ''} {who} : "
                + ", ".join(
                    [
                        count(self.count(Decision.NEW), "réponse nouvelle", "réponses nouvelles"),
                        count(self.count(Decision.CHANGED), "modifiée"),
                        count(self.count(Decision.UNCHANGED), "inchangée"),
                    ]
                )
            )
        if self.conflicts:
            parts.append(count(len(self.conflicts), "conflit") + " (détail ci-dessous)")
        if self.edited_outside:
            parts.append(
                count(self.edited_outside, "réponse modifiée", "réponses modifiées")
                + " hors de l'application"
            )
        if self.unplaced:
            more = len(self.unplaced) - 5
            parts.append(
                count(len(self.unplaced), "ligne non placée", "lignes non placées")
                + " dans le plan révisé ("
                + " ; ".join(self.unplaced[:5])
                + (f" et {count(more, 'autre')}" if more > 0 else "")
                + ")"
            )
        return ", ".join(parts) + "."

    def describe(self) -> str:
        """One French line for the command line and the log: the counts, then the notes, the
        message the file came in and what does not match in its sender."""
        notes = self.notes if self.already_imported_at is None else ()
        return " ".join(
            [
                f"{self.file_name} : {self.effect()}",
                *notes,
                *filter(None, (self.source, self.sender_warning)),
            ]
        )


@dataclass(frozen=True)
class FileResult:
    path: Path  # the path given (a message, for a workbook taken from one)
    outcome: ImportOutcome | None = None
    error: UserError | None = None
    # How the file is named: « message.eml › pièce.xlsx » for a workbook taken from a message.
    name: str = ""
    sender: str = ""  # the address of the message it came from, if any

    @property
    def display_name(self) -> str:
        return self.name or self.path.name
