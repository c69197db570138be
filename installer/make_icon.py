"""Draws SRADAR Desktop's icon: a rounded square holding three status bars and a tick.

    python installer/make_icon.py

Writes ``resources/icons/sradar-desktop.png`` (256 px), smaller PNGs for the Linux desktop
entry, and ``sradar-desktop.ico`` (16 to 256 px) for Windows. Pillow comes with reportlab.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
ICONS = ROOT / "resources" / "icons"

NAVY = (31, 56, 100, 255)
GREEN = (46, 125, 50, 255)
ORANGE = (230, 81, 0, 255)
RED = (198, 40, 40, 255)
WHITE = (255, 255, 255, 255)


def draw(size: int = 1024) -> Image.Image:
    """The icon at ``size`` pixels (drawn large, then reduced for sharp small sizes)."""
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    unit = size / 16
    pen.rounded_rectangle((unit, unit, size - unit, size - unit), radius=3 * unit, fill=NAVY)
    # Three answer bars, as in the synthesis charts: long green, medium orange, short red.
    left = 3.2 * unit
    for row, (length, colour) in enumerate(((9.6, GREEN), (6.8, ORANGE), (4.0, RED))):
        top = (3.6 + row * 2.9) * unit
        pen.rounded_rectangle(
            (left, top, left + length * unit, top + 2.0 * unit), radius=0.6 * unit, fill=colour
        )
    # A white tick over the bottom right: the plan evaluated.
    pen.line(
        [(8.9 * unit, 11.6 * unit), (10.5 * unit, 13.1 * unit), (13.4 * unit, 9.4 * unit)],
        fill=WHITE,
        width=int(1.1 * unit),
        joint="curve",
    )
    return image


def main() -> None:
    ICONS.mkdir(parents=True, exist_ok=True)
    large = draw()
    for size in (256, 128, 64, 48, 32, 16):
        large.resize((size, size), Image.Resampling.LANCZOS).save(
            ICONS / (f"sradar-desktop-{size}.png" if size != 256 else "sradar-desktop.png")
        )
    large.resize((256, 256), Image.Resampling.LANCZOS).save(
        ICONS / "sradar-desktop.ico",
        sizes=[(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)],
    )
    print(f"Icônes écrites dans {ICONS}")


if __name__ == "__main__":
    main()
