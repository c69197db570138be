"""The ``sradar-desktop`` program: the window with no sub-command, batch work with one.

Exit status 0 on success; otherwise one French line per problem on standard error, never a
traceback (bugs go to the log file with theirs).
"""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import re
import sys
from collections.abc import Sequence, Set
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from sradar_desktop import APP_NAME, __version__
from sradar_desktop.errors import UserError
from sradar_desktop.failures import describe_failure
from sradar_desktop.logs import setup_logging

if TYPE_CHECKING:
    from sradar_desktop.services.server_wait import Waiting

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_USER_ERROR = 1
EXIT_USAGE = 2
EXIT_BUG = 70
EXIT_BROKEN_PIPE = 141  # as a shell reports a program ended by SIGPIPE
# Identifiers are 32-bit integers in the database (PostgreSQL refuses larger ones).
_LARGEST_ID = 2**31 - 1

# Every message of argparse, as its gettext calls name them, in French: those of the Python
# versions SRADAR Desktop runs on, developer errors included (a test checks that none is missing).
_ARGPARSE_FR = {
    "usage: ": "utilisation : ",
    "%(heading)s:": "%(heading)s :",
    "positional arguments": "arguments",
    "options": "options",
    "subcommands": "commandes",
    "show this help message and exit": "affiche cette aide et quitte",
    "show program's version number and exit": "affiche la version du programme et quitte",
    " (default: %(default)s)": " (par défaut : %(default)s)",
    "%(prog)s: error: %(message)s\n": "%(prog)s : erreur : %(message)s\n",
    "%(prog)s: warning: %(message)s\n": "%(prog)s : avertissement : %(message)s\n",
    "argument %(argument_name)s: %(message)s": "argument %(argument_name)s : %(message)s",
    "the following arguments are required: %s": "arguments obligatoires manquants : %s",
    "one of the arguments %s is required": "l'un des arguments %s est obligatoire",
    "unrecognized arguments: %s": "arguments non reconnus : %s",
    "ambiguous option: %(option)s could match %(matches)s": (
        "option ambiguë : %(option)s peut désigner %(matches)s"
    ),
    "unexpected option string: %s": "option inattendue : %s",
    "ignored explicit argument %r": "valeur %r refusée : cette option n'en prend pas",
    "not allowed with argument %s": "incompatible avec l'argument %s",
    "expected one argument": "une valeur est attendue",
    "expected at most one argument": "une valeur au plus est attendue",
    "expected at least one argument": "au moins une valeur est attendue",
    "invalid choice: %(value)r (choose from %(choices)s)": (
        "choix invalide : %(value)r (choisir parmi %(choices)s)"
    ),
    "invalid choice: %(value)r, maybe you meant %(closest)r? (choose from %(choices)s)": (
        "choix invalide : %(value)r ; vouliez-vous dire %(closest)r ? (choisir parmi %(choices)s)"
    ),
    "invalid %(type)s value: %(value)r": "valeur invalide pour le type %(type)s : %(value)r",
    "unknown parser %(parser_name)r (choices: %(choices)s)": (
        "commande inconnue %(parser_name)r (choisir parmi %(choices)s)"
    ),
    "can't open '%(filename)s': %(error)s": "impossible d'ouvrir « %(filename)s » : %(error)s",
    "option '%(option)s' is deprecated": "l'option « %(option)s » est obsolète",
    "argument '%(argument_name)s' is deprecated": ("l'argument « %(argument_name)s » est obsolète"),
    "command '%(parser_name)s' is deprecated": "la commande « %(parser_name)s » est obsolète",
    # Errors in the definition of the parser (a defect of the program, not of the user).
    ".__call__() not defined": ".__call__() n'est pas défini",
    "'required' is an invalid argument for positionals": (
        "« required » n'est pas permis pour un argument positionnel"
    ),
    "mutually exclusive arguments must be optional": (
        "des arguments mutuellement exclusifs doivent être facultatifs"
    ),
    "%r is not callable": "%r n'est pas une fonction",
    "cannot merge actions - two groups are named %r": (
        "impossible de réunir les arguments : deux groupes s'appellent %r"
    ),
    "invalid option string %(option)r: must start with a character %(prefix_chars)r": (
        "option %(option)r invalide : elle doit commencer par l'un des caractères %(prefix_chars)r"
    ),
    "dest= is required for options like %r": "dest= est obligatoire pour une option comme %r",
    "invalid conflict_resolution value: %r": "valeur de conflict_resolution invalide : %r",
    "cannot have multiple subparser arguments": "un seul groupe de commandes est permis",
    "conflicting subparser: %s": "commande en double : %s",
    "conflicting subparser alias: %s": "alias de commande en double : %s",
    'argument "-" with mode %r': "argument « - » avec le mode %r",
}
_ARGPARSE_FR_PLURAL = {
    ("expected %s argument", "expected %s arguments"): (
        "%s valeur attendue",
        "%s valeurs attendues",
    ),
    ("conflicting option string: %s", "conflicting option strings: %s"): (
        "option en conflit : %s",
        "options en conflit : %s",
    ),
}


def _french_argparse() -> None:
    """argparse writes its help and errors through gettext: they are given in French here."""
    original, original_plural = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    if getattr(original, "_sradar", False):
        return

    def gettext(message: str) -> str:
        return _ARGPARSE_FR.get(message) or original(message)

    def ngettext(singular: str, plural: str, n: int) -> str:
        french = _ARGPARSE_FR_PLURAL.get((singular, plural))
        if french is None:
            return original_plural(singular, plural, n)
        return french[0] if n <= 1 else french[1]  # French: 0 and 1 are singular

    gettext._sradar = True  # type: ignore[attr-defined]
    argparse._ = gettext  # type: ignore[attr-defined]
    argparse.ngettext = ngettext  # type: ignore[attr-defined]


def _import_number(text: str) -> int:
    """The number of an import, as ``sradar-desktop undo-import`` takes it."""
    try:
        number = int(text)
    except ValueError:
        number = 0
    if not 1 <= number <= _LARGEST_ID:
        raise argparse.ArgumentTypeError(
            f"« {text} » n'est pas un numéro d'import : donnez un nombre entier positif, ou "
            "rien pour annuler le dernier import"
        )
    return number


_ACTOR_HELP = (
    "nom de la personne qui agit, pour le journal des modifications (par défaut : le compte "
    "qui lance la commande)"
)


def _account_name() -> str:
    """The system account running the command: who acted, when ``--as`` does not say."""
    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):  # no user name in the environment or database
        return ""


def _questionnaire_options(parser: argparse.ArgumentParser, *, required: bool) -> None:
    parser.add_argument(
        "--questionnaire",
        metavar="ID",
        required=required,
        help="identifiant du questionnaire (voir « sradar-desktop questionnaires »)",
    )
    parser.add_argument("--campaign", metavar="ID", help="identifiant de la campagne")


# A heading of the help (« options: »), whichever Python wrote it: French puts a space before
# the colon. Older Pythons write headings without gettext.
_HELP_HEADING = re.compile(r"^(\S[^\n]*\S):$", re.MULTILINE)


class _Parser(argparse.ArgumentParser):
    def format_help(self) -> str:
        return _HELP_HEADING.sub(r"\1 :", super().format_help())

    def error(self, message: str) -> NoReturn:
        """One French line, and where to find help (argparse prints the whole usage)."""
        self.exit(
            EXIT_USAGE,
            f"sradar-desktop : {message}. « {self.prog} --help » donne l'aide.\n",
        )


def _parser() -> argparse.ArgumentParser:
    _french_argparse()
    common = _Parser(add_help=False)
    common.add_argument(
        "--db",
        metavar="BASE",
        default=argparse.SUPPRESS,
        help="base de données à utiliser : chemin d'un fichier SQLite ou adresse "
        "(postgresql://utilisateur@serveur/base). Par défaut : la base de l'utilisateur.",
    )
    parser = _Parser(
        prog="sradar-desktop",
        description=f"{APP_NAME} : saisie hors ligne et consolidation de l'évaluation des plans "
        "régionaux d'accueil et d'intégration. Sans commande, ouvre la fenêtre de saisie.",
        parents=[common],
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"{APP_NAME} {__version__}",
        help="affiche la version du programme et quitte",
    )
    parser.add_argument(
        "--exit-after-start",
        action="store_true",
        help="ouvre la fenêtre puis quitte dès qu'elle affiche le plan (vérification, mesure)",
    )
    commands = parser.add_subparsers(
        dest="command", metavar="COMMANDE", title="commandes", parser_class=_Parser
    )

    commands.add_parser(
        "questionnaires",
        parents=[common],
        help="liste les questionnaires disponibles (identifiant, titre, nombres d'objectifs, "
        "de thématiques et d'actions)",
        description="Liste les questionnaires de la base, un par ligne, en commençant par son "
        "identifiant.",
    )

    campaigns = commands.add_parser(
        "campaigns",
        parents=[common],
        help="liste les campagnes d'évaluation (identifiant, titre, période, échéance, "
        "répondants), la campagne en cours marquée",
        description="Liste les campagnes, une par ligne, en commençant par son identifiant ; "
        "la plus récente de chaque questionnaire est marquée « (en cours) ».",
    )
    campaigns.add_argument(
        "--questionnaire", metavar="ID", help="seulement les campagnes de ce questionnaire"
    )

    new_campaign = commands.add_parser(
        "new-campaign",
        parents=[common],
        help="crée la campagne suivante à partir d'une campagne (services attendus et "
        "réponses reprises, à confirmer)",
        description="Crée une nouvelle campagne du même questionnaire : la liste des services "
        "attendus est copiée, et chaque réponse de la campagne d'origine est reprise, marquée "
        "« à confirmer » jusqu'à ce que son service la confirme ou la modifie.",
    )
    new_campaign.add_argument(
        "--from",
        dest="previous",
        metavar="CAMPAGNE",
        required=True,
        help="identifiant de la campagne d'origine (voir « sradar-desktop campaigns »)",
    )
    new_campaign.add_argument(
        "--title", required=True, metavar="TITRE", help="par exemple « Évaluation 2022 »"
    )
    new_campaign.add_argument("--due", metavar="JJ/MM/AAAA", help="date limite de réponse")
    new_campaign.add_argument("--period", metavar="PÉRIODE", default="", help="par exemple 2022")
    new_campaign.add_argument("--as", dest="actor", metavar="NOM", default="", help=_ACTOR_HELP)

    importer = commands.add_parser(
        "import",
        parents=[common],
        help="importe des classeurs d'échange ou des plans d'action (.xlsx, .xlsm, .xls, "
        ".ods, .csv, .txt), ou les classeurs joints à des messages enregistrés (.eml, .msg)",
        description="Importe chaque fichier dans la base et fusionne ses réponses (la "
        "modification la plus récente l'emporte). Formats acceptés : classeurs Excel (.xlsx, "
        ".xlsm, .xls) et LibreOffice (.ods), tableaux .csv et .txt, et messages enregistrés "
        "(.eml, .msg d'Outlook) dont chaque classeur joint est importé, avec l'expéditeur, la "
        "date et l'objet du message. Un fichier refusé ne change rien et n'empêche pas l'import "
        "des autres.",
    )
    importer.add_argument(
        "files",
        nargs="+",
        metavar="FICHIER",
        type=Path,
        help="les fichiers à importer (.xlsx, .xlsm, .xls, .ods, .csv, .txt, .eml, .msg) ; "
        "un dossier donne ses fichiers de ces types, un nom avec * ou ? les fichiers qui lui "
        "correspondent (« Réponses\\*.xlsx »)",
    )
    importer.add_argument(
        "--respondent",
        metavar="CODE",
        help="pour un plan d'action en tableau : code du répondant auquel attribuer sa colonne "
        "« Réalisation » (par défaut : d'après le nom du fichier)",
    )
    importer.add_argument(
        "--campaign",
        metavar="ID",
        help="pour les messages : la campagne à laquelle leurs classeurs doivent répondre (par "
        "défaut, la campagne en cours de leur questionnaire)",
    )
    importer.add_argument("--as", dest="actor", metavar="NOM", default="", help=_ACTOR_HELP)

    exporter = commands.add_parser(
        "export",
        parents=[common],
        help="exporte les réponses : classeur d'un répondant, ou classeur consolidé et "
        "synthèse PDF",
        description="Avec --respondent, écrit le classeur d'échange de ce répondant. Sans, "
        "écrit le classeur consolidé de la campagne (synthèse, réponses de tous, indicateurs, "
        "suivi), qui s'importe ailleurs comme tout classeur d'échange. --pdf ajoute la "
        "synthèse PDF.",
    )
    _questionnaire_options(exporter, required=False)
    exporter.add_argument(
        "--respondent", metavar="CODE", help="seulement les réponses de ce répondant"
    )
    exporter.add_argument("--all", action="store_true", help="toutes les actions du plan")
    exporter.add_argument(
        "-o",
        "--output",
        metavar="FICHIER.xlsx",
        type=Path,
        help="le classeur à écrire : celui du répondant avec --respondent, sinon le classeur "
        "consolidé (-o, --pdf ou les deux)",
    )
    exporter.add_argument("--pdf", metavar="FICHIER.pdf", type=Path, help="synthèse PDF")
    exporter.add_argument(
        "--message",
        action="store_true",
        help="avec --respondent : écrit aussi, à côté du classeur, un brouillon de message "
        "(.eml) adressé à l'adresse de retour de la campagne, qui le porte en pièce jointe",
    )
    comparison = exporter.add_mutually_exclusive_group()
    comparison.add_argument(
        "--compare",
        metavar="CAMPAGNE",
        help="l'évolution depuis cette campagne (feuille « Évolution » du classeur consolidé, "
        "section de la synthèse PDF) ; --campaign désigne la campagne actuelle. Par défaut, "
        "l'évolution depuis la campagne dont la campagne exportée a été créée, s'il y en a une",
    )
    comparison.add_argument(
        "--no-compare",
        action="store_true",
        help="sans l'évolution depuis la campagne d'origine",
    )

    consolidator = commands.add_parser(
        "consolidate",
        parents=[common],
        help="consolide des classeurs en un classeur consolidé (et une synthèse PDF), sans "
        "toucher à la base",
        description="Fusionne les fichiers donnés (la modification la plus récente l'emporte) "
        "et écrit le classeur consolidé, et la synthèse PDF avec --pdf. La base de "
        "l'utilisateur n'est ni lue ni modifiée. Un fichier refusé est signalé et les autres "
        "sont consolidés.",
    )
    consolidator.add_argument(
        "files",
        nargs="+",
        metavar="FICHIER",
        type=Path,
        help="classeurs, ou messages enregistrés (.eml, .msg) dont les classeurs joints sont "
        "lus ; un dossier donne ses classeurs et messages, un nom avec * ou ? ceux qui lui "
        "correspondent (« Réponses\\*.xlsx »)",
    )
    consolidator.add_argument("-o", "--output", metavar="FICHIER.xlsx", type=Path, required=True)
    consolidator.add_argument("--pdf", metavar="FICHIER.pdf", type=Path, help="synthèse PDF")
    consolidator.add_argument(
        "--questionnaire", metavar="ID", help="si les fichiers portent sur plusieurs questionnaires"
    )

    blank = commands.add_parser(
        "blank",
        parents=[common],
        help="prépare un classeur vierge à envoyer à un répondant",
        description="Écrit un classeur vierge pour un répondant : les actions que son service "
        "pilote (ou toutes avec --all).",
    )
    _questionnaire_options(blank, required=True)
    blank.add_argument("--respondent", metavar="CODE", required=True, help="par exemple DDETS-44")
    blank.add_argument("--all", action="store_true", help="toutes les actions du plan")
    blank.add_argument("-o", "--output", metavar="FICHIER.xlsx", type=Path, required=True)

    send = commands.add_parser(
        "send",
        parents=[common],
        help="prépare les messages de la campagne : un brouillon par service attendu avec son "
        "classeur vierge joint, ou les relances",
        description="Écrit dans DOSSIER, pour chaque service attendu de la campagne, son classeur "
        "vierge et un brouillon de message (.eml) adressé au service, qui le porte en pièce "
        "jointe : Outlook et Thunderbird l'ouvrent comme un nouveau message prêt à envoyer. "
        "Avec --reminders, seulement les services à qui il manque des réponses (ou dont des "
        "réponses reprises sont à confirmer), avec ce qui manque. Rien n'est envoyé : c'est "
        "votre messagerie qui envoie les messages.",
    )
    send.add_argument("--campaign", metavar="ID", help="identifiant de la campagne")
    send.add_argument(
        "-o",
        "--output",
        dest="folder",
        metavar="DOSSIER",
        type=Path,
        required=True,
        help="dossier où écrire les messages et les classeurs (les fichiers de mêmes noms sont "
        "remplacés)",
    )
    send.add_argument(
        "--services",
        metavar="LISTE",
        help="seulement ces services, codes séparés par des virgules (DDETS-44,DDETS-49)",
    )
    send.add_argument(
        "--reminders",
        action="store_true",
        help="des relances : seulement les services à qui il manque des réponses",
    )
    send.add_argument(
        "--since",
        metavar="JJ/MM/AAAA",
        help="avec --reminders : seulement les services qui n'ont rien envoyé depuis ce jour",
    )
    send.add_argument(
        "--all", action="store_true", help="toutes les actions du plan, à tous les services"
    )

    addresses = commands.add_parser(
        "addresses",
        parents=[common],
        help="importe les adresses des services attendus (liste « code ; adresse ») et "
        "l'adresse de retour, puis les affiche",
        description="Donne aux services attendus de la campagne les adresses d'une liste : un "
        "tableau .csv (séparé par des points-virgules, des virgules ou des tabulations) ou un "
        "classeur (.xlsx, .ods, .xls : sa première feuille visible), avec sur chaque ligne le "
        "code du service et son adresse (plusieurs, séparées par des virgules, si besoin). "
        "Une liste à corriger ne change rien. Affiche ensuite chaque service et ses adresses.",
    )
    addresses.add_argument("file", nargs="?", metavar="FICHIER", type=Path, help="la liste")
    addresses.add_argument("--campaign", metavar="ID", help="identifiant de la campagne")
    addresses.add_argument(
        "--return-address",
        metavar="ADRESSE",
        help="l'adresse où les services renvoient leurs réponses (celle du secrétariat) ; "
        "« » pour la retirer",
    )
    addresses.add_argument(
        "--add",
        action="store_true",
        help="ajoute aux services attendus ceux de la liste qui n'y sont pas",
    )

    imports = commands.add_parser(
        "imports",
        parents=[common],
        help="liste les imports de la base (numéro, date, auteur, fichier, répondants, lignes "
        "nouvelles et modifiées), pour choisir celui à annuler",
        description="Liste les imports de la base, du plus ancien au plus récent : numéro, "
        "date, auteur, fichier, répondants, lignes nouvelles et modifiées, et la date "
        "d'annulation d'un import annulé. « sradar-desktop undo-import NUMÉRO » en annule un.",
    )
    imports.add_argument(
        "--questionnaire",
        metavar="ID",
        help="seulement les imports de ce questionnaire",
    )

    undo = commands.add_parser(
        "undo-import",
        parents=[common],
        help="annule un import (le dernier par défaut)",
        description="Remet la base dans l'état où elle était avant un import.",
    )
    undo.add_argument(
        "import_id",
        nargs="?",
        type=_import_number,
        metavar="NUMÉRO",
        help="numéro de l'import à annuler (par défaut : le dernier)",
    )
    undo.add_argument("--as", dest="actor", metavar="NOM", default="", help=_ACTOR_HELP)

    revise = commands.add_parser(
        "revise",
        parents=[common],
        help="révise le plan d'un questionnaire : montre la correspondance entre ses actions "
        "et celles du plan révisé, l'enregistre avec --apply",
        description="Compare le plan révisé (tableau .xlsx, .ods, .xls, .csv, .txt, ou fichier "
        ".toml de plan intégré) à la version actuelle du questionnaire et affiche la "
        "correspondance proposée, une ligne par lien : actions identiques, renumérotées, "
        "reformulées, scindées, fusionnées, nouvelles, retirées. Rien n'est modifié sans "
        "--apply. Les réponses suivent la correspondance ; celles des actions retirées sont "
        "conservées à part.",
    )
    revise.add_argument("plan", metavar="FICHIER_PLAN", type=Path, help="le plan révisé")
    revise.add_argument(
        "--questionnaire", metavar="ID", required=True, help="le questionnaire à réviser"
    )
    revise.add_argument(
        "--link",
        action="append",
        default=[],
        metavar="ANCIENS=NOUVEAUX",
        help="corrige la correspondance proposée, par exemple 1.1.2=1.1.4 (même action), "
        "1.2.3=1.2.3,1.2.4 (scindée), 1.4.1,1.4.2=1.4.1 (fusionnées), 1.1.2= (retirée), "
        "=1.1.4 (nouvelle) ; répétable",
    )
    revise.add_argument("--apply", action="store_true", help="enregistre la révision")
    revise.add_argument("--as", dest="actor", metavar="NOM", default="", help=_ACTOR_HELP)
    return parser


def _configure_streams() -> None:
    """What the program writes is UTF-8 everywhere but in a Windows console.

    A Windows console is written in Unicode whatever its code page (Python does it). A pipe or
    a file (« sradar-desktop questionnaires > liste.txt ») would get the ANSI code page
    (cp1252), which lacks characters of the plans (◦, ≥) and which a reader expecting UTF-8
    (installer/build.py, PowerShell 7, Notepad) misreads: UTF-8 there too, as the bundled
    program's UTF-8 mode and every other system do. A character that still cannot be written
    is replaced, never a crash.
    """
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is None:
            continue
        try:
            console = stream.isatty()
        except (AttributeError, ValueError, OSError):
            console = False
        if sys.platform == "win32" and not console:
            reconfigure(encoding="utf-8", errors="replace")
        else:
            reconfigure(errors="replace")


def _open_database(args: argparse.Namespace):
    from sradar_desktop.services.opening import open_database

    return open_database(getattr(args, "db", None))


def _cmd_questionnaires(args: argparse.Namespace) -> int:
    from sradar_desktop.services.questionnaires import list_questionnaires

    db = _open_database(args)
    try:
        summaries = list_questionnaires(db)
    finally:
        db.close()
    width = max((len(s.id) for s in summaries), default=0)
    for s in summaries:
        print(
            f"{s.id:<{width}}  {s.display_title}  ({s.objectives} objectifs / "
            f"{s.themes} thématiques / {s.actions} actions)"
        )
    return EXIT_OK


def _cmd_campaigns(args: argparse.Namespace) -> int:
    from sradar_desktop.services.campaigns import list_campaigns

    db = _open_database(args)
    try:
        summaries = list_campaigns(db, args.questionnaire)
    finally:
        db.close()
    for summary in summaries:
        print(summary.describe())
    return EXIT_OK


def _cmd_new_campaign(args: argparse.Namespace) -> int:
    from sradar_desktop.services.campaigns import create_campaign, parse_due_date

    due = parse_due_date(args.due)
    db = _open_database(args)
    try:
        created = create_campaign(
            db, args.previous, args.title, due_date=due, period=args.period, actor=args.actor
        )
    finally:
        db.close()
    print(f"Campagne créée : {created.describe()}")
    return EXIT_OK


def _given(
    paths: Sequence[Path], suffixes: Set[str], outputs: Sequence[Path | None] = ()
) -> list[Path]:
    """The files named on the command line: a folder gives the files in it of these
    ``suffixes``, a name with wildcards the files it matches (a Windows command line does not
    list them). A file the command writes (``outputs``) is never one it reads: left out of a
    folder or a pattern (the previous consolidation beside the answers), refused when named."""
    from sradar_desktop.services.files.given import given_files

    written = {path.resolve() for path in outputs if path is not None}
    files: list[Path] = []
    for path in paths:
        found = given_files(path, suffixes)
        if found == [path] and path.resolve() in written:
            raise UserError(
                f"« {path} » est à la fois un fichier à lire et le fichier à écrire : donnez "
                "un autre nom au fichier à écrire."
            )
        found = [file for file in found if file.resolve() not in written]
        kinds = ", ".join(sorted(suffixes))
        if not found and path.is_dir():
            raise UserError(
                f"Le dossier « {path} » ne contient aucun fichier à lire ({kinds}). Vérifiez "
                "le dossier, ou nommez les fichiers un par un."
            )
        if not found:
            raise UserError(
                f"Aucun fichier à lire ne correspond à « {path} » ({kinds}). Vérifiez le "
                "dossier et le nom (« * » remplace une suite de caractères, « ? » un seul)."
            )
        files += found
    return list(dict.fromkeys(files))  # a file named twice is read once


def _cmd_import(args: argparse.Namespace) -> int:
    from sradar_desktop.services.files.given import IMPORTABLE_SUFFIXES
    from sradar_desktop.services.imports import import_files

    files = _given(args.files, IMPORTABLE_SUFFIXES)
    db = _open_database(args)
    try:
        results = import_files(
            db,
            files,
            actor=args.actor,
            respondent_code=args.respondent,
            campaign_id=args.campaign,
            waiting=_ServerWaits().say,
        )
    finally:
        db.close()
    for result in results:
        if result.error is not None:
            _report(result.error)
        else:
            assert result.outcome is not None
            number = result.outcome.import_id
            print(
                f"Import n° {number} — {result.outcome.describe()}"
                if number is not None
                else result.outcome.describe()
            )
            for conflict in result.outcome.conflicts:
                print(f"  conflit : {conflict.describe()}")
    if any(r.outcome and r.outcome.import_id is not None for r in results):
        print(
            "Pour annuler un import : sradar-desktop undo-import NUMÉRO "
            "(la liste : sradar-desktop imports)."
        )
    return EXIT_USER_ERROR if any(r.error for r in results) else EXIT_OK


def _cmd_export(args: argparse.Namespace) -> int:
    if args.output is None and args.pdf is None:
        raise UserError("Indiquez le fichier à écrire : -o FICHIER.xlsx et/ou --pdf FICHIER.pdf.")
    db = _open_database(args)
    try:
        if args.respondent:
            from sradar_desktop.services.exchange import export_workbook

            if args.compare or args.no_compare:
                raise UserError(
                    "L'évolution entre deux campagnes porte sur tous les répondants : retirez "
                    "--respondent pour la produire."
                )
            if args.output is not None:
                result = export_workbook(
                    db,
                    args.output,
                    questionnaire_id=args.questionnaire,
                    campaign_id=args.campaign,
                    respondent_code=args.respondent,
                    all_actions=args.all,
                )
                print(result.describe())
                if args.message:
                    from sradar_desktop.services.mailing import answers_draft

                    draft = answers_draft(
                        db,
                        args.output,
                        respondent_code=args.respondent,
                        campaign_id=args.campaign,
                        completion=result.completion.describe(),
                    )
                    print(f"Message à envoyer : {draft.path.name}, rien n'a été envoyé.")
            if args.pdf is not None:
                raise UserError(
                    "La synthèse PDF porte sur tous les répondants : retirez --respondent pour "
                    "la produire."
                )
        else:
            if args.message:
                raise UserError("--message ne sert qu'avec --respondent (vos réponses).")
            from sradar_desktop.services.consolidation import write_reports

            report = write_reports(
                db,
                workbook=args.output,
                pdf=args.pdf,
                questionnaire_id=args.questionnaire,
                campaign_id=args.campaign,
                compare_campaign_id=args.compare,
                compare_with_origin=not args.no_compare,
            )
            print(report.describe())
    finally:
        db.close()
    return EXIT_OK


def _cmd_consolidate(args: argparse.Namespace) -> int:
    from sradar_desktop.services.files.consolidating import consolidate_files
    from sradar_desktop.services.files.given import ANSWER_SUFFIXES

    report, results = consolidate_files(
        _given(args.files, ANSWER_SUFFIXES, outputs=(args.output, args.pdf)),
        workbook=args.output,
        pdf=args.pdf,
        questionnaire_id=args.questionnaire,
    )
    for result in results:
        if result.error is not None:
            _report(result.error)
    if report is None:
        raise UserError("Aucun fichier n'a pu être lu : il n'y a rien à consolider.")
    print(report.describe())
    return EXIT_USER_ERROR if any(r.error for r in results) else EXIT_OK


def _cmd_blank(args: argparse.Namespace) -> int:
    from sradar_desktop.services.exchange import blank_workbook

    db = _open_database(args)
    try:
        result = blank_workbook(
            db,
            args.output,
            questionnaire_id=args.questionnaire,
            campaign_id=args.campaign,
            respondent_code=args.respondent,
            all_actions=args.all,
        )
    finally:
        db.close()
    print(result.describe())
    return EXIT_OK


def _cmd_send(args: argparse.Namespace) -> int:
    from sradar_desktop.services.campaigns import parse_due_date
    from sradar_desktop.services.mailing import prepare_drafts, prepare_reminders

    if args.since and not args.reminders:
        raise UserError("--since ne sert qu'avec --reminders.")
    since = parse_due_date(args.since) if args.since else None
    codes = args.services.split(",") if args.services else None
    db = _open_database(args)
    try:
        if args.reminders:
            result = prepare_reminders(
                db,
                args.folder,
                campaign_id=args.campaign,
                codes=codes,
                since=since,
                all_actions=args.all,
            )
        else:
            result = prepare_drafts(
                db, args.folder, campaign_id=args.campaign, codes=codes, all_actions=args.all
            )
    finally:
        db.close()
    for line in result.lines():
        print(line)
    for _code, error in result.refused:
        _report(error)
    print(
        f"Rien n'a été envoyé : ouvrez chaque message (.eml) du dossier {result.folder} dans "
        "votre messagerie pour le vérifier et l'envoyer."
        if result.written
        else "Aucun message n'a été préparé."
    )
    return EXIT_USER_ERROR if result.refused else EXIT_OK


def _cmd_addresses(args: argparse.Namespace) -> int:
    from sradar_desktop.services.addresses import (
        import_addresses,
        return_address,
        set_return_address,
    )
    from sradar_desktop.services.consolidation import roster
    from sradar_desktop.services.exchange import resolve_campaign

    db = _open_database(args)
    try:
        _questionnaire, campaign_id = resolve_campaign(db, None, args.campaign)
        if args.return_address is not None:
            set_return_address(db, campaign_id, args.return_address)
        if args.file is not None:
            print(import_addresses(db, campaign_id, args.file, add=args.add).describe())
        back = return_address(db, campaign_id)
        members = roster(db, campaign_id)
    finally:
        db.close()
    print(f"Campagne {campaign_id} ; adresse de retour : {back or 'aucune'}")
    width = max((len(m.code) for m in members), default=0)
    for one in members:
        print(f"{one.code:<{width}}  {one.email or '(sans adresse)'}")
    return EXIT_OK


def _cmd_imports(args: argparse.Namespace) -> int:
    from sradar_desktop.services.imports import list_imports

    db = _open_database(args)
    try:
        infos = list_imports(db, args.questionnaire)
    finally:
        db.close()
    if not infos:
        print("Aucun import dans cette base.")
    for info in infos:
        print(info.describe())
    return EXIT_OK


def _cmd_undo_import(args: argparse.Namespace) -> int:
    from sradar_desktop.services.imports import last_import, undo_import

    db = _open_database(args)
    try:
        import_id = args.import_id
        if import_id is None:
            latest = last_import(db)
            if latest is None:
                raise UserError("Aucun import à annuler dans cette base.")
            import_id = latest.id
        print(undo_import(db, import_id, actor=args.actor))
    finally:
        db.close()
    return EXIT_OK


def _cmd_revise(args: argparse.Namespace) -> int:
    from sradar_desktop.services.revisions import (
        apply_revision,
        correct_matching,
        preview_revision,
        read_revised_plan,
    )

    revised = read_revised_plan(args.plan)
    db = _open_database(args)
    try:
        preview = preview_revision(db, args.questionnaire, revised)
        matching = correct_matching(preview, args.link)
        for line in preview.lines(matching):
            print(line)
        if args.apply:
            print(apply_revision(db, preview, matching, actor=args.actor, file_name=args.plan.name))
        else:
            print("Rien n'a été modifié : ajoutez --apply pour enregistrer cette révision.")
    finally:
        db.close()
    return EXIT_OK


def _check_outputs(args: argparse.Namespace) -> None:
    """Refuse at once an output that can never be written, before any long work."""
    from sradar_desktop.saving import check_destination

    outputs = [
        check_destination(path, document=document)
        for path, document in (
            (getattr(args, "output", None), "le classeur"),
            (getattr(args, "pdf", None), "la synthèse PDF"),
        )
        if path is not None
    ]
    if len(outputs) == 2 and outputs[0].absolute() == outputs[1].absolute():
        raise UserError(
            f"Le classeur et la synthèse PDF ne peuvent pas être enregistrés tous deux dans "
            f"{outputs[0]} : donnez-leur deux noms différents."
        )


class _ServerWaits:
    """One line on standard error when a batch starts waiting for its server (or the server
    changes what it does meanwhile), not one per try."""

    def __init__(self) -> None:
        self.said: tuple[str, str] | None = None

    def say(self, waiting: Waiting) -> None:
        said = (waiting.subject, waiting.brief)
        if waiting.tries == 1 or said != self.said:
            print(f"sradar-desktop : {waiting.describe()}", file=sys.stderr, flush=True)
        self.said = said


def _report(error: UserError) -> None:
    """One line on standard error, with the first details of the problem."""
    line = str(error)
    if error.details:
        shown = error.details[:3]
        line += " Détail : " + " ; ".join(shown) + (" ; …" if len(error.details) > 3 else "")
    print(f"sradar-desktop : {line}", file=sys.stderr)


def _check_display() -> None:
    """Without a screen, Qt would abort in English: say it in French instead."""
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY")
        or os.environ.get("WAYLAND_DISPLAY")
        or os.environ.get("QT_QPA_PLATFORM")
    ):
        raise UserError(
            "Aucun écran n'est disponible pour ouvrir la fenêtre (ni DISPLAY ni "
            "WAYLAND_DISPLAY). Lancez SRADAR Desktop depuis une session graphique, ou utilisez "
            "ses commandes (« sradar-desktop --help »)."
        )


def main(argv: Sequence[str] | None = None) -> int:
    _configure_streams()
    args = _parser().parse_args(argv)
    if getattr(args, "actor", None) == "":
        args.actor = _account_name()
    setup_logging()
    try:
        _check_outputs(args)
        if args.command == "questionnaires":
            return _cmd_questionnaires(args)
        if args.command == "campaigns":
            return _cmd_campaigns(args)
        if args.command == "new-campaign":
            return _cmd_new_campaign(args)
        if args.command == "import":
            return _cmd_import(args)
        if args.command == "export":
            return _cmd_export(args)
        if args.command == "consolidate":
            return _cmd_consolidate(args)
        if args.command == "blank":
            return _cmd_blank(args)
        if args.command == "send":
            return _cmd_send(args)
        if args.command == "addresses":
            return _cmd_addresses(args)
        if args.command == "imports":
            return _cmd_imports(args)
        if args.command == "undo-import":
            return _cmd_undo_import(args)
        if args.command == "revise":
            return _cmd_revise(args)
        _check_display()
        from sradar_desktop.app import run_gui

        return run_gui(getattr(args, "db", None), exit_after_start=args.exit_after_start)
    except UserError as error:
        log.info("Refusé : %s", error)
        _report(error)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("sradar-desktop : interrompu.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader of the output stopped early (« | head »): nothing to tell, and nothing
        # more to write at exit either.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except Exception as error:
        failure = describe_failure(error, "La commande n'a pas pu aller au bout")
        print(f"sradar-desktop : {failure.message}", file=sys.stderr)
        return EXIT_BUG
