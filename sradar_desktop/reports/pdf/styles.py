"""The look of the PDF summary: the page's geometry, the colours and every paragraph style."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm

from sradar_desktop.reports.fonts import FontFamily, register_fonts

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X = 18 * mm
MARGIN_TOP = 20 * mm
MARGIN_BOTTOM = 17 * mm
WIDTH = PAGE_WIDTH - 2 * MARGIN_X

BLUE = colors.HexColor("#000091")  # the French State's blue
INK = colors.HexColor("#1e1e1e")
MUTED = colors.HexColor("#5a5a5a")
RULE = colors.HexColor("#b4b4b4")
OBJECTIVE_BAND = colors.HexColor("#e3e3fd")
THEME_BAND = colors.HexColor("#f0f0f0")
NOTE_BACKGROUND = colors.HexColor("#f5f5fe")


@dataclass(frozen=True)
class Styles:
    fonts: FontFamily
    kicker: ParagraphStyle
    title: ParagraphStyle
    subtitle: ParagraphStyle
    h1: ParagraphStyle
    h2: ParagraphStyle
    h3: ParagraphStyle
    body: ParagraphStyle
    note: ParagraphStyle
    cell: ParagraphStyle
    cell_bold: ParagraphStyle
    cell_small: ParagraphStyle
    cell_muted: ParagraphStyle
    cell_header: ParagraphStyle
    cell_header_right: ParagraphStyle
    band_objective: ParagraphStyle
    band_theme: ParagraphStyle
    status_white: ParagraphStyle
    status_black: ParagraphStyle
    status_note_white: ParagraphStyle
    status_note_black: ParagraphStyle
    annex_objective: ParagraphStyle
    annex_action: ParagraphStyle
    comment: ParagraphStyle
    comment_last: ParagraphStyle


@cache
def styles() -> Styles:
    """Every paragraph style, built once per process and shared by every cell."""
    fonts = register_fonts()
    regular, bold, italic = fonts.regular, fonts.bold, fonts.italic

    def style(name: str, **kwargs: Any) -> ParagraphStyle:
        if "parent" in kwargs:  # the parent's values are the defaults
            return ParagraphStyle(name, **kwargs)
        defaults: dict[str, Any] = {
            "fontName": regular,
            "fontSize": 9,
            "leading": 11.5,
            "textColor": INK,
        }
        defaults.update(kwargs)
        return ParagraphStyle(name, **defaults)

    cell = style("cellule", fontSize=8, leading=10)
    # A status in words on its colour, white or black (whichever reads), and its note.
    status_white = style(
        "statut-blanc", parent=cell, fontName=bold, textColor=colors.white, alignment=TA_CENTER
    )
    status_note_white = style(
        "statut-note-blanc", parent=status_white, fontName=italic, fontSize=6.5, leading=8
    )
    return Styles(
        fonts=fonts,
        kicker=style("surtitre", fontName=bold, fontSize=10, leading=13, textColor=BLUE),
        title=style("titre", fontName=bold, fontSize=21, leading=26, spaceBefore=6, spaceAfter=10),
        subtitle=style("sous-titre", fontSize=13, leading=17, textColor=MUTED, spaceAfter=4),
        h1=style(
            "titre-1",
            fontName=bold,
            fontSize=15,
            leading=19,
            textColor=BLUE,
            spaceBefore=14,
            spaceAfter=8,
            keepWithNext=1,
        ),
        h2=style(
            "titre-2",
            fontName=bold,
            fontSize=11,
            leading=14,
            textColor=BLUE,
            spaceBefore=10,
            spaceAfter=5,
            keepWithNext=1,
        ),
        h3=style(
            "titre-3",
            fontName=bold,
            fontSize=9,
            leading=11.5,
            spaceBefore=8,
            spaceAfter=4,
            keepWithNext=1,
        ),
        body=style("texte", spaceAfter=5),
        note=style("note", fontSize=8, leading=10.5, textColor=MUTED, spaceAfter=4),
        cell=cell,
        cell_bold=style("cellule-gras", parent=cell, fontName=bold),
        cell_small=style("cellule-petite", parent=cell, fontSize=7, leading=8.8),
        cell_muted=style("cellule-discrete", parent=cell, fontSize=7, leading=8.8, textColor=MUTED),
        cell_header=style("entete", parent=cell, fontName=bold, textColor=colors.white),
        cell_header_right=style(
            "entete-droite", parent=cell, fontName=bold, textColor=colors.white, alignment=TA_RIGHT
        ),
        band_objective=style(
            "bande-objectif", parent=cell, fontName=bold, fontSize=9, leading=11.5
        ),
        band_theme=style("bande-thematique", parent=cell, fontName=bold, fontSize=7.5, leading=9.5),
        status_white=status_white,
        status_black=style("statut-noir", parent=status_white, textColor=colors.black),
        status_note_white=status_note_white,
        status_note_black=style(
            "statut-note-noir", parent=status_note_white, textColor=colors.black
        ),
        annex_objective=style(
            "annexe-objectif",
            fontName=bold,
            fontSize=10,
            leading=13,
            textColor=BLUE,
            spaceBefore=10,
            spaceAfter=3,
            keepWithNext=1,
        ),
        annex_action=style(
            "annexe-action",
            fontName=bold,
            fontSize=8.5,
            leading=11,
            spaceBefore=6,
            spaceAfter=2,
            keepWithNext=1,
        ),
        comment=style("commentaire", fontSize=8, leading=10.5, leftIndent=10),
        comment_last=style(
            "commentaire-fin", fontSize=8, leading=10.5, leftIndent=10, spaceAfter=4
        ),
    )
