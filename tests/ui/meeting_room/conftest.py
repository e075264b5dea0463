"""The meeting room's UI tests run on the real core signed in to the real reference server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from desktop.app import Core
from tests.fixtures.server import ServerProcess
from tests.ui.conftest import memory_secrets
from tests.ui.test_shell import make_core


@pytest.fixture
def core_as(aio: Any, server: ServerProcess, tmp_path: Path) -> Iterator[Callable[[str], Core]]:
    """Signs a demo user in on a core of their own, session services started; closes them."""
    made: list[Core] = []

    def sign_in(username: str) -> Core:
        core = make_core(tmp_path / username, memory_secrets(), server.url)
        aio(core.session.sign_in(server.url, username, "hopdesk-demo", False))
        aio(core.start_session())
        made.append(core)
        return core

    yield sign_in
    for core in made:
        aio(core.aclose())


@pytest.fixture
def core(core_as: Callable[[str], Core]) -> Core:
    """giamdoc (the chair of the tests' meetings) signed in."""
    return core_as("giamdoc")
