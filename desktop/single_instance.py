"""One HopDesk per user and data folder: a second launch (a `hopdesk://` link clicked in a
browser or a mail, or the app started again) hands its link to the running instance and exits,
instead of signing in a second time beside it.

Qt's local sockets carry it: a Unix domain socket on Linux, a named pipe on Windows
(`QLocalServer` maps the same name to `\\\\.\\pipe\\<name>`), both limited to the user
(`UserAccessOption`). The name is derived from the data folder, so the demo (its own folder),
tests and another user never meet. The message is one line of UTF-8: the link, or nothing for
"show yourself". A socket file left by a crashed instance is removed when nobody answers on it.
"""

from __future__ import annotations

import getpass
import hashlib
import logging
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)

MAX_MESSAGE = 4096  # bytes: longer than any link parse_link accepts (desktop/join_link.py)
CONNECT_MS = 500
WRITE_MS = 2000


def instance_name(data_dir: Path) -> str:
    """The local socket / pipe name of the instance that uses `data_dir`."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container): the folder still differs
        user = ""
    digest = hashlib.sha256(f"{user}\0{data_dir.resolve()}".encode()).hexdigest()[:16]
    return f"hopdesk-{digest}"


def hand_over(name: str, link: str | None) -> bool:
    """Give `link` (None: only "come to the front") to a running instance; False when none
    answers. Blocking and short: it runs before the app builds anything."""
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(CONNECT_MS):
        return False
    payload = (link or "").replace("\n", " ").encode()[: MAX_MESSAGE - 1] + b"\n"
    socket.write(payload)
    sent = socket.waitForBytesWritten(WRITE_MS)
    socket.disconnectFromServer()
    if socket.state() != QLocalSocket.LocalSocketState.UnconnectedState:
        socket.waitForDisconnected(WRITE_MS)
    return sent


class SingleInstance(QObject):
    """The first instance's end: listens, and says what later launches handed over."""

    link_received = Signal(str)  # a link from a later launch
    activation_requested = Signal()  # a later launch without a link: show the window

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._accept)
        self._buffers: dict[QLocalSocket, bytes] = {}

    def listen(self) -> bool:
        """Become the instance for this name; False when another one answers on it.

        Asked first, because on Unix Qt's `listen` with socket options renames its new socket
        over an existing one: it would take the name from a running instance."""
        probe = QLocalSocket()
        probe.connectToServer(self.name)
        if probe.waitForConnected(CONNECT_MS):
            probe.abort()
            return False
        # nobody answers: no instance, or a socket file left by a crash (Unix); take the name
        QLocalServer.removeServer(self.name)
        if not self._server.listen(self.name):
            log.warning("cannot listen as %s: %s", self.name, self._server.errorString())
            return False
        return True

    def close(self) -> None:
        """Stop listening (the next launch becomes the instance)."""
        self._server.close()

    def _accept(self) -> None:
        while (socket := self._server.nextPendingConnection()) is not None:
            self._buffers[socket] = b""
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(lambda s=socket: self._done(s))
            self._read(socket)

    def _read(self, socket: QLocalSocket) -> None:
        if socket not in self._buffers:
            return
        data = self._buffers[socket] + bytes(socket.readAll().data())
        if b"\n" in data:
            line = data.split(b"\n", 1)[0]
            self._deliver(line)
            self._forget(socket)
        elif len(data) >= MAX_MESSAGE:
            log.warning("a local message over %d bytes was dropped", MAX_MESSAGE)
            self._forget(socket)
        else:
            self._buffers[socket] = data

    def _done(self, socket: QLocalSocket) -> None:
        self._forget(socket)

    def _forget(self, socket: QLocalSocket) -> None:
        if self._buffers.pop(socket, None) is not None:
            socket.readyRead.disconnect()
            socket.disconnected.disconnect()
            socket.abort()
            socket.deleteLater()

    def _deliver(self, line: bytes) -> None:
        text = line.decode("utf-8", errors="replace").strip()
        if text:
            self.link_received.emit(text)
        else:
            self.activation_requested.emit()
