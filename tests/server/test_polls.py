"""Polls against the real server on SQLite and PostgreSQL: roles, once per person (also at the
same instant), changing a vote, live counts, events, opinion forms closing at their deadline."""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from typing import Any

import pytest

from tests.fixtures.server import ServerProcess
from tests.server.conftest import Api, Reply, api_for
from tests.server.poll_helpers import Room, iso, make_room, wait_for


@pytest.fixture
def room(engine_server: ServerProcess) -> Room:
    return make_room(engine_server)


def slug(reply: Reply) -> str:
    """The problem's slug (the last part of its `type`)."""
    return str(reply.json()["type"]).rsplit("/", 1)[-1]


def poll_events(who: Api, poll_id: int) -> list[dict[str, Any]]:
    reply = who.get("/events?since=0&limit=1000")
    assert reply.status == 200
    return [
        e["data"]
        for e in reply.json()["events"]
        if e["type"] == "poll.updated" and e["data"]["id"] == poll_id
    ]


def test_the_chair_runs_a_poll_and_everyone_sees_the_result(room: Room) -> None:
    poll = room.create()
    assert poll["options"] == ["Tán thành", "Không tán thành", "Không biểu quyết"]
    assert (poll["status"], poll["eligible"], poll["may_vote"]) == ("draft", 5, False)
    opened = room.open(poll)
    assert (opened["status"], opened["eligible"], opened["voted"]) == ("open", 5, 0)
    choices = [0, 0, 1, 2]
    for who, option in zip(room.delegates, choices, strict=True):
        reply = room.vote(who, poll["id"], option)
        assert reply.status == 200, reply.body
        assert reply.json()["my_option"] == option
        assert reply.json()["counts"] is None  # no live counts unless the chair allows them
    seen = room.get(room.delegates[0], poll["id"])
    assert (seen["voted"], seen["counts"], seen["i_voted"], seen["may_vote"]) == (
        4,
        None,
        True,
        False,
    )

    refused = room.delegates[0].post(f"{room.base}/{poll['id']}/close")
    assert refused.status == 403, refused.body
    assert room.get(room.chair, poll["id"])["status"] == "open"

    closed = room.chair.post(f"{room.base}/{poll['id']}/close")
    assert closed.status == 200, closed.body
    result = room.get(room.delegates[3], poll["id"])
    assert (result["status"], result["voted"], result["eligible"]) == ("closed", 4, 5)
    assert result["counts"] == [2, 1, 1]
    by_user = {b["user"]["id"]: b["option"] for b in result["ballots"]}
    assert by_user == {d.user["id"]: o for d, o in zip(room.delegates, choices, strict=True)}
    assert slug(room.vote(room.chair, poll["id"], 0)) == "poll-not-open"

    events = poll_events(room.delegates[1], poll["id"])
    assert [e["status"] for e in events] == ["draft", "open"] + ["open"] * 4 + ["closed"]
    assert [e["voted"] for e in events] == [0, 0, 1, 2, 3, 4, 4]
    assert all(e["counts"] is None for e in events[:-1])
    assert events[-1]["counts"] == [2, 1, 1]


def test_only_the_chair_or_secretary_creates_and_opens(room: Room) -> None:
    delegate = room.delegates[0]
    assert delegate.post(room.base, {"title": "x"}).status == 403
    poll = room.create(by=room.chair)
    assert delegate.post(f"{room.base}/{poll['id']}/open").status == 403
    assert slug(room.vote(delegate, poll["id"], 0)) == "poll-not-open"


def test_live_counts_and_changing_a_vote_when_the_poll_allows_it(room: Room) -> None:
    poll = room.create(options=["Phương án A", "Phương án B"], show_live=True, allow_change=True)
    room.open(poll)
    first, second = room.delegates[:2]
    assert room.vote(first, poll["id"], 0).json()["counts"] == [1, 0]
    assert room.vote(second, poll["id"], 0).json()["counts"] == [2, 0]
    changed = room.vote(first, poll["id"], 1)
    assert changed.status == 200, changed.body
    assert (changed.json()["counts"], changed.json()["voted"]) == ([1, 1], 2)
    assert [e["counts"] for e in poll_events(first, poll["id"])][-3:] == [[1, 0], [2, 0], [1, 1]]


def test_without_change_a_second_vote_is_refused(room: Room) -> None:
    poll = room.create()
    room.open(poll)
    who = room.delegates[0]
    assert room.vote(who, poll["id"], 0).status == 200
    again = room.vote(who, poll["id"], 1)
    assert (again.status, slug(again)) == (409, "already-voted")
    assert room.get(who, poll["id"])["my_option"] == 0


def test_a_named_list_decides_who_votes(room: Room) -> None:
    named = [room.delegates[0].user["id"], room.secretary.user["id"]]
    poll = room.create(voter_ids=named)
    assert poll["eligible"] == 2
    room.open(poll)
    assert room.vote(room.secretary, poll["id"], 2).status == 200
    outsider = room.vote(room.delegates[1], poll["id"], 0)
    assert (outsider.status, slug(outsider)) == (403, "not-eligible")
    stranger = room.secretary.post(room.base, {"title": "x", "voter_ids": [999_999]})
    assert (stranger.status, slug(stranger)) == (422, "not-in-meeting")


def test_inconsistent_polls_are_refused(room: Room) -> None:
    for body in (
        {"secret": True, "allow_change": True},
        {"secret": True, "show_live": True},
        {"kind": "opinion"},
        {"options": ["Có", "Có"]},
        {"options": ["Chỉ một"]},
    ):
        reply = room.secretary.post(room.base, {"title": "x", **body})
        assert reply.status == 422, (body, reply.body)


def test_a_live_poll_opens_only_while_the_meeting_is_in_progress(
    engine_server: ServerProcess,
) -> None:
    later = make_room(engine_server, starts_in=dt.timedelta(days=1))
    poll = later.create()
    reply = later.chair.post(f"{later.base}/{poll['id']}/open")
    assert (reply.status, slug(reply)) == (409, "meeting-not-in-progress")


def _at_once(calls: list[Any]) -> list[Reply]:
    """Run the calls in threads released together by a barrier."""
    barrier = threading.Barrier(len(calls))
    replies: list[Reply | None] = [None] * len(calls)

    def run(i: int) -> None:
        barrier.wait()
        replies[i] = calls[i]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r is not None for r in replies)
    return replies  # type: ignore[return-value]


@pytest.mark.parametrize("secret", [False, True], ids=["open", "secret"])
def test_two_votes_at_the_same_instant_count_once(room: Room, secret: bool) -> None:
    poll = room.create(secret=secret)
    room.open(poll)
    voters = room.delegates[:3]
    for who in voters:  # three people, each pressing four times at once
        replies = _at_once([lambda o=o, w=who: room.vote(w, poll["id"], o) for o in (0, 1, 0, 1)])
        statuses = sorted(r.status for r in replies)
        assert statuses == [200, 409, 409, 409], statuses
        assert all(slug(r) == "already-voted" for r in replies if r.status == 409)
    room.chair.post(f"{room.base}/{poll['id']}/close")
    result = room.get(room.chair, poll["id"])
    assert (result["voted"], sum(result["counts"])) == (3, 3)


@pytest.mark.parametrize("secret", [False, True], ids=["open", "secret"])
def test_the_same_key_twice_at_once_is_one_ballot_and_one_answer(room: Room, secret: bool) -> None:
    poll = room.create(secret=secret)
    room.open(poll)
    who, key = room.delegates[1], str(uuid.uuid4())
    replies = _at_once([lambda: room.vote(who, poll["id"], 2, key) for _ in range(3)])
    assert [r.status for r in replies] == [200, 200, 200], [r.body for r in replies]
    assert len({r.body for r in replies}) == 1
    assert sum(r.headers.get("idempotent-replayed") == "true" for r in replies) == 2
    room.chair.post(f"{room.base}/{poll['id']}/close")
    assert room.get(room.chair, poll["id"])["counts"] == [0, 0, 1]


def test_an_opinion_form_is_voted_outside_the_meeting_and_closes_at_its_deadline(
    engine_server: ServerProcess,
) -> None:
    away = make_room(engine_server, starts_in=dt.timedelta(days=2))  # not in progress
    deadline = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=4)
    poll = away.create(kind="opinion", deadline=iso(deadline), title="Phiếu lấy ý kiến")
    away.open(poll)
    assert away.vote(away.delegates[0], poll["id"], 0).status == 200
    assert away.vote(away.delegates[1], poll["id"], 1).status == 200
    # Nobody asks: the server closes it by itself and tells everyone.
    events = wait_for(
        lambda: [e for e in poll_events(away.delegates[2], poll["id"]) if e["status"] == "closed"],
        what="the deadline to close the form",
    )
    assert events[-1]["counts"] == [1, 1, 0]
    closed_at = dt.datetime.fromisoformat(events[-1]["closed_at"])
    assert abs((closed_at - deadline).total_seconds()) < 0.01
    late = away.vote(away.delegates[2], poll["id"], 0)
    assert (late.status, slug(late)) == (409, "poll-not-open")


def test_an_opinion_form_cannot_open_after_its_deadline(room: Room) -> None:
    past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    poll = room.create(kind="opinion", deadline=iso(past))
    reply = room.chair.post(f"{room.base}/{poll['id']}/open")
    assert (reply.status, slug(reply)) == (409, "deadline-passed")


def test_people_outside_the_meeting_do_not_see_its_polls(
    room: Room, engine_server: ServerProcess
) -> None:
    poll = room.create()
    stranger = api_for(engine_server).login("khach")
    assert stranger.get(room.base).status == 404
    assert stranger.get(f"{room.base}/{poll['id']}").status == 404
    assert room.vote(stranger, poll["id"], 0).status == 404
