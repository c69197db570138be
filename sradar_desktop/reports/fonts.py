"""The fonts embedded in the PDF summary: DejaVu Sans, shipped in ``resources/fonts``.

The PDF standard fonts know neither « œ » nor « ◦ » or « ≥ », and a font installed on one
workstation is missing on the next: the summary always embeds its own font (subset to the
characters used). DejaVu Sans is under the Bitstream Vera licence (``LICENSE-DejaVu.txt``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from sradar_desktop.paths import resources_dir

_FILES = {
    "regular": "DejaVuSans.ttf",
    "bold": "DejaVuSans-Bold.ttf",
    "italic": "DejaVuSans-Oblique.ttf",
}


@dataclass(frozen=True)
class FontFamily:
    """The registered names of the summary's fonts (family name first)."""

    regular: str
    bold: str
    italic: str


def fonts_dir() -> Path:
    return resources_dir() / "fonts"


@cache
def register_fonts() -> FontFamily:
    """Register DejaVu Sans with reportlab once per process and return its names."""
    folder = fonts_dir()
    names = {}
    for face, file_name in _FILES.items():
        path = folder / file_name
        if not path.is_file():
            raise FileNotFoundError(f"police manquante : {path}")
        name = f"SRADAR-{path.stem}"
        pdfmetrics.registerFont(TTFont(name, str(path)))
        names[face] = name
    # No bold oblique face is shipped: <b><i> falls back to bold.
    pdfmetrics.registerFontFamily(
        names["regular"],
        normal=names["regular"],
        bold=names["bold"],
        italic=names["italic"],
        boldItalic=names["bold"],
    )
    return FontFamily(names["regular"], names["bold"], names["italic"])
