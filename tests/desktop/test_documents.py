"""DocumentsService without a server: cached lists at once, refresh into the cache, offline copies,
events that ask for a refresh."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from PySide6.QtCore import QObject, Signal

from desktop.documents import DocumentsService
from desktop.domain import Event
from desktop.errors import ServerUnreachable
from desktop.store import LocalStore
from tests.ui.conftest import until

SCOPE = "giamdoc@http://x"


def summary(doc_id: int, text: str, action: str | None = None) -> dict[str, Any]:
    return {"id": doc_id, "summary": text, "status": "processing", "my_action": action}


class Api:
    """Answers GET paths from a table; `offline` makes every call fail like a dead network."""

    def __init__(self, answers: dict[str, Any]) -> None:
        self.answers = answers
        self.calls: list[tuple[str, Any]] = []
        self.offline = False

    async def get_json(self, path: str, params: Any = None) -> Any:
        self.calls.append((path, params))
        if self.offline:
            raise ServerUnreachable("http://x", "connection refused")
        key = path if params is None else f"{path}?box={params['box']}"
        return self.answers[key]


class Session:
    def __init__(self, store: LocalStore | None, api: Api) -> None:
        self.store = store
        self.api = api
        self.scope = SCOPE


class Events(QObject):
    event_received = Signal(object)
    resync_needed = Signal()


LISTS = {
    "/documents?box=inbox": [summary(1, "Tờ trình", "approve")],
    "/documents?box=all": [summary(1, "Tờ trình", "approve"), summary(2, "Công văn")],
}


async def test_refresh_caches_both_lists_and_the_next_start_shows_them_at_once(
    store: LocalStore,
) -> None:
    service = DocumentsService(Session(store, Api(LISTS)))
    assert (service.waiting, service.documents) == ([], [])
    changed: list[bool] = []
    service.changed.connect(lambda: changed.append(True))
    await service.refresh()
    assert changed == [True]
    assert [(d.id, d.my_action) for d in service.waiting] == [(1, "approve")]
    assert [d.summary for d in service.documents] == ["Tờ trình", "Công văn"]
    await store.settled()  # the lists are cached by the store's thread

    offline = Api({})
    offline.offline = True
    next_start = DocumentsService(Session(store, offline))  # the next run, before any network
    assert next_start.waiting == service.waiting
    assert next_start.documents == service.documents
    assert offline.calls == []


async def test_a_damaged_cached_list_is_ignored(store: LocalStore) -> None:
    store.save_documents(SCOPE, "inbox", [{"id": 5, "summary": 7}])  # an older, other shape
    store.save_documents(SCOPE, "all", LISTS["/documents?box=all"])
    service = DocumentsService(Session(store, Api(LISTS)))
    assert service.waiting == []
    assert [d.id for d in service.documents] == [1, 2]


async def test_an_opened_document_is_kept_for_offline_reading(store: LocalStore) -> None:
    api = Api({"/documents/2": {**summary(2, "Công văn"), "comments": []}})
    service = DocumentsService(Session(store, api))
    assert (await service.document(2)).summary == "Công văn"
    api.offline = True
    assert (await service.document(2)).summary == "Công văn"
    with pytest.raises(ServerUnreachable):
        await service.document(3)  # never opened: nothing to show


async def test_document_events_refresh_the_lists_others_do_not(store: LocalStore) -> None:
    api = Api(LISTS)
    events = Events()
    service = DocumentsService(Session(store, api), events)
    try:
        events.event_received.emit(Event(seq=1, type="meeting.updated", data={"id": 1}))
        await asyncio.sleep(0)
        assert api.calls == []
        events.event_received.emit(Event(seq=2, type="document.commented", data={"id": 1}))
        await until(lambda: len(service.documents) == 2)
        assert {params["box"] for _path, params in api.calls} == {"inbox", "all"}
        api.calls.clear()
        events.resync_needed.emit()  # events were missed for good: reload everything
        await until(lambda: len(api.calls) == 2)
    finally:
        await service.close()


async def test_commenting_needs_the_outbox(store: LocalStore) -> None:
    service = DocumentsService(Session(store, Api({})))
    with pytest.raises(RuntimeError):
        await service.comment(1, "Đồng ý")
