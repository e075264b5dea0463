"""Shared pieces of the meeting-room tests: an in-progress meeting with the demo office in it,
its people signed in, and the events one of them received."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from server.models import AgendaItem, Paper, PaperReader
from tests.fixtures.server import ServerProcess
from tests.server.conftest import Api, Reply, api_for

CHAIR, SECRETARY = "giamdoc", "chanhvp"
DELEGATES = ("phogiamdoc", "chuyenvien1", "chuyenvien2", "vanthu", "khach")
OUTSIDER, ADMIN = "quantri", "quantri"  # the IT admin sees every meeting but is not in this one


@dataclass
class Room:
    """One meeting in progress and everyone in it, signed in."""

    server: ServerProcess
    meeting_id: int
    as_user: dict[str, Api]

    def id(self, username: str) -> int:
        return int(self.as_user[username].user["id"])

    def path(self, tail: str) -> str:
        return f"/meetings/{self.meeting_id}/{tail}"

    def call(self, username: str, method: str, tail: str, body: Any = None) -> Reply:
        return self.as_user[username].call(method, self.path(tail), body)

    def ok(self, username: str, method: str, tail: str, body: Any = None) -> Any:
        reply = self.call(username, method, tail, body)
        assert reply.status in (200, 201), (reply.status, reply.body)
        return reply.json()

    def events(self, username: str, type_: str, since: int = 0) -> list[dict[str, Any]]:
        """Every stored event of `type_` this user may receive, oldest first."""
        found: list[dict[str, Any]] = []
        while True:
            page = self.as_user[username].get(f"/events?since={since}&limit=1000").json()
            found += [e for e in page["events"] if e["type"] == type_]
            if not page["events"]:
                return found
            since = page["last_seq"]

    def last_seq(self, username: str) -> int:
        """Where `username`'s event stream stands now."""
        since = 0
        while True:
            page = self.as_user[username].get(f"/events?since={since}&limit=1000").json()
            if not page["events"]:
                return since
            since = page["last_seq"]

    def add_paper(self, presenter: str, confidentiality: str = "normal", reader: str = "") -> int:
        """An agenda item presented by `presenter` with one paper; returns the paper id.

        Set-up written straight into the server's database: the agenda API is another slice's.
        """
        engine = create_engine(self.server.db_url)
        try:
            with Session(engine) as session, session.begin():
                item = AgendaItem(
                    meeting_id=self.meeting_id,
                    order=1,
                    title="Dự thảo kế hoạch",
                    presenter_id=self.id(presenter),
                    duration_minutes=15,
                )
                paper = Paper(
                    title="Kế hoạch",
                    kind="main",
                    confidentiality=confidentiality,
                    # the meeting's guest (khach) reads the open paper, as in the demo seed
                    shared_with_guests=confidentiality == "normal",
                )
                item.papers.append(paper)
                session.add(item)
                session.flush()
                if reader:
                    session.add(PaperReader(paper_id=paper.id, user_id=self.id(reader)))
                return int(paper.id)
        finally:
            engine.dispose()


def sign_in(server: ServerProcess, *names: str) -> dict[str, Api]:
    anon = api_for(server)
    return {name: anon.login(name) for name in names}


def open_room(server: ServerProcess, *, starts_in: dt.timedelta | None = None) -> Room:
    """A meeting chaired by the director with the secretary and the delegates, under way since
    five minutes (a scheduled meeting whose start passed is in progress), or starting later."""
    people = sign_in(server, CHAIR, SECRETARY, *DELEGATES, OUTSIDER)
    now = dt.datetime.now(dt.UTC)
    start = now + starts_in if starts_in is not None else now - dt.timedelta(minutes=5)
    ids = {name: int(api.user["id"]) for name, api in people.items()}
    reply = people[SECRETARY].post(
        "/meetings",
        {
            "title": f"Họp phòng {uuid.uuid4().hex[:6]}",
            "starts_at": start.isoformat(),
            "ends_at": (start + dt.timedelta(hours=2)).isoformat(),
            "chair_id": ids[CHAIR],
            "secretary_id": ids[SECRETARY],
            "invitee_ids": [ids[d] for d in DELEGATES],
        },
    )
    assert reply.status == 201, reply.body
    return Room(server, int(reply.json()["id"]), people)
