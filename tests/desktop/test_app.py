"""desktop/app.py: start-up imports only what the first screen needs.

Measured by tests/bench/startup.py; this guards the import side of it. A subprocess runs the
imports of a remembered sign-in's start (the bootstrap, `build_core`'s modules, the UI loaded by
`load_frontend`, the session services of `Core.start_session`) and lists `sys.modules`: the
PDF engine, signing, media, the server's stack and the windows not on the first screen must
load when first used, not at start-up.
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend

from tests.fixtures.interpreter import python
from tests.fixtures.server import ServerProcess

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

# Loaded right after the first window shows, in worker threads: HTTP and the keyring backend.
AFTER_THE_WINDOW = ("aiohttp", "secretstorage", "jeepney", "keyring")

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


def heavy_in(modules: set[str]) -> list[str]:
    """The modules of `modules` that belong to NOT_AT_START_UP."""
    return sorted(
        name
        for name in modules
        for heavy in NOT_AT_START_UP
        if name == heavy or name.startswith(heavy + ".")
    )


def start_up_modules() -> set[str]:
    """The modules loaded by the start-up imports, in a fresh interpreter."""
    out = python(START_UP, env=dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen"))
    assert out.returncode == 0, out.stderr[-2000:]
    return set(json.loads(out.stdout.splitlines()[-1]))


def test_start_up_does_not_import_what_the_first_screen_does_not_need() -> None:
    modules = start_up_modules()
    assert heavy_in(modules) == []
    # The network and the keyring come after the first window (desktop/api.py `load_aiohttp`,
    # desktop/app.py `read_keyring`), each in a worker thread.
    assert not {name for name in modules if name.split(".")[0] in AFTER_THE_WINDOW}
    # The guard is not vacuous: the first screen's modules are there.
    assert {"ui.main_window", "ui.shell", "desktop.session", "desktop.api"} <= modules


REMEMBER = """
import asyncio, sys
from PySide6.QtCore import QCoreApplication
from desktop.config import Config
from desktop.paths import default_paths
from desktop.secrets import SecretStore
from desktop.session import Session
from desktop.store import LocalStore
app = QCoreApplication([])
async def remember(url):
    paths = default_paths()
    store = LocalStore(paths.data_dir / "cache.db")
    store.open()
    session = Session(Config(), SecretStore(), store)
    await session.sign_in(url, "giamdoc", "hopdesk-demo", remember=True)
    assert session.remembered
    await session.close()
    store.close()
asyncio.run(remember(sys.argv[1]))
"""

# The whole app, started as the Start menu does, lists its modules when it exits right after
# its window showed the server's lists (atexit: nothing product-side knows of this test), and
# says when the network's and the keyring's first modules are imported (an audit hook), on
# the same stdout as the app's `ready` and `fresh`.
RUN_APP_LISTING_MODULES = """
import atexit, json, runpy, sys
FIRST = {"aiohttp", "secretstorage"}  # their first module imported by an import statement
def imported(event, args):
    package = args[0].split(".")[0] if event == "import" else ""
    if package in FIRST:
        FIRST.discard(package)
        print("importing " + package, flush=True)
sys.addaudithook(imported)
atexit.register(lambda: print("modules " + json.dumps(list(sys.modules)), flush=True))
sys.argv = ["hopdesk", "--server", sys.argv[1], "--exit-when-ready"]
runpy.run_module("desktop", run_name="__main__")
"""


def test_a_remembered_start_does_not_import_what_the_first_screen_does_not_need(
    secret_service_keyring: KeyringBackend, demo_server: ServerProcess, tmp_path: Path
) -> None:
    """Beyond the imports: what the first screen's tasks load until it is ready (the check for
    unfinished issuances once imported the whole signing flow, and pyHanko with it)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        env[var] = str(tmp_path / var.lower())
    env["HOPDESK_POLICY_FILE"] = str(tmp_path / "none.toml")
    signed_in = python(REMEMBER, demo_server.url, env=env)
    assert signed_in.returncode == 0, signed_in.stderr[-2000:]
    for start in ("keeps the profile with the account", "from the cache"):
        app = python(RUN_APP_LISTING_MODULES, demo_server.url, env=env)
        assert app.returncode == 0, f"{start}: {app.stderr[-2000:]}"
    said = [line.split()[0] + " " + line.split()[1] for line in app.stdout.splitlines()]
    marks = [line for line in said if line.split()[0] in ("ready", "fresh", "importing")]
    # From the cache: the window with its lists before HTTP and the keyring are imported
    # (they come next, in worker threads), the server's lists after.
    assert marks[0].startswith("ready"), marks
    assert {"importing aiohttp", "importing secretstorage"} <= set(marks), marks
    assert marks[-1].startswith("fresh"), marks
    listed = [line for line in app.stdout.splitlines() if line.startswith("modules ")]
    in_order: list[str] = json.loads(listed[-1].removeprefix("modules "))  # as imported
    modules = set(in_order)
    # BEFORE_QT came before PySide6 (desktop.app: its import hook reads every later module)
    assert in_order.index("msgspec") < in_order.index("PySide6.QtCore")
    assert heavy_in(modules) == []
    assert {"ui.main_window", "desktop.session", "aiohttp"} <= modules
    # The token came from the Secret Service asked directly (desktop/secret_service.py)
    assert "secretstorage" in modules
    assert "keyring.core" not in modules


BEFORE_QT = """
import json, sys
from desktop.app import import_before_qt
import_before_qt()
print(json.dumps(sorted(sys.modules)))
"""


def test_what_is_imported_before_qt_does_not_import_qt() -> None:
    """`import_before_qt` spares the start PySide6's import hook only while PySide6 is not
    loaded yet: a module of that list that imported it would undo the point (desktop.app)."""
    from desktop.app import BEFORE_QT as NAMES

    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    out = python(BEFORE_QT, env=env)
    assert out.returncode == 0, out.stderr[-2000:]
    modules = set(json.loads(out.stdout.splitlines()[-1]))
    assert set(NAMES) <= modules
    assert "msgspec.json" in modules  # the packages' own modules come along
    assert not {name for name in modules if name.startswith(("PySide6", "shiboken6"))}


async def test_shutdown_closes_the_cache_off_the_gui_thread(tmp_path: Path) -> None:
    """`Core.aclose` closes the cache in a thread: with a last write waiting for another
    process's lock the loop keeps turning, and the write lands once the lock goes (before: the
    GUI thread waited for the writer thread, and the WAL checkpoint, itself)."""
    from desktop.store import LocalStore
    from tests.fixtures.store_lock import locked_elsewhere
    from tests.ui.conftest import memory_secrets
    from tests.ui.test_shell import make_core

    core = make_core(tmp_path, memory_secrets(), "https://hopdesk.invalid")
    async with locked_elsewhere(core.store.path) as lock:
        core.store.write_later(lambda: core.store.set("position", 42), "position")
        closing = asyncio.ensure_future(core.aclose())
        await lock.hold()
        assert not closing.done()
    await closing
    lock.assert_loop_kept_turning()
    reopened = LocalStore(core.store.path)
    reopened.open()
    assert reopened.get("position") == 42
    reopened.close()
