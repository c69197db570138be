"""The PDF summary: complete, consistent with the consolidation, readable by every tool.

Each PDF is rendered for real and read back: text with pypdf (always installed with the test
extras), fonts and pages with poppler's ``pdffonts`` / ``pdftotext`` / ``pdftoppm`` when they
are installed (otherwise those checks are skipped, with the reason).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pypdf
import pytest

from sradar_desktop.domain.consolidation import (
    SYNTHESIS_RULE,
    Arbitration,
    Consolidation,
    RespondentAnswer,
    consolidate,
)
from sradar_desktop.domain.plan import Action, Indicator, Objective, Plan, Theme
from sradar_desktop.errors import UserError
from sradar_desktop.reports.pdf import write_summary_pdf

PROJECT_DIR = Path(__file__).resolve().parent.parent
SEED_000 = PROJECT_DIR / "tests" / "data" / "evaluation-sradar-2021-2023.txt"

# Seed 000: final statuses per objective (oui, partiellement, non, nc).
SEED_OBJECTIVES = {
    "1": (9, 1, 2, 1),
    "2": (9, 0, 2, 3),
    "3": (8, 1, 1, 0),
    "4": (2, 2, 4, 0),
    "5": (2, 2, 0, 0),
    "6": (3, 2, 2, 0),
    "7": (4, 0, 0, 2),
    "8": (4, 2, 2, 1),
}
LABELS = {"oui": "Oui", "partiellement": "Partiellement", "non": "Non", "nc": "NC"}


def normalise(text: str) -> str:
    """Every run of spaces (line breaks, no-break spaces included) as one space."""
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def page_texts(path: Path) -> list[str]:
    return [normalise(page.extract_text()) for page in pypdf.PdfReader(path).pages]


def poppler(tool: str) -> str:
    found = shutil.which(tool)
    if found is None:
        pytest.skip(f"{tool} (poppler-utils) n'est pas installé")
    return found


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Consolidation, Path]]:
    """Seed 000 imported as it was published (one respondent), and its summary."""
    from sradar_desktop.services.consolidation import load_consolidation
    from sradar_desktop.services.imports import import_file
    from sradar_desktop.services.opening import open_database

    folder = tmp_path_factory.mktemp("seed-000")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SRADAR_DATA_DIR", str(folder / "donnees"))
        db = open_database(folder / "base.sqlite3")
        try:
            imported = import_file(db, SEED_000, respondent_code="SGAR-PDL")
            result = load_consolidation(db, questionnaire_id=imported.questionnaire_id)
        finally:
            db.close()
        path = folder / "synthese.pdf"
        write_summary_pdf(result, path, region="Pays de la Loire")
    yield result, path


def test_seed_overall_and_objective_counts(seed: tuple[Consolidation, Path]) -> None:
    result, path = seed
    text = " ".join(page_texts(path))
    assert (
        "71 actions évaluées ; statut retenu : Oui 41 (57,7 %) · Partiellement 10 (14,1 %) · "
        "Non 13 (18,3 %) · NC 7 (9,9 %)." in text
    )
    assert "Complétude : actions au statut connu (autre que « NC ») 64 90,1 %" in text
    titles = {objective.code: normalise(objective.title) for objective in result.plan.objectives}
    assert set(titles) == set(SEED_OBJECTIVES)
    for code, (oui, partiel, non, nc) in SEED_OBJECTIVES.items():
        total = oui + partiel + non + nc
        # The band above the objective's table of actions...
        assert (
            f"Objectif {code} — {titles[code]} {total} actions : Oui {oui} · "
            f"Partiellement {partiel} · Non {non} · NC {nc}"
        ) in text
        # ...and its row in the synthesis, with the shares.
        shares = r" \([\d,]+ %\) · ".join(
            [f"Oui {oui}", f"Partiellement {partiel}", f"Non {non}", f"NC {nc}"]
        )
        assert re.search(re.escape(f"{code}. {titles[code]} ") + shares, text), code


def test_seed_every_action_with_its_status(seed: tuple[Consolidation, Path]) -> None:
    result, path = seed
    text = " ".join(page_texts(path))
    counted = {"oui": 0, "partiellement": 0, "non": 0, "nc": 0}
    assert len(result.actions) == 71
    for action in result.actions:
        label = LABELS[action.final]
        # Code, text, final status, then the distribution of the one respondent.
        row = f"{action.action.code} {normalise(action.action.text)} {label} {label} 1"
        assert row in text, action.action.code
        counted[action.final] += 1
    assert counted == {"oui": 41, "partiellement": 10, "non": 13, "nc": 7}
    # The HTML list of action 5.1.1 was turned into ◦ lines; nothing of it is lost.
    assert "en : ◦ informant les acteurs" in text
    assert normalise(SYNTHESIS_RULE) in text


def test_seed_pages_numbered_and_tables_repeat_their_header(
    seed: tuple[Consolidation, Path],
) -> None:
    _, path = seed
    pages = page_texts(path)
    total = len(pages)
    assert total > 3
    for number, text in enumerate(pages, start=1):
        assert f"page {number} / {total}" in text, number
    first = next(
        i for i, t in enumerate(pages) if "2. Actions par objectif et thématique Pour" in t
    )
    last = next(i for i, t in enumerate(pages) if "3. Indicateurs Ce plan" in t)
    assert last > first
    for text in pages[first : last + 1]:
        assert "Code Action Statut retenu Réponses" in text


def test_seed_metadata(seed: tuple[Consolidation, Path]) -> None:
    result, path = seed
    meta = pypdf.PdfReader(path).metadata
    assert meta is not None
    assert meta.author == "SRADAR Desktop"
    assert meta.title.startswith("Synthèse de l'évaluation — ")
    assert result.plan.title in meta.subject
    assert "Pays de la Loire" in meta.subject
    assert meta.creator.startswith("SRADAR Desktop ")
    # The outline (bookmarks) leads to every part and every objective.
    reader = pypdf.PdfReader(path)
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    assert titles == [
        "Page de titre",
        "1. Synthèse",
        "2. Actions par objectif et thématique",
        "3. Indicateurs",
        "4. Répondants",
        "Annexe — Commentaires des répondants",
    ]
    objectives = next(item for item in reader.outline if isinstance(item, list))
    assert len(objectives) == len(result.plan.objectives)


def test_fonts_are_embedded(seed: tuple[Consolidation, Path]) -> None:
    _, path = seed
    reader = pypdf.PdfReader(path)
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts[font["/BaseFont"]] = font
    assert fonts
    for name, font in fonts.items():
        descriptor = font.get("/FontDescriptor")
        assert descriptor is not None, name
        assert "/FontFile2" in descriptor.get_object(), name


def test_pdffonts_shows_every_font_embedded(seed: tuple[Consolidation, Path]) -> None:
    _, path = seed
    output = subprocess.run(
        [poppler("pdffonts"), str(path)], capture_output=True, text=True, check=True
    ).stdout
    rows = output.splitlines()[2:]
    assert rows
    for row in rows:
        columns = row.split()
        # name, type (two words for "Type 1"/"CID TrueType"...), encoding, emb, sub, uni, id
        assert columns[-5] == "yes", row
        assert "DejaVuSans" in columns[0], row


def test_pages_render(seed: tuple[Consolidation, Path], tmp_path: Path) -> None:
    _, path = seed
    completed = subprocess.run(
        [poppler("pdftoppm"), "-r", "20", "-png", str(path), str(tmp_path / "page")],
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 0, completed.stderr
    assert not completed.stderr.strip()
    assert len(list(tmp_path.glob("page-*.png"))) == len(pypdf.PdfReader(path).pages)


# The closing table of seed 004: projects financed and beneficiaries per département.
HAUTS_DE_FRANCE = [
    ("DDETS-59", "Nord", "32", "1174", "1316"),
    ("DDETS-62", "Pas-de-Calais", "2", "30", "28"),
    ("DDETS-60", "Oise", "16", "1358", "1024"),
    ("DDETS-80", "Somme", "13", "273", "243"),
    ("DDETS-02", "Aisne", "12", "232", "271"),
]


def test_indicator_table_of_seed_004(tmp_path: Path) -> None:
    from sradar_desktop.services.answers import AnswerService
    from sradar_desktop.services.consolidation import (
        RosterMember,
        load_consolidation,
        set_roster,
    )
    from sradar_desktop.services.opening import open_database

    db = open_database(tmp_path / "base.sqlite3")
    campaign = "hdf-integration-2021:evaluation"
    set_roster(db, campaign, [RosterMember(code, label) for code, label, *_ in HAUTS_DE_FRANCE])
    for code, _, projects, target, achieved in HAUTS_DE_FRANCE:
        service = AnswerService(db, campaign, code, "Agent")
        service.set_status("2.6.1", "oui")
        service.set_indicator("2.6.1", 0, achieved=projects)
        service.set_indicator("2.6.1", 1, target=target, achieved=achieved)
    result = load_consolidation(db, campaign_id=campaign)
    db.close()
    path = tmp_path / "hdf.pdf"
    write_summary_pdf(result, path)
    text = " ".join(page_texts(path))
    # Ratios are computed: the seed prints 93,30 % for the Pas-de-Calais and 114,35 % for the
    # Aisne, and a target total of 3 070 (93,88 %), where its own figures give 93,33 %,
    # 116,81 % and 3 067 (93,97 %).
    for row in (
        "Nord (DDETS-59) 32 1 174 1 316 112,10 %",
        "Pas-de-Calais (DDETS-62) 2 30 28 93,33 %",
        "Oise (DDETS-60) 16 1 358 1 024 75,41 %",
        "Somme (DDETS-80) 13 273 243 89,01 %",
        "Aisne (DDETS-02) 12 232 271 116,81 %",
        "Total Hauts-de-France 75 3 067 2 882 93,97 %",
    ):
        assert row in text, row
    assert "Nombre de projets financés Nombre total de bénéficiaires" in text
    assert "Valeur réalisée Valeur cible Valeur réalisée Ratio réalisé / cible" in text


# --- A small plan written for the awkward cases -------------------------------------------

AWKWARD_TEXT = (
    "Réduire d’au moins 10\u00a0% les délais & suivre les « cœurs de cible » ≥ 3 — "
    "<b>sans</b> balise\n◦ première puce\n◦ seconde puce"
)
AWKWARD_COMMENT = "R&D <script>alert(1)</script> : 1\u202f234 places ; œuvre « en cours »"


def small_plan() -> Plan:
    actions = (
        Action("1.1.1", AWKWARD_TEXT, ("DDETS",)),
        Action(
            "1.1.2",
            "Compter les places",
            ("DDETS",),
            (Indicator("Places créées", "places"), Indicator("Taux d'occupation", "%")),
        ),
        Action("1.1.3", "Action arbitrée", ("DDETS",)),
    )
    return Plan(
        id="petit-plan",
        title="Petit plan d’essai",
        short_title="Petit plan",
        period="2024",
        region="Bretagne",
        objectives=(Objective("1", "Objectif unique", (Theme("1.1", "Thème", actions),)),),
    )


def small_consolidation(*, reason: str = "Constaté en comité.", due: date | None = None):
    plan = small_plan()
    # Moments at 11:00 UTC fall on the same day in every French time zone (UTC-10 to UTC+12).
    at = datetime(2024, 11, 5, 11, 0, tzinfo=UTC)

    labels = {"DDETS-35": "Ille-et-Vilaine", "DDETS-29": "Finistère"}

    def answer(code: str, status: str | None, comment: str = "") -> RespondentAnswer:
        return RespondentAnswer(code, labels[code], status, comment, at, "Agent")

    answers = [
        ("DDETS-35", "1.1.1", answer("DDETS-35", "oui", AWKWARD_COMMENT)),
        ("DDETS-29", "1.1.1", answer("DDETS-29", "non", "Rien <à> signaler")),
        ("DDETS-35", "1.1.2", answer("DDETS-35", "oui")),
        ("DDETS-35", "1.1.3", answer("DDETS-35", "partiellement")),
        ("DDETS-29", "1.1.3", answer("DDETS-29", "oui")),
    ]
    values = [
        ("DDETS-35", "1.1.2", 0, Decimal("12"), Decimal("15")),
        ("DDETS-29", "1.1.2", 0, None, Decimal("4")),  # no target: unknown ratio
        ("DDETS-35", "1.1.2", 1, Decimal("80"), Decimal("85.5")),
    ]
    return consolidate(
        plan,
        campaign_id="petit-plan:evaluation",
        campaign_title="Évaluation 2024",
        due_date=due,
        generated_at=datetime(2024, 11, 23, 11, 0, tzinfo=UTC),
        answers=answers,
        indicator_values=values,
        labels=labels,
        expected=["DDETS-35", "DDETS-29", "DDETS-56"],
        arbitrations={"1.1.3": Arbitration("non", reason, "SGAR Bretagne", at)},
        last_imports={"DDETS-35": at},
    )


def test_user_text_is_shown_as_typed(tmp_path: Path) -> None:
    path = tmp_path / "petit.pdf"
    write_summary_pdf(small_consolidation(), path)
    text = " ".join(page_texts(path))
    assert normalise(AWKWARD_TEXT) in text
    assert normalise(AWKWARD_COMMENT) in text
    assert "Rien <à> signaler" in text
    # Comments name their author and the status that author gave.
    assert "Ille-et-Vilaine (DDETS-35) · statut « Oui » · Agent, le " in text
    assert "Finistère (DDETS-29) · statut « Non »" in text
    # A mixed distribution names who said what.
    assert "Oui 1 (DDETS-35) · Non 1 (DDETS-29)" in text
    assert "23 novembre 2024" in text


def test_characters_of_the_plans_have_glyphs(tmp_path: Path) -> None:
    """Every character of the plans is drawn with a glyph of the embedded font."""
    from reportlab.pdfbase.pdfmetrics import getFont

    from sradar_desktop.reports.fonts import register_fonts

    fonts = register_fonts()
    for name in (fonts.regular, fonts.bold, fonts.italic):
        glyphs = getFont(name).face.charToGlyph
        for character in "œŒ’«»◦≥—–…éèêàçÉÈÀ€\u00a0\u202f":
            assert ord(character) in glyphs, (name, character)


def test_arbitration_indicators_and_roster(tmp_path: Path) -> None:
    path = tmp_path / "petit.pdf"
    yesterday = date.today() - timedelta(days=1)
    write_summary_pdf(small_consolidation(due=yesterday), path, region="Région Bretagne")
    text = " ".join(page_texts(path))
    assert (
        "Arbitrage : « Non » retenu (synthèse des réponses : « Partiellement ») — "
        "Constaté en comité. (SGAR Bretagne, le " in text
    )
    assert "Non arbitré" in text
    # Indicators side by side; a row without target has an unknown ratio.
    assert "Ille-et-Vilaine (DDETS-35) 12 15 125,00 % 80 85,5 106,88 %" in text
    assert "Finistère (DDETS-29) — 4 — — — —" in text
    assert "Total Région Bretagne 12 19 158,33 % 80 85,5 106,88 %" in text
    # Who answered, who is missing, who is late.
    assert "DDETS-56 oui 0 / 3 manquant en retard — —" in text
    assert "Finistère (DDETS-29) oui 2 / 3 partiel en retard" in text
    assert "manquants : DDETS-56" in text


def test_a_text_longer_than_a_page_is_kept_whole(tmp_path: Path) -> None:
    words = " ".join(f"mot{i}" for i in range(2500))
    path = tmp_path / "long.pdf"
    write_summary_pdf(small_consolidation(reason=words), path)
    text = " ".join(page_texts(path))
    assert "mot0 mot1" in text
    assert "mot2499" in text


def test_missing_folder_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="n'existe pas"):
        write_summary_pdf(small_consolidation(), tmp_path / "absent" / "synthese.pdf")
    assert not (tmp_path / "absent").exists()


def test_failed_write_leaves_the_previous_file(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "synthese.pdf"
    path.write_bytes(b"ancienne version")

    def refuse(*_args, **_kwargs):
        raise PermissionError(13, "refusé")

    monkeypatch.setattr("sradar_desktop.saving.os.replace", refuse)
    with pytest.raises(UserError, match="ouvert dans un lecteur PDF"):
        write_summary_pdf(small_consolidation(), path)
    assert path.read_bytes() == b"ancienne version"
    assert [p.name for p in tmp_path.iterdir()] == ["synthese.pdf"]


def test_a_campaign_without_any_answer(tmp_path: Path) -> None:
    """Printed before the first file arrives: every action « NC », nobody listed yet."""
    plan = small_plan()
    empty = consolidate(
        plan,
        campaign_id="petit-plan:evaluation",
        campaign_title="Évaluation 2024",
        due_date=None,
        generated_at=datetime(2024, 11, 1, 11, 0, tzinfo=UTC),
        answers=[],
        indicator_values=[],
        labels={},
        expected=[],
        arbitrations={},
        last_imports={},
    )
    path = tmp_path / "vide.pdf"
    write_summary_pdf(empty, path)
    text = " ".join(page_texts(path))
    assert "3 actions évaluées ; statut retenu : Oui 0 (0,0 %) · Partiellement 0 (0,0 %)" in text
    assert "Aucun répondant : aucune réponse n'a été saisie ni importée." in text
    assert "Aucune valeur d'indicateur n'a été saisie." in text
    assert "Aucun commentaire n'a été saisi." in text
    assert "1er novembre 2024" in text


def test_a_long_author_line_wraps(tmp_path: Path) -> None:
    label = "Direction départementale de l'emploi, du travail et des solidarités " * 3
    result = small_consolidation()
    answers = tuple(a._replace(label=label.strip()) for a in result.actions[0].answers)
    actions = (replace(result.actions[0], answers=answers), *result.actions[1:])
    path = tmp_path / "auteur.pdf"
    write_summary_pdf(replace(result, actions=actions), path)
    text = " ".join(page_texts(path))
    assert f"{normalise(label)} (DDETS-35) · statut « Oui » · Agent, le 05/11/2024" in text
    assert normalise(AWKWARD_COMMENT) in text


def test_seed_overall_bar_names_every_segment(seed: tuple[Consolidation, Path]) -> None:
    """The overall bar says each status in words with its count (never the colour alone): the
    rounded shares are the bar's own (the sentence and the table give one decimal)."""
    result, path = seed
    text = " ".join(page_texts(path))
    overall = result.overall
    bar = text[text.index("Complétude : actions au statut connu") :]
    bar = bar[: bar.index("Répartition des statuts retenus sur l'ensemble du plan")]
    for code, label in LABELS.items():
        assert f"{label} {overall.counts[code]}" in bar, (label, bar)
    # Inside the wide segments with their share; « Partiellement 10 » under the bar.
    assert "Oui 41 (58 %)" in bar
    assert "Partiellement 10 (14 %)" in bar


def _bar_text(tmp_path: Path, segments, width: float = 300) -> str:
    from reportlab.graphics import renderPDF

    from sradar_desktop.reports.charts import stacked_bar
    from sradar_desktop.reports.fonts import register_fonts

    fonts = register_fonts()
    path = tmp_path / "barre.pdf"
    renderPDF.drawToFile(
        stacked_bar(segments, width, 18, font=fonts.bold, font_size=7.5, percent_of=100), str(path)
    )
    return page_texts(path)[0]


def test_a_small_segment_keeps_its_word_under_the_bar(tmp_path: Path) -> None:
    from sradar_desktop.reports.charts import Segment

    segments = [
        Segment(94, "#2e7d32", "Oui"),
        Segment(1, "#e65100", "Partiellement"),
        Segment(2, "#c62828", "Non"),
        Segment(3, "#616161", "NC"),
    ]
    text = _bar_text(tmp_path, segments)
    # Oui inside its segment; the three narrow ones on the caption line, each with its word.
    for label, n in (("Oui", 94), ("Partiellement", 1), ("Non", 2), ("NC", 3)):
        assert f"{label} {n}" in text, (label, text)
    # Even in a narrow bar, no segment is left with its colour alone.
    narrow = _bar_text(tmp_path, segments, width=120)
    for label, n in (("Partiellement", 1), ("Non", 2), ("NC", 3)):
        assert f"{label} {n}" in narrow or re.search(rf"\b{n}\b", narrow), (label, narrow)
