"""Database engines: SQLite files by default, PostgreSQL for a shared server.

SQLite connections get foreign keys, WAL, a busy timeout and full durability; pysqlite's own
transaction handling is switched off so that SQLAlchemy's BEGIN covers everything, DDL included,
and a failed migration or import rolls back whole.
"""

from __future__ import annotations

import errno
import logging
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import closing, contextmanager
from enum import Enum
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.exc import OperationalError as SAOperationalError

from sradar_desktop.db.schema import LOCK_WAIT_MS
from sradar_desktop.db.server_reply import ACCEPTED, ask_server
from sradar_desktop.errors import (
    DatabaseBusyError,
    DatabaseDamagedError,
    DatabaseError,
    DatabaseReadOnlyError,
    DatabaseUnavailableError,
    ServerUnavailableError,
)
from sradar_desktop.paths import local_database_path

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = LOCK_WAIT_MS
CONNECT_TIMEOUT_S = 10
# PostgreSQL: writers take this transaction-level advisory lock, one at a time, as SQLite's
# BEGIN IMMEDIATE makes them do (the app's writes are small and few).
WRITE_LOCK_KEY = 0x5DADA
IMMEDIATE = "sradar_begin_immediate"
# Backups of an SQLite database go into this folder beside it.
BACKUPS_FOLDER = "sauvegardes"
# The driver SRADAR Desktop gives a postgresql:// address; the user never typed it.
POSTGRESQL_DRIVER = "postgresql+psycopg"


def database_url(value: str | Path | None = None) -> URL:
    """The SQLAlchemy URL for ``--db``: a path to an SQLite file, or any SQLAlchemy URL."""
    path = local_database_path(value)
    if path is not None:
        return URL.create("sqlite", database=str(path))
    text = str(value)
    try:
        url = make_url(text)
    except ArgumentError as error:
        raise DatabaseError(
            f"L'adresse de base de données « {text} » n'est pas valide. Donnez le chemin d'un "
            "fichier, ou une adresse comme postgresql://utilisateur@serveur/base."
        ) from error
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername=POSTGRESQL_DRIVER)
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise DatabaseError(
            f"SRADAR Desktop ne sait pas utiliser une base « {url.get_backend_name()} ». Donnez "
            "le chemin d'un fichier SQLite, ou une adresse postgresql://utilisateur@serveur/base."
        )
    return url


def location(url: URL) -> str:
    """The database as the user knows it: the path of the file, or the server's address as
    typed (``postgresql://…``, not the driver's form), its password hidden."""
    path = sqlite_path(url)
    if path is not None:
        return str(path)
    if url.drivername == POSTGRESQL_DRIVER:
        url = url.set(drivername="postgresql")
    secrets = [name for name in _SECRET_OPTIONS if name in url.query]
    shown = url.difference_update_query(secrets).render_as_string(hide_password=True)
    if secrets:
        shown += ("&" if "?" in shown else "?") + "&".join(f"{name}=***" for name in secrets)
    return shown


# libpq also takes a password among the options of the address (…?password=…).
_SECRET_OPTIONS = ("password", "sslpassword")


def busy_timeout_s() -> float:
    """How long an SQLite connection waits for another one's lock, in seconds."""
    return BUSY_TIMEOUT_MS / 1000


def is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def sqlite_path(url: URL) -> Path | None:
    """The file behind an SQLite URL, ``None`` for an in-memory database."""
    if not is_sqlite(url) or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database)


def _postgresql_engine(url: URL) -> Engine:
    try:
        engine = create_engine(
            url, pool_pre_ping=True, connect_args={"connect_timeout": CONNECT_TIMEOUT_S}
        )
    except (NoSuchModuleError, ModuleNotFoundError) as error:
        raise DatabaseError(
            "Le pilote PostgreSQL n'est pas installé. Installez-le avec "
            '« python -m pip install "sradar-desktop[postgresql]" » puis réessayez.'
        ) from error

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        if connection.get_execution_options().get(IMMEDIATE, False):
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")

    return engine


def make_engine(url: URL, *, foreign_keys: bool = True, read_only: bool = False) -> Engine:
    """An engine with SQLite made safe; on PostgreSQL, writers one at a time, and a pre-ping
    for a server that restarted."""
    if not is_sqlite(url):
        return _postgresql_engine(url)

    connect_args: dict[str, Any] = {"timeout": busy_timeout_s()}
    if read_only:
        path = sqlite_path(url)
        assert path is not None
        # SQLAlchemy passes the file on as an SQLite URI when asked with uri=true.
        url = URL.create("sqlite", database=path.as_uri(), query={"mode": "ro", "uri": "true"})
    engine = create_engine(url, connect_args=connect_args)

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        # No implicit transactions from pysqlite: BEGIN is emitted below, DDL included.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        if not read_only:
            cursor.execute("PRAGMA journal_mode=WAL")
            # FULL: a confirmed save survives a power cut, not only a crash of the app.
            cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        # A writer takes the write lock at once, so that it waits (busy timeout) instead of
        # failing half-way when another window holds the lock.
        immediate = connection.get_execution_options().get(IMMEDIATE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


# ==== faults the user can act on ==================================================================

# What did not happen because the database failed: the middle of every fault message.
OPENING = "la base n'a pas pu être ouverte"
UPGRADING = "la base n'a pas pu être mise à jour et n'a pas été modifiée"
READING = "les données n'ont pas pu être lues"
WRITING = "la modification n'a pas été enregistrée"


class Fault(Enum):
    """Why the database failed, each with its error class and French message: what happened,
    ``{consequence}``, what to do."""

    BUSY = (
        DatabaseBusyError,
        "La base de données {location} est occupée par une autre fenêtre ou un autre programme : "
        "{consequence}. Fermez l'autre fenêtre de SRADAR Desktop ou le programme qui utilise la "
        "base (ou attendez qu'il ait fini), puis réessayez.",
    )
    READ_ONLY_FILE = (
        DatabaseReadOnlyError,
        "La base de données {location} est en lecture seule : {consequence}. Demandez au service "
        "informatique le droit de modifier ce fichier, ou copiez la base dans un dossier où vous "
        "pouvez écrire.",
    )
    READ_ONLY_FOLDER = (
        DatabaseReadOnlyError,
        "Le dossier {folder} de la base de données est en lecture seule, or SRADAR Desktop doit "
        "pouvoir y écrire : {consequence}. Placez la base dans un dossier où vous avez le droit "
        "d'écrire, ou demandez ce droit au service informatique.",
    )
    MISSING_FOLDER = (
        DatabaseUnavailableError,
        "Le dossier {folder} de la base de données n'existe pas (ou plus) : {consequence}. "
        "Vérifiez le chemin de la base, ou que le lecteur réseau ou la clé USB est bien "
        "connecté ; pour une nouvelle base, créez d'abord ce dossier.",
    )
    MISSING_FILE = (
        DatabaseUnavailableError,
        "La base de données {location} est introuvable : elle a été déplacée ou supprimée, "
        "{consequence}. Remettez le fichier à sa place, puis rouvrez SRADAR Desktop.",
    )
    NO_PERMISSION = (
        DatabaseUnavailableError,
        "Vous n'avez pas le droit d'ouvrir la base de données {location} : {consequence}. "
        "Demandez ce droit au service informatique, ou choisissez une base dans un dossier qui "
        "est le vôtre.",
    )
    DISK_FULL = (
        DatabaseError,
        "Le disque est plein (base de données {location}) : {consequence}. Libérez de la place, "
        "puis réessayez.",
    )
    DISK_ERROR = (
        DatabaseUnavailableError,
        "Le disque n'a pas pu lire ou écrire la base de données {location} : {consequence}. "
        "Vérifiez que le lecteur réseau ou la clé USB est toujours connecté, puis réessayez.",
    )
    DAMAGED = (
        DatabaseDamagedError,
        "La base de données {location} est endommagée : {consequence}. Restaurez sa dernière "
        "sauvegarde (dossier {backups}), ou demandez l'aide du service informatique.",
    )
    SERVER_READ_ONLY = (
        DatabaseReadOnlyError,
        "Le serveur de la base de données {location} n'accepte que la lecture (serveur de "
        "secours, ou base mise en lecture seule par son administrateur) : {consequence}. "
        "Prévenez l'administrateur du serveur.",
    )
    SERVER_DISK_FULL = (
        DatabaseError,
        "Le disque du serveur de la base de données {location} est plein : {consequence}. "
        "Prévenez l'administrateur du serveur.",
    )
    SERVER_DAMAGED = (
        DatabaseDamagedError,
        "Le serveur signale que des données de la base {location} sont endommagées : "
        "{consequence}. Prévenez l'administrateur du serveur : lui seul peut la vérifier et la "
        "restaurer depuis ses sauvegardes.",
    )
    NOT_A_DATABASE = (
        DatabaseDamagedError,
        "Le fichier {location} n'est pas une base de données SRADAR Desktop, ou son en-tête est "
        "endommagé : {consequence}. Vérifiez que vous avez choisi le bon fichier ; si c'est bien "
        "votre base, restaurez sa dernière sauvegarde (dossier {backups}).",
    )
    SERVER_UNREACHABLE = (
        ServerUnavailableError,
        "Le serveur de la base de données {location} ne répond pas : {consequence}. Vérifiez "
        "l'adresse, le port et la connexion au réseau, puis réessayez ; si tout est juste, "
        "prévenez l'administrateur du serveur.",
    )
    SERVER_RESTARTING = (
        ServerUnavailableError,
        "Le serveur de la base de données {location} redémarre ou s'arrête, et n'accepte "
        "aucune connexion pour l'instant : {consequence}. Attendez qu'il ait redémarré "
        "(d'ordinaire quelques secondes), puis réessayez ; s'il reste indisponible, prévenez "
        "l'administrateur du serveur.",
    )
    CONNECTION_CUT = (
        ServerUnavailableError,
        "Le serveur de la base de données {location} a coupé la connexion (il a redémarré, ou "
        "son administrateur l'a interrompue) : {consequence}. Réessayez ; si cela se "
        "reproduit, prévenez l'administrateur du serveur.",
    )
    TOO_MANY_CONNECTIONS = (
        ServerUnavailableError,
        "Le serveur de la base de données {location} a atteint le nombre de connexions qu'il "
        "accepte : {consequence}. Réessayez dans quelques instants, quand d'autres auront "
        "fini ; si cela se reproduit, demandez à l'administrateur du serveur d'en autoriser "
        "davantage.",
    )
    LOGIN_REFUSED = (
        DatabaseUnavailableError,
        "Le serveur de la base de données {location} a refusé le nom d'utilisateur ou le mot de "
        "passe : {consequence}. Vérifiez-les dans l'adresse de la base, ou demandez-les à "
        "l'administrateur du serveur.",
    )
    DATABASE_MISSING = (
        DatabaseUnavailableError,
        "La base de données {location} n'existe pas sur ce serveur, ou vous n'avez pas le droit "
        "de vous y connecter : {consequence}. Vérifiez son nom, ou demandez à l'administrateur "
        "du serveur de la créer (vide) ou de vous y donner accès.",
    )
    NO_RIGHTS = (
        DatabaseUnavailableError,
        "Cet utilisateur n'a pas les droits nécessaires sur la base de données {location} : "
        "{consequence}. Demandez-les à l'administrateur du serveur.",
    )
    OTHER = (
        DatabaseError,
        "SRADAR Desktop n'a pas pu utiliser la base de données {location} ({detail}) : "
        "{consequence}. Réessayez ; si le problème persiste, consultez le journal de "
        "l'application.",
    )

    def error(self, url: URL, consequence: str, detail: str = "") -> DatabaseError:
        kind, template = self.value
        path = sqlite_path(url)
        folder = path.parent if path else None
        message = template.format(
            location=location(url),
            folder=folder,
            backups=folder / BACKUPS_FOLDER if folder else BACKUPS_FOLDER,
            consequence=consequence,
            detail=detail,
        )
        if kind is ServerUnavailableError:
            return ServerUnavailableError(message, brief=_BRIEFS[self])
        return kind(message)


# What a server that cannot serve for now does, after « le serveur de la base de données … ».
_BRIEFS = {
    Fault.SERVER_UNREACHABLE: "ne répond pas",
    Fault.SERVER_RESTARTING: "redémarre ou s'arrête",
    Fault.CONNECTION_CUT: "a coupé la connexion",
    Fault.TOO_MANY_CONNECTIONS: "n'accepte plus de connexion pour l'instant",
}


# SQLite's primary result codes (an extended code keeps the primary one in its low byte).
SQLITE_PERM = 3
SQLITE_BUSY = 5
SQLITE_LOCKED = 6
SQLITE_READONLY = 8
SQLITE_IOERR = 10
SQLITE_CORRUPT = 11
SQLITE_FULL = 13
SQLITE_CANTOPEN = 14
SQLITE_NOTADB = 26
SQLITE_READONLY_DBMOVED = 1032
SQLITE_READONLY_DIRECTORY = 1544

_SQLITE_FAULTS = {
    SQLITE_BUSY: Fault.BUSY,
    SQLITE_LOCKED: Fault.BUSY,
    SQLITE_READONLY: Fault.READ_ONLY_FILE,
    SQLITE_IOERR: Fault.DISK_ERROR,
    SQLITE_CORRUPT: Fault.DAMAGED,
    SQLITE_FULL: Fault.DISK_FULL,
    SQLITE_NOTADB: Fault.NOT_A_DATABASE,
}

# PostgreSQL's SQLSTATEs: a whole class (two characters) or one code.
_POSTGRESQL_FAULTS = {
    "08": Fault.CONNECTION_CUT,
    "57P01": Fault.CONNECTION_CUT,  # admin_shutdown: a fast shutdown, or a session ended
    "57P02": Fault.CONNECTION_CUT,  # crash_shutdown
    "57P05": Fault.CONNECTION_CUT,  # idle_session_timeout
    "57P03": Fault.SERVER_RESTARTING,  # cannot_connect_now: starting, stopping, recovering
    "53300": Fault.TOO_MANY_CONNECTIONS,  # for the server, this database or this user
    "28": Fault.LOGIN_REFUSED,
    "3D000": Fault.DATABASE_MISSING,
    "42501": Fault.NO_RIGHTS,
    "40001": Fault.BUSY,
    "40P01": Fault.BUSY,
    "55P03": Fault.BUSY,
    "25006": Fault.SERVER_READ_ONLY,
    "53100": Fault.SERVER_DISK_FULL,
    "XX001": Fault.SERVER_DAMAGED,
    "XX002": Fault.SERVER_DAMAGED,
}

_OS_FAULTS = {
    errno.EACCES: Fault.NO_PERMISSION,
    errno.EPERM: Fault.NO_PERMISSION,
    errno.EROFS: Fault.READ_ONLY_FOLDER,
    errno.ENOSPC: Fault.DISK_FULL,
    errno.EIO: Fault.DISK_ERROR,
}


def _missing(path: Path) -> Fault | None:
    """The fault when the database's folder or file is not there (any more)."""
    try:
        if not path.parent.is_dir():
            return Fault.MISSING_FOLDER
        if not path.exists() or path.stat().st_size == 0:
            # A file deleted under the app comes back empty at the next connection.
            return Fault.MISSING_FILE
    except OSError:
        return Fault.NO_PERMISSION
    return None


# Windows: the file is open in another program that shares it with no one.
_WINDOWS_SHARING_VIOLATIONS = (32, 33)
_WINDOWS_SHARE_ALL = 0x7  # FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE


def _open_for_writing(path: Path) -> None:
    """Opens and closes ``path`` for reading and writing, as SQLite does. On Windows through
    CreateFile, whose error keeps the system's code (``winerror``): Python's ``open()`` goes
    through the C runtime, which turns a sharing violation into a bare EACCES."""
    if sys.platform == "win32":
        import _winapi

        handle = _winapi.CreateFile(
            str(path),
            _winapi.GENERIC_READ | _winapi.GENERIC_WRITE,
            _WINDOWS_SHARE_ALL,
            0,
            _winapi.OPEN_EXISTING,
            0,
            0,
        )
        _winapi.CloseHandle(handle)
    else:
        with path.open("r+b"):
            pass


def _cannot_open(path: Path) -> Fault:
    """Why SQLite could not open (or create) the file."""
    try:
        if not path.parent.is_dir():
            return Fault.MISSING_FOLDER
        if not path.exists():
            return Fault.READ_ONLY_FOLDER  # it could not be created there
    except OSError:
        return Fault.NO_PERMISSION  # the folder cannot even be looked into
    try:
        _open_for_writing(path)
    except OSError as error:
        if getattr(error, "winerror", None) in _WINDOWS_SHARING_VIOLATIONS:
            return Fault.BUSY
        return Fault.NO_PERMISSION
    # The file is there and may be written: another program keeps SQLite from opening it.
    return Fault.BUSY


def _proven_damaged(path: Path) -> bool:
    """Whether SQLite's quick integrity check fails on the file."""
    try:
        with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=0)) as check:
            return check.execute("PRAGMA quick_check").fetchone() != ("ok",)
    except sqlite3.Error as error:
        code = getattr(error, "sqlite_errorcode", 0) & 0xFF
        return code in (SQLITE_CORRUPT, SQLITE_NOTADB)


def _sqlite_fault(error: sqlite3.Error, path: Path | None) -> Fault | None:
    # IntegrityError, ProgrammingError and the like are bugs, not faults of the file.
    if type(error) not in (sqlite3.OperationalError, sqlite3.DatabaseError):
        return None
    code = getattr(error, "sqlite_errorcode", None) or 0
    if code == SQLITE_READONLY_DIRECTORY:
        return Fault.READ_ONLY_FOLDER
    if code == SQLITE_READONLY_DBMOVED:
        return Fault.MISSING_FILE
    primary = code & 0xFF
    if primary in (SQLITE_CANTOPEN, SQLITE_PERM):
        return _cannot_open(path) if path else Fault.NO_PERMISSION
    if primary in _SQLITE_FAULTS:
        return _SQLITE_FAULTS[primary]
    if path is None:
        return None
    # Anything else is called damage only when an integrity check proves it.
    return _missing(path) or (Fault.DAMAGED if _proven_damaged(path) else None)


def _sqlstate_fault(state: str) -> Fault | None:
    return _POSTGRESQL_FAULTS.get(state) or _POSTGRESQL_FAULTS.get(state[:2])


def _postgresql_connection_fault(url: URL) -> Fault:
    """Why a connection failed without an SQLSTATE. libpq gives none for a connection refused
    at start-up, and words its messages in the server's language: a wrong password, a server
    shutting down and a server with no connection left all look alike. Ask the server again,
    reading the SQLSTATE of its refusal in the protocol."""
    reply = ask_server(url, CONNECT_TIMEOUT_S)
    if not reply.reached:
        return Fault.SERVER_UNREACHABLE
    if reply.sqlstate == ACCEPTED:
        return Fault.CONNECTION_CUT  # it lets us in again: the connection was lost on the way
    if reply.sqlstate:
        return _sqlstate_fault(reply.sqlstate) or Fault.OTHER
    # A refusal that could not be read (an authentication by the system, a password kept
    # elsewhere than in the address): never guess that the password is wrong.
    return Fault.OTHER


def _postgresql_fault(error: DBAPIError, url: URL) -> Fault | None:
    state = getattr(error.orig, "sqlstate", None)
    if state:
        return _sqlstate_fault(state)
    if isinstance(error, SAOperationalError):
        return _postgresql_connection_fault(url)
    return None


def database_fault(error: BaseException, url: URL, consequence: str) -> DatabaseError | None:
    """The French message for a database that failed for a reason the user can act on, or
    ``None`` for an error that is a bug.

    ``error`` is an SQLAlchemy error, an ``sqlite3.Error`` or an ``OSError`` met on the
    database's files. SQLite's own result codes decide, never the wording of a message.
    """
    original = error.orig if isinstance(error, DBAPIError) else error
    path = sqlite_path(url)
    if isinstance(original, sqlite3.Error):
        fault = _sqlite_fault(original, path)
        detail = getattr(original, "sqlite_errorname", "") or type(original).__name__
        if fault is None and isinstance(original, sqlite3.OperationalError):
            fault = Fault.OTHER
    elif isinstance(error, DBAPIError) and not is_sqlite(url):
        fault = _postgresql_fault(error, url)
        detail = getattr(original, "sqlstate", None) or type(original).__name__
        if fault is None and isinstance(error, SAOperationalError):
            fault = Fault.OTHER
    elif isinstance(error, OSError):
        missing = _missing(path) if path and error.errno == errno.ENOENT else None
        fault = missing or _OS_FAULTS.get(error.errno or 0)
        detail = error.strerror or type(error).__name__
    else:
        return None
    if fault is None:
        return None
    log.warning("Base %s : %s (%s)", location(url), fault.name, error)
    return fault.error(url, consequence, detail)


@contextmanager
def database_faults(url: URL, consequence: str, *, files: bool = False) -> Iterator[None]:
    """Turn a database error the user can act on into its ``DatabaseError``; bugs go through.

    With ``files``, an ``OSError`` met on the database's files (a backup beside it, its
    folder) is one too.
    """
    caught = (sqlite3.Error, DBAPIError, OSError) if files else (sqlite3.Error, DBAPIError)
    try:
        yield
    except caught as error:
        fault = database_fault(error, url, consequence)
        if fault is None:
            raise
        raise fault from error
