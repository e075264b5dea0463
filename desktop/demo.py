"""`hopdesk --demo`: the reference server with demo data as a child process.

The child is started with QProcess so its `listening on URL` line is read by the event loop (no
thread, no blocking read on the GUI thread), and it is stopped by PID when the app exits.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from pathlib import Path

from PySide6.QtCore import QObject, QProcess, QProcessEnvironment

log = logging.getLogger(__name__)

PREFIX = "listening on "
ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 60.0


def _settle(future: asyncio.Future[None], value: None) -> None:
    if not future.done():
        future.set_result(value)


class DemoServerError(RuntimeError):
    """The demo server did not start; the message carries the tail of its stderr."""


class DemoServer(QObject):
    """One `python -m server --port 0 --seed-demo` child in `data_dir`."""

    def __init__(self, data_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.data_dir = data_dir
        self.url = ""
        self._proc: QProcess | None = None
        self._buffer = b""
        self._started: asyncio.Future[str] | None = None
        self._stderr_path = data_dir / "server.stderr.log"

    def command(self) -> list[str]:
        """Arguments after the interpreter."""
        return [
            "-m",
            "server",
            "--port",
            "0",
            "--seed-demo",
            "--data-dir",
            str(self.data_dir),
            "--db",
            str(self.data_dir / "demo.db"),
        ]

    def launch(self) -> None:
        """Start the child now (the caller can import and build windows while it boots)."""
        if self._proc is not None:
            return
        self.data_dir.mkdir(parents=True, exist_ok=True)
        proc = QProcess(self)
        env = QProcessEnvironment.systemEnvironment()
        path = os.pathsep.join(p for p in (str(ROOT), env.value("PYTHONPATH")) if p)
        env.insert("PYTHONPATH", path)
        env.insert("PYTHONUNBUFFERED", "1")
        proc.setProcessEnvironment(env)
        proc.setWorkingDirectory(str(self.data_dir))
        proc.setStandardErrorFile(str(self._stderr_path), QProcess.OpenModeFlag.Append)
        proc.readyReadStandardOutput.connect(self._on_output)
        proc.finished.connect(self._on_finished)
        proc.errorOccurred.connect(self._on_error)
        self._proc = proc
        log.info("starting demo server: %s %s", sys.executable, " ".join(self.command()))
        proc.start(sys.executable, self.command())

    async def start(self, wait: float = START_TIMEOUT) -> str:
        """Launch (if not yet) and wait for the server's URL."""
        if self.url:
            return self.url
        if self._started is None:
            self._started = asyncio.get_running_loop().create_future()
        self.launch()
        try:
            return await asyncio.wait_for(asyncio.shield(self._started), wait)
        except TimeoutError:
            await self.stop()
            raise DemoServerError(f"demo server did not start in {wait:.0f} s") from None

    async def stop(self, wait: float = 10.0) -> None:
        """SIGTERM (terminate) by PID, then kill if it lingers."""
        proc, self._proc = self._proc, None
        if proc is None or proc.state() == QProcess.ProcessState.NotRunning:
            return
        proc.finished.disconnect(self._on_finished)
        done = asyncio.get_running_loop().create_future()
        proc.finished.connect(lambda *_: _settle(done, None))
        proc.terminate()
        try:
            await asyncio.wait_for(done, wait)
        except TimeoutError:
            log.warning("demo server did not stop; killing pid %s", proc.processId())
            proc.kill()
            proc.waitForFinished(2000)
        log.info("demo server stopped")

    def _stderr_tail(self) -> str:
        try:
            return self._stderr_path.read_text(encoding="utf-8", errors="replace")[-2000:]
        except OSError:
            return ""

    def _resolve(self, url: str | None, error: str = "") -> None:
        if self._started is None:
            self._started = asyncio.get_event_loop().create_future()
        if self._started.done():
            return
        if url:
            self._started.set_result(url)
        else:
            self._started.set_exception(DemoServerError(f"{error}\n{self._stderr_tail()}"))

    def _on_output(self) -> None:
        if self._proc is None:
            return
        self._buffer += bytes(self._proc.readAllStandardOutput().data())
        while b"\n" in self._buffer:
            raw, self._buffer = self._buffer.split(b"\n", 1)
            line = raw.decode("utf-8", errors="replace").strip()
            if line.startswith(PREFIX) and not self.url:
                self.url = line[len(PREFIX) :].strip()
                log.info("demo server at %s", self.url)
                self._resolve(self.url)

    def _on_finished(self, code: int, _status: QProcess.ExitStatus) -> None:
        log.warning("demo server exited with code %s", code)
        self._resolve(None, f"demo server exited with code {code}")

    def _on_error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            self._resolve(None, "could not run the demo server")
