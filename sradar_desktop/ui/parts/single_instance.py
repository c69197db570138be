"""One window per database: the lock (``services.instance_lock``), and a local server through
which a second window asks the first to come to the front."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from sradar_desktop.services.instance_lock import InstanceLock, LockOwner, database_key

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

log = logging.getLogger(__name__)

SHOW_REQUEST = b"afficher\n"


class InstanceGuard(QObject):
    """Holds the database's lock and listens for « show yourself » requests."""

    show_requested = Signal()

    def __init__(self, target: URL | Path, parent: QObject | None = None) -> None:
        """``target``: the database's URL, or the path of a local SQLite file."""
        super().__init__(parent)
        self.key = database_key(target)
        self.lock = InstanceLock(self.key)
        self.server_name = f"sradar-desktop-{self.key}"
        self._server: QLocalServer | None = None
        self._clients: list[QLocalSocket] = []

    def acquire(self, agent: str = "") -> bool:
        if not self.lock.acquire(agent):
            return False
        self._listen()
        return True

    def _listen(self) -> None:
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        # We hold the lock: a server name left by a crashed window is ours to remove.
        QLocalServer.removeServer(self.server_name)
        if not server.listen(self.server_name):
            log.warning("Serveur local indisponible : %s", server.errorString())
            return
        server.newConnection.connect(self._connection)
        self._server = server

    def _connection(self) -> None:
        assert self._server is not None
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            self._clients.append(socket)
            socket.readyRead.connect(self._read)
            socket.disconnected.connect(self._gone)
            if socket.bytesAvailable():
                self._read_from(socket)

    def _read(self) -> None:
        socket = self.sender()
        if isinstance(socket, QLocalSocket):
            self._read_from(socket)

    def _read_from(self, socket: QLocalSocket) -> None:
        data = bytes(socket.readAll().data())
        if SHOW_REQUEST.strip() in data:
            log.info("Une autre fenêtre demande l'affichage de celle-ci")
            self.show_requested.emit()

    def _gone(self) -> None:
        socket = self.sender()
        if isinstance(socket, QLocalSocket) and socket in self._clients:
            self._clients.remove(socket)
            socket.deleteLater()

    def owner(self) -> LockOwner | None:
        return self.lock.owner()

    def set_agent(self, agent: str) -> None:
        self.lock.set_agent(agent)

    def ask_first_to_show(self, timeout_ms: int = 2000) -> bool:
        """Ask the window that holds the lock to come to the front. True when it was asked."""
        owner = self.owner()
        if sys.platform == "win32" and owner is not None and owner.pid:
            # Windows lets a background process take the foreground only when allowed to.
            try:
                import ctypes

                ctypes.windll.user32.AllowSetForegroundWindow(owner.pid)  # type: ignore[attr-defined]
            except (AttributeError, OSError):
                pass
        socket = QLocalSocket(self)
        try:
            socket.connectToServer(self.server_name)
            if not socket.waitForConnected(timeout_ms):
                log.info("Première fenêtre injoignable : %s", socket.errorString())
                return False
            written = socket.write(SHOW_REQUEST) == len(SHOW_REQUEST)
            # Data still in the socket's buffer must reach the first window before we go.
            while written and socket.bytesToWrite() > 0:
                written = socket.waitForBytesWritten(timeout_ms)
            socket.disconnectFromServer()
            if socket.state() != QLocalSocket.LocalSocketState.UnconnectedState:
                socket.waitForDisconnected(timeout_ms)
            return written
        finally:
            socket.deleteLater()

    def release(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server.deleteLater()
            self._server = None
        self._clients.clear()
        self.lock.release()
