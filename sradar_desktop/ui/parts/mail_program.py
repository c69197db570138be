"""« Ouvrir dans la messagerie »: a draft shown as a new message of the agent's mail program,
which the agent reads, completes and sends. SRADAR Desktop sends nothing.

On Windows, when the default mail program offers Simple MAPI (classic Outlook, Thunderbird),
the message opens directly with its attachment (``mail.mapi``); otherwise the ``.eml`` draft is
opened by the program the system associates with it, and the window says so. The sending
dialog and the entry window's export share this part.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtGui import QDesktopServices

from sradar_desktop.mail.mapi import MAPI_USER_ABORT, SUCCESS_SUCCESS, MapiMailer, code_name
from sradar_desktop.mail.mapi import mapi_mailer as system_mailer
from sradar_desktop.mail.writer import DraftFile
from sradar_desktop.ui.parts.i18n import arg

log = logging.getLogger(__name__)


def open_file(path: Path) -> bool:
    """Open ``path`` with the program the system associates with it (a folder: the file
    manager)."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


class MailProgram(QObject):
    """Opens drafts in the mail program; ``said(text, problem)`` tells the window what happened
    (``problem``: something the agent must do otherwise).

    The Simple MAPI call lasts as long as the mail program's window stays open: it runs on a
    thread of its own, never the window's, and not on a task pool either, whose end a closing
    window would wait for while the agent is still writing. Its answer comes back by signal."""

    said = Signal(str, bool)
    _returned = Signal(object, int)  # the draft, MAPI's code

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        mailer: Callable[[], MapiMailer | None] = system_mailer,
        opener: Callable[[Path], bool] = open_file,
    ) -> None:
        super().__init__(parent)
        self._find_mailer = mailer
        self._mailer: MapiMailer | None = None
        self._looked = False
        self._open_file = opener
        self._returned.connect(self._mapi_returned)

    @property
    def mailer(self) -> MapiMailer | None:
        """The mail program's Simple MAPI (looked up once), ``None`` without."""
        if not self._looked:
            self._looked = True
            try:
                self._mailer = self._find_mailer()
            except Exception:  # the registry or the DLL in an unexpected state: the .eml will do
                log.warning("Simple MAPI indisponible", exc_info=True)
                self._mailer = None
        return self._mailer

    def open(self, draft: DraftFile) -> None:
        """Show ``draft`` in the mail program (see the class)."""
        mailer = self.mailer
        if mailer is None:
            self._open_draft_file(draft, fallback="")
            return
        self.said.emit(
            arg(
                self.tr(
                    "Le message « %1 » s'ouvre dans %2 avec sa pièce jointe : vérifiez-le, "
                    "complétez-le si besoin et envoyez-le depuis %2. SRADAR Desktop n'envoie rien."
                ),
                draft.path.name,
                mailer.client,
            ),
            False,
        )

        def call() -> None:
            try:
                code = mailer.open(draft)
            except Exception:
                log.exception("Simple MAPI a échoué pour %s", draft.path.name)
                code = -1
            try:
                self._returned.emit(draft, code)
            except RuntimeError:  # the window closed meanwhile: nobody to tell
                log.info("Message %s rendu par la messagerie, fenêtre fermée", draft.path.name)

        threading.Thread(target=call, name="messagerie", daemon=True).start()

    def _mapi_returned(self, draft: DraftFile, code: int) -> None:
        client = self._mailer.client if self._mailer is not None else ""
        if code == SUCCESS_SUCCESS:
            self.said.emit(
                arg(
                    self.tr(
                        "%1 a repris le message « %2 » : il part quand vous l'envoyez depuis %1."
                    ),
                    client,
                    draft.path.name,
                ),
                False,
            )
        elif code == MAPI_USER_ABORT:
            self.said.emit(
                arg(
                    self.tr(
                        "Message « %1 » fermé sans être envoyé : le brouillon reste dans le "
                        "dossier, vous pouvez l'ouvrir à nouveau."
                    ),
                    draft.path.name,
                ),
                False,
            )
        else:
            why = code_name(code) if code >= 0 else self.tr("erreur inattendue")
            self._open_draft_file(
                draft, fallback=arg(self.tr("%1 n'a pas pu ouvrir le message (%2)"), client, why)
            )

    def _open_draft_file(self, draft: DraftFile, *, fallback: str) -> None:
        """The ``.eml`` draft, opened by the program associated with it; ``fallback``: why
        Simple MAPI was not used after all ("" when there is none)."""
        why = (
            fallback
            if fallback
            else self.tr(
                "Votre messagerie ne s'ouvre pas directement depuis SRADAR Desktop (Simple MAPI)"
            )
        )
        if self._open_file(draft.path):
            log.info("Message %s ouvert en .eml", draft.path.name)
            self.said.emit(
                arg(
                    self.tr(
                        "%1 : le message « %2 » est ouvert par le programme associé aux "
                        "fichiers .eml, sa pièce jointe comprise. Vérifiez-le, puis envoyez-le "
                        "(dans Thunderbird : Message › Modifier comme nouveau message)."
                    ),
                    why,
                    draft.path.name,
                ),
                False,
            )
            return
        log.warning("Aucun programme n'a ouvert %s", draft.path)
        attachments = ", ".join(f"« {path.name} »" for path in draft.attachments)
        self.said.emit(
            arg(
                self.tr(
                    "%1, et aucun programme n'ouvre les fichiers .eml sur ce poste. Ouvrez le "
                    "dossier %2 : faites glisser « %3 » dans votre messagerie, ou joignez %4 à "
                    "un nouveau message."
                ),
                why,
                draft.path.parent,
                draft.path.name,
                attachments,
            ),
            True,
        )
