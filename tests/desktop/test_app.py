"""desktop/app.py: start-up imports only what the first screen needs.

Measured by tests/bench/startup.py; this guards the import side of it. A subprocess runs the
imports of a remembered sign-in's start (the bootstrap, `build_core`'s modules, the UI loaded by
`load_frontend`, the session services of `Core.start_session`) and lists `sys.modules`: the
PDF engine, signing, media, the server's stack and the windows not on the first screen must
load when first used, not at start-up.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

START_UP = """
import json, sys
import desktop.app
from desktop.app import load_frontend
import desktop.collector, desktop.log, desktop.notify, desktop.watchdog, desktop.i18n
import desktop.config, desktop.paths, desktop.policy, desktop.secrets, desktop.session
import desktop.store
import desktop.documents, desktop.events, desktop.files, desktop.inbox, desktop.meetings
import desktop.notes, desktop.outbox, desktop.view_states
from PySide6.QtWidgets import QApplication
app = QApplication([])
load_frontend()
print(json.dumps(sorted(sys.modules)))
"""

# Loaded when first used: the reader, its PDF engine, signing, calls, the server's stack, and
# the windows a remembered sign-in does not show first.
NOT_AT_START_UP = (
    "fitz",
    "pymupdf",
    "pyhanko",
    "aiortc",
    "av",
    "sqlalchemy",
    "fastapi",
    "pydantic",
    "multiprocessing",
    "PySide6.QtMultimedia",
    "PySide6.QtPdf",
    "PySide6.QtSvg",
    "desktop.signing",
    "media",
    "server",
    "viewer.reader",
    "viewer.render",
    "ui.reader_window",
    "ui.meeting_detail",
    "ui.settings_dialog",
    "ui.sign_in_dialog",
    "ui.about_dialog",
)


def start_up_modules() -> set[str]:
    """The modules loaded by the start-up imports, in a fresh interpreter."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    out = subprocess.run(
        [sys.executable, "-c", START_UP],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return set(json.loads(out.stdout.splitlines()[-1]))


def test_start_up_does_not_import_what_the_first_screen_does_not_need() -> None:
    modules = start_up_modules()
    loaded = sorted(
        name
        for name in modules
        for heavy in NOT_AT_START_UP
        if name == heavy or name.startswith(heavy + ".")
    )
    assert loaded == []
    # The guard is not vacuous: the first screen's modules are there.
    assert {"ui.main_window", "ui.shell", "desktop.session", "aiohttp"} <= modules
