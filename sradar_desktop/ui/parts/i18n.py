"""Translation helpers: strings are wrapped with ``tr()`` / ``translate()`` and take their
values through numbered place markers (``%1``, ``%2``) that a translator may reorder."""

from __future__ import annotations

import logging
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from sradar_desktop.domain.text import plural

log = logging.getLogger(__name__)

_MARKER = re.compile(r"%(\d+)")


def arg(text: str, *values: object) -> str:
    """``arg("%1 sur %2", 3, 5)`` → ``"3 sur 5"``, in one pass: a value that itself contains
    « %1 » (typed by someone) is left as it is."""

    def value(match: re.Match[str]) -> str:
        number = int(match.group(1))
        return str(values[number - 1]) if 1 <= number <= len(values) else match.group(0)

    return _MARKER.sub(value, text)


def arg_count(n: int, one: str, several: str) -> str:
    """``one`` or ``several`` (translated texts with ``%1``) for ``n``, by the French rule of
    ``domain.text.plural``: « %1 fichier » for 0 and 1, « %1 fichiers » from 2."""
    return arg(plural(n, one, several), n)


def translate(context: str, text: str, *values: object) -> str:
    return arg(QCoreApplication.translate(context, text), *values)


# Strings of Qt's own dialogs that Qt's French catalogue (``qtbase_fr``) lacks: the file
# dialog's « Type » column says « Folder » without them. (context, source) → French.
QT_MISSING_FRENCH = {
    ("QAbstractFileIconProvider", "Folder"): "Dossier",
    ("QAbstractFileIconProvider", "Drive"): "Lecteur",
    ("QAbstractFileIconProvider", "File"): "Fichier",
    ("QAbstractFileIconProvider", "Alias"): "Alias",
}

# The parts of the system locale Qt's file dialog reads (sizes, dates, unit names) on Linux.
_LOCALE_CATEGORIES = ("LC_MESSAGES", "LC_NUMERIC", "LC_TIME", "LC_MEASUREMENT")
FRENCH_LOCALE = "fr_FR.UTF-8"


class MissingFrench(QTranslator):
    """Qt's strings missing from ``qtbase_fr`` (see ``QT_MISSING_FRENCH``)."""

    def translate(  # type: ignore[override]  # None is Qt's null string
        self, context: str, source: str, disambiguation: str | None = None, n: int = -1
    ) -> str | None:
        # None (a null string for Qt), not "": Qt then asks the next catalogue, and in the
        # end keeps the source text.
        return QT_MISSING_FRENCH.get((context, source))

    def isEmpty(self) -> bool:  # Qt asks before looking up a string
        return False


@contextmanager
def french_system_locale() -> Iterator[None]:
    """While the application is created, on Linux and the other Unix systems: a system locale
    that says French for what Qt's own file dialog formats itself (sizes « 4,9 Kio », dates
    « 23/11/2026 18:43 ») even on a workstation set up in another language. Qt reads these
    variables once; the environment is given back as it was, so that the programs started
    later see the user's own. Windows and macOS dialogs are native, in the system's language:
    nothing changes there."""
    if sys.platform in ("win32", "darwin"):
        yield
        return
    saved = {name: os.environ.get(name) for name in ("LC_ALL", "LANG", *_LOCALE_CATEGORIES)}
    everything = os.environ.get("LC_ALL", "")
    try:
        if everything and not everything.startswith("fr"):
            # LC_ALL overrides every category: it becomes what the other categories fall
            # back to, so that only those below turn French.
            del os.environ["LC_ALL"]
            os.environ["LANG"] = everything
        for name in _LOCALE_CATEGORIES:
            value = os.environ.get("LC_ALL") or os.environ.get(name) or os.environ.get("LANG")
            if not (value or "").startswith("fr"):
                os.environ[name] = FRENCH_LOCALE
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def install_french(app: QCoreApplication) -> None:
    """French for the application and for Qt's own dialogs (buttons, file dialog, sizes and
    dates): Qt's catalogue shipped with PySide6 (``translations/qtbase_fr.qm``), completed by
    ``MissingFrench``; French as the default locale. Call it before any dialog is shown."""
    QLocale.setDefault(QLocale(QLocale.Language.French, QLocale.Country.France))
    qt_translations = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    catalogue = QTranslator(app)
    if catalogue.load(QLocale(), "qtbase", "_", qt_translations):
        app.installTranslator(catalogue)
    else:
        log.warning("Traduction de Qt introuvable dans %s", qt_translations)
    # Installed last, looked up first: it only answers for the strings Qt's catalogue lacks.
    app.installTranslator(MissingFrench(app))
