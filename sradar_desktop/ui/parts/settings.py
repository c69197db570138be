"""The user's settings: typed values with defaults, over ``QSettings``.

Native storage (the registry on Windows) under organisation « SRADAR », application
« SRADAR Desktop ». When ``SRADAR_DATA_DIR`` is set (tests, portable use) the settings live in
an INI file in that folder instead, so that nothing leaks between tests or into the user's own
settings.
"""

from __future__ import annotations

import json
import os
from enum import Enum
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, QStandardPaths

from sradar_desktop.domain.questionnaires import DEFAULT_QUESTIONNAIRE_ID
from sradar_desktop.errors import UserError
from sradar_desktop.paths import DATA_DIR_ENV, data_dir
from sradar_desktop.services.entry_data import Identity

ORGANISATION = "SRADAR"
APPLICATION = "SRADAR Desktop"
SETTINGS_FILE = "reglages.ini"


class Folder(Enum):
    """The kinds of file the user picks a folder for; each kind remembers its own folder.

    The value is the setting's key (older versions' keys kept, so that a folder chosen before
    is proposed again)."""

    RECEIVED = "echanges/dossier_import"  # workbooks received, to import
    MY_ANSWERS = "echanges/dossier"  # exports of my answers
    REPORTS = "consolidation/dossier_export"  # consolidated workbook and PDF summary
    BLANK_WORKBOOKS = "echanges/dossier_envoi"  # blank workbooks to send to the services
    REVISED_PLANS = "plans/dossier_revision"  # revised action plans (« Réviser le plan… »)


def documents_folder() -> Path:
    """The user's documents folder as the system names it (``QStandardPaths``), created when
    missing; the home folder when there is none or it cannot be created."""
    home = Path.home()
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    if not documents:
        return home
    folder = Path(documents)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return home
    return folder if folder.is_dir() else home


def usable_folder(remembered: str) -> Path:
    """``remembered`` while it is still a folder, else the documents folder."""
    if remembered:
        folder = Path(remembered).expanduser()
        if folder.is_dir():
            return folder
    return documents_folder()


def open_store() -> QSettings:
    if os.environ.get(DATA_DIR_ENV):
        path = data_dir() / SETTINGS_FILE
        return QSettings(str(path), QSettings.Format.IniFormat)
    return QSettings(ORGANISATION, APPLICATION)


class Settings:
    """Typed access to the settings; every getter has a default."""

    def __init__(self, store: QSettings | None = None) -> None:
        self.store = store if store is not None else open_store()

    def _str(self, key: str, default: str = "") -> str:
        value = self.store.value(key, default)
        return value if isinstance(value, str) else default

    def _bool(self, key: str, default: bool) -> bool:
        value = self.store.value(key, default)
        if isinstance(value, str):
            return value.lower() in ("true", "1", "oui")
        return bool(value)

    def _bytes(self, key: str) -> QByteArray:
        value = self.store.value(key)
        return value if isinstance(value, QByteArray) else QByteArray()

    # -- who answers -------------------------------------------------------------------------

    def identity(self) -> Identity | None:
        """The identity given at first start; None until then (or if it no longer checks)."""
        code = self._str("identite/code_service")
        name = self._str("identite/nom_agent")
        if not code or not name:
            return None
        try:
            return Identity.create(code, self._str("identite/libelle_service"), name)
        except UserError:  # a hand-edited settings file must not stop the app
            return None

    def set_identity(self, identity: Identity) -> None:
        self.store.setValue("identite/code_service", identity.service_code)
        self.store.setValue("identite/libelle_service", identity.service_label)
        self.store.setValue("identite/departement", identity.department)
        self.store.setValue("identite/nom_agent", identity.agent_name)
        self.store.sync()

    # -- what is answered --------------------------------------------------------------------

    @property
    def questionnaire_id(self) -> str:
        return self._str("saisie/questionnaire", DEFAULT_QUESTIONNAIRE_ID)

    @questionnaire_id.setter
    def questionnaire_id(self, value: str) -> None:
        self.store.setValue("saisie/questionnaire", value)

    def last_action(self, questionnaire_id: str) -> str:
        return self._str(f"position/{questionnaire_id}")

    def set_last_action(self, questionnaire_id: str, code: str) -> None:
        self.store.setValue(f"position/{questionnaire_id}", code)

    def campaign_id(self, questionnaire_id: str) -> str:
        """The campaign chosen for a questionnaire ("": its most recent)."""
        return self._str(f"campagne/{questionnaire_id}")

    def set_campaign_id(self, questionnaire_id: str, campaign_id: str) -> None:
        self.store.setValue(f"campagne/{questionnaire_id}", campaign_id)

    @property
    def unanswered_only(self) -> bool:
        return self._bool("filtres/non_renseignees", False)

    @unanswered_only.setter
    def unanswered_only(self, value: bool) -> None:
        self.store.setValue("filtres/non_renseignees", bool(value))

    # -- folders ------------------------------------------------------------------------------

    def folder(self, kind: Folder) -> Path:
        """The folder to propose for ``kind``: the one last used while it exists, else the
        documents folder (created when missing)."""
        return usable_folder(self._str(kind.value))

    def remember_folder(self, kind: Folder, folder: str | Path) -> None:
        self.store.setValue(kind.value, str(folder))

    @property
    def exchange_folder(self) -> str:
        """The folder last used to export my answers ("" at first)."""
        return self._str(Folder.MY_ANSWERS.value)

    @exchange_folder.setter
    def exchange_folder(self, value: str) -> None:
        self.remember_folder(Folder.MY_ANSWERS, value)

    @property
    def send_folder(self) -> str:
        """The folder where « Préparer l'envoi » last wrote the blank workbooks ("" at first)."""
        return self._str(Folder.BLANK_WORKBOOKS.value)

    @send_folder.setter
    def send_folder(self, value: str) -> None:
        self.remember_folder(Folder.BLANK_WORKBOOKS, value)

    # -- the window --------------------------------------------------------------------------

    @property
    def geometry(self) -> QByteArray:
        return self._bytes("fenetre/geometrie")

    @geometry.setter
    def geometry(self, value: QByteArray) -> None:
        self.store.setValue("fenetre/geometrie", value)

    @property
    def window_state(self) -> QByteArray:
        return self._bytes("fenetre/etat")

    @window_state.setter
    def window_state(self, value: QByteArray) -> None:
        self.store.setValue("fenetre/etat", value)

    @property
    def splitter_state(self) -> QByteArray:
        return self._bytes("fenetre/panneaux")

    @splitter_state.setter
    def splitter_state(self, value: QByteArray) -> None:
        self.store.setValue("fenetre/panneaux", value)

    # -- the consolidation window -------------------------------------------------------------

    @property
    def reports_folder(self) -> str:
        """The folder of the last consolidated workbook or PDF summary written ("" at first)."""
        return self._str(Folder.REPORTS.value)

    @reports_folder.setter
    def reports_folder(self, value: str) -> None:
        self.remember_folder(Folder.REPORTS, value)

    def kept_typing(self, kind: str, place: str) -> dict[str, list[str]]:
        """What was typed and not saved when a window last ended, to bring back: ``kind`` of
        typing (« arbitrages », « valeurs_refusees »), ``place`` (a database and campaign, a
        service's answers): its texts by key."""
        kept = self._kept_typing(kind).get(place, {})
        try:
            return {str(key): [str(text) for text in texts] for key, texts in kept.items()}
        except (TypeError, AttributeError):
            return {}  # changed by hand: nothing to bring back

    def keep_typing(self, kind: str, place: str, typed: dict[str, list[str]]) -> None:
        """Keep ``typed`` at ``place`` (nothing left there when it is empty)."""
        kept = self._kept_typing(kind)
        if typed:
            kept[place] = typed
        else:
            kept.pop(place, None)
        key = f"saisies_gardees/{kind}"
        if kept:
            self.store.setValue(key, json.dumps(kept, ensure_ascii=False))
        else:
            self.store.remove(key)

    def _kept_typing(self, kind: str) -> dict:
        try:
            kept = json.loads(self._str(f"saisies_gardees/{kind}") or "{}")
        except ValueError:
            return {}
        return kept if isinstance(kept, dict) else {}

    @property
    def consolidation_geometry(self) -> QByteArray:
        return self._bytes("consolidation/geometrie")

    @consolidation_geometry.setter
    def consolidation_geometry(self, value: QByteArray) -> None:
        self.store.setValue("consolidation/geometrie", value)

    @property
    def consolidation_splitter(self) -> QByteArray:
        return self._bytes("consolidation/panneaux")

    @consolidation_splitter.setter
    def consolidation_splitter(self, value: QByteArray) -> None:
        self.store.setValue("consolidation/panneaux", value)

    def sync(self) -> None:
        self.store.sync()
