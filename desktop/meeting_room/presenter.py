"""Follow the presenter ("Theo dõi người trình bày"): the presenter's paper, page and zoom.

Following: each `page.follow` event (or `GET` for a late joiner) drives the attached reader to
the presenter's page and zoom. When the presenter shows another paper, `paper_wanted` asks the
host to open it and call `showing(paper_id)`. Turning a page oneself stops following (the
presenter keeps going, the user reads on); `follow()` comes back to the presenter's page in one
call.

Leading: the presenter's reader publishes every page turn and zoom change. Quick page turns are
coalesced: one request at a time, and while it is under way only the newest state waits, so
flipping through ten pages sends two or three requests and the last page always arrives. Page
turns are not queued in the outbox: a page shown minutes ago is worth nothing after a
reconnect.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, Signal, SignalInstance

from desktop.domain import AwareDateTime, JsonObject, Model, UserRef
from desktop.meeting_room.live import LiveService
from desktop.refresher import Refresher

if TYPE_CHECKING:
    from desktop.events import EventStream
    from desktop.outbox import Outbox
    from desktop.session import Session

log = logging.getLogger(__name__)

View = tuple[int, int, float]  # paper id, page, zoom
MIN_ZOOM, MAX_ZOOM = 0.25, 4.0  # what the server takes (server/presenter.py)


class PresenterState(Model, frozen=True):
    """What the presenter shows (`paper_id` None: nothing yet)."""

    meeting_id: int
    revision: int
    page: int = 0
    zoom: float = 1.0
    paper_id: int | None = None
    presenter: UserRef | None = None
    updated_at: AwareDateTime | None = None


class PageDriven(Protocol):
    """What following needs of a reader (viewer.Reader has it)."""

    @property
    def pageChanged(self) -> SignalInstance: ...

    @property
    def zoomChanged(self) -> SignalInstance: ...

    def current_page(self) -> int: ...

    def go_to_page(self, page: int) -> None: ...

    def zoom(self) -> float: ...

    def set_zoom(self, zoom: float) -> None: ...


class PresenterService(LiveService):
    """The presenter's page of one meeting, followed or led through one reader."""

    EVENT = "page.follow"
    following_changed = Signal(bool)
    paper_wanted = Signal(int)  # following needs this paper open: call `showing` once it is

    def __init__(
        self,
        session: Session,
        events: EventStream | None,
        outbox: Outbox,
        meeting_id: int,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(session, events, outbox, meeting_id, parent)
        self.state: PresenterState | None = None
        self.following = True
        # Off on a bridge point's LED screen (site mode): the page is fitted to the hall's
        # screen, whatever zoom the presenter reads at on their own.
        self.follow_zoom = True
        self.reader: PageDriven | None = None
        self.shown: int | None = None  # the paper the reader shows
        self.leading: int | None = None  # the paper I present, if I am the presenter
        self._driving = False
        self._wanted: View | None = None
        self._sent: View | None = None
        self._sender = Refresher(self._send_latest, f"presenter page of meeting {meeting_id}")

    @property
    def path(self) -> str:
        """The presenter's route."""
        return f"/meetings/{self.meeting_id}/presenter"

    # --- state from the server -------------------------------------------------------------
    def apply(self, state: PresenterState, force: bool = False) -> None:
        """Take a state unless a newer one is held; drive the reader when following."""
        if not force and self.state is not None and state.revision <= self.state.revision:
            return
        self.state = state
        self.changed.emit()
        self._drive()

    def take(self, data: JsonObject) -> None:
        """A `page.follow` event."""
        self.apply(PresenterState.from_json(data))

    async def refresh(self) -> None:
        """The presenter's page now (on start, and after a resync)."""
        self.apply(PresenterState.from_json(await self.session.api.get_json(self.path)), True)

    # --- following -------------------------------------------------------------------------
    def attach(self, reader: PageDriven, paper_id: int | None = None) -> None:
        """Drive this reader (showing `paper_id`) while following; a page the user turns on it
        stops following."""
        if self.reader is not None:
            self.reader.pageChanged.disconnect(self._on_page)
            self.reader.zoomChanged.disconnect(self._on_zoom)
        self.reader, self.shown = reader, paper_id
        reader.pageChanged.connect(self._on_page)
        reader.zoomChanged.connect(self._on_zoom)
        self._drive()

    def showing(self, paper_id: int | None) -> None:
        """The host opened this paper in the reader."""
        self.shown = paper_id
        self._drive()

    def follow(self) -> None:
        """Follow the presenter again, going to their page now."""
        self._set_following(True)
        self._drive()

    def stop_following(self) -> None:
        """Read freely; the presenter's pages are no longer applied."""
        self._set_following(False)

    def set_follow_zoom(self, on: bool) -> None:
        """Follow the presenter's zoom too (the default), or only their paper and page."""
        self.follow_zoom = on
        self._drive()

    def _set_following(self, on: bool) -> None:
        if on != self.following:
            self.following = on
            self.following_changed.emit(on)

    def _drive(self) -> None:
        state, reader = self.state, self.reader
        if not self.following or state is None or state.paper_id is None or reader is None:
            return
        if state.presenter is not None and state.presenter.id == self.my_id:
            return  # my own page coming back
        if state.paper_id != self.shown:
            self.paper_wanted.emit(state.paper_id)
            return
        self._driving = True
        try:
            if self.follow_zoom and abs(reader.zoom() - state.zoom) > 1e-3:
                reader.set_zoom(state.zoom)
            if reader.current_page() != state.page:
                reader.go_to_page(state.page)
        finally:
            self._driving = False

    def _on_page(self, page: int) -> None:
        if self.leading is not None and self.leading == self.shown:
            self._publish()
            return
        state = self.state
        if self._driving or not self.following or state is None:
            return
        if state.paper_id == self.shown and page != state.page:
            self.stop_following()  # the user turned a page themselves

    def _on_zoom(self, _zoom: float) -> None:
        if self.leading is not None and self.leading == self.shown:
            self._publish()

    # --- leading ---------------------------------------------------------------------------
    def lead(self, paper_id: int) -> None:
        """Present this paper (shown in the attached reader): publish its pages from now on."""
        self.leading = paper_id
        self._publish()

    def stop_leading(self) -> None:
        """Stop publishing page turns."""
        self.leading = None

    def _publish(self) -> None:
        reader = self.reader
        if reader is None or self.leading is None:
            return
        zoom = min(max(reader.zoom(), MIN_ZOOM), MAX_ZOOM)  # a fit-to-window zoom may be outside
        self._wanted = (self.leading, reader.current_page(), round(zoom, 3))
        self._sender.schedule()

    async def _send_latest(self) -> None:
        """Send the newest wanted view unless it is the one sent last (the Refresher runs one
        at a time and once more for everything scheduled meanwhile: the coalescing)."""
        wanted = self._wanted
        if wanted is None or wanted == self._sent:
            return
        paper_id, page, zoom = wanted
        answer = await self.session.api.request(
            "PUT", self.path, json_body={"paper_id": paper_id, "page": page, "zoom": zoom}
        )
        self._sent = wanted
        self.apply(PresenterState.from_json(answer.body))

    async def wait_sent(self) -> None:
        """Wait until the page turns published so far are sent (tests, shutdown)."""
        await self._sender.wait()

    async def close(self) -> None:
        """Cancel the refresh and a page turn being sent."""
        await self._sender.close()
        await super().close()
