"""Shared test set-up: offscreen Qt, and the real components as fixtures (tests/fixtures/*)."""

import gc
import os
from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication

from desktop.collector import collect_due
from desktop.watchdog import StallWatchdog

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# GUI-thread stalls over 50 ms are logged with their stack (desktop/watchdog.py), here and in
# the app processes the tests start, so a slow handler shows by name in a failing test's log.
os.environ.setdefault("HOPDESK_STALL_WATCHDOG", "1")
# The app registers itself for hopdesk:// links at start (desktop/url_scheme.py): never from the
# tests' app processes into the machine's real XDG home; the tests that check it turn it on.
os.environ.setdefault("HOPDESK_REGISTER_SCHEME", "0")

# Each fixture module starts one real component on loopback and stops it by its PID.
pytest_plugins = [
    "tests.fixtures.server",  # the reference server (SQLite; PostgreSQL when available)
    "tests.fixtures.postgres",  # a private PostgreSQL cluster in a temp dir
    "tests.fixtures.keyring",  # gnome-keyring in a private D-Bus session; in-memory backend
]


@pytest.fixture(autouse=True, scope="session")
def _collect_on_the_main_thread() -> Iterator[None]:
    """As the app does (desktop/collector.py): no automatic garbage collection, which could run
    in a server, executor or render-pool thread and destroy a QObject there; collect between
    tests, on the main thread."""
    gc.disable()
    yield
    gc.enable()


@pytest.fixture(autouse=True, scope="session")
def _stall_watchdog(qapp: QApplication) -> Iterator[None]:
    """The app's stall watchdog on the tests' GUI thread for the whole session."""
    watchdog = StallWatchdog.from_env()
    yield
    if watchdog is not None:
        watchdog.stop()


@pytest.fixture(autouse=True)
def _collect_after_each_test() -> Iterator[None]:
    yield
    collect_due(gc.get_threshold())
