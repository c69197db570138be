"""A small consolidation for the tests of the consolidation view: the SRADAR plan answered by
three DDETS of Pays de la Loire (who disagree on two actions and comment some), the DREETS
answering without being expected, and the DDETS of Vendée expected but silent."""

from __future__ import annotations

from exchange_support import SRADAR, answer

from sradar_desktop.services.consolidation import RosterMember, set_roster
from sradar_desktop.services.questionnaires import default_campaign_id

CAMPAIGN = default_campaign_id(SRADAR)
LABELS = {
    "DDETS-44": "DDETS de la Loire-Atlantique",
    "DDETS-49": "DDETS de Maine-et-Loire",
    "DDETS-53": "DDETS de la Mayenne",
    "DDETS-85": "DDETS de la Vendée",
}
ANSWERS = {
    "DDETS-44": {
        "1.1.1": ("oui", "DN@ mis à jour chaque mois par les opérateurs."),
        "1.2.1": ("oui", ""),
        "1.2.2": ("partiellement", "Ouverture de 40 places CADA ; le CAES est reporté."),
        "1.4.1": ("non", "Nuitées hôtelières en hausse à l'automne."),
        "2.1.1": ("oui", ""),
    },
    "DDETS-49": {
        "1.1.1": ("oui", ""),
        "1.2.1": ("non", "Aucune place PMR créée en 2023."),
        "1.2.2": ("partiellement", ""),
        "1.4.1": ("non", ""),
        "2.1.1": ("nc", ""),
    },
    "DDETS-53": {
        "1.1.1": ("oui", ""),
        "1.2.1": ("nc", "Pas de demande remontée."),
        "1.4.1": ("oui", ""),
        "2.1.1": ("oui", "Signalements systématiques depuis mars."),
    },
    "DREETS-PDL": {"1.1.2": ("oui", "Didacticiel diffusé en juin.")},
}
DISAGREEMENTS = {"1.2.1", "1.4.1"}


def answer_scenario(db) -> str:
    """Enter the answers and the roster; returns the campaign id."""
    for respondent, answers in ANSWERS.items():
        answer(db, respondent, answers, actor=f"Agent {respondent}")
    set_roster(db, CAMPAIGN, [RosterMember(code, label) for code, label in LABELS.items()])
    return CAMPAIGN


# Ten services, as a region has: nine DDETS (one silent) and the DREETS, the longest code.
SERVICES = [
    "DDETS-22",
    "DDETS-29",
    "DDETS-35",
    "DDETS-44",
    "DDETS-49",
    "DDETS-53",
    "DDETS-56",
    "DDETS-72",
    "DDETS-85",
    "DREETS-PDL",
]
SILENT_SERVICE = "DDETS-56"
ACTIONS_OF_TEN = ["1.1.1", "1.1.2", "1.2.1", "1.2.2", "1.4.1", "2.1.1", "3.1.1"]
_STATUSES = ["oui", "partiellement", "non", "nc"]


def ten_services_scenario(db) -> str:
    """Nine of the ten services answer seven actions (every one « partiellement » somewhere:
    the longest word of the scale), with comments; all ten are expected. Returns the campaign."""
    for i, code in enumerate(SERVICES):
        if code == SILENT_SERVICE:
            continue
        answers = {
            action: (
                _STATUSES[(i + j) % 4],
                "Un commentaire sur l'action." if (i + j) % 3 == 0 else "",
            )
            for j, action in enumerate(ACTIONS_OF_TEN)
        }
        answer(db, code, answers, actor=f"Agent {code}")
    set_roster(db, CAMPAIGN, [RosterMember(code) for code in SERVICES])
    return CAMPAIGN
