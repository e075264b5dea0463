"""Meetings (lịch họp): today's and upcoming meetings, cached first, then from the server; who
may join a meeting's room and when, and the chair's steps through the meeting's life."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

from PySide6.QtCore import QObject, Signal

from desktop.domain import Event, JsonObject, Meeting, MeetingSummary, json_objects, parse_list
from desktop.errors import MalformedResponse, ServerUnreachable
from desktop.refresher import Refresher

if TYPE_CHECKING:
    from desktop.events import EventStream
    from desktop.session import Session

log = logging.getLogger(__name__)

EVENT_TYPES = frozenset({"meeting.updated"})
# The room opens this long before the start, so the chair can open the meeting on time and
# delegates can check their sound first.
JOIN_EARLY = dt.timedelta(minutes=15)
RUNS_MEETING = frozenset({"chair", "secretary"})


def utc_now() -> dt.datetime:
    """The real clock (services take it as a parameter so tests can drive time)."""
    return dt.datetime.now(dt.UTC)


def can_join(meeting: MeetingSummary, now: dt.datetime) -> bool:
    """Whether the user may enter the meeting room now: they are in the meeting, and it is in
    progress or scheduled to start within `JOIN_EARLY`."""
    if meeting.my_role is None:
        return False
    if meeting.status == "in_progress":
        return True
    return meeting.status == "scheduled" and now >= meeting.starts_at - JOIN_EARLY


def runs_meeting(meeting: MeetingSummary) -> bool:
    """Whether the user opens and ends this meeting (its chair or secretary)."""
    return meeting.my_role in RUNS_MEETING


Period = Literal["upcoming", "day", "week"]


def period_range(
    period: Period, day: dt.date, tz: dt.tzinfo | None = None
) -> tuple[dt.datetime, dt.datetime | None]:
    """[start, end) of the schedule shown: from `day` on; that day; or its week, Monday first
    (as Vietnamese calendars and the office's weekly schedule, lịch công tác tuần, do)."""
    if period == "week":
        day = day - dt.timedelta(days=day.weekday())
    start = _midnight(day, tz)
    if period == "upcoming":
        return start, None
    return start, _midnight(day + dt.timedelta(days=7 if period == "week" else 1), tz)


def _midnight(day: dt.date, tz: dt.tzinfo | None) -> dt.datetime:
    """The start of `day` in `tz`, else in the machine's zone with that day's own offset (the
    offset of now would be an hour off across a summer-time change)."""
    naive = dt.datetime.combine(day, dt.time())
    return naive.replace(tzinfo=tz) if tz is not None else naive.astimezone()


class MeetingsService(QObject):
    """The meeting list the UI shows; `changed` after every update."""

    changed = Signal()

    def __init__(
        self,
        session: Session,
        events: EventStream | None = None,
        parent: QObject | None = None,
        now: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        super().__init__(parent)
        self.now = now
        self.session = session
        self.store = session.store
        self.scope: str = session.scope
        self.upcoming: list[MeetingSummary] = self._cached()  # from today on (reminders)
        self.meetings: list[MeetingSummary] = self.upcoming  # the period shown
        self.period: Period = "upcoming"
        self.day: dt.date = now().astimezone().date()  # the day or week shown
        self.refresher = Refresher(self.refresh, "meetings")
        if events is not None:
            events.event_received.connect(self._on_event)
            events.resync_needed.connect(self.refresher.schedule)  # missed events: reload all

    def _cached(self) -> list[MeetingSummary]:
        if self.store is None:
            return []
        try:
            return parse_list(MeetingSummary, self.store.load_meetings(self.scope), "m")
        except MalformedResponse as exc:  # a cache from an older version: the server refills it
            log.warning("ignoring cached meetings: %r", exc)
            return []

    def show_period(self, period: Period, day: dt.date | None = None) -> None:
        """Show the meetings of a day, of a week, or from today on; reloads in the background."""
        self.period = period
        self.day = day or self.now().astimezone().date()
        self.refresher.schedule()

    async def refresh(self) -> None:
        """Load the upcoming list (cached: the first screen and the reminders) and, when a day
        or a week is shown, that period's meetings; then announce them."""
        today = self.now().astimezone().date()
        upcoming = await self._load(*period_range("upcoming", today))
        self.upcoming = parse_list(MeetingSummary, upcoming, "meeting list")
        if self.store is not None:  # by the store's thread: a lock never holds the window
            store, scope = self.store, self.scope
            store.write_later(lambda: store.save_meetings(scope, upcoming), "meetings")
        if self.period == "upcoming":
            self.meetings = self.upcoming
        else:
            shown = await self._load(*period_range(self.period, self.day))
            self.meetings = parse_list(MeetingSummary, shown, "meeting list")
        self.changed.emit()

    async def _load(self, start: dt.datetime, end: dt.datetime | None) -> list[JsonObject]:
        query = {"start": start.isoformat()}
        if end is not None:
            query["end"] = end.isoformat()
        return json_objects(await self.session.api.get_json("/meetings", query), "meeting list")

    async def meeting(self, meeting_id: int) -> Meeting:
        """One meeting with its agenda; the cached copy when the server cannot be reached."""
        key = f"meeting:{self.scope}:{meeting_id}"
        try:
            payload = await self.session.api.get_json(f"/meetings/{meeting_id}")
        except ServerUnreachable:
            cached = self.store.get(key) if self.store is not None else None
            if cached is None:
                raise
            return Meeting.from_json(cached)
        meeting = Meeting.from_json(payload)
        if self.store is not None:
            self.store.set_later(key, payload)
        return meeting

    async def set_status(self, meeting_id: int, status: str) -> Meeting:
        """One step of the meeting's life (open, end, …) by its chair or secretary.

        Sent at once, not through the outbox: opening or ending a meeting only makes sense now;
        replayed an hour later after a reconnect it would end a meeting someone else reopened.
        A refusal (403 role, 409 the meeting moved on) comes back as an ApiError."""
        payload = await self.session.api.post_json(
            f"/meetings/{meeting_id}/status", {"status": status}
        )
        meeting = Meeting.from_json(payload)
        if self.store is not None:
            self.store.set_later(f"meeting:{self.scope}:{meeting_id}", payload)
        self.refresher.schedule()
        return meeting

    def _on_event(self, event: Event) -> None:
        if event.type in EVENT_TYPES:
            self.refresher.schedule()

    async def close(self) -> None:
        """Cancel a running refresh."""
        await self.refresher.close()
