"""Meeting chat through the real server (SQLite and PostgreSQL): to everyone or to one person,
history for late joiners paged by id, private messages only for their two people (events and
history), and the limits of a message."""

from __future__ import annotations

from typing import Any

from tests.fixtures.server import ServerProcess
from tests.server.room_helpers import CHAIR, DELEGATES, OUTSIDER, open_room

CHAT = "chat"


def texts(messages: list[dict[str, Any]]) -> list[str]:
    return [m["text"] for m in messages]


def test_to_all_and_to_one_with_history(engine_server: ServerProcess) -> None:
    room = open_room(engine_server)
    since = {name: room.last_seq(name) for name in (CHAIR, *DELEGATES)}
    hello = room.ok(CHAIR, "POST", CHAT, {"text": "Xin chào các đồng chí"})
    assert hello["to"] is None
    assert hello["sender"]["id"] == room.id(CHAIR)
    secret = room.ok("chuyenvien1", "POST", CHAT, {"text": "Anh xem trang 3", "to": room.id(CHAIR)})
    assert secret["to"]["id"] == room.id(CHAIR)
    room.ok("khach", "POST", CHAT, {"text": "Đã vào phòng"})

    everyone = ["Xin chào các đồng chí", "Đã vào phòng"]
    both = ["Xin chào các đồng chí", "Anh xem trang 3", "Đã vào phòng"]
    for name in (CHAIR, *DELEGATES):
        seen = both if name in (CHAIR, "chuyenvien1") else everyone
        assert texts(room.ok(name, "GET", CHAT)["messages"]) == seen, name
        events = room.events(name, "chat.message", since[name])
        assert texts([e["data"] for e in events]) == seen, name
    assert room.events(CHAIR, "chat.message", since[CHAIR])[1]["data"] == secret
    assert room.call(OUTSIDER, "GET", CHAT).status == 403


def test_history_pages_by_id(engine_server: ServerProcess) -> None:
    room = open_room(engine_server)
    sent = [room.ok("vanthu", "POST", CHAT, {"text": f"tin {n}"})["id"] for n in range(7)]
    newest = room.ok("chuyenvien2", "GET", f"{CHAT}?limit=3")
    assert [m["id"] for m in newest["messages"]] == sent[4:]
    assert newest["more"] is True
    older = room.ok("chuyenvien2", "GET", f"{CHAT}?limit=3&before={sent[4]}")
    assert [m["id"] for m in older["messages"]] == sent[1:4]
    assert older["more"] is True
    oldest = room.ok("chuyenvien2", "GET", f"{CHAT}?limit=3&before={sent[1]}")
    assert [m["id"] for m in oldest["messages"]] == sent[:1]
    assert oldest["more"] is False
    catch_up = room.ok("chuyenvien2", "GET", f"{CHAT}?limit=5&after={sent[2]}")
    assert [m["id"] for m in catch_up["messages"]] == sent[3:]
    assert catch_up["more"] is False


def test_limits_and_recipients(engine_server: ServerProcess) -> None:
    room = open_room(engine_server)
    for body in (
        {"text": ""},
        {"text": "   \n"},
        {"text": "x" * 2001},
        {"text": "a\x00b"},
        {"text": "hi", "to": 0},
    ):
        assert room.call("vanthu", "POST", CHAT, body).status == 422, body
    assert room.call("vanthu", "POST", CHAT, {"text": "x" * 2000}).status == 201
    outsider = room.call("vanthu", "POST", CHAT, {"text": "hi", "to": room.id(OUTSIDER)})
    assert outsider.status == 422
    assert outsider.json()["type"].endswith("/not-in-meeting")
    to_self = room.call("vanthu", "POST", CHAT, {"text": "hi", "to": room.id("vanthu")})
    assert to_self.status == 422
    assert room.call(OUTSIDER, "POST", CHAT, {"text": "hi"}).status == 403
    assert room.call("vanthu", "GET", f"{CHAT}?limit=201").status == 422
