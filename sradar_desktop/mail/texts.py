"""The French text of the messages SRADAR Desktop prepares: the questionnaire sent to a
service, the reminder to a late one, a service's answers sent back."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sradar_desktop.domain.dates import long_date
from sradar_desktop.domain.text import count

MAX_LISTED = 60  # actions listed in a reminder; the rest are counted
_ACTION_TEXT = 90


@dataclass(frozen=True)
class Context:
    """What a message says about the campaign and the service it is for."""

    plan: str  # the plan's title
    campaign: str  # the campaign's title
    period: str
    due: date | None
    code: str
    label: str
    return_address: str
    attachment: str  # the attached workbook's file name
    choices: str = "oui, partiellement, non, nc"  # the answers of the plan's scale

    @property
    def service(self) -> str:
        return (
            f"{self.label} ({self.code})" if self.label and self.label != self.code else self.code
        )

    @property
    def evaluation(self) -> str:
        period = (
            f" (période {self.period})" if self.period and self.period not in self.campaign else ""
        )
        return f"l'évaluation « {self.campaign} »{period} du plan « {self.plan} »"


def _how_to_answer(context: Context) -> list[str]:
    back = (
        f"Renvoyez le classeur rempli en pièce jointe à {context.return_address}, en répondant "
        "à ce message."
        if context.return_address
        else "Renvoyez le classeur rempli en pièce jointe, en répondant à ce message."
    )
    return [
        "Pour répondre :",
        "",
        "- avec SRADAR Desktop : importez le classeur joint (Fichier › Importer des classeurs, "
        "ou déposez-le sur la fenêtre), renseignez vos actions, puis Fichier › Exporter mes "
        "réponses et joignez le classeur exporté à votre réponse ;",
        "- sans l'application : ouvrez le classeur dans Excel ou LibreOffice ; dans la feuille "
        "« Questionnaire », choisissez la réponse de chaque action dans la colonne "
        f"« Réalisation » ({context.choices}) et précisez-la dans « Commentaire » ; "
        "renseignez la feuille « Indicateurs » s'il y en a ; enregistrez le classeur au format "
        ".xlsx, sans le renommer ni en supprimer de feuille.",
        "",
        back,
        "La feuille « Lisez-moi » du classeur rappelle tout cela.",
    ]


def invitation(context: Context, actions: int) -> tuple[str, str]:
    """The subject and text of the message that sends a service its blank workbook."""
    subject = f"{context.plan} — {context.campaign} : questionnaire de {context.code}"
    if context.due is not None:
        subject += f" à renvoyer avant le {context.due.strftime('%d/%m/%Y')}"
    lines = [
        "Bonjour,",
        "",
        f"Dans le cadre de {context.evaluation}, vous trouverez ci-joint le classeur "
        f"{context.attachment} de {context.service} : "
        f"{count(actions, 'action', 'actions')} à renseigner.",
        "",
        f"Merci de le renvoyer avant le {long_date(context.due)}."
        if context.due is not None
        else "Merci de le renvoyer dès que possible.",
        "",
        *_how_to_answer(context),
        "",
        "Cordialement,",
        "",
    ]
    return subject, "\n".join(lines)


@dataclass(frozen=True)
class Missing:
    """What a service still owes: actions without an answer, and carried answers awaiting its
    confirmation, each (code, text)."""

    unanswered: tuple[tuple[str, str], ...]
    to_confirm: tuple[tuple[str, str], ...]
    expected: int  # the actions expected of it

    @property
    def nothing(self) -> bool:
        """No answer at all: every expected action is unanswered."""
        return len(self.unanswered) == self.expected and not self.to_confirm

    def describe(self) -> str:
        """« aucune réponse », « 3 actions sans réponse, 2 à confirmer »."""
        if self.nothing:
            return "aucune réponse"
        parts = []
        if self.unanswered:
            parts.append(count(len(self.unanswered), "action sans réponse", "actions sans réponse"))
        if self.to_confirm:
            parts.append(count(len(self.to_confirm), "réponse à confirmer", "réponses à confirmer"))
        return ", ".join(parts)


def _listed(actions: Sequence[tuple[str, str]]) -> list[str]:
    lines = []
    for code, text in actions[:MAX_LISTED]:
        text = " ".join(text.split())
        if len(text) > _ACTION_TEXT:
            text = text[: _ACTION_TEXT - 1].rstrip() + "…"
        lines.append(f"- {code} : {text}")
    if len(actions) > MAX_LISTED:
        lines.append(f"- et {count(len(actions) - MAX_LISTED, 'autre action', 'autres actions')}.")
    return lines


def reminder(context: Context, missing: Missing) -> tuple[str, str]:
    """The subject and text of the reminder to a service that still owes answers."""
    subject = f"Relance — {context.plan} — {context.campaign} : réponses de {context.code}"
    due = f", attendues le {long_date(context.due)}" if context.due is not None else ""
    lines = ["Bonjour,", ""]
    if missing.nothing:
        lines += [
            f"Sauf erreur de notre part, nous n'avons reçu aucune réponse de {context.service} "
            f"à {context.evaluation}{due} : {count(missing.expected, 'action', 'actions')} "
            "à renseigner.",
        ]
    else:
        lines.append(
            f"Sauf erreur de notre part, il manque encore des réponses de {context.service} à "
            f"{context.evaluation}{due}."
        )
        if missing.unanswered:
            lines += [
                "",
                f"Sans réponse ({count(len(missing.unanswered), 'action', 'actions')} sur "
                f"{missing.expected}) :",
                *_listed(missing.unanswered),
            ]
        if missing.to_confirm:
            lines += [
                "",
                "Réponses reprises de l'évaluation précédente, à confirmer (recopiez-les si elles "
                "sont toujours justes, corrigez-les sinon) :",
                *_listed(missing.to_confirm),
            ]
        lines += [
            "",
            "Les réponses déjà reçues sont conservées : il suffit de renseigner les actions "
            "ci-dessus.",
        ]
    lines += [
        "",
        f"Un classeur vierge est joint ({context.attachment}).",
        "",
        *_how_to_answer(context),
        "",
        "Cordialement,",
        "",
    ]
    return subject, "\n".join(lines)


def answers(context: Context, completion: str) -> tuple[str, str]:
    """The subject and text of the message that sends a service's answers back."""
    subject = f"{context.plan} — {context.campaign} : réponses de {context.code}"
    lines = [
        "Bonjour,",
        "",
        f"Vous trouverez ci-joint les réponses de {context.service} à {context.evaluation} "
        f"({context.attachment} : {completion}).",
        "",
        "Cordialement,",
        "",
    ]
    return subject, "\n".join(lines)
