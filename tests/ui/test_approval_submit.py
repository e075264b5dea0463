"""Trình ký from the detail the app shows: the Submit button of the shell's document window goes
through `Shell.submit` to `submit_prepared`, so what reaches the leader is the draft with its
Decree 30 fields, added as a new version and submitted (real server, real UI pieces)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from desktop.app import Core
from desktop.signing import layout
from tests.fixtures.drafts import draft_pdf
from tests.fixtures.server import ServerProcess
from tests.integration.test_submit_prepared import draft_of
from tests.ui.conftest import until
from tests.ui.test_approval_view import signed_in_core
from ui.approval_detail import ActionDialog
from ui.shell import QtFrontend


@pytest.fixture
def specialist(aio: Any, server: ServerProcess, tmp_path: Path) -> Iterator[Core]:
    core = signed_in_core(aio, server, tmp_path / "specialist", "chuyenvien1")
    yield core
    aio(core.aclose())


def test_the_submit_button_prepares_the_draft_before_submitting(
    qtbot: QtBot, specialist: Core, aio: Any, server: ServerProcess, vietnamese: None
) -> None:
    core = specialist
    document_id = aio(draft_of(core.session))
    shell = QtFrontend()
    shell.core = core
    detail = shell.show_approval(document_id)
    qtbot.addWidget(detail)
    aio(until(lambda: detail.document is not None and "submit" in detail.buttons))
    assert detail.buttons["submit"].text() == "Trình ký"
    people = aio(core.inbox.people())
    dialog = ActionDialog("submit", "Trình ký", people, detail)
    leader = next(p for p in people if p.username == "giamdoc")
    dialog.person.setCurrentIndex(dialog.person.findData(leader.id))

    async def accept_when_shown() -> None:
        await until(dialog.isVisible)
        dialog.accept()

    aio(asyncio.gather(detail.ask_and_act("submit", dialog), accept_when_shown()), timeout=120)
    submitted = aio(core.inbox.document(document_id))
    assert submitted.status == "awaiting_approval"
    assert len(submitted.versions) == 2
    assert submitted.signing_sha256 == submitted.versions[-1].file.sha256
    pdf = aio(core.session.api.get_bytes(f"/files/{submitted.signing_sha256}"))
    assert layout.is_prepared(pdf)
    assert not layout.is_prepared(draft_pdf())
    assert core.uploads.records() == {}
    aio(shell.tasks.aclose())
