"""Build the sample PDF summaries shown in this folder, and their pages as PNG images.

    python docs/rapport-exemple/make_sample.py

Two campaigns, entered through the same services as the application, in a throwaway database
(the user's own data folder is never touched):

- the built-in SRADAR 2021-2023 (Pays de la Loire), answered by five DDETS, the DREETS, the ARS,
  the OFII and a préfecture. Each service starts from the status of the published evaluation
  (seed 000) and differs on some actions; the Vendée has not answered and the Mayenne only in
  part; three statuses are arbitrated by the secretariat;
- the built-in Hauts-de-France integration road map 2021, answered by the five DDETS and the
  DREETS, with the indicator table of its conclusion (projects financed, beneficiaries target
  and achieved, per département).

Pages are rendered with poppler's ``pdftoppm`` at 60 dpi when it is installed.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent.parent
SEED_000 = PROJECT / "tests" / "data" / "evaluation-sradar-2021-2023.txt"

PAYS_DE_LA_LOIRE = [
    ("DDETS-44", "DDETS de Loire-Atlantique", "pôle asile DDETS 44"),
    ("DDETS-49", "DDETS de Maine-et-Loire", "service hébergement DDETS 49"),
    ("DDETS-53", "DDETSPP de la Mayenne", "mission intégration DDETSPP 53"),
    ("DDETS-72", "DDETS de la Sarthe", "pôle cohésion sociale DDETS 72"),
    ("DDETS-85", "DDETS de la Vendée", ""),  # has not answered
    ("DREETS-PDL", "DREETS Pays de la Loire", "service asile-intégration DREETS"),
    ("ARS-PDL", "ARS Pays de la Loire", "direction de la santé publique ARS"),
    ("OFII-NANTES", "OFII, direction territoriale de Nantes", "direction territoriale OFII"),
    ("PREFECTURE-44", "Préfecture de la Loire-Atlantique", "bureau de l’asile"),
]

COMMENTS_PDL = {
    ("DDETS-44", "1.1.1"): "Capacités inscrites dans le DN@ pour les 1 212 places du "
    "département ; vérification trimestrielle avec l’OFII.",
    ("DDETS-72", "1.1.1"): "Inscription faite pour les CADA ; les places HUDA ouvertes en "
    "2023 ne sont pas encore toutes saisies.",
    ("DDETS-44", "1.2.2"): "Ouverture de 45 places HUDA et transformation du CAO de Rezé ; "
    "AAP CADA 2023 : 2 projets retenus sur 3 déposés.",
    ("DDETS-49", "1.2.2"): "Baux glissants : 12 logements captés ; travaux de mise aux "
    "normes PMR reportés à 2024.",
    ("DREETS-PDL", "1.4.1"): "Nuitées hôtelières ramenées à ≥ 90 % des places existantes "
    "(105 places maintenues) ; recours ponctuel l’été.",
    ("ARS-PDL", "2.3.4"): "Bilans de santé réalisés pour 61 % des primo-arrivants dans les "
    "4 mois ; objectif « 100 % » non atteint faute de créneaux en Sarthe et en Mayenne.",
    ("OFII-NANTES", "2.3.4"): "Rendez-vous santé OFII proposés systématiquement ; taux de "
    "présence < 70 % dans les structures diffuses.",
    ("DDETS-53", "3.3.1"): "Taux de transfert Dublin en hausse mais toujours inférieur à la "
    "moyenne nationale.\nPistes : assignations à résidence & accompagnement renforcé.",
    ("PREFECTURE-44", "3.3.1"): "Coordination hebdomadaire préfecture – GUDA – PRD depuis "
    "mars ; 38 transferts réalisés.",
    ("DREETS-PDL", "4.1.3"): "Site de la plateforme « Talents Migrants » en ligne ; "
    "fréquentation suivie chaque trimestre.",
    ("DDETS-72", "4.2.1"): "Un territoire d’intégration signé (Le Mans Métropole) ; "
    "discussions en cours avec la communauté de communes de Sablé.",
    ("DREETS-PDL", "5.1.1"): "Cours du soir ouverts à Nantes, Angers et Laval ; "
    "l’expérimentation en chantier d’insertion démarre avec deux OPCO.",
    ("DDETS-49", "6.3.2"): "Partenariat avec la politique de la ville limité aux quartiers "
    "d’Angers ; pas de convention formalisée.",
    ("DDETS-44", "8.2.2"): "Projet d’habitat intercalaire à Saint-Nazaire abandonné "
    "(bâtiment repris par la ville).",
    ("DDETS-49", "8.3.1"): "Mobilisation des résidences sociales : 20 logements ; parc "
    "communal peu disponible.",
}

ARBITRATIONS_PDL = [
    (
        "1.1.1",
        "oui",
        "Inscription vérifiée au comité régional du DN@ : les places manquantes en Sarthe "
        "ont été saisies depuis la réponse de la DDETS.",
    ),
    (
        "2.3.4",
        "partiellement",
        "Bilans engagés dans tous les départements, objectif de délai non tenu partout : "
        "le secrétariat retient « partiellement » plutôt que « non ».",
    ),
    (
        "8.2.2",
        "non",
        "Aucune expérimentation d’habitat intercalaire n’a abouti dans la région en 2023.",
    ),
]

CONTESTED_PDL = [
    ("DDETS-44", "1.1.1", "oui"),
    ("DDETS-72", "1.1.1", "non"),
    ("ARS-PDL", "2.3.4", "non"),
    ("OFII-NANTES", "2.3.4", "non"),
    ("DREETS-PDL", "2.3.4", "non"),
    ("DDETS-44", "8.2.2", "non"),
    ("DDETS-49", "8.2.2", "partiellement"),
]

HAUTS_DE_FRANCE = [
    # code, label, projects financed, beneficiaries target, beneficiaries achieved (seed 004)
    ("DDETS-59", "Nord", 32, 1174, 1316),
    ("DDETS-62", "Pas-de-Calais", 2, 30, 28),
    ("DDETS-60", "Oise", 16, 1358, 1024),
    ("DDETS-80", "Somme", 13, 273, 243),
    ("DDETS-02", "Aisne", 12, 232, 271),
]

COMMENTS_HDF = {
    "DDETS-59": "32 projets financés (actions 12 et 15 du BOP 104) ; le projet global de "
    "Roubaix porte à lui seul 410 bénéficiaires.",
    "DDETS-62": "Deux projets seulement : le sourcing des bénéficiaires reste la difficulté "
    "principale.",
    "DDETS-60": "Objectif de bénéficiaires atteint à 75 % : contexte sanitaire, ateliers "
    "collectifs suspendus au printemps.",
    "DDETS-02": "Plan départemental d’intégration de l’Aisne : 271 bénéficiaires pour 232 prévus.",
}


def _statuses(rng: random.Random, reference: str | None) -> str:
    if reference is not None and rng.random() < 0.88:
        return reference
    return rng.choices(["oui", "partiellement", "non", "nc"], weights=[5, 3, 2, 1])[0]


def build_pays_de_la_loire(db, answers_module, consolidation_module, plan, reference):
    from sradar_desktop.domain.consolidation import expected_actions

    services = consolidation_module
    campaign = "sradar-2021-2023:evaluation"
    services.set_roster(
        db, campaign, [services.RosterMember(code, label) for code, label, _ in PAYS_DE_LA_LOIRE]
    )
    services.set_due_date(db, campaign, date.today() + timedelta(days=7))
    rng = random.Random(2023)
    for code, _, actor in PAYS_DE_LA_LOIRE:
        if not actor:
            continue
        service = answers_module.AnswerService(db, campaign, code, actor)
        actions = expected_actions(plan, code)
        if code == "DDETS-53":
            actions = actions[: len(actions) * 2 // 3]
        for action in actions:
            service.set_status(action.code, _statuses(rng, reference.get(action.code)))
    for (code, action_code), text in COMMENTS_PDL.items():
        actor = next(a for c, _, a in PAYS_DE_LA_LOIRE if c == code)
        service = answers_module.AnswerService(db, campaign, code, actor)
        service.set_comment(action_code, text)
    # The arbitrated actions are the contested ones.
    for code, action_code, status in CONTESTED_PDL:
        actor = next(a for c, _, a in PAYS_DE_LA_LOIRE if c == code)
        answers_module.AnswerService(db, campaign, code, actor).set_status(action_code, status)
    for action_code, status, reason in ARBITRATIONS_PDL:
        services.set_arbitration(
            db, campaign, action_code, status, reason=reason, actor="SGAR Pays de la Loire"
        )
    result = services.load_consolidation(db, campaign_id=campaign)
    _check_arbitrations(result)
    return result


def _check_arbitrations(result) -> None:
    """An arbitration in the sample changes the status, or it shows nothing."""
    for action in result.actions:
        if action.arbitration is not None:
            assert action.arbitration.status != action.synthesis, action.action.code


def build_hauts_de_france(db, answers_module, consolidation_module, plan):
    from sradar_desktop.domain.consolidation import expected_actions

    services = consolidation_module
    campaign = "hdf-integration-2021:evaluation"
    roster = [services.RosterMember(code, label) for code, label, *_ in HAUTS_DE_FRANCE]
    roster.append(services.RosterMember("DREETS-HDF", "DREETS Hauts-de-France"))
    services.set_roster(db, campaign, roster)
    services.set_due_date(db, campaign, date.today() + timedelta(days=3))
    rng = random.Random(2021)
    # What happened, action by action; each service mostly agrees with it.
    reference = {
        action.code: rng.choices(["oui", "partiellement", "non", "nc"], weights=[6, 3, 2, 1])[0]
        for action in plan.actions()
    }
    reference["2.6.1"] = "oui"  # every département reports its projects as done
    for code, _label, projects, target, achieved in HAUTS_DE_FRANCE:
        service = answers_module.AnswerService(db, campaign, code, f"mission intégration {code}")
        for action in expected_actions(plan, code):
            status = reference[action.code]
            if action.code != "2.6.1":
                status = _statuses(rng, status)
            service.set_status(action.code, status)
        service.set_indicator("2.6.1", 0, achieved=str(projects))
        service.set_indicator("2.6.1", 1, target=str(target), achieved=str(achieved))
        if code in COMMENTS_HDF:
            service.set_comment("2.6.1", COMMENTS_HDF[code])
    dreets = answers_module.AnswerService(db, campaign, "DREETS-HDF", "pôle intégration DREETS")
    for action in expected_actions(plan, "DREETS-HDF")[:20]:
        status = reference[action.code]
        dreets.set_status(action.code, status if action.code == "2.6.1" else _statuses(rng, status))
    services.set_arbitration(
        db,
        campaign,
        "2.6.1",
        "partiellement",
        reason="Un projet global existe dans chaque département, mais le Pas-de-Calais n’en "
        "compte que deux, loin de l’objectif d’équité territoriale.",
        actor="SGAR Hauts-de-France",
    )
    result = services.load_consolidation(db, campaign_id=campaign)
    _check_arbitrations(result)
    return result


def render_pages(pdf: Path, prefix: str) -> list[Path]:
    if shutil.which("pdftoppm") is None:
        print("pdftoppm absent (poppler-utils) : pages PNG non produites", file=sys.stderr)
        return []
    for old in HERE.glob(f"{prefix}-page-*.png"):
        old.unlink()
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", str(pdf), str(HERE / f"{prefix}-page")], check=True
    )
    return sorted(HERE.glob(f"{prefix}-page-*.png"))


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="sradar-exemple-") as folder:
        os.environ["SRADAR_DATA_DIR"] = str(Path(folder) / "donnees")
        sys.path.insert(0, str(PROJECT))
        from sradar_desktop.reports.pdf import write_summary_pdf
        from sradar_desktop.services import answers, consolidation
        from sradar_desktop.services.imports import import_file
        from sradar_desktop.services.opening import open_database
        from sradar_desktop.services.questionnaires import load_plan

        db = open_database(Path(folder) / "exemple.sqlite3")
        try:
            published = import_file(db, SEED_000, respondent_code="SGAR-PDL")
            reference = {
                r.action.code: r.final
                for r in consolidation.load_consolidation(
                    db, questionnaire_id=published.questionnaire_id
                ).actions
            }
            reports = [
                (
                    "sradar-2021-2023",
                    build_pays_de_la_loire(
                        db, answers, consolidation, load_plan(db, "sradar-2021-2023"), reference
                    ),
                ),
                (
                    "hdf-integration-2021",
                    build_hauts_de_france(
                        db, answers, consolidation, load_plan(db, "hdf-integration-2021")
                    ),
                ),
            ]
        finally:
            db.close()
        for prefix, result in reports:
            pdf = HERE / f"synthese-{prefix}.pdf"
            started = time.perf_counter()
            write_summary_pdf(result, pdf)
            elapsed = time.perf_counter() - started
            pages = render_pages(pdf, prefix)
            print(
                f"{pdf.name} : {len(result.actions)} actions, {len(result.roster)} répondants, "
                f"{pdf.stat().st_size // 1024} Kio, généré en {elapsed:.2f} s ; "
                f"{len(pages)} pages PNG"
            )


if __name__ == "__main__":
    main()
