"""What the floor's routes (speak queue, chat, presenter page) share: the meeting as a
participant sees it, and the per-meeting row that serialises changes.

Why one loader: each route needs the meeting's attendances for the caller's role and for the
audience of its event, and must answer 404 for a meeting the caller may not see (visibility),
403 for one they see but take no part in (an IT admin), exactly like its siblings.
"""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, selectinload

from server.meeting_roles import MEETING_ROLES, MeetingRole, require_meeting_role
from server.models import Attendance, Meeting, MeetingFloor, PresenterPage, User
from server.problems import not_found
from server.visibility import visible_meetings

Row = TypeVar("Row", MeetingFloor, PresenterPage)


def room_meeting(session: Session, meeting_id: int, user: User) -> Meeting:
    """The meeting with its attendances, or 404 when the user may not see it."""
    meeting = session.scalar(
        select(Meeting)
        .where(Meeting.id == meeting_id, Meeting.id.in_(visible_meetings(user)))
        # Roles and the audience need only the attendance rows: loading each attendee's
        # account too (joined by default) cost a 200-person meeting most of a page turn.
        .options(selectinload(Meeting.attendances).lazyload(Attendance.user))
    )
    if meeting is None:
        raise not_found("Meeting")
    return meeting


def participant(meeting: Meeting, user: User) -> MeetingRole:
    """The user's role in the meeting; 403 when they take no part in it."""
    return require_meeting_role(meeting, user, *MEETING_ROLES)


def lock_meeting_row(
    session: Session, model: type[Row], meeting_id: int, **defaults: object
) -> Row:
    """The meeting's row of `model` (created with `defaults` if missing), locked for this
    transaction; the caller bumps `revision` when it changes something.

    The UPDATE takes PostgreSQL's row lock or SQLite's write lock, so a concurrent change of the
    same meeting waits here and then reads what this one committed: two requests at the same
    instant get distinct positions, one person asking twice finds their first request, and the
    revision order of two changes is their commit order.
    """
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(
        dialect.insert(model)
        .values(meeting_id=meeting_id, revision=0, **defaults)
        .on_conflict_do_nothing(index_elements=["meeting_id"])
    )
    session.execute(
        update(model)
        .where(model.meeting_id == meeting_id)
        .values(revision=model.revision)  # changes nothing, but takes the lock
        .execution_options(synchronize_session=False)
    )
    row = session.get(model, meeting_id, populate_existing=True)
    assert row is not None  # inserted above
    return row


def lock_floor(session: Session, meeting_id: int) -> MeetingFloor:
    """The meeting's floor row (speak queue counter and option), locked; see lock_meeting_row."""
    return lock_meeting_row(
        session, MeetingFloor, meeting_id, last_position=0, muted_until_floor=False
    )
