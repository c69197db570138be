"""« Ouvrir dans la messagerie » through Simple MAPI: the structures handed to the mail program,
as ``mapi.h`` lays them out, read back by a fake ``MAPISendMail(W)`` called through ctypes
exactly as the DLL's would be (the real one is called under wine by .ci/windows)."""

from __future__ import annotations

import ctypes
import sys
from pathlib import Path

import pytest

from sradar_desktop.mail import mapi
from sradar_desktop.mail.mapi import (
    MAPI_DIALOG,
    MAPI_LOGON_UI,
    MAPI_TO,
    MAPI_USER_ABORT,
    NO_POSITION,
    SUCCESS_SUCCESS,
    MapiMailer,
)
from sradar_desktop.mail.writer import DraftFile

SUBJECT = "SRADAR 2021-2023 — « Évaluation » : questionnaire de DDETS-44 ≥ 1"
BODY = "Bonjour,\n\nVeuillez trouver ci-joint le classeur.\nCordialement,\n"


def _draft(tmp_path: Path) -> DraftFile:
    folder = tmp_path / "Envoi 2027 – été"
    folder.mkdir()
    workbook = folder / "SRADAR-2021-2023_DDETS-44.xlsx"
    workbook.write_bytes(b"PK\x03\x04 classeur")
    return DraftFile(
        folder / "SRADAR-2021-2023_DDETS-44.eml",
        ("ddets44@example.gouv.fr", "chef.pole@example.gouv.fr"),
        SUBJECT,
        BODY,
        (workbook,),
    )


def _recorder(unicode: bool, code: int = SUCCESS_SUCCESS) -> tuple[object, list[dict]]:
    """A function of MAPISendMail(W)'s C type that reads what it is given, as a mail program
    would, and answers ``code``."""
    calls: list[dict] = []

    def text(value: object) -> str | None:
        if value is None:
            return None
        return value if unicode else value.decode("cp1252")  # type: ignore[union-attr]

    def send(session, parent, message, flags, reserved):
        m = message.contents
        calls.append(
            {
                "session": session,
                "parent": parent,
                "flags": flags,
                "reserved": reserved,
                "subject": text(m.lpszSubject),
                "body": text(m.lpszNoteText),
                "originator": bool(m.lpOriginator),
                "recipients": [
                    (
                        m.lpRecips[i].ulRecipClass,
                        text(m.lpRecips[i].lpszName),
                        text(m.lpRecips[i].lpszAddress),
                    )
                    for i in range(m.nRecipCount)
                ],
                "files": [
                    (
                        text(m.lpFiles[i].lpszPathName),
                        text(m.lpFiles[i].lpszFileName),
                        m.lpFiles[i].nPosition,
                        m.lpFiles[i].flFlags,
                    )
                    for i in range(m.nFileCount)
                ],
            }
        )
        return code

    return mapi.function_type(unicode)(send), calls


def test_the_mail_program_receives_the_draft_and_shows_it_for_the_agent_to_send(tmp_path):
    draft = _draft(tmp_path)
    send, calls = _recorder(unicode=True)
    assert MapiMailer("Outlook", send, unicode=True).open(draft) == SUCCESS_SUCCESS
    (call,) = calls
    workbook = draft.attachments[0]
    assert call == {
        "session": 0,
        "parent": 0,
        # The mail program's own window: it never sends without the agent.
        "flags": MAPI_LOGON_UI | MAPI_DIALOG,
        "reserved": 0,
        "subject": SUBJECT,
        "body": BODY.replace("\n", "\r\n"),
        "originator": False,
        "recipients": [
            (MAPI_TO, "ddets44@example.gouv.fr", "SMTP:ddets44@example.gouv.fr"),
            (MAPI_TO, "chef.pole@example.gouv.fr", "SMTP:chef.pole@example.gouv.fr"),
        ],
        "files": [(str(workbook.resolve()), workbook.name, NO_POSITION, 0)],
    }
    assert Path(call["files"][0][0]).read_bytes() == workbook.read_bytes()


def test_the_ansi_function_gets_the_system_code_page(tmp_path):
    """Without MAPISendMailW (before Windows 8, or a stub that lacks it): the text in the
    system's code page (Windows-1252 here); what it cannot write becomes « ? »."""
    draft = _draft(tmp_path)
    send, calls = _recorder(unicode=False, code=MAPI_USER_ABORT)
    assert MapiMailer("Thunderbird", send, unicode=False).open(draft) == MAPI_USER_ABORT
    (call,) = calls
    assert call["subject"] == SUBJECT.replace("≥", "?")
    assert call["recipients"][1][2] == "SMTP:chef.pole@example.gouv.fr"
    assert call["files"][0][1] == "SRADAR-2021-2023_DDETS-44.xlsx"
    assert "Envoi 2027 – été" in call["files"][0][0]  # « – » and « é » are in Windows-1252


def test_a_draft_without_recipient_has_none(tmp_path):
    draft = _draft(tmp_path)
    draft = DraftFile(draft.path, (), draft.subject, draft.body, draft.attachments)
    send, calls = _recorder(unicode=True)
    MapiMailer("Outlook", send, unicode=True).open(draft)
    assert calls[0]["recipients"] == []


@pytest.mark.skipif(ctypes.sizeof(ctypes.c_void_p) != 8, reason="64-bit layout")
def test_the_structures_have_the_layout_of_64_bit_windows():
    """mapi.h on Win64: ULONG is 32 bits, pointers 64, each aligned on its size."""
    assert ctypes.sizeof(mapi.MapiRecipDescW) == ctypes.sizeof(mapi.MapiRecipDesc) == 40
    assert ctypes.sizeof(mapi.MapiFileDescW) == ctypes.sizeof(mapi.MapiFileDesc) == 40
    assert ctypes.sizeof(mapi.MapiMessageW) == ctypes.sizeof(mapi.MapiMessage) == 96
    assert mapi.MapiMessageW.lpRecips.offset == 72
    assert mapi.MapiMessageW.lpFiles.offset == 88
    assert mapi.MapiFileDescW.lpszPathName.offset == 16


@pytest.mark.skipif(sys.platform == "win32", reason="off Windows only")
def test_off_windows_there_is_no_simple_mapi():
    assert mapi.mapi_mailer() is None
    assert mapi.code_name(26) == "MAPI_E_NOT_SUPPORTED" and mapi.code_name(99) == "code 99"
