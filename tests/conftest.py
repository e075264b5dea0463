"""Shared test set-up: offscreen Qt, and the real components as fixtures (tests/fixtures/*)."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# Each fixture module starts one real component on loopback and stops it by its PID.
pytest_plugins = [
    "tests.fixtures.server",  # the reference server (SQLite; PostgreSQL when available)
    "tests.fixtures.postgres",  # a private PostgreSQL cluster in a temp dir
    "tests.fixtures.keyring",  # gnome-keyring in a private D-Bus session; in-memory backend
]
