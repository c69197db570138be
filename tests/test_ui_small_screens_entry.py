"""The entry window on the screens agents have: 1024×600 netbooks, 1280×720 and 1366×768
laptops, 1920×1080 panels at 125 % and 150 % (a logical screen of 1536×864 and 1280×720).

Opened as on a first start (a fresh profile), the window fits the screen, and what an agent
needs is on it, whole and at a usable size: the answer buttons, « Effacer », the comment, the
save state, the search and « Effacer les filtres », the status bar, and an Action column wide
enough to read. A screen's size is fixed when Qt starts, so each one runs in its own process
(``small_screen_child.py``) on Qt's offscreen platform, given the screen by a configuration
file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

CHILD = Path(__file__).resolve().parent / "small_screen_child.py"

SCREENS = [
    pytest.param(1024, 600, None, id="1024x600"),
    pytest.param(1280, 720, None, id="1280x720"),
    pytest.param(1366, 768, None, id="1366x768"),
    pytest.param(1920, 1080, "1.25", id="1920x1080-125pc"),
    pytest.param(1920, 1080, "1.5", id="1920x1080-150pc"),
]

# The widgets an agent cannot do without, by the name the child gives them.
KEY_WIDGETS = (
    "answer oui",
    "answer partiellement",
    "answer non",
    "answer nc",
    "clear answer",
    "comment",
    "save state",
    "search",
    "clear filters",
    "status bar",
)


def open_on_screen(
    tmp_path: Path, width: int, height: int, scale: str | None, *options: str
) -> dict:
    """What the child process reports of the entry window (or, with ``--consolidation``, the
    consolidation window) on that screen."""
    config = tmp_path / "ecran.json"
    config.write_text(
        json.dumps(
            {
                "synchronousWindowSystemEvents": True,
                "windowFrameMargins": True,  # a title bar and borders, as on a desktop
                "screens": [
                    {
                        "name": "ecran",
                        "x": 0,
                        "y": 0,
                        "width": width,
                        "height": height,
                        "logicalDpi": 96,
                        "logicalBaseDpi": 96,
                        "dpr": 1,
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = f"offscreen:configfile={config}"
    env["SRADAR_DATA_DIR"] = str(tmp_path / "donnees")
    env.pop("QT_SCALE_FACTOR", None)
    if scale:
        env["QT_SCALE_FACTOR"] = scale
    result = subprocess.run(
        [sys.executable, str(CHILD), str(tmp_path / "base.sqlite3"), *options],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def inside(inner: list[int], outer: list[int], slack: int = 0) -> bool:
    """``inner`` within ``outer``, give or take ``slack`` pixels."""
    x, y, w, h = inner
    ox, oy, ow, oh = outer
    return (
        x >= ox - slack
        and y >= oy - slack
        and x + w <= ox + ow + slack
        and y + h <= oy + oh + slack
    )


@pytest.mark.parametrize(("width", "height", "scale"), SCREENS)
def test_entry_window_fits_the_screen(tmp_path, width, height, scale):
    seen = open_on_screen(tmp_path, width, height, scale)
    screen = seen["screen"]
    if scale:
        assert seen["ratio"] == float(scale)
        assert screen[2] == round(width / float(scale))
    # The whole window, title bar included, is on the screen; it could be narrower still.
    # (A scaled screen rounds logical pixels: one may be off.)
    assert inside(seen["frame"], screen, 1 if scale else 0), seen["frame"]
    assert seen["minimum"][0] <= 1000
    window = [0, 0, seen["frame"][2], seen["frame"][3]]
    for name in KEY_WIDGETS:
        widget = seen["widgets"][name]
        where = f"{name} at {widget['rect']}"
        assert widget["visible"], where
        assert inside(widget["rect"], window), where
        # Not cut by the window, a pane or a scroll area: the whole of it is drawn.
        assert widget["unclipped"][2:] == widget["rect"][2:], where
        # At least the size its text needs.
        assert widget["rect"][2] >= widget["minimum"][0], where
        assert widget["rect"][3] >= min(widget["minimum"][1], 20), where
    # The Action column shows lines of some 24 characters, not « In scr… ».
    assert seen["action_column"] >= 24 * seen["char_width"], seen["action_column"]
    assert seen["table"]["unclipped"][2:] == seen["table"]["rect"][2:]


CONSOLIDATION_WIDGETS = (
    "grid",
    "search",
    "clear filters",
    "status retained",
    "reason",
    "apply",
    "status bar",
)


@pytest.mark.parametrize(("width", "height", "scale"), SCREENS)
def test_consolidation_window_fits_the_screen(tmp_path, width, height, scale):
    """The secretariat's window on ten services: on the screen, no wider than it, and the grid,
    the filters and the arbitration (status, reason, « Appliquer ») whole."""
    seen = open_on_screen(tmp_path, width, height, scale, "--consolidation")
    screen = seen["screen"]
    assert inside(seen["frame"], screen, 1 if scale else 0), seen["frame"]
    assert seen["minimum"][0] <= 1000, seen["minimum"]
    window = [0, 0, seen["frame"][2], seen["frame"][3]]
    for name in CONSOLIDATION_WIDGETS:
        widget = seen["widgets"][name]
        where = f"{name} at {widget['rect']}"
        assert widget["visible"], where
        assert inside(widget["rect"], window), where
        assert widget["unclipped"][2:] == widget["rect"][2:], where
        assert widget["rect"][2] >= widget["minimum"][0], where
