"""Shared test set-up: offscreen Qt, and the real components as fixtures (tests/fixtures/*)."""

import gc
import os
from collections.abc import Iterator

import pytest

from desktop.collector import collect_due

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

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


@pytest.fixture(autouse=True)
def _collect_after_each_test() -> Iterator[None]:
    yield
    collect_due(gc.get_threshold())
