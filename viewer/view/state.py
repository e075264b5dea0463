"""Per-document view state (last page, zoom, layout), behind a small injectable store."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from typing import Protocol

from PySide6.QtCore import QSettings

from viewer.view.layout import LayoutMode, ZoomMode

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ViewState:
    """Where the reader left a document."""

    page: int = 0
    zoom: float = 1.0
    zoom_mode: str = ZoomMode.FIT_WIDTH.value
    layout: str = LayoutMode.CONTINUOUS.value
    rotation: int = 0

    @classmethod
    def from_json(cls, text: str) -> ViewState | None:
        """Parse a stored state; None for anything unreadable (an old or foreign format)."""
        try:
            data = json.loads(text)
            state = cls(
                page=int(data["page"]),
                zoom=float(data["zoom"]),
                zoom_mode=ZoomMode(data["zoom_mode"]).value,
                layout=LayoutMode(data["layout"]).value,
                rotation=int(data["rotation"]) % 360,
            )
        except (ValueError, KeyError, TypeError) as exc:
            log.info("ignoring stored view state %r: %r", text[:80], exc)
            return None
        return state

    def to_json(self) -> str:
        """Serialised form for a store."""
        return json.dumps(asdict(self))


class ViewStateStore(Protocol):
    """Where view states live; the app injects its own (e.g. the local database)."""

    def load(self, key: str) -> ViewState | None:
        """The state saved for a document key, if any."""
        ...

    def save(self, key: str, state: ViewState) -> None:
        """Remember the state of a document."""
        ...


class MemoryStateStore:
    """States kept for the life of the process (tests, embedding apps that persist nothing)."""

    def __init__(self) -> None:
        self._states: dict[str, ViewState] = {}

    def load(self, key: str) -> ViewState | None:
        """The state saved for `key`."""
        return self._states.get(key)

    def save(self, key: str, state: ViewState) -> None:
        """Remember `state` for `key`."""
        self._states[key] = state


class SettingsStateStore:
    """States in QSettings under `viewer/state/`, at most `limit` documents (oldest dropped)."""

    def __init__(self, settings: QSettings | None = None, limit: int = 200) -> None:
        self._settings = settings or QSettings()
        self._limit = limit

    def load(self, key: str) -> ViewState | None:
        """The state saved for `key`."""
        value = self._settings.value(f"viewer/state/{_safe(key)}")
        return ViewState.from_json(value) if isinstance(value, str) else None

    def save(self, key: str, state: ViewState) -> None:
        """Remember `state` for `key`, keeping the order of use for eviction."""
        name = _safe(key)
        order = [k for k in str(self._settings.value("viewer/order", "")).split(",") if k]
        order = [k for k in order if k != name] + [name]
        for old in order[: -self._limit]:
            self._settings.remove(f"viewer/state/{old}")
        self._settings.setValue("viewer/order", ",".join(order[-self._limit :]))
        self._settings.setValue(f"viewer/state/{name}", state.to_json())


def _safe(key: str) -> str:
    """QSettings keys must not contain '/' or ','."""
    return "".join(c if c.isalnum() else "_" for c in key)
