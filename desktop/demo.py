"""`hopdesk --demo`: the reference server with demo data as a child process.

The child is launched first thing in `main()`, before Qt is even imported, because its boot
(imports, seeding) is the longest step of a demo start-up and overlaps everything else that way.
A small reader thread waits for its `listening on URL` line and hands the URL to a future, so
the GUI thread never blocks on the pipe. The child is stopped by PID when the app exits.

The seeded drafts awaiting signature are made signable once per demo database
(`prepare_drafts`, desktop/demo_drafts.py): a mark beside the database says it was done, and
the mark goes when the database does (a new one is seeded with unprepared drafts). Checking
the drafts again at every start imported the signing stack and downloaded each draft, about
a second of CPU for nothing after the first start.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO

log = logging.getLogger(__name__)

PREFIX = "listening on "
DRAFTS_PREPARED = "drafts-prepared"  # the mark, in the launcher's directory
ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 60.0


async def stop_child(proc: subprocess.Popen[bytes], wait: float, what: str) -> None:
    """SIGTERM (TerminateProcess on Windows) by PID, kill if it lingers past `wait` seconds;
    then our end of its stdin is closed. Never blocks the loop."""
    if proc.poll() is None:
        proc.terminate()
        try:
            await asyncio.wait_for(asyncio.to_thread(proc.wait), wait)
        except TimeoutError:
            log.warning("%s did not stop; killing pid %s", what, proc.pid)
            proc.kill()
            await asyncio.to_thread(proc.wait)
    if proc.stdin is not None:
        proc.stdin.close()


class DemoServerError(RuntimeError):
    """The demo server did not start; the message carries the tail of its stderr."""


class DemoServer:
    """One `python -m server --port 0 --seed-demo` child in `data_dir`."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.url = ""
        self.proc: subprocess.Popen[bytes] | None = None
        self._url: concurrent.futures.Future[str] = concurrent.futures.Future()
        self._stderr_path = data_dir / "server.stderr.log"
        self.launcher_dir = data_dir / "launcher"  # the demo launcher's own store and files

    def command(self) -> list[str]:
        """Arguments after the interpreter."""
        return [
            "-m",
            "server",
            "--port",
            "0",
            "--seed-demo",
            "--demo-delegates",  # simulated delegates in the meeting in progress
            "--exit-with-stdin",  # our end of its stdin closes when this app ends, however
            "--data-dir",
            str(self.data_dir),
            "--db",
            str(self.data_dir / "demo.db"),
        ]

    def launch(self) -> None:
        """Start the child now (no event loop needed); `start()` awaits its URL later."""
        if self.proc is not None:
            return
        self.data_dir.mkdir(parents=True, exist_ok=True)
        database = self.data_dir / "demo.db"
        if not database.exists() or database.stat().st_size == 0:  # the child seeds a new one
            (self.launcher_dir / DRAFTS_PREPARED).unlink(missing_ok=True)
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
        flags = getattr(subprocess, "CREATE_NO_WINDOW", 0)  # no console window on Windows
        with open(self._stderr_path, "ab") as err:
            self.proc = subprocess.Popen(
                [sys.executable, *self.command()],
                cwd=self.data_dir,
                env=env,
                stdin=subprocess.PIPE,  # never written; closes when this process ends
                stdout=subprocess.PIPE,
                stderr=err,
                creationflags=flags,
            )
        assert self.proc.stdout is not None
        threading.Thread(
            target=self._read, args=(self.proc, self.proc.stdout), name="demo-server", daemon=True
        ).start()
        log.info("demo server pid %s: %s", self.proc.pid, " ".join(self.command()))

    async def start(self, wait: float = START_TIMEOUT) -> str:
        """Launch (if not yet) and wait for the server's URL without blocking the loop."""
        self.launch()
        try:
            self.url = await asyncio.wait_for(asyncio.wrap_future(self._url), wait)
        except TimeoutError:
            await self.stop()
            raise DemoServerError(f"demo server did not start in {wait:.0f} s") from None
        return self.url

    async def prepare_drafts(self, url: str, password: str) -> bool:
        """Make the seeded drafts awaiting signature signable, once per database (see the
        module); True when it ran now. A failure leaves the demo usable, only those drafts
        unsignable, and is tried again at the next start. The signing stack (pyHanko) is
        imported in a thread: on the GUI thread, with PySide6's import hook reading each new
        module's source, it stalled the window 1.4-1.85 s under load."""
        mark = self.launcher_dir / DRAFTS_PREPARED
        if await asyncio.to_thread(mark.exists):
            return False
        import importlib

        await asyncio.to_thread(importlib.import_module, "desktop.demo_drafts")
        from desktop.demo_drafts import prepare_waiting_drafts

        try:
            await prepare_waiting_drafts(url, password, self.launcher_dir)
        except Exception as exc:  # the demo still starts; the reason is in the log
            log.warning("demo drafts not prepared: %r", exc)
            return True
        await asyncio.to_thread(mark.write_text, "the seeded drafts were prepared\n")
        return True

    async def stop(self, wait: float = 10.0) -> None:
        """SIGTERM (TerminateProcess on Windows) by PID, then kill if it lingers."""
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            await stop_child(proc, wait, "demo server")
            log.info("demo server stopped")

    def _read(self, proc: subprocess.Popen[bytes], stdout: IO[bytes]) -> None:
        """Reader thread: the URL line resolves the future; EOF before it is a failure."""
        for raw in stdout:
            line = raw.decode("utf-8", errors="replace").strip()
            if line.startswith(PREFIX) and not self._url.done():
                url = line[len(PREFIX) :].strip()
                log.info("demo server at %s", url)
                self._url.set_result(url)
        code = proc.wait()
        if not self._url.done():
            tail = ""
            with contextlib.suppress(OSError):
                tail = self._stderr_path.read_text(encoding="utf-8", errors="replace")[-2000:]
            self._url.set_exception(DemoServerError(f"demo server exited with code {code}\n{tail}"))
        else:
            log.info("demo server exited with code %s", code)
