"""Media tests carry real WebRTC media, so they run only inside scripts/netns-run (RECIPES.md:
aioice never offers 127.0.0.1; the namespace gives 127.0.0.2 on a veth and nothing leaves).
`tests/media/test_in_namespace.py` runs this directory there; collected anywhere else, its tests
are skipped with that reason."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator

import aiohttp
import pytest

from tests.fixtures.janus import JanusProcess
from tests.fixtures.server import ServerProcess

INSIDE = os.environ.get("HOPDESK_NETNS") == "1"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if INSIDE:
        return
    skip = pytest.mark.skip(
        reason="media tests run inside scripts/netns-run (tests/media/test_in_namespace.py)"
    )
    for item in items:
        if "tests/media/netns/" in str(item.path).replace(os.sep, "/"):
            item.add_marker(skip)


@pytest.fixture
def relay(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """The reference server with its room relay (pings every 2 s, so a vanished peer goes fast)."""
    proc = ServerProcess(tmp_path_factory.mktemp("relay"), extra_args=["--room-ping", "2"])
    proc.start()
    yield proc
    proc.stop()


@pytest.fixture
def janus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[JanusProcess]:
    """Debian's Janus with a generated configuration (tests/fixtures/janus.py)."""
    proc = JanusProcess(tmp_path_factory.mktemp("janus"))
    proc.start()
    yield proc
    proc.stop()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """One HTTP/WebSocket client session for the test's engines and pages."""
    async with aiohttp.ClientSession() as session:
        yield session
