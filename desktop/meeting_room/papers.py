"""Meeting papers (tài liệu họp) on this computer: downloaded before the meeting, read offline,
changed by the secretary, and a notice when one is replaced by a new version.

`PaperPrefetcher` (one per session) downloads every paper of the user's meetings of the next
seven days into the verified file cache (`desktop/files.py`: network on the loop, hashing and
writes in threads, never the GUI thread's work), and keeps each meeting's detail in the local
store (`MeetingsService.meeting`), so the agenda and its papers open with the network gone. It
runs at start, when the event stream says the agenda or a paper changed, and after a resync.

`MeetingPapers` is one meeting's agenda for the room's panel (`Service(session, events,
outbox, meeting_id)` like the other room services): the agenda as the user may read it, which
papers are on disk, the secretary's changes (items through the outbox, files uploaded first),
and the new version downloaded when the server says a paper has one (`paper.replaced`). The
notice to whoever has the paper open comes from `PaperPrefetcher.paper_replaced`, which hears
it for every meeting of the session.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec
from PySide6.QtCore import QObject, Signal

from desktop.domain import (
    AgendaItem,
    Event,
    FileRef,
    Meeting,
    MeetingSummary,
    Model,
    Paper,
    parse_list,
)
from desktop.errors import HopDeskError
from desktop.refresher import Refresher

if TYPE_CHECKING:
    from desktop.events import EventStream
    from desktop.files import FileCache
    from desktop.meetings import MeetingsService
    from desktop.outbox import Outbox
    from desktop.session import Session

log = logging.getLogger(__name__)

PREFETCH_DAYS = 7
AGENDA_EVENTS = frozenset({"meeting.updated", "agenda.updated", "paper.replaced"})
KINDS = ("main", "reference", "personal", "external")


class PaperReplaced(Model, frozen=True):
    """`paper.replaced`: a paper of a meeting has a new file (the earlier ones are kept)."""

    meeting_id: int
    paper_id: int
    title: str
    version: int
    file: FileRef
    previous_sha256: str | None = None
    agenda_item_id: int | None = None

    def replaces(self, paper_id: int, sha256: str) -> bool:
        """Whether a reader showing this file of this paper shows an older version."""
        return paper_id == self.paper_id and sha256 != self.file.sha256


def paper_replaced(event: Event) -> PaperReplaced | None:
    """The `paper.replaced` this event is (None for other events and malformed ones)."""
    if event.type != "paper.replaced":
        return None
    try:
        return PaperReplaced.from_json(event.data)
    except HopDeskError as exc:
        log.warning("ignoring a malformed paper.replaced: %r", exc)
        return None


def papers_of(meeting: Meeting) -> list[Paper]:
    """Every paper of the meeting's agenda, in agenda order."""
    return [p for item in sorted(meeting.agenda, key=lambda i: i.order) for p in item.papers]


class PaperPrefetcher(QObject):
    """Downloads the papers of the user's meetings of the next `days` days in the background."""

    downloaded = Signal(str)  # sha256 of a paper now on disk
    # A paper of any of the user's meetings has a new version: whoever shows it says so.
    paper_replaced = Signal(object)  # PaperReplaced

    def __init__(
        self,
        session: Session,
        events: EventStream | None,
        files: FileCache,
        meetings: MeetingsService,
        days: int = PREFETCH_DAYS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.files = files
        self.meetings = meetings
        self.days = days
        self.refresher = Refresher(self.prefetch, "paper prefetch")
        self.started = False
        if events is not None:
            events.event_received.connect(self._on_event)
            events.resync_needed.connect(self._again)

    def start(self) -> None:
        """Prefetch now in the background, and again whenever an agenda changes (the task is
        owned; `close` ends it)."""
        self.started = True
        self.refresher.schedule()

    def _again(self) -> None:
        if self.started:
            self.refresher.schedule()

    async def upcoming(self) -> list[MeetingSummary]:
        """The user's meetings from now to `days` days ahead."""
        now = dt.datetime.now(dt.UTC)
        params = {
            "start": now.isoformat(),
            "end": (now + dt.timedelta(days=self.days)).isoformat(),
        }
        answer = await self.session.api.get_json("/meetings", params)
        return parse_list(MeetingSummary, answer, "meeting list")

    async def prefetch(self) -> int:
        """Keep every upcoming meeting's detail and download its papers; returns how many
        files were fetched or found on disk. One paper that fails (gone, disk full) is logged
        and the others still come."""
        done = 0
        for summary in await self.upcoming():
            meeting = await self.meetings.meeting(summary.id)  # cached for offline use
            for paper in papers_of(meeting):
                if paper.file is None:
                    continue
                try:
                    await self.files.fetch(paper.file)
                except HopDeskError as exc:
                    log.warning(
                        "paper %s of meeting %s not downloaded: %r", paper.id, meeting.id, exc
                    )
                    continue
                done += 1
                self.downloaded.emit(paper.file.sha256)
        return done

    def _on_event(self, event: Event) -> None:
        replaced = paper_replaced(event)
        if replaced is not None:
            self.paper_replaced.emit(replaced)
        if event.type in AGENDA_EVENTS:
            self._again()

    async def close(self) -> None:
        """Cancel and await the running prefetch. At sign-out or exit a prefetch that failed
        is logged, not raised: the downloads are a convenience, the shutdown must go on."""
        try:
            await self.refresher.close()
        except Exception:
            log.warning("the paper prefetch ended with an error", exc_info=True)


class MeetingPapers(QObject):
    """One meeting's agenda and papers for the room; `changed` after every reload."""

    changed = Signal()
    downloaded = Signal(str)  # sha256 of a paper now on disk

    def __init__(
        self,
        session: Session,
        events: EventStream | None,
        outbox: Outbox,
        meeting_id: int,
        *,
        files: FileCache,
        meetings: MeetingsService,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.outbox = outbox
        self.meeting_id = meeting_id
        self.files = files
        self.meetings = meetings
        self.meeting: Meeting | None = None
        self._local_order: list[int] = []  # the item ids as the user last ordered them
        self.refresher = Refresher(self.refresh, f"agenda of meeting {meeting_id}")
        self._downloads: set[asyncio.Task[None]] = set()
        self._events = events
        if events is not None:
            events.event_received.connect(self._on_event)
            events.resync_needed.connect(self.refresher.schedule)
        outbox.sent.connect(self._on_sent)

    # --- reading -------------------------------------------------------------------------------
    @property
    def agenda(self) -> list[AgendaItem]:
        """The items in order (empty until loaded)."""
        if self.meeting is None:
            return []
        return sorted(self.meeting.agenda, key=lambda i: i.order)

    @property
    def can_edit(self) -> bool:
        """Whether the user runs this meeting (chair, secretary) and so edits its agenda."""
        from desktop.meetings import runs_meeting

        return self.meeting is not None and runs_meeting(self.meeting)

    def local_path(self, paper: Paper) -> Path | None:
        """The paper's verified file on disk (no network), or None; not marked as used (the agenda
        shows which papers are on disk with it)."""
        if paper.file is None or not self.files.on_disk(paper.file.sha256):
            return None
        return self.files.path(paper.file.sha256)

    async def find_local(self, paper: Paper) -> Path | None:
        """`local_path` with the disk work (stats, marker, touch) in a worker thread."""
        return None if paper.file is None else await self.files.lookup(paper.file.sha256)

    async def refresh(self) -> None:
        """Load the meeting (the cached copy when offline), announce it. While a move of ours
        waits in the outbox, the agenda keeps the order the user gave it (a reload from before
        the move reached the server must not undo it on screen)."""
        meeting = await self.meetings.meeting(self.meeting_id)
        if self._order_path() in self.outbox.pending_paths():
            meeting = self._in_local_order(meeting)
        self.meeting = meeting
        self.changed.emit()

    def _order_path(self) -> str:
        return f"/meetings/{self.meeting_id}/agenda/order"

    def _in_local_order(self, meeting: Meeting) -> Meeting:
        rank = {item_id: n for n, item_id in enumerate(self._local_order)}
        items = sorted(meeting.agenda, key=lambda i: (rank.get(i.id, len(rank)), i.order))
        renumbered = tuple(msgspec.structs.replace(i, order=n) for n, i in enumerate(items, 1))
        return msgspec.structs.replace(meeting, agenda=renumbered)

    async def open_path(self, paper: Paper) -> Path:
        """The paper's file, downloaded if it is not on disk yet."""
        if paper.file is None:
            raise ValueError(f"paper {paper.id} is a link")
        path = await self.files.fetch(paper.file)
        self.downloaded.emit(paper.file.sha256)
        return path

    # --- the secretary's changes ---------------------------------------------------------------
    def add_item(
        self, title: str, duration_minutes: int = 15, presenter_id: int | None = None
    ) -> str:
        """Queue a new item at the end; returns the outbox key."""
        body: dict[str, object] = {"title": title, "duration_minutes": duration_minutes}
        if presenter_id is not None:
            body["presenter_id"] = presenter_id
        return self._send("POST", f"/meetings/{self.meeting_id}/agenda", body)

    def move_item(self, item_id: int, step: int) -> str | None:
        """Move an item up (-1) or down (+1): the new order is shown at once and sent."""
        items = self.agenda
        index = next((n for n, i in enumerate(items) if i.id == item_id), None)
        if index is None or not 0 <= index + step < len(items):
            return None
        items[index], items[index + step] = items[index + step], items[index]
        assert self.meeting is not None
        self._local_order = [i.id for i in items]
        self.meeting = self._in_local_order(self.meeting)
        self.changed.emit()
        body = {"item_ids": self._local_order}
        key = self.outbox.enqueue("PUT", self._order_path(), body, supersede=True)
        self.outbox.flush_soon()
        return key

    def add_link(self, item_id: int, title: str, url: str) -> str:
        """Queue an external link paper (liên kết)."""
        body = {"title": title, "kind": "external", "url": url}
        return self._send("POST", f"/meetings/{self.meeting_id}/agenda/{item_id}/papers", body)

    async def upload_paper(self, item_id: int, path: Path, title: str, kind: str = "main") -> str:
        """Upload a PDF and queue it as a paper of the item; returns the outbox key. The upload
        needs the server; the paper then reaches it through the outbox."""
        sha = await self._upload(path)
        body = {"title": title, "kind": kind, "file_sha256": sha}
        return self._send("POST", f"/meetings/{self.meeting_id}/agenda/{item_id}/papers", body)

    async def replace_paper(self, paper_id: int, path: Path) -> str:
        """Upload a PDF and queue it as the paper's new version; returns the outbox key."""
        sha = await self._upload(path)
        body = {"file_sha256": sha}
        return self._send("POST", f"/meetings/{self.meeting_id}/papers/{paper_id}/versions", body)

    async def _upload(self, path: Path) -> str:
        data = await asyncio.to_thread(path.read_bytes)  # a large PDF is read off the GUI thread
        response = await self.session.api.request(
            "POST", "/files", params={"name": path.name}, data=data
        )
        return FileRef.from_json(response.body).sha256

    def _send(self, method: str, path: str, body: Mapping[str, object]) -> str:
        key = self.outbox.enqueue(method, path, body)
        self.outbox.flush_soon()
        return key

    # --- events --------------------------------------------------------------------------------
    def _on_event(self, event: Event) -> None:
        if event.data.get("meeting_id") != self.meeting_id or event.type not in AGENDA_EVENTS:
            return
        replaced = paper_replaced(event)
        if replaced is not None:
            self._download(replaced.file)  # the notice itself: ui/replaced_notice.py
        self.refresher.schedule()

    def _on_sent(self, _key: str, _body: object) -> None:
        self.refresher.schedule()  # our own change is on the server: show it as it stands

    def _download(self, ref: FileRef) -> None:
        """Fetch a new version in the background, so it opens offline too (owned task)."""

        async def fetch() -> None:
            try:
                await self.files.fetch(ref)
            except HopDeskError as exc:
                log.info("new version %s not downloaded yet: %r", ref.sha256[:12], exc)
                return
            self.downloaded.emit(ref.sha256)

        task = asyncio.get_running_loop().create_task(fetch(), name=f"paper {ref.sha256[:12]}")
        self._downloads.add(task)
        task.add_done_callback(self._downloads.discard)

    async def close(self) -> None:
        """Disconnect, cancel and await the refresh and the downloads."""
        if self._events is not None:
            self._events.event_received.disconnect(self._on_event)
            self._events.resync_needed.disconnect(self.refresher.schedule)
            self._events = None
        self.outbox.sent.disconnect(self._on_sent)
        await self.refresher.close()
        tasks = list(self._downloads)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
