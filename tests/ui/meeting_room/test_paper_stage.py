"""The presented paper on the stage, on the real core and server: the secretary uploads a
paper, the presenter (the chair) presents it from their stage and turns pages; a delegate's
window opens the same paper on its stage by itself (its offline copy, or downloaded then) and
its Reader follows page by page."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.domain import Paper
from tests.fixtures.threads import threads_calling
from tests.server.room_helpers import CHAIR, SECRETARY
from tests.ui.conftest import until
from tests.ui.meeting_room.test_floor_panels import a_pdf, enter, in_loop, room  # noqa: F401

pytestmark = pytest.mark.timeout(180)


def uploaded(aio: Any, window: Any, path: Path) -> Paper:
    """An agenda item with the PDF as its paper, added through the secretary's room."""
    papers = window.papers
    aio(until(lambda: papers.meeting is not None))
    aio(in_loop(lambda: papers.add_item("Dự thảo kế hoạch")))
    aio(until(lambda: len(papers.agenda) == 1))
    aio(papers.upload_paper(papers.agenda[0].id, path, "Kế hoạch"))
    aio(until(lambda: bool(papers.agenda[0].papers)))
    return papers.agenda[0].papers[0]


def test_a_follower_stage_reader_turns_with_the_presenter(
    aio: Any,
    qtbot: QtBot,
    enter: Any,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    secretary, presenter, follower = enter(SECRETARY), enter(CHAIR), enter("chuyenvien1")
    paper = uploaded(aio, secretary, a_pdf(tmp_path / "ke-hoach.pdf", 6))
    assert paper.file is not None
    # The stage finds the copy on disk without the GUI thread touching it (issue 11).
    copy_name = f"{paper.file.sha256}.pdf"
    touched_from = threads_calling(
        monkeypatch, os, "utime", only=lambda path, *_a, **_k: str(path).endswith(copy_name)
    )
    assert follower.paper_stage is None  # nothing presented yet
    aio(until(lambda: any(i.papers for i in presenter.papers.agenda)))  # loaded
    # Both copies on disk first (the prefetcher's job before a meeting): the stage opens them
    # offline (the download on demand: the test below).
    for window in (presenter, follower):
        aio(window.papers.open_path(paper))
    agenda = presenter.agenda_panel
    presenter.panels.setCurrentWidget(agenda)
    agenda.view.setCurrentIndex(agenda.model.paper_index(paper.id))  # the chair picks it
    aio(in_loop(lambda: qtbot.mouseClick(presenter.present_button, Qt.MouseButton.LeftButton)))
    stage = presenter.paper_stage
    assert stage is not None
    aio(until(lambda: stage.reader.path() is not None or "cannot" in stage.message.text(), 30))
    assert stage.reader.path() is not None, stage.message.text()
    # publishing the reader's fit-to-window zoom was refused (422) before it was clamped
    aio(until(lambda: follower.paper_stage is not None))
    followed = follower.paper_stage
    aio(until(lambda: followed.reader.path() is not None and followed.paper_id == paper.id, 30))
    assert followed.reader.sha256() == paper.file.sha256  # the very file
    assert touched_from
    assert threading.main_thread().ident not in touched_from

    for page in (2, 5, 3):
        aio(in_loop(lambda page=page: stage.reader.go_to_page(page)))  # the presenter's turn
        aio(until(lambda page=page: followed.reader.current_page() == page))
    assert follower.floor.presenter.following
    assert presenter.floor.presenter.state is not None
    assert presenter.floor.presenter.state.presenter is not None
    assert presenter.floor.presenter.state.presenter.id == presenter.core.session.user.id

    # The secretary replaces the paper: the stage that shows it says so and opens version 2.
    assert not followed.notice.isVisibleTo(followed)
    new_pdf = a_pdf(tmp_path / "ke-hoach-2.pdf", 3)
    aio(secretary.papers.replace_paper(paper.id, new_pdf))
    aio(until(lambda: followed.notice.isVisibleTo(followed), 30))
    assert paper.title in followed.notice.text.text()
    aio(in_loop(lambda: qtbot.mouseClick(followed.notice.open_button, Qt.MouseButton.LeftButton)))
    aio(until(lambda: followed.reader.sha256() not in ("", paper.file.sha256), 30))
    assert followed.paper_id == paper.id
    assert not followed.notice.isVisibleTo(followed)


def test_a_paper_not_on_disk_yet_is_downloaded_by_the_stage(
    aio: Any,
    enter: Any,  # noqa: F811
    tmp_path: Path,
) -> None:
    """Nothing prefetched (the paper was added during the meeting): the presenter's and the
    follower's stages download it themselves, then show and follow it."""
    secretary, presenter, follower = enter(SECRETARY), enter(CHAIR), enter("chuyenvien1")
    paper = uploaded(aio, secretary, a_pdf(tmp_path / "to-trinh.pdf", 5))
    assert paper.file is not None
    aio(until(lambda: any(i.papers for i in presenter.papers.agenda)))
    for window in (presenter, follower):
        assert window.core.files.cached(paper.file.sha256) is None  # not downloaded yet
    aio(in_loop(lambda: presenter.present(paper.id)))
    stage = presenter.paper_stage
    assert stage is not None
    aio(until(lambda: stage.reader.path() is not None or "cannot" in stage.message.text(), 30))
    assert stage.reader.path() is not None, stage.message.text()
    aio(in_loop(lambda: stage.reader.go_to_page(3)))
    aio(until(lambda: follower.paper_stage is not None))
    followed = follower.paper_stage
    aio(
        until(
            lambda: followed.reader.path() is not None or "cannot" in followed.message.text(),
            30,
        )
    )
    assert followed.reader.path() is not None, followed.message.text()
    assert followed.reader.sha256() == paper.file.sha256
    assert follower.core.files.cached(paper.file.sha256) is not None  # kept for offline use
    aio(until(lambda: followed.reader.current_page() == 3))
