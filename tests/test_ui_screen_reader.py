"""What a blind agent hears, checked where a screen reader listens: the AT-SPI bus (Orca's), from
the real program on a real X server with a window manager, at 1024 × 600, keys pressed by
``xdotool`` as by the agent's keyboard (see ``screen_reader_support.py``).

- First start, keyboard only: a form sent incomplete says what is missing; the label the code
  fills in is said; after a whole round of Tab (over « Commencer » and « Quitter »), Entrée
  still starts.
- In the entry window: each answer given (1, 3), cleared (Suppr) and undone (Ctrl+Z) is said;
  Alt+↓ from the comment says the action moved to, and opens no menu (the next key still
  writes in the comment); Ctrl+E exports from the search field; Ctrl+U from there says what it
  did; Tab leaves the detail pane for the filters; no control that takes the focus is
  nameless, in the entry window nor in the consolidation window.

Skipped, with the reason, only on a machine without Xvfb, openbox, xdotool, at-spi2-core or
python3-pyatspi (``.ci/run`` installs them; ``SRADAR_REQUIRE_SCREEN_READER_BUS=1`` there).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from screen_reader_support import (
    Desktop,
    activated,
    announced,
    focused,
    heard,
    is_focus,
    is_menu,
    require_desktop,
    unnamed_focusable,
)

from sradar_desktop.services.entry import Identity
from sradar_desktop.ui.parts.settings import SETTINGS_FILE, Settings

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def desktop(tmp_path_factory) -> Iterator[Desktop]:
    require_desktop()
    screen = Desktop(tmp_path_factory.mktemp("bureau"))
    try:
        screen.start()
        yield screen
    finally:
        screen.stop()


def test_first_start_by_keyboard_and_ear(desktop: Desktop, tmp_path: Path):
    desktop.start_program(tmp_path / "donnees")
    desktop.expect(activated("Bienvenue", "dialog"), "le dialogue du premier démarrage")
    desktop.expect(focused("text", "Code du service"), "le code du service, qui a le clavier")

    # Sent empty: what is missing is said, not only shown.
    desktop.keys("Return")
    desktop.expect(announced("le code du service est vide"), "l'erreur dite")
    # The label (and the region) the code fills in, in another field, are said.
    desktop.type("DREETS-PDL")
    desktop.expect(
        announced("DREETS des Pays de la Loire"), "le libellé proposé d'après le code, dit"
    )
    desktop.keys("Tab", "Tab")
    desktop.expect(focused("text", "Votre nom"), "le champ du nom")
    desktop.type("Paul Leroy")

    # A whole round of Tab, over « Commencer » and « Quitter », back to the code.
    passed = tab_round(desktop, "Votre nom", until="Code du service")
    assert "Commencer" in passed and "Quitter" in passed, passed
    # Entrée still starts.
    desktop.keys("Return")
    desktop.expect_window("SRADAR 2021-2023", "la fenêtre ouverte par Entrée")
    desktop.stop_program()


def tab_round(desktop: Desktop, start: str, *, until: str, most: int = 8) -> list[str]:
    """Press Tab from the control named ``start`` until the one named ``until`` has the
    focus (``most`` times at most); the names of the controls reached."""
    reached = [start]
    for _ in range(most):
        desktop.keys("Tab")
        event = desktop.expect(
            lambda e, before=reached[-1]: is_focus(e) and e["name"] != before,
            f"le contrôle après « {reached[-1]} »",
        )
        reached.append(event["name"])
        if event["name"] == until:
            return reached
    raise AssertionError(f"Tab ne mène pas à « {until} » : {reached}")


def entry_data(folder: Path) -> Path:
    """A data folder whose settings already say who answers (the first start is done)."""
    folder.mkdir(parents=True)
    settings = Settings(QSettings(str(folder / SETTINGS_FILE), QSettings.Format.IniFormat))
    settings.set_identity(Identity.create("DDETS-44", "", "Claire Martin"))
    settings.store.sync()
    return folder


def test_the_entry_window_is_heard(desktop: Desktop, tmp_path: Path):
    desktop.start_program(entry_data(tmp_path / "donnees"))
    desktop.expect_window("SRADAR 2021-2023", "la fenêtre de saisie")
    desktop.expect(lambda e: is_focus(e) and e["role"].startswith("table"), "la liste")

    # Each answer, whatever the key, is said.
    for key, words in (
        ("1", "Oui"),
        ("3", "Non"),
        ("Delete", "Réponse effacée"),
        ("ctrl+z", "Annulé : Non"),
    ):
        desktop.keys(key)
        desktop.expect(announced(words), f"la réponse dite après {key}")

    # Alt+↓ from the comment: the next action is said; no menu opens (the next key is
    # written in the comment). The same with Alt let go first, as Orca may pass the keys.
    desktop.keys("F2")
    desktop.expect(focused("text", "Commentaire"), "le commentaire")
    for press in (["key", "alt+Down"], ["keydown", "alt", "keydown", "Down", "keyup", "alt"]):
        start = desktop.mark()
        desktop.xdotool(*press)
        desktop.expect(announced("Action 1."), "l'action suivante dite")
        desktop.xdotool("keyup", "Down")
        desktop.keys("x")
        desktop.expect(
            lambda e: (
                e["type"].startswith("object:text-changed:insert")
                and e["name"] == "Commentaire"
                and e.get("data") == "x"
            ),
            "la touche suivante écrite dans le commentaire",
        )
        opened = [heard(e) for e in desktop.since(start) if is_menu(e)]
        assert opened == [], opened
        desktop.keys("BackSpace")

    # Ctrl+E from the search field exports (the line edit used to take it for itself), and
    # Ctrl+U there says what it did.
    desktop.keys("ctrl+f")
    desktop.expect(focused("text", "Rechercher"), "la recherche")
    desktop.keys("ctrl+u")
    desktop.expect(announced("« Non renseignées seulement » activé"), "le filtre dit")
    desktop.keys("ctrl+u")
    desktop.expect(announced("désactivé"), "le filtre retiré dit")
    desktop.keys("ctrl+e")
    desktop.expect(activated("Exporter", "dialog"), "l'export ouvert par Ctrl+E")
    desktop.keys("Escape")
    desktop.expect(focused("text", "Rechercher"), "le retour à la recherche")

    # Tab leaves the detail pane: from the answers, the next stops lead to the filters.
    desktop.keys("ctrl+3")
    answer = desktop.expect(focused("radio button", "Réalisation"), "les réponses, en radio")
    tab_round(desktop, answer["name"], until="Rechercher", most=6)

    # Nothing that takes the focus is nameless: the entry window, then the consolidation.
    assert unnamed_focusable(desktop.tree()) == []
    desktop.keys("ctrl+shift+c")
    desktop.expect(activated("Consolidation", "frame"), "la fenêtre de consolidation")
    desktop.expect(lambda e: is_focus(e) and e["role"].startswith("table"), "sa grille")
    nodes = desktop.tree()
    assert unnamed_focusable(nodes) == []
    application = nodes[0]
    assert application["role"] == "application"
    assert application["description"].startswith("Saisie et consolidation"), application
    desktop.stop_program()
