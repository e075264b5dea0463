"""Confidential meetings (họp có nội dung mật): the rules every meeting route applies.

A confidential meeting takes no guest: neither a user holding the office's guest role nor an
attendee whose meeting role is guest (`refuse_guests`, called wherever people join a meeting:
creation, invitation, delegation to a deputy, a paper's named reader). It has no browser or
guest link (`server/guests.py` refuses them, when made and when used). Every one of its papers
is at least `confidential` (`paper_level`): listed, served (`no-store`) and announced only to
the people named on it (`server/visibility.py`), and stamped with the reader's name by the
client's reader.
Its chat, notes and everything else of the meeting are kept only on this agency server: no
route relays them to another service, and the browser guest page is refused.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.meeting_roles import meeting_role
from server.models import NORMAL, Meeting, User, UserRole
from server.problems import Problem


def guests_among(session: Session, meeting: Meeting, user_ids: Iterable[int]) -> list[int]:
    """Which of `user_ids` are guests: holding the guest role, or a guest of this meeting."""
    ids = set(user_ids)
    found = set(
        session.scalars(
            select(UserRole.user_id).where(UserRole.user_id.in_(ids), UserRole.role == "guest")
        )
    )
    for user in session.scalars(select(User).where(User.id.in_(ids - found))):
        if meeting_role(meeting, user) == "guest":
            found.add(user.id)
    return sorted(found)


def refuse_guests(
    session: Session, meeting: Meeting, user_ids: Iterable[int], *, level: str = NORMAL
) -> None:
    """422 `confidential-to-guest` when a confidential meeting would get a guest (attendance,
    delegation to a deputy, a named reader), or a confidential paper a guest reader. Call it
    wherever people join a meeting."""
    if not meeting.confidential and level == NORMAL:
        return
    guests = guests_among(session, meeting, user_ids)
    if guests:
        raise Problem(
            422,
            "confidential-to-guest",
            detail="A confidential meeting takes no guests.",
            ids=guests,
        )


def paper_level(meeting: Meeting, requested: str) -> str:
    """The confidentiality a paper gets: at least MẬT in a confidential meeting."""
    if meeting.confidential and requested == NORMAL:
        return "confidential"
    return requested
