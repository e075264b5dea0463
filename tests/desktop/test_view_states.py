"""StoredViewStates: per-scope view states in the local store, bounded, kept across restarts,
written off the GUI thread."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from desktop.store import LocalStore
from desktop.view_states import StoredViewStates
from tests.fixtures.store_lock import locked_elsewhere
from viewer.view.state import ViewState, ViewStateStore


class CountingStore:
    """A LocalStore that counts the keys it is given to write."""

    def __init__(self, store: LocalStore) -> None:
        self.inner = store
        self.writes = 0

    def get(self, key: str, default: Any = None) -> Any:
        return self.inner.get(key, default)

    def set_all_later(self, values: dict[str, Any]) -> None:
        self.writes += len(values)
        self.inner.set_all_later(values)


def test_states_round_trip_per_scope_and_survive_a_restart(store: LocalStore) -> None:
    states: ViewStateStore = StoredViewStates(store, "giamdoc@https://a")
    other = StoredViewStates(store, "chanhvp@https://a")
    state = ViewState(page=12, zoom=1.5, zoom_mode="custom", layout="single", rotation=90)
    states.save("123:abc", state)
    assert states.load("123:abc") == state
    assert other.load("123:abc") is None
    assert StoredViewStates(store, "giamdoc@https://a").load("123:abc") == state


def test_only_the_most_recent_documents_are_kept(store: LocalStore) -> None:
    states = StoredViewStates(store, "me@x", limit=3)
    for page, key in enumerate("abcd"):
        states.save(key, ViewState(page=page))
    states.save("b", ViewState(page=9))  # "b" becomes the most recent
    states.save("e", ViewState(page=5))  # drops "c", the least recent
    again = StoredViewStates(store, "me@x", limit=3)
    assert {k for k in "abcde" if again.load(k) is not None} == {"b", "d", "e"}
    assert again.load("b") == ViewState(page=9)


def test_an_unchanged_state_is_not_written_again(store: LocalStore) -> None:
    counting = CountingStore(store)
    states = StoredViewStates(counting, "me@x")
    states.save("doc", ViewState(page=1))
    first = counting.writes
    for _ in range(5):  # scrolling inside one page
        states.save("doc", ViewState(page=1))
    assert counting.writes == first
    states.save("doc", ViewState(page=2))  # same document: the order list is not rewritten
    assert counting.writes == first + 1


def test_an_unreadable_stored_state_is_ignored(store: LocalStore) -> None:
    store.set("view:me@x:doc", "{not json")
    assert StoredViewStates(store, "me@x").load("doc") is None


async def test_a_state_is_saved_while_another_process_holds_the_cache(tmp_path: Path) -> None:
    """The reader saves at every scroll step, on the GUI thread: with the file locked elsewhere
    the save returns at once, the state reads back from memory, the loop keeps turning, and the
    state lands once the lock goes (before: "database is locked" raised into the reader's slot
    after the GUI thread's 20 ms wait)."""
    path = tmp_path / "cache.db"
    store = LocalStore(path)
    store.open()
    states = StoredViewStates(store, "me@x", limit=1)
    states.save("old", ViewState(page=1))
    await store.settled()
    async with locked_elsewhere(path) as lock:
        states.save("doc", ViewState(page=3))  # drops "old" in the same transaction
        await lock.hold()
        assert StoredViewStates(store, "me@x").load("doc") == ViewState(page=3)
    await store.settled()
    lock.assert_loop_kept_turning()
    store.close()
    reopened = LocalStore(path)
    reopened.open()
    again = StoredViewStates(reopened, "me@x")
    assert (again.load("doc"), again.load("old")) == (ViewState(page=3), None)
    reopened.close()
