"""`DemoServer` starts the real reference server as a child, reads its URL, stops it by PID."""

from __future__ import annotations

import asyncio
import json
import urllib.request
from pathlib import Path
from typing import Any

import psutil
import pytest
from PySide6.QtWidgets import QApplication

from desktop.app import DEMO_PASSWORD, Options
from desktop.demo import DemoServer, DemoServerError
from tests.ui.conftest import memory_secrets, until
from tests.ui.test_shell import make_core, window_with_lists
from ui.settings_dialog import SettingsDialog
from ui.shell import QtFrontend


def test_demo_server_starts_serves_and_stops(aio: Any, tmp_path: Path) -> None:
    demo = DemoServer(tmp_path / "demo")
    url = aio(demo.start())
    assert url.startswith("http://127.0.0.1:")
    assert (tmp_path / "demo" / "demo.db").exists()
    with urllib.request.urlopen(f"{url}/api/v1/health", timeout=10) as reply:
        assert json.load(reply)["status"] == "ok"
    assert demo.proc is not None
    pid = demo.proc.pid
    assert psutil.pid_exists(pid)
    aio(demo.stop())
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE


def test_the_seeded_drafts_are_prepared_once_per_demo_database(aio: Any, tmp_path: Path) -> None:
    """Every start checked (and downloaded) the seeded drafts again, importing the signing
    stack: now once per database, and again for a new database, which is seeded anew."""
    first, later = DemoServer(tmp_path / "demo"), DemoServer(tmp_path / "demo")

    async def scenario() -> None:
        url = await first.start()
        assert await first.prepare_drafts(url, DEMO_PASSWORD)
        assert not await first.prepare_drafts(url, DEMO_PASSWORD)
        await first.stop()
        (tmp_path / "demo" / "demo.db").unlink()
        url = await later.start()  # a new database, seeded again
        assert await later.prepare_drafts(url, DEMO_PASSWORD)
        from desktop.demo_drafts import prepare_waiting_drafts  # the drafts were prepared

        assert await prepare_waiting_drafts(url, DEMO_PASSWORD, later.launcher_dir) == []

    try:
        aio(scenario(), 300)  # two demo servers and the signing stack, on a busy machine
    finally:
        aio(first.stop())
        aio(later.stop())


def test_demo_server_that_cannot_start_says_why(aio: Any, tmp_path: Path) -> None:
    class Broken(DemoServer):
        def command(self) -> list[str]:
            return ["-c", "import sys; sys.stderr.write('no such thing'); sys.exit(3)"]

    demo = Broken(tmp_path / "demo")
    with pytest.raises(DemoServerError) as caught:
        aio(demo.start())
    assert "exited with code 3" in str(caught.value)
    assert "no such thing" in str(caught.value)


def test_settings_in_the_demo_show_the_demo_servers_address(
    aio: Any, qapp: QApplication, tmp_path: Path
) -> None:
    """The address field was empty in the demo although the app was connected."""
    core = make_core(tmp_path, memory_secrets(), "")
    core.demo = DemoServer(tmp_path / "demo")
    frontend = QtFrontend()

    async def scenario() -> int:
        run = asyncio.ensure_future(frontend.run(core, Options(demo=True)))
        await window_with_lists(frontend, 60)
        frontend.open_settings()

        def settings() -> list[SettingsDialog]:
            assert frontend.window is not None
            dialogs = frontend.window.findChildren(SettingsDialog)
            return [d for d in dialogs if d.isVisible()]

        await until(lambda: bool(settings()))
        [dialog] = settings()
        assert core.session.server_url
        assert dialog.server_url.text() == core.session.server_url
        assert not dialog.server_url.isEnabled()  # a demo address is never saved
        dialog.reject()
        frontend._finish("quit")
        return await run

    assert aio(scenario(), 90) == 0
    aio(core.aclose())
