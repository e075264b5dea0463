"""Site mode on the real core and server: a user invited as the bridge point's PC ("site") gets
the room full screen with only the call and the paper side by side; Esc gives the window back;
a delegate enters it from the header. Also a screenshot under Xvfb (HOPDESK_SITE_SHOT=path)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.server.room_helpers import CHAIR, SECRETARY, Room
from tests.ui.conftest import until
from tests.ui.meeting_room.test_floor_panels import a_pdf, enter, in_loop, press  # noqa: F401
from tests.ui.meeting_room.test_paper_stage import uploaded
from ui.meeting_room.window import MeetingRoomWindow
from viewer import ZoomMode

pytestmark = pytest.mark.timeout(180)


@pytest.fixture
def room(server: Any) -> Room:
    """The tests' room with vanthu invited as the hall's site PC."""
    from tests.server.room_helpers import DELEGATES, OUTSIDER, sign_in

    people = sign_in(server, CHAIR, SECRETARY, *DELEGATES, OUTSIDER)
    ids = {name: int(api.user["id"]) for name, api in people.items()}
    start = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    reply = people[SECRETARY].post(
        "/meetings",
        {
            "title": "Họp trực tuyến với các điểm cầu",
            "starts_at": start.isoformat(),
            "ends_at": (start + dt.timedelta(hours=2)).isoformat(),
            "chair_id": ids[CHAIR],
            "secretary_id": ids[SECRETARY],
            "invitee_ids": [ids[d] for d in DELEGATES if d != "vanthu"],
            "site_ids": [ids["vanthu"]],
        },
    )
    assert reply.status == 201, reply.body
    return Room(server, int(reply.json()["id"]), people)


def side_panels_hidden(window: MeetingRoomWindow) -> bool:
    return not (window.panels.isVisible() or window.header.isVisible())


def test_the_site_pc_shows_only_the_stage_full_screen_until_esc(
    aio: Any,
    qtbot: QtBot,
    enter: Any,  # noqa: F811
    tmp_path: Path,
) -> None:
    secretary, presenter = enter(SECRETARY), enter(CHAIR)
    site = enter("vanthu")
    assert site.meeting.my_role == "site"
    aio(until(lambda: site.site_mode.active and site.isFullScreen()))
    assert side_panels_hidden(site)
    assert not site.statusBar().isVisible()
    paper_stage = site.paper_stage
    assert paper_stage is not None
    assert paper_stage.isVisible()
    assert paper_stage.message.text() == paper_stage.tr("No paper is being presented.")

    paper = uploaded(aio, secretary, a_pdf(tmp_path / "bao-cao.pdf", 4))
    aio(until(lambda: any(i.papers for i in presenter.papers.agenda)))
    for window in (presenter, site):  # on disk, as prefetched (see test_paper_stage.py)
        aio(window.papers.open_path(paper))
    aio(in_loop(lambda: presenter.present(paper.id)))
    aio(
        until(
            lambda: (
                presenter.paper_stage is not None
                and presenter.paper_stage.reader.path() is not None
            ),
            30,
        )
    )
    aio(until(lambda: paper_stage.reader.path() is not None, 30))
    presenter_reader = presenter.paper_stage.reader
    aio(in_loop(lambda: (presenter_reader.set_zoom(2.0), presenter_reader.go_to_page(2))))
    aio(until(lambda: paper_stage.reader.current_page() == 2, 30))
    state = site.floor.presenter.state
    assert state is not None
    assert state.zoom == 2.0  # the presenter reads at 200 %
    # the hall's screen shows the whole page, fitted to its area, not the presenter's zoom
    assert paper_stage.reader.viewer.page_view.zoom_mode() is ZoomMode.FIT_PAGE
    assert paper_stage.reader.zoom() != pytest.approx(2.0)  # (the fit follows the stage's size)
    assert not paper_stage.reader.viewer.toolbar.isVisible()  # nor the reader's toolbars
    assert not paper_stage.reader.toolbar.isVisible()
    assert site.stage.isVisible()  # side by side
    assert paper_stage.isVisible()
    assert paper_stage.x() > site.stage.x()
    assert not paper_stage.reader.side.isVisible()  # the page only: no notes, no thumbnails
    assert not paper_stage.reader.viewer.sidebar.isVisible()
    shot = os.environ.get("HOPDESK_SITE_SHOT")
    if shot:
        aio(until(lambda: paper_stage.reader.current_page() == 2))
        site.grab().save(shot)

    aio(in_loop(lambda: qtbot.keyClick(site, Qt.Key.Key_Escape)))
    aio(until(lambda: not site.isFullScreen()))
    assert not site.site_mode.active
    assert site.panels.isVisible()
    assert site.header.isVisible()
    assert paper_stage.reader.side.isVisible()
    assert paper_stage.reader.viewer.toolbar.isVisible()
    aio(until(lambda: paper_stage.reader.zoom() == pytest.approx(2.0)))  # follows zoom again


def test_a_delegate_enters_site_mode_from_the_header(
    aio: Any,
    qtbot: QtBot,
    enter: Any,  # noqa: F811
) -> None:
    delegate = enter("chuyenvien1")
    assert not delegate.site_mode.active
    assert delegate.site_button.isVisible()
    press(aio, qtbot, delegate.site_button)
    aio(until(lambda: delegate.isFullScreen()))
    assert side_panels_hidden(delegate)
    aio(in_loop(lambda: qtbot.keyClick(delegate, Qt.Key.Key_Escape)))
    aio(until(lambda: not delegate.isFullScreen() and delegate.panels.isVisible()))
