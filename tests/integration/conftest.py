"""Helpers for client ↔ real server tests: a store, a session, sign-in as a demo user."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication

from desktop.config import Config
from desktop.secrets import SecretStore
from desktop.session import Session
from desktop.store import LocalStore

PASSWORD = "hopdesk-demo"


@pytest.fixture(autouse=True)
def _qt_app(qapp: QCoreApplication) -> QCoreApplication:
    """Signals and translate() want an application object."""
    return qapp


@pytest.fixture
def store(tmp_path: Path) -> Iterator[LocalStore]:
    """An open local cache in a temp dir."""
    local = LocalStore(tmp_path / "client" / "cache.db")
    local.open()
    yield local
    local.close()


SessionFactory = Callable[..., Session]


@pytest.fixture
async def make_session(store: LocalStore) -> AsyncIterator[SessionFactory]:
    """Sessions on the shared store (closed at the end)."""
    made: list[Session] = []

    def make(config: Config | None = None, secrets: Any = None, on: Any = None) -> Session:
        session = Session(config or Config(), secrets or SecretStore(), on or store)
        made.append(session)
        return session

    yield make
    for session in made:
        await session.close()


class Recorder:
    """Collects what a Qt signal emitted."""

    def __init__(self) -> None:
        self.calls: list[Any] = []

    def __call__(self, *args: Any) -> None:
        self.calls.append(args[0] if len(args) == 1 else args)


async def leader_and_secretary(
    make_session: SessionFactory, url: str
) -> tuple[Session, Session, int]:
    """The leader (reader) and the secretary (writer) signed in, and a document both can see."""
    reader, writer = make_session(), make_session()
    await reader.sign_in(url, "giamdoc", PASSWORD, False)
    await writer.sign_in(url, "chanhvp", PASSWORD, False)
    return reader, writer, await shared_document(reader, writer)


async def shared_document(reader: Session, writer: Session) -> int:
    """A document in `reader`'s inbox that `writer` can see (so writer's comments reach reader)."""
    inbox = {d["id"] for d in await reader.api.get_json("/documents", {"box": "inbox"})}
    visible = {d["id"] for d in await writer.api.get_json("/documents", {"box": "all"})}
    shared = sorted(inbox & visible)
    assert shared, "the demo seed should share a document between these users"
    return shared[0]


async def wait_until(predicate: Callable[[], bool], seconds: float, what: str) -> None:
    """Poll `predicate` on the loop until it holds."""
    import asyncio

    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


async def start_app(path: Path, url: str, username: str = "giamdoc") -> tuple[LocalStore, Session]:
    """One run of the app on the cache file at `path`, signed in as `username` (a test that
    restarts the app calls this again on the same file)."""
    store = LocalStore(path)
    assert store.open() is False
    session = Session(Config(), SecretStore(), store)
    await session.sign_in(url, username, PASSWORD, False)
    return store, session
