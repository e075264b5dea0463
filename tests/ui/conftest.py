"""UI test set-up: per-test user dirs, a qasync loop to await coroutines, the Vietnamese UI."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from PySide6.QtWidgets import QApplication

T = TypeVar("T")
Runner = Callable[[Coroutine[Any, Any, T]], T]


@pytest.fixture(autouse=True)
def user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """platformdirs (config, data, cache, logs) and the policy file point into tmp_path."""
    home = tmp_path / "home"
    for var, sub in {
        "XDG_CONFIG_HOME": "config",
        "XDG_DATA_HOME": "data",
        "XDG_CACHE_HOME": "cache",
        "XDG_STATE_HOME": "state",
    }.items():
        monkeypatch.setenv(var, str(home / sub))
    monkeypatch.setenv("HOPDESK_POLICY_FILE", str(tmp_path / "no-policy.toml"))
    return home


def running_loop(qapp: QApplication) -> Any:
    """A qasync loop whose callbacks always run with it as asyncio's running loop.

    The app runs its loop once, for its whole life. A test runs it once per `aio()` call, and
    in between Qt still fires the loop's timers whenever events are processed: qasync's own
    last round of events after `run_until_complete` has stopped the loop, pytest-qt's after
    each test phase. A task step run then found no running loop, and code such as
    `FileCache.fetch` (`asyncio.get_running_loop()`) failed with "no running event loop" (a
    paper the stage downloaded itself, now and then). Every callback runs as on the app's loop.
    """
    import qasync

    class Loop(qasync.QEventLoop):
        def call_later(
            self, delay: float, callback: Callable[..., Any], *args: Any, context: Any = None
        ) -> asyncio.TimerHandle:
            def run(*call_args: Any) -> Any:
                if asyncio._get_running_loop() is not None:
                    return callback(*call_args)
                asyncio._set_running_loop(self)
                try:
                    return callback(*call_args)
                finally:
                    asyncio._set_running_loop(None)

            handle: asyncio.TimerHandle = super().call_later(delay, run, *args, context=context)
            return handle

    return Loop(qapp, already_running=False)


@pytest.fixture
def aio(qapp: QApplication) -> Iterator[Runner[Any]]:
    """Run coroutines on a qasync loop, so Qt signals and asyncio both progress."""
    qapp.setQuitOnLastWindowClosed(
        False
    )  # as the app does: closing a dialog must not stop the loop
    loop = running_loop(qapp)
    asyncio.set_event_loop(loop)

    def run(coro: Coroutine[Any, Any, T], timeout: float = 30.0) -> T:
        return loop.run_until_complete(asyncio.wait_for(coro, timeout))

    yield run
    pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
    for task in pending:
        task.cancel()
    if pending:
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    loop.close()
    asyncio.set_event_loop(None)


@pytest.fixture
def vietnamese(qapp: QApplication) -> Iterator[None]:
    """The app's translators in Vietnamese (the default); English restored afterwards."""
    from desktop import i18n

    i18n.install(qapp, "vi")
    yield
    i18n.install(qapp, "en")


class MemoryKeyring:
    """A keyring backend in memory (the real-keyring fixture lives in tests/fixtures/keyring)."""

    priority = 1.0

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.items.pop((service, username), None)


def memory_secrets() -> Any:
    """A `SecretStore` over a fresh in-memory keyring backend."""
    import keyring.backend

    from desktop.secrets import SecretStore

    class Backend(MemoryKeyring, keyring.backend.KeyringBackend):
        pass

    return SecretStore(backend=Backend())


def no_secrets() -> Any:
    """A `SecretStore` whose keyring is unavailable (no backend on this machine)."""
    from keyring.backends import fail

    from desktop.secrets import SecretStore

    return SecretStore(backend=fail.Keyring())


async def until(condition: Callable[[], bool], limit: float = 20.0) -> None:
    """Let the loop run (Qt and asyncio) until `condition()` holds."""
    deadline = asyncio.get_running_loop().time() + limit
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError("condition not met")
        await asyncio.sleep(0.02)
