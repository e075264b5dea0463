"""Help → About: version, the log folder (a link that opens it), bundled components' licences."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop.app import Options, version
from tests.fixtures.server import ServerProcess
from tests.ui.conftest import memory_secrets
from tests.ui.test_shell import make_core, remember_sign_in, window_with_lists
from ui.about_dialog import AboutDialog, bundled_components
from ui.shell import QtFrontend


class FileUrls(QObject):
    """Receives the file:// URLs the app asks the desktop to open."""

    def __init__(self) -> None:
        super().__init__()
        self.opened: list[QUrl] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.opened.append(url)


def test_components_are_the_runtime_dependencies_with_their_licences() -> None:
    components = {c.name.lower(): c for c in bundled_components()}
    assert components["pyside6"].licence == "LGPL-3.0-only OR GPL-2.0-only OR GPL-3.0-only"
    assert components["pyhanko"].licence == "MIT"
    assert "AFFERO" in components["pymupdf"].licence.upper()
    assert components["tomli_w"].licence == "MIT License"  # only a trove classifier
    assert "pytest" not in components  # a test tool is not bundled
    assert components["lucide icons"].licence == "ISC AND MIT"  # resources/icons/LICENSE
    assert all(c.version and c.licence != "?" for c in components.values())


def test_about_shows_version_and_opens_the_log_folder(
    qtbot: QtBot, tmp_path: Path, vietnamese: None
) -> None:
    dialog = AboutDialog("1.2.3", tmp_path / "logs")
    qtbot.addWidget(dialog)
    assert "phiên bản 1.2.3" in dialog.title.text()
    assert str(tmp_path / "logs") in dialog.log_link.text()
    assert dialog.components.topLevelItemCount() == len(bundled_components())
    assert dialog.components.headerItem().text(2) == "Giấy phép"

    urls = FileUrls()
    QDesktopServices.setUrlHandler("file", urls, "open")
    try:
        dialog.log_link.linkActivated.emit(dialog.log_url().toString())
    finally:
        QDesktopServices.unsetUrlHandler("file")
    assert [u.toLocalFile() for u in urls.opened] == [str(tmp_path / "logs")]


def test_help_menu_opens_about_with_the_app_log_folder(
    aio: Any, qapp: QApplication, server: ServerProcess, tmp_path: Path
) -> None:
    secrets = memory_secrets()
    remember_sign_in(aio, tmp_path, secrets, server.url)
    core = make_core(tmp_path, secrets, server.url)
    frontend = QtFrontend()

    async def scenario() -> int:
        run = asyncio.ensure_future(frontend.run(core, Options()))
        window = await window_with_lists(frontend)
        assert window.about_action in window.help_menu.actions()
        window.about_action.trigger()
        dialogs = [w for w in QApplication.topLevelWidgets() if isinstance(w, AboutDialog)]
        assert len(dialogs) == 1
        assert dialogs[0].version == version()
        assert dialogs[0].log_dir == tmp_path  # the folder of core.log_path
        dialogs[0].close()
        frontend._finish("quit")
        return await run

    assert aio(scenario(), 60) == 0
    aio(core.aclose())
