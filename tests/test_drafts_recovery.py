"""A damaged drafts file is kept, never overwritten, and every draft still readable comes back.

The drafts file holds what the database refused (other respondents' unsaved work too). Files are
damaged on disk here as they are in life: cut short by a crash or a full disk, a line garbled,
re-saved by an editor in another encoding, whole lines lost; the old single-document format is
still read.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import re
import tempfile
from dataclasses import asdict
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ui_support import CLAIRE, SRADAR, answers, open_window, wait_saved

from sradar_desktop.services import drafts as drafts_module
from sradar_desktop.services.drafts import FIELDS, Draft, DraftStore
from sradar_desktop.services.instance_lock import database_key
from sradar_desktop.services.questionnaires import default_campaign_id

CAMPAIGN = default_campaign_id(SRADAR)
COPY_NAME = re.compile(r"^cle\.illisible-\d{8}-\d{6}(-\d+)?\.json$")

DRAFTS = [
    Draft(CAMPAIGN, "DDETS-44", "1.1.1", "comment", None, "Texte « œ » = 1\nsuite", "Claire", "t"),
    Draft(CAMPAIGN, "DDETS-49", "1.1.2", "status", None, "oui", "Karim", "t"),
    Draft(CAMPAIGN, "DDETS-59", "2.6.1", "achieved", 1, "1316", "Léa", "t"),
    Draft(CAMPAIGN, "DDETS-59", "2.6.1", "target", 0, None, "Léa", "t"),
]


def _saved(tmp_path, drafts=DRAFTS) -> tuple[DraftStore, bytes]:
    store = DraftStore("cle", tmp_path)
    assert store.save(drafts)
    return store, store.path.read_bytes()


def _copies(tmp_path) -> list:
    return sorted(p for p in tmp_path.iterdir() if COPY_NAME.match(p.name))


def _recovered(tmp_path, damaged: bytes) -> tuple[list[Draft], DraftStore]:
    """Load a damaged file: it is set aside byte for byte, and the drafts read from it are
    written back in a sound file that loads without complaint."""
    store = DraftStore("cle", tmp_path)
    store.path.write_bytes(damaged)
    loaded = store.load()
    (copy,) = _copies(tmp_path)
    assert store.recovery is not None
    assert store.recovery.copy == copy and store.recovery.recovered == len(loaded)
    assert copy.read_bytes() == damaged
    again = DraftStore("cle", tmp_path)
    assert again.load() == loaded and again.recovery is None
    assert store.path.exists() == bool(loaded)
    return loaded, store


def test_a_sound_file_round_trips_in_ascii(tmp_path):
    store, raw = _saved(tmp_path)
    assert raw.isascii()  # an editor re-saving it in another encoding changes nothing
    assert DraftStore("cle", tmp_path).load() == DRAFTS
    assert store.recovery is None and _copies(tmp_path) == []
    store.path.write_bytes(raw.decode("ascii").encode("cp1252"))
    assert store.load() == DRAFTS and store.recovery is None


def test_a_truncated_file_gives_back_every_whole_draft(tmp_path):
    _, raw = _saved(tmp_path)
    cut = raw[: raw.index(b"1316")]  # in the middle of the third draft
    loaded, _ = _recovered(tmp_path, cut)
    assert loaded == DRAFTS[:2]


def test_lines_lost_at_the_end_are_noticed(tmp_path):
    """Cut exactly at a line end: the header's count tells that drafts are missing."""
    _, raw = _saved(tmp_path)
    lines = raw.split(b"\n")
    loaded, _ = _recovered(tmp_path, b"\n".join(lines[:3]) + b"\n")
    assert loaded == DRAFTS[:2]


def test_a_garbled_line_costs_only_its_draft(tmp_path):
    _, raw = _saved(tmp_path)
    lines = raw.split(b"\n")
    lines[2] = lines[2][:20] + b"\x00\xff\xfe garbage ]]" + lines[2][25:]
    loaded, _ = _recovered(tmp_path, b"\n".join(lines))
    assert loaded == [DRAFTS[0], *DRAFTS[2:]]


def test_a_file_that_is_not_json_at_all_is_kept(tmp_path):
    loaded, store = _recovered(tmp_path, b"{pas du json \x89PNG\r\n")
    assert loaded == [] and store.recovery.recovered == 0
    assert not store.path.exists()


def test_entries_that_are_not_drafts_are_kept_in_the_copy(tmp_path):
    """A first-version file whose entries cannot be drafts: nothing is dropped silently."""
    document = {
        "drafts": [
            {"field": "status"},
            {"campaign_id": "c", "respondent_code": "R", "action_code": "1", "field": "x"},
            {**asdict(DRAFTS[1]), "value": {"not": "text"}},
            asdict(DRAFTS[0]),
        ]
    }
    loaded, _ = _recovered(tmp_path, json.dumps(document).encode())
    assert loaded == [DRAFTS[0]]


def _first_version(drafts=DRAFTS) -> str:
    """A file as the first version wrote it: one indented JSON document, UTF-8 text."""
    return json.dumps(
        {"version": 1, "drafts": [asdict(d) for d in drafts]}, ensure_ascii=False, indent=1
    )


def test_the_first_version_is_still_read_and_rewritten_in_the_new_format(tmp_path):
    store = DraftStore("cle", tmp_path)
    store.path.write_text(_first_version(), encoding="utf-8")
    assert store.load() == DRAFTS and store.recovery is None
    assert store.save(DRAFTS[1:])
    assert store.path.read_bytes().startswith(b'{"format": "sradar-desktop-brouillons"')
    assert DraftStore("cle", tmp_path).load() == DRAFTS[1:]


def test_a_damaged_first_version_file_gives_back_its_whole_drafts(tmp_path):
    text = _first_version()
    cut = text[: text.index('"1316"')]
    loaded, _ = _recovered(tmp_path, cut.encode("utf-8"))
    assert loaded == DRAFTS[:2]


@pytest.mark.parametrize("encoding", ["cp1252", "utf-16", "utf-8-sig"])
def test_a_file_re_saved_in_another_encoding_comes_back_whole(tmp_path, encoding):
    """Notepad's « ANSI », « Unicode » or UTF-8 with a byte order mark."""
    drafts = [*DRAFTS, Draft(CAMPAIGN, "DDETS-44", "1.2.1", "comment", None, "Été, déjà")]
    loaded, _ = _recovered(tmp_path, _first_version(drafts).encode(encoding))
    assert loaded == drafts


def test_a_line_that_is_not_utf8_is_left_out_not_misread(tmp_path):
    """In a UTF-8 file, one line with bytes that are not UTF-8 is damage, not an encoding."""
    text = _first_version()
    raw = text.encode("utf-8").replace(b'"Karim"', b'"K\xe9rim"')
    loaded, _ = _recovered(tmp_path, raw)
    assert loaded == [DRAFTS[0], *DRAFTS[2:]]


def test_copies_are_never_overwritten(tmp_path):
    """Damaged twice in the same second: two copies, each as it was."""
    store = DraftStore("cle", tmp_path)
    store.path.write_bytes(b"premier \xff")
    assert store.load() == []
    store.path.write_bytes(b"second {")
    assert store.load() == []
    copies = _copies(tmp_path)
    assert sorted(p.read_bytes() for p in copies) == [b"premier \xff", b"second {"]
    # Saving afterwards writes a new sound file and leaves the copies alone.
    assert store.save(DRAFTS)
    assert sorted(p.read_bytes() for p in _copies(tmp_path)) == [b"premier \xff", b"second {"]


def test_a_damaged_file_that_cannot_be_moved_is_never_written_over(tmp_path, monkeypatch):
    store = DraftStore("cle", tmp_path)
    _, raw = _saved(tmp_path)
    damaged = raw[:-10]
    store.path.write_bytes(damaged)

    rename = os.rename

    def refuse(source, target):
        raise PermissionError(13, "Permission denied", str(source))

    monkeypatch.setattr(drafts_module.os, "rename", refuse)
    assert store.load() == DRAFTS[:3]
    assert store.recovery.copy is None and store.recovery.recovered == 3
    assert not store.save(DRAFTS) and not store.save([])
    assert store.path.read_bytes() == damaged
    # Once the disk lets it be moved, the next save sets it aside first.
    monkeypatch.setattr(drafts_module.os, "rename", rename)
    assert store.save(DRAFTS)
    (copy,) = _copies(tmp_path)
    assert copy.read_bytes() == damaged
    assert DraftStore("cle", tmp_path).load() == DRAFTS


def test_a_sound_file_locked_for_a_moment_is_neither_set_aside_nor_written_over(
    tmp_path, monkeypatch
):
    """A file another program holds (an antivirus, a synchronisation) cannot be read for a
    while: it is not damaged. Nothing is moved aside, and a save made meanwhile keeps the
    drafts it holds beside the new one once it can be read."""
    _, raw = _saved(tmp_path, DRAFTS[1:])
    store = DraftStore("cle", tmp_path)
    real_read = Path.read_bytes

    def locked(path):
        if path == store.path:
            raise PermissionError(13, "Le processus ne peut pas accéder au fichier", str(path))
        return real_read(path)

    monkeypatch.setattr(Path, "read_bytes", locked)
    assert store.load() == [] and store.recovery is None
    assert not store.save(DRAFTS[:1])  # still locked: never written over
    assert _copies(tmp_path) == [] and real_read(store.path) == raw
    monkeypatch.setattr(Path, "read_bytes", real_read)
    assert store.save(DRAFTS[:1])
    assert sorted(DraftStore("cle", tmp_path).load(), key=lambda d: d.key) == sorted(
        DRAFTS, key=lambda d: d.key
    )
    assert _copies(tmp_path) == []


def test_the_recovery_is_logged(tmp_path, caplog):
    _, raw = _saved(tmp_path)
    with caplog.at_level(logging.WARNING, logger="sradar_desktop.services.drafts"):
        loaded, store = _recovered(tmp_path, raw[:-5])
    assert str(store.recovery.copy) in caplog.text
    assert f"{len(loaded)} brouillon(s) récupéré(s)" in caplog.text


text = st.text(st.characters(codec="utf-8"), max_size=30)
draft = st.builds(
    Draft,
    campaign_id=text,
    respondent_code=text,
    action_code=text,
    field=st.sampled_from(FIELDS),
    position=st.none() | st.integers(-5, 10**6),
    value=st.none() | text,
    actor=text,
    at=text,
)


def _unique(drafts: list[Draft]) -> list[Draft]:
    return list({d.key: d for d in drafts}.values())


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(drafts=st.lists(draft, min_size=1, max_size=8).map(_unique), data=st.data())
def test_any_cut_gives_back_exactly_the_drafts_written_before_it(tmp_path, drafts, data):
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    store = DraftStore("cle", folder)
    assert store.save(drafts)
    raw = store.path.read_bytes()
    assert DraftStore("cle", folder).load() == drafts
    cut = data.draw(st.integers(0, len(raw) - 1))
    store.path.write_bytes(raw[:cut])
    loaded = store.load()
    # A line is whole when the cut is at or after its end (its line feed may be cut off);
    # the first line is the header.
    ends = itertools.accumulate(len(line) + 1 for line in raw.split(b"\n")[:-1])
    whole = sum(1 for end in ends if end - 1 <= cut)
    assert loaded == drafts[: max(whole - 1, 0)]
    assert store.recovery is not None and store.recovery.copy.read_bytes() == raw[:cut]


# -- in the window -------------------------------------------------------------------------------


def test_the_window_says_where_the_copy_is_and_saves_what_came_back(qtbot, tmp_path):
    from sradar_desktop.services.opening import open_database

    db = open_database(tmp_path / "base.sqlite3")
    store = DraftStore(database_key(db.url))
    own = Draft(CAMPAIGN, CLAIRE.service_code, "1.1.1", "comment", None, "Repris « ici »")
    other = Draft(CAMPAIGN, "DDETS-49", "1.1.2", "status", None, "oui")
    lost = Draft(CAMPAIGN, CLAIRE.service_code, "1.1.3", "status", None, "non")
    assert store.save([own, other, lost])
    damaged = store.path.read_bytes()[:-8]  # the last draft cut short
    store.path.write_bytes(damaged)

    window = open_window(qtbot, db)
    wait_saved(qtbot, window)
    banner = window.info_banner
    assert banner.isVisible() and banner.kind == "info"
    (copy,) = (p for p in store.path.parent.iterdir() if ".illisible-" in p.name)
    assert copy.read_bytes() == damaged
    message = banner.text.text()
    assert "était endommagé" in message and "2 modifications ont pu" in message
    assert str(copy) in message
    # The agent's own draft is saved; the other service's stays in a sound drafts file.
    assert answers(db)["1.1.1"].comment == "Repris « ici »"
    assert "1.1.3" not in answers(db)
    assert DraftStore(database_key(db.url)).load() == [other]
    window.close()
    db.close()
