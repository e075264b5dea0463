"""Where the reader left each document (page, zoom, layout), kept in the local store."""

from __future__ import annotations

from typing import TYPE_CHECKING

from viewer import ViewState

if TYPE_CHECKING:
    from desktop.store import LocalStore

DEFAULT_LIMIT = 500


class StoredViewStates:
    """`viewer.ViewStateStore` on the `LocalStore` key/value, per `user@server`.

    Keeps the `limit` most recently saved documents. The reader saves on every view change
    (each scroll step), so an unchanged state is not written again and the order list is only
    rewritten when another document becomes the most recent. `save` runs in a Qt slot: the
    write goes to the store's writer thread (`set_all_later`), which waits out another
    process's lock; `load` answers from the values not written yet meanwhile.
    """

    def __init__(self, store: LocalStore, scope: str, limit: int = DEFAULT_LIMIT) -> None:
        self.store = store
        self.limit = limit
        self._prefix = f"view:{scope}:"
        self._order_key = f"view-order:{scope}"
        self._order: list[str] | None = None  # oldest first; read on first use
        self._last: dict[str, ViewState] = {}

    def load(self, key: str) -> ViewState | None:
        """The state saved for a document key, if any."""
        raw = self.store.get(self._prefix + key)
        state = ViewState.from_json(raw) if isinstance(raw, str) else None
        if state is not None:
            self._last[key] = state
        return state

    def save(self, key: str, state: ViewState) -> None:
        """Remember the state of a document (dropping the least recent beyond `limit`)."""
        if self._last.get(key) == state:
            return
        order = self._known_order()
        values: dict[str, object] = {}
        if not order or order[-1] != key:
            order = [k for k in order if k != key] + [key]
            for old in order[: -self.limit]:
                values[self._prefix + old] = None
                self._last.pop(old, None)
            order = order[-self.limit :]
            values[self._order_key] = order
        values[self._prefix + key] = state.to_json()
        self.store.set_all_later(values)  # one transaction, on the store's writer thread
        self._order = order
        self._last[key] = state

    def _known_order(self) -> list[str]:
        if self._order is None:
            raw = self.store.get(self._order_key, [])
            self._order = [str(k) for k in raw] if isinstance(raw, list) else []
        return self._order
