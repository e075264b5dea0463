"""Fixtures of the client-core unit tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.store import LocalStore


@pytest.fixture
def store(tmp_path: Path) -> Iterator[LocalStore]:
    """A fresh local cache (SQLite, migrated) in a temp dir."""
    local = LocalStore(tmp_path / "cache.db")
    assert local.open() is False  # new, not a damaged cache that was reset
    yield local
    local.close()
