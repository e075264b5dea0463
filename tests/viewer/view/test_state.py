"""Per-document view state stores."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

from viewer.view.state import MemoryStateStore, SettingsStateStore, ViewState


def test_memory_store_round_trip() -> None:
    store = MemoryStateStore()
    assert store.load("k") is None
    store.save("k", ViewState(page=3, zoom=1.5, zoom_mode="custom", layout="two-page"))
    assert store.load("k") == ViewState(3, 1.5, "custom", "two-page", 0)


def test_settings_store_round_trip_and_limit(tmp_path: Path) -> None:
    settings = QSettings(str(tmp_path / "viewer.ini"), QSettings.Format.IniFormat)
    store = SettingsStateStore(settings, limit=2)
    for i in range(3):
        store.save(f"123:abc/{i}", ViewState(page=i))
    assert store.load("123:abc/0") is None  # the oldest was dropped
    assert store.load("123:abc/2") == ViewState(page=2)
    settings.setValue("viewer/state/bad", "{not json")
    assert store.load("bad") is None
