"""Every dialog of the entry side fits small and scaled screens: 1024×600, 1280×720, 1366×768,
and 1920×1080 at 125 % and 150 % (what Qt sees of a State laptop's panel).

Qt reads its screen and its scale once, when it starts: each screen is a child process
(``screens_probe.py``) on the offscreen platform given a screen of that size by its
configuration file. The child opens every dialog (first start, « Mon service », keyboard
shortcuts, import preview, « Préparer l'envoi », second window, « À propos ») and reports, for
each, whether the window fits the screen's available geometry, whether its buttons and key
inputs are visible (scrolled to, inside a scroll area) and of usable size, and which interactive
widgets have no accessible name.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from support import said_by_python

PROBE = Path(__file__).resolve().parent / "screens_probe.py"
SCREENS = [
    pytest.param(1024, 600, "1", id="1024x600"),
    pytest.param(1280, 720, "1", id="1280x720"),
    pytest.param(1366, 768, "1", id="1366x768"),
    pytest.param(1920, 1080, "1.25", id="1920x1080-125%"),
    pytest.param(1920, 1080, "1.5", id="1920x1080-150%"),
]
DIALOGS = [
    "premier démarrage",
    "mon service",
    "raccourcis",
    "aperçu de l'import",
    "préparer l'envoi",
    "changer de campagne",
    "nouvelle campagne",
    "réviser le plan",
    "deuxième fenêtre",
    "à propos",
]


def probe(tmp_path: Path, width: int, height: int, scale: str) -> dict[str, list[str]]:
    config = tmp_path / "ecran.json"
    screen = {"name": "ecran", "x": 0, "y": 0, "width": width, "height": height}
    config.write_text(json.dumps({"screens": [{**screen, "logicalDpi": 96, "dpr": 1}]}))
    work = tmp_path / "travail"
    work.mkdir()
    environment = {
        **os.environ,
        "QT_QPA_PLATFORM": f"offscreen:configfile={config}",
        "QT_SCALE_FACTOR": scale,
        # The program of this tree, whichever one the environment has installed.
        "PYTHONPATH": str(PROBE.parent.parent),
    }
    return said_by_python([str(PROBE), str(work), str(tmp_path), "essai"], environment, 600)[-1]


@pytest.mark.parametrize(("width", "height", "scale"), SCREENS)
def test_every_dialog_fits_the_screen(tmp_path, width, height, scale):
    found = probe(tmp_path, width, height, scale)
    logical = (round(width / float(scale)), round(height / float(scale)))
    # The child ran on the screen asked for, at the scale asked for.
    assert found.pop("écran") == [f"(0, 0, {logical[0]}, {logical[1]}) × {float(scale)}"]
    assert sorted(found) == sorted(DIALOGS)
    assert {name: problems for name, problems in found.items() if problems} == {}
    # What the child saw is on disk to look at.
    assert (tmp_path / "premier-demarrage-essai.png").stat().st_size > 0
    assert (tmp_path / "apercu-import-essai.png").stat().st_size > 0
