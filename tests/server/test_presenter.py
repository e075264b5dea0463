"""Presenter page sync through the real server (SQLite and PostgreSQL): the presenter, chair or
secretary publishes {paper, page, zoom}; `page.follow` reaches the meeting (a confidential
paper's pages only its named readers); a late joiner reads the current page."""

from __future__ import annotations

from tests.fixtures.server import ServerProcess
from tests.server.room_helpers import CHAIR, DELEGATES, OUTSIDER, SECRETARY, open_room

PRESENTER = "presenter"


def test_the_presenter_leads_and_followers_get_each_page(engine_server: ServerProcess) -> None:
    room = open_room(engine_server)
    paper = room.add_paper("chuyenvien1")
    assert room.ok("vanthu", "GET", PRESENTER)["paper_id"] is None  # nothing presented yet
    since = room.last_seq("vanthu")
    first = room.ok("chuyenvien1", "PUT", PRESENTER, {"paper_id": paper, "page": 0, "zoom": 1.0})
    assert first["presenter"]["id"] == room.id("chuyenvien1")
    room.ok("chuyenvien1", "PUT", PRESENTER, {"paper_id": paper, "page": 1, "zoom": 1.0})
    again = room.ok("chuyenvien1", "PUT", PRESENTER, {"paper_id": paper, "page": 1, "zoom": 1.0})
    last = room.ok(CHAIR, "PUT", PRESENTER, {"paper_id": paper, "page": 2, "zoom": 1.5})
    assert again["revision"] < last["revision"]
    events = [e["data"] for e in room.events("vanthu", "page.follow", since)]
    assert [(e["page"], e["zoom"]) for e in events] == [(0, 1.0), (1, 1.0), (2, 1.5)]  # no repeat
    assert events[-1] == last
    assert room.ok("khach", "GET", PRESENTER) == last  # a late joiner
    assert room.ok(SECRETARY, "PUT", PRESENTER, {"paper_id": paper, "page": 3, "zoom": 1.5})


def test_only_the_presenter_chair_or_secretary_lead(engine_server: ServerProcess) -> None:
    room = open_room(engine_server)
    paper = room.add_paper("chuyenvien1")
    body = {"paper_id": paper, "page": 0, "zoom": 1.0}
    reply = room.call("chuyenvien2", "PUT", PRESENTER, body)
    assert reply.status == 403
    assert reply.json()["type"].endswith("/meeting-role")
    assert room.call(OUTSIDER, "PUT", PRESENTER, body).status == 403
    assert room.call(OUTSIDER, "GET", PRESENTER).status == 403
    other = open_room(engine_server).add_paper("chuyenvien1")  # a paper of another meeting
    assert room.call("chuyenvien1", "PUT", PRESENTER, {**body, "paper_id": other}).status == 404
    for bad in ({"page": -1}, {"zoom": 0.1}, {"zoom": 9.0}, {"page": 100_001}):
        assert room.call(CHAIR, "PUT", PRESENTER, {**body, **bad}).status == 422, bad


def test_a_confidential_paper_is_followed_only_by_its_readers(
    engine_server: ServerProcess,
) -> None:
    room = open_room(engine_server)
    paper = room.add_paper("chuyenvien1", confidentiality="confidential", reader="phogiamdoc")
    since = {name: room.last_seq(name) for name in DELEGATES}
    room.ok(CHAIR, "PUT", PRESENTER, {"paper_id": paper, "page": 4, "zoom": 1.0})
    followers = {n for n in DELEGATES if room.events(n, "page.follow", since[n])}
    assert followers == {"chuyenvien1", "phogiamdoc"}  # the presenter and the named reader
    assert room.ok("chuyenvien2", "GET", PRESENTER)["paper_id"] is None
    assert room.ok("phogiamdoc", "GET", PRESENTER)["page"] == 4
