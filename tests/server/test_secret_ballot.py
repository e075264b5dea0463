"""A secret ballot cannot be linked to its voter: not through the API, the audit log, the server
log, nor any table, column or ordering of the database (SQLite rowids, PostgreSQL xmin, xmax,
ctid, cmin, cmax included).

The proof is by indistinguishability. Three voters vote in two secret polls of one meeting, in
the same order, with the same totals but a different mapping: in poll P they choose options
0, 1, 2, in poll Q options 2, 0, 1. Everything the two polls left in the database is read, and
every value that only tells an order (ids, sequence numbers, times, rowids, transaction ids,
tuple positions) is replaced by its rank among the poll's rows. If the two polls' rows are then
equal, nothing stored can tell which of the two mappings happened, so nothing links a voter to
an option. A design that kept one ballot row per vote, or bumped only the chosen counter (its
xmin is then the voter's transaction), or hashed the request body into the idempotency record,
fails this test.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Callable, Iterable
from typing import Any

import pytest
import sqlalchemy as sa

from tests.fixtures.server import ServerProcess
from tests.server.conftest import api_for
from tests.server.poll_helpers import Room, make_room

OPTIONS = ["Phương án Lam", "Phương án Lục", "Phương án Chàm"]
CHOICES = {"P": [0, 1, 2], "Q": [2, 0, 1]}  # voter i's option in each poll
HIDDEN = ("xmin", "xmax", "ctid", "cmin", "cmax")  # PostgreSQL system columns
ORDERING = {"rowid", *HIDDEN, "id", "seq", "event_seq", "at", "created_at", "opened_at"}
PER_POLL = {  # the columns of a poll's data that differ between any two polls
    "id",
    "title",
    "opened_at",
    "closed_at",
    "created_at",
    "deadline",
    "key",
}
Row = dict[str, Any]
Dump = dict[str, list[Row]]


@pytest.fixture(params=["sqlite", "postgres"])
def logged_server(
    request: pytest.FixtureRequest, server_factory: Callable[..., ServerProcess]
) -> ServerProcess:
    """A server logging at debug level, so the log has the most it would ever say."""
    db = None if request.param == "sqlite" else request.getfixturevalue("postgres_database")()
    return server_factory(db=db, extra_args=["--log-level", "debug"])


def _plain(value: Any) -> Any:
    if isinstance(value, memoryview):
        value = bytes(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def dump(db_url: str) -> Dump:
    """Every row of every table, with the engine's hidden row identities."""
    postgres = db_url.startswith("postgresql")
    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as conn:
            if postgres:
                names = conn.execute(
                    sa.text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
                ).scalars()
                hidden = ", ".join(f"{c}::text AS {c}" for c in HIDDEN)
            else:
                names = conn.execute(
                    sa.text("SELECT name FROM sqlite_master WHERE type = 'table'")
                ).scalars()
                hidden = "rowid AS rowid"
            tables: Dump = {}
            for name in list(names):
                result = conn.execute(sa.text(f'SELECT {hidden}, * FROM "{name}"'))
                tables[name] = [{k: _plain(v) for k, v in row._mapping.items()} for row in result]
            return tables
    finally:
        engine.dispose()


def _rank_key(value: Any) -> Any:
    if isinstance(value, str) and re.fullmatch(r"\(\d+,\d+\)", value):  # a ctid
        return tuple(int(x) for x in value[1:-1].split(","))
    if isinstance(value, str) and value.isdigit():  # xmin, xmax, cmin, cmax
        return int(value)
    return (str(type(value)), value)


def normalise(rows: Iterable[Row], drop: Iterable[str] = ()) -> list[str]:
    """The rows with order-only values replaced by their rank among these rows, and the
    poll's own identity dropped; sorted, so the result is a multiset."""
    rows = [{k: v for k, v in row.items() if k not in set(drop)} for row in rows]
    for column in {c for row in rows for c in row} & ORDERING:
        ranks = sorted({_rank_key(r[column]) for r in rows if r.get(column) is not None})
        for row in rows:
            if row.get(column) is not None:
                row[column] = ranks.index(_rank_key(row[column]))
    return sorted(json.dumps(row, sort_keys=True, default=str) for row in rows)


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _strip(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in PER_POLL}


def poll_rows(db: Dump, poll_id: int) -> dict[str, list[str]]:
    """Everything the database holds about one poll, table by table, normalised."""
    events = [
        {**e, "data": _strip(_json(e["data"]))}
        for e in db["events"]
        if e["type"] == "poll.updated" and _json(e["data"])["id"] == poll_id
    ]
    seqs = {e["seq"] for e in events}
    records = []
    for r in db["idempotency_records"]:
        if r["path"].endswith(f"/polls/{poll_id}/vote"):
            body = r["body"]
            head = hashlib.sha256(f"{r['method']} {r['path']}?\n".encode()).hexdigest()
            records.append(
                {
                    **r,
                    "path": r["path"].rsplit("/", 1)[-1],
                    "body": _strip(json.loads(body)),
                    "request_hash": "head only" if r["request_hash"] == head else r["request_hash"],
                }
            )
    audits = [
        {**a, "detail": _json(a["detail"]), "target": "poll"}
        for a in db["audit_events"]
        if a["target"] == f"poll:{poll_id}"
    ]

    def of(table: str, column: str = "poll_id") -> list[Row]:
        return [r for r in db[table] if r[column] == poll_id]

    return {
        "polls": normalise(of("polls", "id"), drop=PER_POLL),
        "poll_voters": normalise(of("poll_voters"), drop={"poll_id"}),
        "poll_votes": normalise(of("poll_votes"), drop={"poll_id"}),
        "poll_participations": normalise(of("poll_participations"), drop={"poll_id"}),
        "poll_tallies": normalise(of("poll_tallies"), drop={"poll_id"}),
        "events": normalise(events),
        "event_audience": normalise(r for r in db["event_audience"] if r["event_seq"] in seqs),
        "idempotency_records": normalise(records, drop={"key"}),
        "audit_events": normalise(audits),
    }


# Tables a ballot may touch at all (anything else changing during the votes fails the test).
BALLOT_TABLES = {
    "polls",  # PostgreSQL: the row lock of each vote sets xmax
    "poll_participations",
    "poll_tallies",
    "events",
    "event_audience",
    "idempotency_records",
    "sqlite_sequence",  # the events' seq counter
}


def changed_tables(before: Dump, after: Dump, ignore: Iterable[str] = ("xmax",)) -> set[str]:
    """Tables whose rows differ (`ignore`d columns aside)."""

    def rows(db: Dump, table: str) -> list[str]:
        left_out = set(ignore)
        return sorted(str({k: v for k, v in r.items() if k not in left_out}) for r in db[table])

    return {t for t in after if t not in before or rows(before, t) != rows(after, t)}


def _vote_all(room: Room, polls: dict[str, dict[str, Any]]) -> None:
    for i, voter in enumerate(room.delegates[:3]):
        for name, poll in polls.items():
            reply = room.vote(voter, poll["id"], CHOICES[name][i], key=str(uuid.uuid4()))
            assert reply.status == 200, reply.body


def test_no_voter_can_be_linked_to_an_option(logged_server: ServerProcess) -> None:
    room = make_room(logged_server)
    voters = room.delegates[:3]
    polls = {
        name: room.create(options=OPTIONS, secret=True, voter_ids=[v.user["id"] for v in voters])
        for name in CHOICES
    }
    for poll in polls.values():
        room.open(poll)
    before = dump(logged_server.db_url)
    _vote_all(room, polls)
    after = dump(logged_server.db_url)

    # The API: nobody, not even the voter, gets the choice back; no live counts.
    for voter in voters:
        for poll in polls.values():
            seen = room.get(voter, poll["id"])
            assert (seen["i_voted"], seen["my_option"], seen["counts"]) == (True, None, None)
            assert seen["ballots"] is None

    # The database: only the expected tables changed, and the two polls are indistinguishable.
    # PostgreSQL: inserting a participation row key-share-locks the voter's `users` row (its
    # foreign key), which sets that row's xmax (a lock, not data); nothing else moved.
    changed = changed_tables(before, after)
    assert changed <= BALLOT_TABLES, changed - BALLOT_TABLES
    assert {"poll_participations", "poll_tallies"} <= changed
    p_rows = poll_rows(after, polls["P"]["id"])
    q_rows = poll_rows(after, polls["Q"]["id"])
    for table in p_rows:
        assert p_rows[table] == q_rows[table], f"{table} tells the two mappings apart"
    assert len(p_rows["poll_participations"]) == 3
    assert not p_rows["poll_votes"]
    assert len(p_rows["idempotency_records"]) == 3
    assert not [a for a in after["audit_events"] if "vote" in a["action"]]

    # The obvious attack on the idempotency records: hash each possible request.
    for record in after["idempotency_records"]:
        for option in range(len(OPTIONS)):
            candidate = (
                f"POST {record['path']}?\n".encode() + json.dumps({"option": option}).encode()
            )
            assert record["request_hash"] != hashlib.sha256(candidate).hexdigest()

    # Closing shows the totals, still without names.
    for poll in polls.values():
        assert room.chair.post(f"{room.base}/{poll['id']}/close").status == 200
        result = room.get(room.chair, poll["id"])
        assert (result["counts"], result["ballots"], result["voted"]) == ([1, 1, 1], None, 3)

    # The server's log (at debug level) names no option and no choice.
    log = logged_server.stderr()
    assert "/vote" not in log or "option" not in log
    for text in [*OPTIONS, '"option"', "option="]:
        assert text not in log

    # The IT admin's audit view has the poll's life, never a ballot.
    admin = api_for(logged_server).login("quantri")
    actions = {a["action"] for a in admin.get("/audit?limit=1000").json()}
    assert {"poll.create", "poll.open", "poll.close"} <= actions
    assert "poll.vote" not in actions
