"""A draft opened as a new message in the agent's mail program, through Simple MAPI (Windows).

``MAPISendMailW`` (Windows 8 and later, Unicode) or else ``MAPISendMail`` (in the system's code
page) hands the mail program the recipients, the subject, the text and the paths of the files
to attach; with ``MAPI_DIALOG`` the program shows its own window for a new message, which the
agent reads, completes and sends. SRADAR Desktop never sends anything: without the dialog the
call would send at once, so the flag is always there.

Classic Outlook and Thunderbird offer Simple MAPI when they are the default mail program
(``Software\\Clients\\Mail`` in the registry names them, with the DLL that serves it); the new
Outlook and web mail do not. ``mapi_mailer`` then returns ``None`` and the window opens the
``.eml`` draft instead.

The structures use fixed-size integers (``ULONG`` is 32 bits on Windows, where ``c_ulong`` is
too, but 64 bits on Linux): the module imports and is tested anywhere, a fake MAPI function in
place of the DLL's; only ``mapi_mailer`` reads the registry and loads ``mapi32.dll``.
"""

from __future__ import annotations

import ctypes
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sradar_desktop.mail.writer import DraftFile

log = logging.getLogger(__name__)

ULONG = ctypes.c_uint32
ULONG_PTR = ctypes.c_size_t  # LHANDLE and ULONG_PTR: the size of a pointer

MAPI_TO = 1
MAPI_LOGON_UI = 0x1
MAPI_DIALOG = 0x8
NO_POSITION = 0xFFFFFFFF  # an attachment not placed in the text

SUCCESS_SUCCESS = 0
MAPI_USER_ABORT = 1
CODES = {
    0: "SUCCESS_SUCCESS",
    1: "MAPI_USER_ABORT",
    2: "MAPI_E_FAILURE",
    3: "MAPI_E_LOGIN_FAILURE",
    5: "MAPI_E_INSUFFICIENT_MEMORY",
    9: "MAPI_E_TOO_MANY_FILES",
    10: "MAPI_E_TOO_MANY_RECIPIENTS",
    11: "MAPI_E_ATTACHMENT_NOT_FOUND",
    12: "MAPI_E_ATTACHMENT_OPEN_FAILURE",
    14: "MAPI_E_UNKNOWN_RECIPIENT",
    15: "MAPI_E_BAD_RECIPTYPE",
    18: "MAPI_E_TEXT_TOO_LARGE",
    25: "MAPI_E_INVALID_RECIPS",
    26: "MAPI_E_NOT_SUPPORTED",
    28: "MAPI_E_UNICODE_NOT_SUPPORTED",
}
# The system's code page for the ANSI function (Windows-1252 on a French Windows).
ANSI = "mbcs" if sys.platform == "win32" else "cp1252"


def _structures(text: Any) -> tuple[type, type, type]:
    """MapiRecipDesc, MapiFileDesc and MapiMessage (mapi.h), their strings of type ``text``
    (``c_wchar_p`` for the W function, ``c_char_p`` for the ANSI one)."""

    class Recipient(ctypes.Structure):
        _fields_ = [
            ("ulReserved", ULONG),
            ("ulRecipClass", ULONG),
            ("lpszName", text),
            ("lpszAddress", text),
            ("ulEIDSize", ULONG),
            ("lpEntryID", ctypes.c_void_p),
        ]

    class File(ctypes.Structure):
        _fields_ = [
            ("ulReserved", ULONG),
            ("flFlags", ULONG),
            ("nPosition", ULONG),
            ("lpszPathName", text),
            ("lpszFileName", text),
            ("lpFileType", ctypes.c_void_p),
        ]

    class Message(ctypes.Structure):
        _fields_ = [
            ("ulReserved", ULONG),
            ("lpszSubject", text),
            ("lpszNoteText", text),
            ("lpszMessageType", text),
            ("lpszDateReceived", text),
            ("lpszConversationID", text),
            ("flFlags", ULONG),
            ("lpOriginator", ctypes.POINTER(Recipient)),
            ("nRecipCount", ULONG),
            ("lpRecips", ctypes.POINTER(Recipient)),
            ("nFileCount", ULONG),
            ("lpFiles", ctypes.POINTER(File)),
        ]

    return Recipient, File, Message


MapiRecipDescW: Any
MapiFileDescW: Any
MapiMessageW: Any
MapiRecipDesc: Any
MapiFileDesc: Any
MapiMessage: Any
MapiRecipDescW, MapiFileDescW, MapiMessageW = _structures(ctypes.c_wchar_p)
MapiRecipDesc, MapiFileDesc, MapiMessage = _structures(ctypes.c_char_p)


def function_type(unicode: bool) -> Any:
    """The C type of ``MAPISendMailW`` (``unicode``) or ``MAPISendMail``: ``ULONG WINAPI
    f(LHANDLE, ULONG_PTR, lpMapiMessage, FLAGS, ULONG)``."""
    message = MapiMessageW if unicode else MapiMessage
    factory = getattr(ctypes, "WINFUNCTYPE", ctypes.CFUNCTYPE)  # stdcall on Windows
    return factory(ULONG, ULONG_PTR, ULONG_PTR, ctypes.POINTER(message), ULONG, ULONG)


@dataclass
class _Built:
    """A MapiMessage and the arrays it points into (kept alive for the call)."""

    message: Any
    recipients: Any
    files: Any


def build_message(draft: DraftFile, *, unicode: bool) -> _Built:
    """The MapiMessage(W) of ``draft``: its recipients (``SMTP:`` addresses), subject, text
    (lines ending in CRLF) and attached files (full path, and the name the message shows)."""
    recipient, file, message = (
        (MapiRecipDescW, MapiFileDescW, MapiMessageW)
        if unicode
        else (MapiRecipDesc, MapiFileDesc, MapiMessage)
    )
    recipient_array: Any = recipient * max(len(draft.to), 1)
    file_array: Any = file * max(len(draft.attachments), 1)

    def text(value: str) -> Any:
        return value if unicode else value.encode(ANSI, errors="replace")

    recipients = recipient_array()
    for one, address in zip(recipients, draft.to, strict=False):
        one.ulRecipClass = MAPI_TO
        one.lpszName = text(address)
        one.lpszAddress = text(f"SMTP:{address}")
    files = file_array()
    for one, path in zip(files, draft.attachments, strict=False):
        one.nPosition = NO_POSITION
        one.lpszPathName = text(str(Path(path).resolve()))
        one.lpszFileName = text(Path(path).name)
    built = message()
    built.lpszSubject = text(draft.subject)
    built.lpszNoteText = text(draft.body.replace("\r\n", "\n").replace("\n", "\r\n"))
    built.nRecipCount = len(draft.to)
    built.lpRecips = recipients if draft.to else None
    built.nFileCount = len(draft.attachments)
    built.lpFiles = files if draft.attachments else None
    return _Built(built, recipients, files)


class MapiMailer:
    """Opens drafts in the mail program ``client`` through ``send`` (``MAPISendMailW`` when
    ``unicode``, else ``MAPISendMail``, or a function of the same C type)."""

    def __init__(
        self, client: str, send: Callable[..., int], *, unicode: bool, apartment: bool = False
    ) -> None:
        self.client = client
        self.send = send
        self.unicode = unicode
        self.apartment = apartment  # the calling thread joins a COM apartment first (Windows)

    def open(self, draft: DraftFile, parent: int = 0) -> int:
        """Show ``draft`` as a new message of the mail program, with its attachments; returns
        when the agent has sent or closed it, with MAPI's code (``SUCCESS_SUCCESS``,
        ``MAPI_USER_ABORT``, or an error: see ``CODES``). ``parent``: a window to hold the
        mail program's window above, 0 for none. Blocks: call it off the UI thread."""
        built = build_message(draft, unicode=self.unicode)
        joined = self.apartment and _join_apartment()
        try:
            code = int(
                self.send(0, parent, ctypes.byref(built.message), MAPI_LOGON_UI | MAPI_DIALOG, 0)
            )
        finally:
            if joined and sys.platform == "win32":
                ctypes.windll.ole32.CoUninitialize()
        log.info(
            "Message %s ouvert par %s (MAPI) : %s", draft.path.name, self.client, code_name(code)
        )
        return code


def code_name(code: int) -> str:
    return CODES.get(code, f"code {code}")


def _join_apartment() -> bool:
    """A single-threaded COM apartment for this thread, as mail programs expect of their
    callers (True when this call made it, and must end it)."""
    if sys.platform != "win32":
        return False
    coinit_apartmentthreaded = 0x2
    result = ctypes.windll.ole32.CoInitializeEx(None, coinit_apartmentthreaded)
    return result in (0, 1)  # S_OK, S_FALSE (already joined: still to be balanced)


def default_mail_client() -> str:
    """The default mail program as Windows knows it, when it serves Simple MAPI (its key
    under ``Software\\Clients\\Mail`` names a DLL), else "". The user's choice (HKCU) first."""
    if sys.platform != "win32":
        return ""
    import winreg

    for root in (winreg.HKEY_CURRENT_USER, winreg.HKEY_LOCAL_MACHINE):
        try:
            with winreg.OpenKey(root, r"Software\Clients\Mail") as key:
                name = str(winreg.QueryValueEx(key, "")[0] or "")
        except OSError:
            continue
        if not name:
            continue
        for where in (root, winreg.HKEY_LOCAL_MACHINE):
            try:
                with winreg.OpenKey(where, rf"Software\Clients\Mail\{name}") as key:
                    for value in ("DLLPath", "DLLPathEx"):
                        try:
                            if winreg.QueryValueEx(key, value)[0]:
                                return name
                        except OSError:
                            continue
            except OSError:
                continue
        return ""
    return ""


def mapi_mailer() -> MapiMailer | None:
    """The mail program's Simple MAPI, or ``None`` when there is none to use: not Windows, no
    default mail program, one that does not serve Simple MAPI, no ``mapi32.dll``."""
    if sys.platform != "win32":
        return None
    client = default_mail_client()
    if not client:
        log.info("Pas de messagerie Simple MAPI par défaut : les messages s'ouvrent en .eml.")
        return None
    try:
        library = ctypes.WinDLL("mapi32.dll")
    except OSError:
        log.warning("mapi32.dll introuvable", exc_info=True)
        return None
    for name, unicode in (("MAPISendMailW", True), ("MAPISendMail", False)):
        try:
            address = ctypes.cast(getattr(library, name), ctypes.c_void_p).value
        except AttributeError:
            continue
        send = function_type(unicode)(address)
        return MapiMailer(client, send, unicode=unicode, apartment=True)
    return None
