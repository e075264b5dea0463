"""Shared test set-up: offscreen Qt, and the real components as fixtures (tests/fixtures/*)."""

import gc
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# PySide6 6.12 drops one reference to None on every QCoreApplication.processEvents() and two on
# every QEventLoop.exec() (which pytest-qt's waits use), measured with sys.getrefcount(None); a
# reference to True/False goes astray somewhere too ("bool_dealloc" at exit). After a few
# thousand waits CPython aborts. Hold spare references for a long test session (24 MB).
_BALLAST = [None, True, False] * 1_000_000 if sys.version_info < (3, 12) else []
gc.freeze()  # the collector need not walk the ballast

# Each fixture module starts one real component on loopback and stops it by its PID.
pytest_plugins = [
    "tests.fixtures.server",  # the reference server (SQLite; PostgreSQL when available)
    "tests.fixtures.postgres",  # a private PostgreSQL cluster in a temp dir
    "tests.fixtures.keyring",  # gnome-keyring in a private D-Bus session; in-memory backend
]
