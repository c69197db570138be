"""The ``sradar-desktop`` program: the window with no sub-command, batch work with one.

Exit status 0 on success; otherwise one French line per problem on standard error, never a
traceback (bugs go to the log file with theirs).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from sradar_desktop import APP_NAME, __version__
from sradar_desktop.errors import UserError
from sradar_desktop.logs import log_file, setup_logging

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_USER_ERROR = 1
EXIT_USAGE = 2
EXIT_BUG = 70

_ARGPARSE_FR = {
    "usage: ": "utilisation : ",
    "positional arguments": "arguments",
    "options": "options",
    "show this help message and exit": "affiche cette aide et quitte",
    "show program's version number and exit": "affiche la version et quitte",
    "the following arguments are required: %s": "arguments obligatoires manquants : %s",
    "unrecognized arguments: %s": "arguments non reconnus : %s",
    "invalid choice: %(value)r (choose from %(choices)s)": (
        "choix invalide : %(value)r (choisir parmi %(choices)s)"
    ),
    "expected one argument": "une valeur est attendue après cette option",
    "expected at least one argument": "au moins une valeur est attendue",
    "%(prog)s: error: %(message)s\n": "%(prog)s : erreur : %(message)s\n",
    "argument %(argument_name)s: %(message)s": "argument %(argument_name)s : %(message)s",
}


def _french_argparse() -> None:
    """argparse speaks English; its few messages are given in French here."""
    original = argparse._  # type: ignore[attr-defined]
    if getattr(original, "_sradar", False):
        return

    def translate(message: str) -> str:
        return _ARGPARSE_FR.get(message, original(message))

    translate._sradar = True  # type: ignore[attr-defined]
    argparse._ = translate  # type: ignore[attr-defined]


def _parser() -> argparse.ArgumentParser:
    _french_argparse()
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        metavar="BASE",
        default=argparse.SUPPRESS,
        help="base de données à utiliser : chemin d'un fichier SQLite ou adresse "
        "(postgresql://utilisateur@serveur/base). Par défaut : la base de l'utilisateur.",
    )
    parser = argparse.ArgumentParser(
        prog="sradar-desktop",
        description=f"{APP_NAME} : saisie hors ligne et consolidation de l'évaluation des plans "
        "régionaux d'accueil et d'intégration. Sans commande, ouvre la fenêtre de saisie.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    parser.add_argument(
        "--exit-after-start",
        action="store_true",
        help="ouvre la fenêtre puis quitte dès qu'elle est affichée (vérification, mesure)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMANDE", title="commandes")

    commands.add_parser(
        "questionnaires",
        parents=[common],
        help="liste les questionnaires disponibles (identifiant, titre, nombres d'objectifs, "
        "de thématiques et d'actions)",
        description="Liste les questionnaires de la base, un par ligne, en commençant par son "
        "identifiant.",
    )

    importer = commands.add_parser(
        "import",
        parents=[common],
        help="importe des plans d'action (tableaux .xlsx, .ods, .csv, .txt)",
        description="Importe chaque fichier dans la base. Un fichier refusé ne change rien et "
        "n'empêche pas l'import des autres.",
    )
    importer.add_argument("files", nargs="+", metavar="FICHIER", type=Path)
    importer.add_argument(
        "--respondent",
        metavar="CODE",
        help="code du répondant auquel attribuer la colonne « Réalisation » d'un plan "
        "(par défaut : d'après le nom du fichier)",
    )
    importer.add_argument(
        "--as",
        dest="actor",
        metavar="NOM",
        default="",
        help="nom de la personne qui importe, pour le journal des modifications",
    )
    return parser


def _configure_streams() -> None:
    # A Windows console cannot print every character of the plans: replace, never crash.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")


def _open_database(args: argparse.Namespace):
    from sradar_desktop.services.database import Database

    return Database.open(getattr(args, "db", None))


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


def _cmd_import(args: argparse.Namespace) -> int:
    from sradar_desktop.services.plan_import import import_plan_file

    db = _open_database(args)
    failures = 0
    try:
        for path in args.files:
            try:
                result = import_plan_file(
                    db, path, respondent_code=args.respondent, actor=args.actor
                )
            except UserError as error:
                failures += 1
                _report(error)
                continue
            print(result.describe())
    finally:
        db.close()
    return EXIT_USER_ERROR if failures else EXIT_OK


def _report(error: UserError) -> None:
    print(f"sradar-desktop : {error}", file=sys.stderr)
    for detail in error.details:
        print(f"  - {detail}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    _configure_streams()
    args = _parser().parse_args(argv)
    setup_logging()
    try:
        if args.command == "questionnaires":
            return _cmd_questionnaires(args)
        if args.command == "import":
            return _cmd_import(args)
        from sradar_desktop.app import run_gui

        return run_gui(getattr(args, "db", None), exit_after_start=args.exit_after_start)
    except UserError as error:
        log.info("Refusé : %s", error)
        _report(error)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("sradar-desktop : interrompu.", file=sys.stderr)
        return 130
    except Exception:
        log.exception("Erreur inattendue")
        print(
            "sradar-desktop : erreur inattendue (un défaut de l'application, pas de votre "
            f"fait). Le détail est dans le journal {log_file()}.",
            file=sys.stderr,
        )
        return EXIT_BUG
