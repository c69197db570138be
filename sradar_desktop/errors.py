"""Errors a user can cause (a French message, no traceback) versus bugs."""


class UserError(Exception):
    """A problem the user can fix. ``str(error)`` is a complete French sentence saying what
    happened and what to do; it is shown as is, without a traceback."""

    def __init__(self, message: str, *, details: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []

    def __str__(self) -> str:
        return self.message


class DatabaseError(UserError):
    """The database cannot be opened, migrated or written."""


class DatabaseBusyError(DatabaseError):
    """Another window or program holds a lock on the database: wait or close it, then retry."""


class DatabaseReadOnlyError(DatabaseError):
    """The database file or its folder cannot be written to."""


class DatabaseUnavailableError(DatabaseError):
    """The database cannot be reached: missing folder or file, no permission, a server that
    does not answer or refuses the login."""


class ServerUnavailableError(DatabaseUnavailableError):
    """The database's server cannot serve for now: it does not answer, restarts, cut the
    connection or has no connection left. It may come back by itself: waiting can be enough.
    ``brief`` says what it does in a few words (« redémarre ou s'arrête »), after « le serveur
    de la base de données … »."""

    def __init__(self, message: str, *, brief: str = "") -> None:
        super().__init__(message)
        self.brief = brief


class DatabaseDamagedError(DatabaseError):
    """The database is proven damaged (SQLite said so, or an integrity check failed): the only
    case where restoring a backup is advised."""


class DatabaseTooNewError(DatabaseError):
    """The database was made by a newer version of the app; it was left untouched."""


class FileRefusedError(UserError):
    """A file given to import was refused; nothing was changed."""
