"""Polls (biểu quyết) and opinion forms (phiếu lấy ý kiến) of a meeting, open or secret.

The chair or secretary creates a poll (agree / disagree / abstain, or their own options), opens
it and closes it; the people allowed to vote (every delegate, or a named list) vote once each.
An opinion form is a poll with a deadline for members who are away: it is voted outside the
live meeting and closes itself at the deadline (lazily on every read, and by `DeadlineCloser`).

One ballot per person is enforced by the database: the primary key (poll_id, user_id) of
`poll_votes` (open) or `poll_participations` (secret), so of two votes at the same instant one
is counted and the other gets 409 `already-voted` (or, with the same Idempotency-Key, the first
answer replayed). Vote, close and the deadline check lock the poll row (PostgreSQL), and the
status is read again after the ballot is written (SQLite, whose writer holds the file lock by
then), so no ballot lands after a close.

A secret ballot is secret from everyone, the administrator with a copy of the database included:
- Who has voted (`poll_participations`: poll, user; no option, no time, no id of its own) is
  kept apart from what was chosen, which is only a counter per option (`poll_tallies`). There
  is no ballot row at all, so nothing can be ordered, numbered or timed against participation.
- The vote's statement adds 1 to the chosen counter and 0 to every other counter of the poll,
  so every counter row is rewritten by every vote: on PostgreSQL all of them carry the same
  xmin (the last voter's transaction, who is known to have voted anyway) and move together
  (ctid); in SQLite their rowids were fixed when the poll was created.
- While a secret poll is open nobody sees per-option counts (not the API, not `poll.updated`):
  a stream of live counts is a stream of deltas, each next to a vote time the room (or the
  event and idempotency tables) can tie to a person. Hence a secret poll cannot have
  `show_live`, and it cannot allow changing a vote: a change needs the link we do not keep.
- The vote request's idempotency record keeps no digest of the body (which names the option;
  `server.idempotency.keep_body_secret`) and the answer does not name the choice.
- No audit row and no log line is written for a secret ballot (uvicorn's access log is off;
  this module logs nothing about ballots).
What remains below SQL is said in docs/contract.md (Polls): storage pages and write-ahead logs
hold earlier versions of the counters until they are checkpointed or vacuumed.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import datetime as dt
import logging
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field, model_validator
from sqlalchemy import case, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload, sessionmaker
from starlette.concurrency import run_in_threadpool

from server import audit
from server.access import signed_in
from server.ballot_signatures import MAX_SIGNATURE, VerifiedSignature, ballot_text, verify
from server.events import emit
from server.idempotency import keep_body_secret
from server.inputs import Id, Input, Timestamp
from server.meeting_roles import (
    MeetingRole,
    meeting_audience,
    meeting_role,
    require_in_progress,
    require_meeting_role,
)
from server.models import (
    Meeting,
    Poll,
    PollParticipation,
    PollTally,
    PollVote,
    PollVoter,
    User,
    utcnow,
)
from server.problems import Problem, not_found, problem_responses
from server.unit_of_work import client_address, commit, get_session
from server.users import UserRef, user_ref

log = logging.getLogger(__name__)
router = APIRouter(tags=["polls"])

DEFAULT_OPTIONS = ("Tán thành", "Không tán thành", "Không biểu quyết")
RUNNERS: tuple[MeetingRole, ...] = ("chair", "secretary")  # create, open and close polls
DELEGATES: tuple[MeetingRole, ...] = (
    "chair",
    "delegate",
)  # who "every delegate" means (not secretary, guest, site)
CLOSER_INTERVAL = 2.0  # seconds between two looks for opinion forms past their deadline

OptionText = Annotated[str, Field(min_length=1, max_length=200)]


class PollIn(Input):
    """Body of `POST /meetings/{id}/polls`."""

    title: str = Field(min_length=1, max_length=500)
    kind: Literal["live", "opinion"] = "live"
    options: list[OptionText] = Field(
        default_factory=lambda: list(DEFAULT_OPTIONS), min_length=2, max_length=20
    )
    secret: bool = False
    voter_ids: list[Id] | None = Field(default=None, max_length=2000)  # None: every delegate
    allow_change: bool = False
    show_live: bool = False
    deadline: Timestamp | None = None

    @model_validator(mode="after")
    def _consistent(self) -> PollIn:
        if len(set(self.options)) != len(self.options):
            raise ValueError("options must differ")
        if self.secret and self.allow_change:
            raise ValueError("a secret ballot cannot be changed (it is linked to nobody)")
        if self.secret and self.show_live:
            raise ValueError("a secret ballot shows no counts before it closes")
        if (self.kind == "opinion") != (self.deadline is not None):
            raise ValueError("an opinion form needs a deadline, a live poll has none")
        return self


class VoteIn(Input):
    """Body of `POST …/polls/{id}/vote`: the index of the chosen option, and for an open poll
    optionally the voter's detached CMS signature (base64) over its `ballot_text`."""

    option: int = Field(ge=0, le=19)
    signature: str | None = Field(default=None, max_length=MAX_SIGNATURE)


class PollPublic(BaseModel):
    """What everyone in the meeting may know of a poll (also the data of `poll.updated`)."""

    id: int
    meeting_id: int
    title: str
    kind: str
    options: list[str]
    secret: bool
    named_voters: bool
    allow_change: bool
    show_live: bool
    status: str
    deadline: dt.datetime | None
    opened_at: dt.datetime | None
    closed_at: dt.datetime | None
    eligible: int
    voted: int
    counts: list[int] | None  # per option; None while they are not shown


class BallotOut(BaseModel):
    """One open ballot: who chose which option (and the signature when the voter signed)."""

    user: UserRef
    option: int
    signed_by: str | None = None  # the signing certificate's subject
    signature: str | None = None  # base64 DER, detached, over the ballot's text


class PollOut(PollPublic):
    """`Poll` of the contract: the public part plus what concerns the reader."""

    may_vote: bool
    i_voted: bool
    my_option: int | None  # open polls only: a secret ballot is not linked to its voter
    ballots: list[BallotOut] | None  # open polls, once counts are shown


def counts_visible(poll: Poll) -> bool:
    """Per-option counts are shown once closed, or live on an open poll that allows it."""
    return poll.status == "closed" or (poll.status == "open" and poll.show_live and not poll.secret)


def delegates(meeting: Meeting) -> set[int]:
    """Who votes when no list is named: the chair and every delegate."""
    ids = {meeting.chair_id}
    ids.update(a.user_id for a in meeting.attendances if meeting_role(meeting, a.user) in DELEGATES)
    return ids


def _members(meeting: Meeting) -> set[int]:
    ids = {a.user_id for a in meeting.attendances} | {meeting.chair_id}
    if meeting.secretary_id is not None:
        ids.add(meeting.secretary_id)
    return ids


def _count(session: Session, poll: Poll) -> tuple[int, int, list[int]]:
    """(eligible, voted, counts per option)."""
    if poll.status == "draft" and not poll.named_voters:
        meeting = session.get_one(Meeting, poll.meeting_id)
        eligible = len(delegates(meeting))
    else:
        eligible = session.scalar(select(func.count()).where(PollVoter.poll_id == poll.id)) or 0
    counts = [0] * len(poll.options)
    if poll.secret:
        voted = session.scalar(select(func.count()).where(PollParticipation.poll_id == poll.id))
        for option, n in session.execute(
            select(PollTally.option, PollTally.count).where(PollTally.poll_id == poll.id)
        ):
            counts[option] = n
    else:
        rows = session.execute(
            select(PollVote.option, func.count())
            .where(PollVote.poll_id == poll.id)
            .group_by(PollVote.option)
        )
        for option, n in rows:
            counts[option] = n
        voted = sum(counts)
    return eligible, voted or 0, counts


def public(session: Session, poll: Poll) -> PollPublic:
    """The poll as everyone in the meeting may see it now."""
    eligible, voted, counts = _count(session, poll)
    return PollPublic(
        id=poll.id,
        meeting_id=poll.meeting_id,
        title=poll.title,
        kind=poll.kind,
        options=poll.options,
        secret=poll.secret,
        named_voters=poll.named_voters,
        allow_change=poll.allow_change,
        show_live=poll.show_live,
        status=poll.status,
        deadline=poll.deadline,
        opened_at=poll.opened_at,
        closed_at=poll.closed_at,
        eligible=eligible,
        voted=voted,
        counts=counts if counts_visible(poll) else None,
    )


def view(session: Session, poll: Poll, user: User) -> PollOut:
    """The poll as `user` sees it."""
    shown = public(session, poll)
    mine: PollVote | None = None
    if poll.secret:
        i_voted = session.get(PollParticipation, (poll.id, user.id)) is not None
    else:
        mine = session.get(PollVote, (poll.id, user.id))
        i_voted = mine is not None
    ballots = None
    if not poll.secret and shown.counts is not None:
        rows = session.execute(
            select(PollVote, User)
            .join(User, User.id == PollVote.user_id)
            .where(PollVote.poll_id == poll.id)
            .order_by(User.full_name, User.id)
        )
        ballots = [_ballot(v, u) for v, u in rows]
    eligible = session.get(PollVoter, (poll.id, user.id)) is not None
    return PollOut(
        **shown.model_dump(),
        may_vote=poll.status == "open" and eligible and (not i_voted or poll.allow_change),
        i_voted=i_voted,
        my_option=mine.option if mine is not None else None,
        ballots=ballots,
    )


def _ballot(vote: PollVote, user: User) -> BallotOut:
    signature = base64.b64encode(vote.signature).decode() if vote.signature else None
    return BallotOut(
        user=user_ref(user),  # type: ignore[arg-type]
        option=vote.option,
        signed_by=vote.signer or None,
        signature=signature,
    )


def _announce(session: Session, meeting: Meeting, poll: Poll) -> None:
    """`poll.updated` to the meeting's audience and the poll's voters (counts only when shown)."""
    voters = session.scalars(select(PollVoter.user_id).where(PollVoter.poll_id == poll.id))
    data = public(session, poll).model_dump(mode="json")
    emit(session, "poll.updated", data, meeting_audience(meeting) | set(voters))


def _meeting(session: Session, meeting_id: int, user: User) -> Meeting:
    """The meeting when the user is in it; 404 otherwise (as if it did not exist)."""
    meeting = session.scalar(
        select(Meeting).where(Meeting.id == meeting_id).options(selectinload(Meeting.attendances))
    )
    if meeting is None or meeting_role(meeting, user) is None:
        raise not_found("Meeting")
    return meeting


def _poll(session: Session, meeting: Meeting, poll_id: int, *, lock: bool = True) -> Poll:
    """The poll; to change it, its row is locked until commit (PostgreSQL) so that votes, the
    close and the deadline serialise."""
    query = select(Poll).where(Poll.id == poll_id, Poll.meeting_id == meeting.id)
    if lock:
        query = query.with_for_update()
    poll = session.scalar(query.execution_options(populate_existing=True))
    if poll is None:
        raise not_found("Poll")
    return poll


def _past_deadline(poll: Poll, now: dt.datetime) -> bool:
    return poll.status == "open" and poll.deadline is not None and poll.deadline <= now


def _close(session: Session, meeting: Meeting, poll: Poll, at: dt.datetime) -> None:
    poll.status = "closed"
    poll.closed_at = at
    session.flush()
    _announce(session, meeting, poll)


def settle(session: Session, meeting: Meeting, poll: Poll) -> None:
    """Close an opinion form whose deadline has passed (the caller commits)."""
    if _past_deadline(poll, utcnow()):
        assert poll.deadline is not None
        _close(session, meeting, poll, poll.deadline)


UserDep = Annotated[User, Depends(signed_in)]
SessionDep = Annotated[Session, Depends(get_session)]
POLL = "/meetings/{meeting_id}/polls/{poll_id}"


@router.get(
    "/meetings/{meeting_id}/polls", response_model=list[PollOut], responses=problem_responses(404)
)
def list_polls(meeting_id: Id, user: UserDep, session: SessionDep) -> list[PollOut]:
    """The meeting's polls, oldest first (404 unless the user is in the meeting)."""
    meeting = _meeting(session, meeting_id, user)
    polls = list(
        session.scalars(select(Poll).where(Poll.meeting_id == meeting.id).order_by(Poll.id))
    )
    for poll in polls:
        settle(session, meeting, poll)
    commit(session)
    return [view(session, p, user) for p in polls]


@router.get(POLL, response_model=PollOut, responses=problem_responses(404))
def get_poll(meeting_id: Id, poll_id: Id, user: UserDep, session: SessionDep) -> PollOut:
    """One poll."""
    meeting = _meeting(session, meeting_id, user)
    poll = _poll(session, meeting, poll_id, lock=False)
    settle(session, meeting, poll)
    commit(session)
    return view(session, poll, user)


@router.post(
    "/meetings/{meeting_id}/polls",
    response_model=PollOut,
    status_code=201,
    responses=problem_responses(403, 404, 422),
)
def create_poll(
    meeting_id: Id, body: PollIn, request: Request, user: UserDep, session: SessionDep
) -> PollOut:
    """A draft poll (chair or secretary); `voter_ids` must be people in the meeting."""
    meeting = _meeting(session, meeting_id, user)
    require_meeting_role(meeting, user, *RUNNERS)
    if body.voter_ids is not None:
        strangers = set(body.voter_ids) - _members(meeting)
        if strangers or not body.voter_ids:
            raise Problem(
                422,
                "not-in-meeting",
                detail="Voters must be people in the meeting.",
                ids=sorted(strangers),
            )
    poll = Poll(
        meeting_id=meeting.id,
        title=body.title,
        kind=body.kind,
        options=body.options,
        secret=body.secret,
        named_voters=body.voter_ids is not None,
        allow_change=body.allow_change,
        show_live=body.show_live,
        status="draft",
        deadline=body.deadline,
        created_by=user.id,
    )
    session.add(poll)
    session.flush()
    session.add_all(PollVoter(poll_id=poll.id, user_id=u) for u in set(body.voter_ids or ()))
    if poll.secret:  # every counter exists before the first ballot: rowids say nothing
        session.add_all(
            PollTally(poll_id=poll.id, option=i, count=0) for i in range(len(body.options))
        )
    session.flush()
    _announce(session, meeting, poll)
    _audit(session, request, user, "poll.create", poll)
    commit(session)
    return view(session, poll, user)


@router.post(POLL + "/open", response_model=PollOut, responses=problem_responses(403, 404, 409))
def open_poll(
    meeting_id: Id, poll_id: Id, request: Request, user: UserDep, session: SessionDep
) -> PollOut:
    """Open a draft for voting: a live poll needs the meeting in progress, an opinion form a
    deadline still ahead. Who may vote is fixed now (every delegate, unless a list was named)."""
    meeting = _meeting(session, meeting_id, user)
    require_meeting_role(meeting, user, *RUNNERS)
    poll = _poll(session, meeting, poll_id)
    if poll.status != "draft":
        raise Problem(409, "poll-not-draft", detail="The poll was already opened.")
    now = utcnow()
    if poll.kind == "live":
        require_in_progress(meeting)
    elif poll.deadline is not None and poll.deadline <= now:
        raise Problem(409, "deadline-passed", detail="The deadline has passed.")
    if not poll.named_voters:
        session.add_all(PollVoter(poll_id=poll.id, user_id=u) for u in delegates(meeting))
    poll.status = "open"
    poll.opened_at = now
    session.flush()
    _announce(session, meeting, poll)
    _audit(session, request, user, "poll.open", poll)
    commit(session)
    return view(session, poll, user)


@router.post(POLL + "/close", response_model=PollOut, responses=problem_responses(403, 404, 409))
def close_poll(
    meeting_id: Id, poll_id: Id, request: Request, user: UserDep, session: SessionDep
) -> PollOut:
    """Close an open poll (chair or secretary; a delegate gets 403): the counts are shown."""
    meeting = _meeting(session, meeting_id, user)
    require_meeting_role(meeting, user, *RUNNERS)
    poll = _poll(session, meeting, poll_id)
    if poll.status != "open":
        raise Problem(409, "poll-not-open", detail="The poll is not open.", poll_status=poll.status)
    now = utcnow()
    _close(session, meeting, poll, min(now, poll.deadline) if poll.deadline else now)
    _audit(session, request, user, "poll.close", poll)
    commit(session)
    return view(session, poll, user)


@router.post(
    POLL + "/vote", response_model=PollOut, responses=problem_responses(403, 404, 409, 422)
)
def vote(
    meeting_id: Id,
    poll_id: Id,
    body: VoteIn,
    request: Request,
    user: UserDep,
    session: SessionDep,
) -> PollOut:
    """Cast (or, where the poll allows it, change) the user's ballot."""
    meeting = _meeting(session, meeting_id, user)
    poll = _poll(session, meeting, poll_id)
    if poll.secret:
        keep_body_secret(request.scope)
    _check_open(poll)
    if session.get(PollVoter, (poll.id, user.id)) is None:
        raise Problem(403, "not-eligible", detail="You are not among the voters of this poll.")
    if body.option >= len(poll.options):
        raise Problem(422, "unknown-option", detail="No such option.", options=len(poll.options))
    if poll.secret:
        if body.signature is not None:  # a signature would link the voter to the choice
            raise Problem(422, "secret-not-signed", detail="A secret ballot cannot be signed.")
        _cast_secret(session, poll, user, body.option)
    else:
        signed = None
        if body.signature is not None:
            text = ballot_text(
                poll.id, poll.meeting_id, poll.title, body.option, poll.options[body.option]
            )
            signed = verify(body.signature, text)
        _cast_open(session, poll, user, body.option, signed)
        _audit(session, request, user, "poll.vote", poll, option=body.option, signed=bool(signed))
    session.refresh(poll)  # SQLite: read again now that this transaction holds the write lock
    _check_open(poll)
    _announce(session, meeting, poll)
    commit(session)
    return view(session, poll, user)


def _check_open(poll: Poll) -> None:
    if poll.status != "open" or _past_deadline(poll, utcnow()):
        status = "closed" if poll.status == "open" else poll.status
        raise Problem(409, "poll-not-open", detail="The poll is not open.", poll_status=status)


def _already_voted() -> Problem:
    return Problem(409, "already-voted", detail="You have already voted in this poll.")


def _insert_once(session: Session, row: PollVote | PollParticipation) -> None:
    """Add the one-per-person row; a twin that committed first makes this 409."""
    session.add(row)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise _already_voted() from None


def _cast_secret(session: Session, poll: Poll, user: User, option: int) -> None:
    """Participation row, then +1 on the chosen counter and +0 on all the others (module doc)."""
    if session.get(PollParticipation, (poll.id, user.id)) is not None:
        raise _already_voted()
    _insert_once(session, PollParticipation(poll_id=poll.id, user_id=user.id))
    session.execute(
        update(PollTally)
        .where(PollTally.poll_id == poll.id)
        .values(count=PollTally.count + case((PollTally.option == option, 1), else_=0))
        .execution_options(synchronize_session=False)
    )


def _cast_open(
    session: Session, poll: Poll, user: User, option: int, signed: VerifiedSignature | None
) -> None:
    der, signer = (signed.der, signed.signer) if signed is not None else (None, "")
    mine = session.get(PollVote, (poll.id, user.id))
    if mine is None:
        vote = PollVote(poll_id=poll.id, user_id=user.id, option=option, signature=der)
        vote.signer = signer
        _insert_once(session, vote)
    elif poll.allow_change:  # the new choice replaces the old one, its signature too
        mine.option, mine.signature, mine.signer = option, der, signer
        session.flush()
    else:
        raise _already_voted()


def _audit(
    session: Session, request: Request, user: User, action: str, poll: Poll, **detail: int
) -> None:
    """Audit a change of an open poll or of any poll's lifecycle (never a secret ballot)."""
    audit.record(
        session,
        action,
        user_id=user.id,
        address=client_address(request),
        target=f"poll:{poll.id}",
        meeting_id=poll.meeting_id,
        **detail,
    )


# --- opinion forms close themselves ---------------------------------------------------------


def close_due(session: Session, now: dt.datetime) -> int:
    """Close every open poll whose deadline has passed; returns how many (the caller commits)."""
    due = list(
        session.scalars(
            select(Poll.id).where(
                Poll.status == "open", Poll.deadline.is_not(None), Poll.deadline <= now
            )
        )
    )
    for poll_id in due:
        poll = session.get_one(Poll, poll_id, with_for_update=True)
        if _past_deadline(poll, now):
            meeting = session.scalar(
                select(Meeting)
                .where(Meeting.id == poll.meeting_id)
                .options(selectinload(Meeting.attendances))
            )
            assert meeting is not None
            assert poll.deadline is not None
            _close(session, meeting, poll, poll.deadline)
    return len(due)


class DeadlineCloser:
    """Closes opinion forms at their deadline, so everyone hears `poll.updated` without asking.

    Reads settle a passed deadline too (exact to the second even if this task lags); this task
    only makes the event go out when nobody happens to look. Owned by the app's lifespan.
    """

    def __init__(self, factory: sessionmaker[Session], interval: float = CLOSER_INTERVAL) -> None:
        self._factory = factory
        self._interval = interval
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Schedule the loop."""
        self._task = asyncio.create_task(self._loop(), name="poll-deadlines")

    async def stop(self) -> None:
        """Cancel the loop and wait for it."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def _run(self) -> int:
        with self._factory() as session, session.begin():
            return close_due(session, utcnow())

    async def _loop(self) -> None:
        while True:
            try:
                await run_in_threadpool(self._run)
            except Exception:
                log.exception("closing polls past their deadline failed")
            await asyncio.sleep(self._interval)
