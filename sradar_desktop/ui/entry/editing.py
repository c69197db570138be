"""Saving and undoing in the entry window: what is saved (said once, in the header), the
banner when the database refuses a write, Ctrl+S, undo and redo (which show the action they
changed), and the checks before the agent leaves the plan or closes the window with changes
not saved."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, cast

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox, QStatusBar, QWidget

from sradar_desktop import APP_NAME
from sradar_desktop.domain.fields import Field, FieldKey
from sradar_desktop.domain.text import count, plural
from sradar_desktop.services.views.entry import EntryRow, EntrySheet
from sradar_desktop.ui.entry.action_list import ActionList
from sradar_desktop.ui.entry.controller import (
    CONFIRMED,
    REDONE,
    SET,
    UNDONE,
    EntryController,
    FieldCommand,
    describe_field,
)
from sradar_desktop.ui.entry.detail import ActionDetail
from sradar_desktop.ui.entry.header import EntryHeader
from sradar_desktop.ui.parts.i18n import arg
from sradar_desktop.ui.parts.speech import announce
from sradar_desktop.ui.parts.widgets import Banner

if TYPE_CHECKING:
    from sradar_desktop.services.database import Database
    from sradar_desktop.services.entry_data import EntryData
    from sradar_desktop.ui.parts.settings import Settings

log = logging.getLogger(__name__)

# Indicator values typed but refused (not numbers) when the session ended, kept in the settings
# (``Settings.keep_typing``) and brought back into their fields at the next opening.
REFUSED_VALUES = "valeurs_refusees"


class _Menus(Protocol):
    undo_action: QAction
    redo_action: QAction


class EntryWindow(Protocol):
    """What the rooms of the entry window use of it (``ui.entry.window.MainWindow``)."""

    db: Database
    data: EntryData | None
    settings: Settings
    controller: EntryController | None
    header: EntryHeader
    banner: Banner
    detail: ActionDetail
    action_list: ActionList

    @property
    def sheet(self) -> EntrySheet | None: ...

    @property
    def menus(self) -> _Menus: ...

    def statusBar(self) -> QStatusBar: ...

    def update_header(self) -> None: ...

    def update_count(self) -> None: ...

    def explain_read_only(self) -> None: ...

    def current_entry(self) -> EntryRow | None: ...


class Editing(QObject):
    """The entry window's saving and undoing (see the module's docstring)."""

    def __init__(self, window: EntryWindow) -> None:
        super().__init__(cast(QWidget, window))
        self.window = window
        self._said: list[str] = []  # what the agent's last keys changed, said once they settle
        self._answered = -1  # actions answered when that was last said

    def _parent(self) -> QWidget:
        """The window, as the parent of the message boxes (a ``QMainWindow``)."""
        return cast(QWidget, self.window)

    @property
    def controller(self) -> EntryController | None:
        return self.window.controller

    def follow(self, controller: EntryController) -> None:
        """Show what ``controller`` (a plan just loaded) does."""
        controller.changed.connect(self._answer_changed)
        controller.saved.connect(self._answer_saved)
        controller.state_changed.connect(self._save_state_changed)
        controller.write_failed.connect(self._write_failed)
        controller.applied.connect(self._applied)
        self._answered = controller.sheet.progress().answered
        stack = controller.undo_stack
        for signal in (
            stack.canUndoChanged,
            stack.canRedoChanged,
            stack.undoTextChanged,
            stack.redoTextChanged,
        ):
            signal.connect(self.undo_state_changed)

    # -- what is saved ---------------------------------------------------------------------------

    def _answer_changed(self, code: str) -> None:
        window = self.window
        sheet = window.sheet
        window.action_list.answer_changed(sheet.by_code.get(code) if sheet else None, code)
        window.update_header()
        window.update_count()
        entry = window.detail.entry
        if entry is not None and entry.code == code:
            window.detail.refresh()

    # -- what a screen reader hears ------------------------------------------------------------

    def _applied(self, key: FieldKey, how: str) -> None:
        """A change made, undone, redone or confirmed: said once the keys have settled (after
        an undo has shown its action), whatever key made it."""
        words = self._change_words(key, how)
        if not words:
            return
        if not self._said:
            QTimer.singleShot(0, self._say)
        self._said.append(words)

    def _change_words(self, key: FieldKey, how: str) -> str:
        """« Oui », « Réponse effacée », « Annulé : Non », « Rétabli : le commentaire de
        l'action 1.2.3 »; nothing for what the agent typed (the field shows it)."""
        controller, sheet = self.controller, self.window.sheet
        if controller is None or sheet is None or key.code not in sheet.by_code:
            return ""
        if key.field != Field.STATUS:
            what = describe_field(key, controller.data)
        else:
            status = sheet.by_code[key.code].status
            what = (
                sheet.plan.scale.level(status).label
                if status is not None
                else self.tr("réponse effacée")
            )
            current = self.window.current_entry()
            if how != SET and (current is None or current.code != key.code):
                what = arg(self.tr("action %1, %2"), key.code, what)
        if how == SET:
            return what[:1].upper() + what[1:] if key.field == Field.STATUS else ""
        prefix = {
            UNDONE: self.tr("Annulé : %1"),
            REDONE: self.tr("Rétabli : %1"),
            CONFIRMED: self.tr("Réponse reprise confirmée : %1"),
        }[how]
        return arg(prefix, what)

    def _say(self) -> None:
        words, self._said = " ; ".join(self._said), []
        sheet = self.window.sheet
        if sheet is not None and sheet.progress().answered != self._answered:
            # The count moved: said with the answer (the progress bar alone says « 2 % »).
            self._answered = sheet.progress().answered
            words += ". " + self.window.header.progress_words()
        announce(words, urgent=True)

    def _answer_saved(self, code: str) -> None:
        entry = self.window.detail.entry
        if entry is not None and entry.code == code:
            self.window.detail.refresh_history()

    def _save_state_changed(self) -> None:
        self.update_save_label()
        window = self.window
        window.detail.update_states()
        controller = self.controller
        if (
            controller is not None
            and not controller.engine.pending
            and window.banner.kind == "error"
        ):
            window.banner.clear()
            window.statusBar().showMessage(
                self.tr("Les modifications en attente sont enregistrées."), 8000
            )

    def _write_failed(self, message: str) -> None:
        waiting = len(self.controller.engine.pending) if self.controller else 0
        self.window.banner.show_message(
            "error",
            message
            + "\n"
            + arg(
                self.tr(
                    "Ce que vous avez saisi reste affiché et gardé sur ce poste (%1 en "
                    "attente) ; un nouvel essai est fait automatiquement."
                ),
                count(waiting, self.tr("modification"), self.tr("modifications")),
            ),
            self.tr("Réessayer"),
        )
        self.update_save_label()

    def update_save_label(self) -> None:
        """What is saved, said once for the whole window: « ✓ Tout est enregistré » only when
        nothing typed waits, was refused or is in conflict."""
        controller = self.controller
        tip = self.tr(
            "Chaque modification est enregistrée aussitôt dans la base, avec votre nom et "
            "l'heure (voir l'historique de l'action)."
        )
        invalid = self.window.detail.indicators.has_invalid_values()
        engine = controller.engine if controller is not None else None
        if engine is None or engine.read_only:
            text = self.tr("Lecture seule") if self.window.db.read_only else ""
            tone = "muted"
        elif engine.pending:
            pending = len(engine.pending)
            text = arg(
                self.tr("⚠ %1 %2"),
                count(pending, self.tr("modification"), self.tr("modifications")),
                plural(pending, self.tr("non enregistrée"), self.tr("non enregistrées")),
            )
            tone = "error"
        elif not engine.idle:
            text, tone = self.tr("Enregistrement…"), "muted"
        elif invalid:
            text = arg(
                self.tr("⚠ %1 %2"),
                count(len(invalid), self.tr("valeur refusée"), self.tr("valeurs refusées")),
                plural(len(invalid), self.tr("non enregistrée"), self.tr("non enregistrées")),
            )
            tone = "error"
            tip = arg(
                self.tr("Ces valeurs ne sont pas des nombres valides ; corrigez-les :\n%1"),
                "\n".join(invalid[:10]),
            )
        elif engine.conflicts:
            text = arg(
                self.tr("⚠ %1 à régler"),
                count(
                    len(engine.conflicts),
                    self.tr("saisie en conflit"),
                    self.tr("saisies en conflit"),
                ),
            )
            tone = "error"
            tip = self.tr(
                "Une réponse a été modifiée ailleurs pendant votre saisie : choisissez dans "
                "l'action « Remettre ma saisie » ou « Garder cette version »."
            )
        else:
            text, tone = self.tr("✓ Tout est enregistré"), "ok"
        self.window.header.show_save_state(text, tone, tip)

    def save_now(self) -> None:
        """Ctrl+S: the comment being typed saved now, and what was refused tried again."""
        window = self.window
        window.detail.commit_pending()
        controller = self.controller
        if controller is None:
            return
        if controller.engine.read_only:
            window.explain_read_only()
            return
        if controller.engine.pending:
            controller.engine.retry()
            window.statusBar().showMessage(self.tr("Nouvel essai d'enregistrement…"), 5000)
        else:
            window.statusBar().showMessage(
                self.tr("Tout est enregistré : chaque modification l'est dès qu'elle est faite."),
                5000,
            )

    def when_saved(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` once everything the agent typed so far has been written, or
        refused and kept in the drafts: an import, an export or an undo then sees it."""
        self.window.detail.commit_pending()
        controller = self.controller
        if controller is None or controller.engine.idle:
            callback()
            return

        def check() -> None:
            if controller.engine.idle:
                controller.state_changed.disconnect(check)
                callback()

        controller.state_changed.connect(check)

    # -- undo --------------------------------------------------------------------------------

    def undo_state_changed(self, *_args: object) -> None:
        menus = self.window.menus
        stack = self.controller.undo_stack if self.controller else None
        undo_text = stack.undoText() if stack is not None and stack.canUndo() else None
        redo_text = stack.redoText() if stack is not None and stack.canRedo() else None
        menus.undo_action.setEnabled(True)  # it also takes back a comment being typed
        menus.redo_action.setEnabled(redo_text is not None)
        menus.undo_action.setText(
            arg(self.tr("&Annuler %1"), undo_text) if undo_text is not None else self.tr("&Annuler")
        )
        menus.redo_action.setText(
            arg(self.tr("&Rétablir %1"), redo_text)
            if redo_text is not None
            else self.tr("&Rétablir")
        )

    def undo(self) -> None:
        if self.controller is None or self.window.detail.indicators.revert_focused_value():
            return
        self._step(back=True)

    def redo(self) -> None:
        if self.controller is not None:
            self._step(back=False)

    def _step(self, *, back: bool) -> None:
        """Undo (``back``) or redo one change, then show the action it changed."""
        assert self.controller is not None
        window = self.window
        window.detail.commit_pending()
        stack = self.controller.undo_stack
        if not (stack.canUndo() if back else stack.canRedo()):
            return
        command = stack.command(stack.index() - 1 if back else stack.index())
        code = command.key.code if isinstance(command, FieldCommand) else None
        if back:
            stack.undo()
        else:
            stack.redo()
        window.detail.end_burst()
        entry = window.current_entry()
        if code is None or (entry is not None and entry.code == code):
            return
        if not window.action_list.select_code(code):
            window.statusBar().showMessage(
                arg(
                    self.tr(
                        "Modification annulée ou rétablie sur l'action %1 "
                        "(masquée par les filtres)."
                    ),
                    code,
                ),
                8000,
            )

    # -- leaving -----------------------------------------------------------------------------

    def ready_to_leave(self) -> bool:
        """Before another plan or identity: everything typed saved, or the agent told."""
        self.window.detail.commit_pending()
        controller = self.controller
        if controller is None:
            return True
        engine = controller.engine
        engine.wait()
        if engine.pending:
            QMessageBox.warning(
                self._parent(),
                APP_NAME,
                arg(
                    self.tr(
                        "%1 modification n'a pas encore pu être enregistrée. Réessayez "
                        "(Ctrl+S) avant de changer de service ou de questionnaire.\n\n%2"
                    )
                    if len(engine.pending) < 2
                    else self.tr(
                        "%1 modifications n'ont pas encore pu être enregistrées. Réessayez "
                        "(Ctrl+S) avant de changer de service ou de questionnaire.\n\n%2"
                    ),
                    len(engine.pending),
                    engine.last_error,
                ),
            )
            return False
        return True

    def ready_to_close(self) -> bool:
        """Closing the window: every write tried; changes not saved, or values refused in
        their fields, are the agent's to decide."""
        window = self.window
        window.detail.commit_pending()
        controller = self.controller
        if controller is not None:
            controller.engine.wait()
            if controller.engine.pending and not self._close_with_unsaved():
                return False
        invalid = window.detail.indicators.has_invalid_values()
        return not invalid or self._close_with_invalid(invalid)

    def save_without_asking(self) -> None:
        """The program ends from outside (the session ends, the system stops it): the comment
        or value being typed is committed, the writes finish or wait in the drafts file.
        Indicator values that are not numbers cannot be saved: they are kept with the
        settings, and come back into their fields at the next opening."""
        window = self.window
        window.detail.commit_pending()
        if self.controller is not None:
            self.controller.engine.end()
        refused = window.detail.indicators.typed_values()
        place = self._refused_place()
        if refused and place:
            log.warning("Fin du programme : valeurs refusées gardées : %s", refused)
            kept = {f"{code}\t{at}\t{which}": [text] for (code, at, which), text in refused.items()}
            window.settings.keep_typing(REFUSED_VALUES, place, kept)

    def bring_back_refused(self) -> None:
        """The indicator values refused when the last session ended (``save_without_asking``),
        back in their fields, marked, for the agent to correct; the status bar says where."""
        window, place = self.window, self._refused_place()
        kept = window.settings.kept_typing(REFUSED_VALUES, place) if place else {}
        if not kept or window.sheet is None:
            return
        window.settings.keep_typing(REFUSED_VALUES, place, {})
        by_code = window.sheet.by_code
        refused: dict[tuple[str, int, str], str] = {}
        for key, texts in kept.items():
            code, position, which = [*key.split("\t"), "", "", ""][:3]
            entry = by_code.get(code)
            if entry is None or not position.isdigit() or not texts:
                continue
            if which in (Field.TARGET, Field.ACHIEVED) and int(position) < entry.indicators_total:
                refused[(code, int(position), which)] = texts[0]
        if not window.detail.indicators.keep_typed_values(refused):
            return
        window.detail.show_entry(window.detail.entry)
        self.update_save_label()
        codes = sorted({code for code, _position, _which in refused}, key=lambda c: by_code[c].row)
        where = arg(
            self.tr("action %1") if len(codes) < 2 else self.tr("actions %1"), ", ".join(codes)
        )
        # Short enough for the status bar of a 1024-pixel screen, beside the database's name.
        text = (
            self.tr("Valeur refusée à la dernière session, retrouvée (%1) : corrigez-la.")
            if len(refused) < 2
            else self.tr("Valeurs refusées à la dernière session, retrouvées (%1) : corrigez-les.")
        )
        window.statusBar().showMessage(arg(text, where), 30_000)

    def _refused_place(self) -> str:
        """Where refused values are kept: this database, the campaign and service shown."""
        data = self.window.data
        if data is None or data.identity is None or self.window.db.read_only:
            return ""
        return f"{self.window.db.key} {data.campaign_id} {data.identity.service_code}"

    def _close_with_unsaved(self) -> bool:
        """Some changes could not be saved: retry, close anyway (they stay in the drafts), or
        stay."""
        assert self.controller is not None
        engine = self.controller.engine
        box = QMessageBox(self._parent())
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(APP_NAME)
        box.setText(
            arg(
                self.tr("%1 modification n'a pas pu être enregistrée dans la base.")
                if len(engine.pending) < 2
                else self.tr("%1 modifications n'ont pas pu être enregistrées dans la base."),
                len(engine.pending),
            )
        )
        box.setInformativeText(
            engine.last_error
            + "\n\n"
            + self.tr(
                "Elles sont gardées sur ce poste et vous seront proposées à la prochaine "
                "ouverture de cette base. Vous pouvez aussi réessayer maintenant."
            )
        )
        retry = box.addButton(self.tr("Réessayer"), QMessageBox.ButtonRole.AcceptRole)
        close = box.addButton(self.tr("Fermer quand même"), QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(self.tr("Ne pas fermer"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(retry)
        box.exec()
        if box.clickedButton() is close:
            return True
        if box.clickedButton() is retry:
            engine.retry()
            engine.wait()
            return not engine.pending
        return False

    def _close_with_invalid(self, invalid: list[str]) -> bool:
        answer = QMessageBox.question(
            self._parent(),
            APP_NAME,
            arg(
                self.tr(
                    "Des valeurs d'indicateurs saisies ne sont pas des nombres valides et ne sont "
                    "pas enregistrées :\n%1\n\nFermer quand même ?"
                ),
                "\n".join(invalid[:10]),
            ),
        )
        return answer == QMessageBox.StandardButton.Yes
