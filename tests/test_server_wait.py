"""Waiting for a server that went away, without a server: what is waited for, what is not, and
how the wait ends; the address of a database as the user typed it."""

from __future__ import annotations

import pytest

from sradar_desktop.db.engine import database_url, location
from sradar_desktop.errors import DatabaseUnavailableError, ServerUnavailableError
from sradar_desktop.services.server_wait import ServerPatience, Waiting, duration_text

RESTARTING = ServerUnavailableError("Le serveur redémarre.", brief="redémarre ou s'arrête")


class Flaky:
    """Work that fails ``failures`` times, then succeeds."""

    def __init__(self, failures: int, error: Exception = RESTARTING) -> None:
        self.failures = failures
        self.error = error
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error
        return "fait"


def test_a_server_back_in_time_is_waited_for_and_said():
    waits: list[Waiting] = []
    patience = ServerPatience("postgresql://serveur/base", limit=60, on_wait=waits.append)
    work = Flaky(2)
    assert patience.run(work, "l'import de « a.xlsx »") == "fait"
    assert work.calls == 3 and [w.tries for w in waits] == [1, 2]
    assert waits[0].describe() == (
        "Le serveur de la base de données postgresql://serveur/base redémarre ou s'arrête : "
        "l'import de « a.xlsx » attend qu'il soit de nouveau disponible (1 minute au plus)…"
    )


def test_a_real_refusal_is_never_tried_again():
    refused = DatabaseUnavailableError("Le serveur a refusé le mot de passe.")
    work = Flaky(1, refused)
    waits: list[Waiting] = []
    with pytest.raises(DatabaseUnavailableError):
        ServerPatience("base", limit=60, on_wait=waits.append).run(work, "l'import")
    assert work.calls == 1 and waits == []


def test_after_giving_up_the_next_pieces_are_tried_once_until_one_succeeds():
    patience = ServerPatience("base", limit=0)
    first, second = Flaky(5), Flaky(5)
    with pytest.raises(ServerUnavailableError):
        patience.run(first, "a")
    with pytest.raises(ServerUnavailableError):
        patience.run(second, "b")
    assert (first.calls, second.calls) == (1, 1)
    assert patience.run(Flaky(0), "c") == "fait"
    assert not patience.gave_up  # the server is back: the next outage is waited for again


def test_stopping_ends_the_wait_at_once():
    stop = []
    patience = ServerPatience(
        "base", limit=3600, on_wait=lambda _w: stop.append(True), cancelled=lambda: bool(stop)
    )
    work = Flaky(10)
    with pytest.raises(ServerUnavailableError):
        patience.run(work, "l'import")
    assert work.calls == 1


def test_durations_read_as_people_say_them():
    assert duration_text(0.2) == "1 seconde"
    assert duration_text(45) == "45 secondes"
    assert duration_text(120) == "2 minutes"


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("postgresql://agent:secret@serveur:5433/base", "postgresql://agent:***@serveur:5433/base"),
        ("postgres://agent:secret@serveur/base", "postgresql://agent:***@serveur/base"),
        (
            "postgresql://agent@serveur/base?sslmode=require&password=secret",
            "postgresql://agent@serveur/base?sslmode=require&password=***",
        ),
        ("postgresql://serveur/base", "postgresql://serveur/base"),
    ],
)
def test_the_address_of_a_server_reads_as_typed(typed, shown):
    url = database_url(typed)
    assert url.drivername == "postgresql+psycopg"  # the driver is SRADAR Desktop's business
    assert location(url) == shown


def test_the_location_of_a_file_is_its_path(tmp_path):
    path = tmp_path / "base.sqlite3"
    assert location(database_url(path)) == str(path)
