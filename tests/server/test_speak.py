"""The speak queue through the real server (SQLite and PostgreSQL): the server orders requests,
the chair runs the floor, everyone gets the whole queue in `speak.queue`, delegates cannot
control it, and simultaneous requests get distinct positions with one entry per person."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from server.problems import Problem
from server.speak import TRANSITIONS, transition
from tests.fixtures.server import ServerProcess
from tests.server.room_helpers import CHAIR, DELEGATES, OUTSIDER, SECRETARY, open_room

QUEUE = "speak-requests"


def who(queue: dict[str, Any]) -> list[tuple[int, int, int]]:
    """(user id, position, place) of the waiting requests, in order."""
    return [(r["user"]["id"], r["position"], r["place"]) for r in queue["queue"]]


def test_the_chair_runs_the_floor_and_everyone_sees_the_whole_queue(
    engine_server: ServerProcess,
) -> None:
    room = open_room(engine_server)
    p, c1, c2 = "phogiamdoc", "chuyenvien1", "chuyenvien2"
    since = room.last_seq(c2)
    room.ok(p, "POST", QUEUE, {})
    room.ok(c1, "POST", QUEUE, {})
    queue = room.ok(c2, "POST", QUEUE, {})
    assert who(queue) == [(room.id(p), 1, 1), (room.id(c1), 2, 2), (room.id(c2), 3, 3)]
    assert room.ok(c1, "POST", QUEUE, {}) == queue  # asking again: the same entry, no change
    assert queue["speaker"] is None
    assert queue["muted_until_floor"] is False

    second = queue["queue"][1]["id"]
    queue = room.ok(CHAIR, "POST", f"{QUEUE}/{second}/grant")
    assert queue["speaker"]["user"]["id"] == room.id(c1)
    assert queue["speaker"]["state"] == "granted"
    assert queue["speaker"]["granted_at"]
    assert who(queue) == [(room.id(p), 1, 1), (room.id(c2), 3, 2)]

    queue = room.ok(SECRETARY, "POST", f"{QUEUE}/next")  # the secretary runs the console too
    assert queue["speaker"]["user"]["id"] == room.id(p)
    assert who(queue) == [(room.id(c2), 3, 1)]

    queue = room.ok(CHAIR, "POST", f"{QUEUE}/end-turn")
    assert queue["speaker"] is None
    queue = room.ok(c1, "POST", QUEUE, {})  # done speaking, asks again: a new place at the end
    assert who(queue) == [(room.id(c2), 3, 1), (room.id(c1), 4, 2)]
    queue = room.ok(CHAIR, "POST", f"{QUEUE}/{queue['queue'][0]['id']}/lower")
    assert who(queue) == [(room.id(c1), 4, 1)]
    queue = room.ok(c1, "DELETE", f"{QUEUE}/mine")
    assert queue["queue"] == []
    room.ok(p, "POST", QUEUE, {})
    room.ok(c2, "POST", QUEUE, {})
    queue = room.ok(CHAIR, "POST", f"{QUEUE}/lower-all")
    assert queue["queue"] == []
    assert queue["speaker"] is None
    queue = room.ok(CHAIR, "PUT", "speak-options", {"muted_until_floor": True})
    assert queue["muted_until_floor"] is True

    current = room.ok(c2, "GET", QUEUE)  # a late joiner's view
    assert current == queue
    events = room.events(c2, "speak.queue", since)
    # ask ×3, grant, next, end, ask, lower, withdraw, ask ×2, lower-all, options; the repeated ask
    # sent nothing
    assert len(events) == 13
    assert events[-1]["data"] == current
    revisions = [e["data"]["revision"] for e in events]
    assert revisions == sorted(revisions)
    assert len(set(revisions)) == len(revisions)
    assert all(room.events(name, "speak.queue", since)[-1]["data"] == current for name in DELEGATES)
    assert room.events(OUTSIDER, "speak.queue", since) == []


def test_the_speaker_withdrawing_ends_the_turn_and_states_are_checked(
    engine_server: ServerProcess,
) -> None:
    room = open_room(engine_server)
    queue = room.ok("vanthu", "POST", QUEUE, {})
    request_id = queue["queue"][0]["id"]
    room.ok(CHAIR, "POST", f"{QUEUE}/{request_id}/grant")
    again = room.call(CHAIR, "POST", f"{QUEUE}/{request_id}/lower")  # speaking: end the turn
    assert again.status == 409
    assert again.json()["type"].endswith("/wrong-state")
    queue = room.ok("vanthu", "DELETE", f"{QUEUE}/mine")
    assert queue["speaker"] is None
    late = room.call(CHAIR, "POST", f"{QUEUE}/{request_id}/grant")
    assert late.status == 409
    assert room.call(CHAIR, "POST", f"{QUEUE}/2147483647/grant").status == 404
    unknown_item = room.call("vanthu", "POST", QUEUE, {"agenda_item_id": 2147483647})
    assert unknown_item.status == 422
    assert unknown_item.json()["type"].endswith("/unknown-agenda-item")
    audit = room.as_user[OUTSIDER].get("/audit?limit=50").json()  # quantri is the IT admin
    target = f"meeting:{room.meeting_id}"
    grants = [a for a in audit if a["action"] == "speak.grant" and a["target"] == target]
    assert len(grants) == 1
    assert grants[0]["detail"]["speaker_id"] == room.id("vanthu")


def test_delegates_cannot_control_the_floor(engine_server: ServerProcess) -> None:
    room = open_room(engine_server)
    queue = room.ok("chuyenvien1", "POST", QUEUE, {})
    request_id = queue["queue"][0]["id"]
    control = [
        ("POST", f"{QUEUE}/{request_id}/grant", None),
        ("POST", f"{QUEUE}/next", None),
        ("POST", f"{QUEUE}/end-turn", None),
        ("POST", f"{QUEUE}/{request_id}/lower", None),
        ("POST", f"{QUEUE}/lower-all", None),
        ("PUT", "speak-options", {"muted_until_floor": True}),
    ]
    for method, tail, body in control:
        reply = room.call("chuyenvien2", method, tail, body)
        assert reply.status == 403, (tail, reply.body)
        assert reply.json()["type"].endswith("/meeting-role")
    assert room.call(CHAIR, "POST", QUEUE, {}).status == 403  # the chair gives, not asks
    # The IT admin sees every meeting but takes no part in this one; nobody else sees it.
    assert room.call(OUTSIDER, "GET", QUEUE).status == 403
    assert room.ok("chuyenvien1", "GET", QUEUE) == queue


def test_a_meeting_not_in_progress_has_no_floor(engine_server: ServerProcess) -> None:
    room = open_room(engine_server, starts_in=dt.timedelta(hours=3))
    reply = room.call("chuyenvien1", "POST", QUEUE, {})
    assert reply.status == 409
    assert reply.json()["type"].endswith("/meeting-not-in-progress")
    assert room.call(CHAIR, "POST", f"{QUEUE}/next").status == 409
    assert room.ok("chuyenvien1", "GET", QUEUE)["queue"] == []


def test_simultaneous_requests_get_distinct_positions_one_entry_each(
    engine_server: ServerProcess,
) -> None:
    """Five people each press the button three times at the same instant (15 requests)."""
    room = open_room(engine_server)
    since = room.last_seq(SECRETARY)
    askers = [*DELEGATES] * 3
    start = threading.Barrier(len(askers))

    def ask(name: str) -> int:
        start.wait()
        return room.call(name, "POST", QUEUE, {}).status

    with ThreadPoolExecutor(len(askers)) as pool:
        statuses = list(pool.map(ask, askers))
    assert statuses == [200] * len(askers)
    queue = room.ok(CHAIR, "GET", QUEUE)
    assert sorted(r["user"]["id"] for r in queue["queue"]) == sorted(map(room.id, DELEGATES))
    assert [r["position"] for r in queue["queue"]] == [1, 2, 3, 4, 5]
    assert [r["place"] for r in queue["queue"]] == [1, 2, 3, 4, 5]
    events = room.events(SECRETARY, "speak.queue", since)
    assert len(events) == 5  # one per new entry; the repeats changed nothing
    assert events[-1]["data"] == queue


def test_transitions_of_a_request() -> None:
    assert transition("grant", "queued") == "granted"
    assert transition("withdraw", "granted") == "done"
    for action, state in [("grant", "done"), ("end", "queued"), ("lower", "granted")]:
        assert (action, state) not in TRANSITIONS
        with pytest.raises(Problem) as refused:
            transition(action, state)  # type: ignore[arg-type]
        assert refused.value.status == 409
