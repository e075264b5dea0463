"""The meeting room's floor at provincial scale (issue 14): 200 participants (60 bridge sites
and 140 delegates) on the real event stream on loopback.

Run on demand (not collected by pytest):
    .venv/bin/python tests/bench/meeting_room.py [--changes 20] [--workers 2] [--polls 1]
        [--db sqlite|postgresql]

A real server process (`python -m server`, SQLite or a private PostgreSQL cluster from
tests/fixtures/postgres.py) with 200 extra accounts invited to one
meeting in progress; one WebSocket stream per participant in client worker processes
(tests/bench/event_clients.py, as the desktop connects). Measured, from just before the request
that makes the change to each participant's arrival:

1. a speak-queue change (a delegate asks, the chair moves on: `speak.queue` with the whole
   queue) reaching all 200 participants, p95 over every delivery;
2. the presenter's page turn (`page.follow`) reaching all 200 followers, p95;
3. votes: an open poll then a secret one, all 200 named as voters; every participant POSTs a
   ballot through the HTTP API with their own token at the same moment (one connection each,
   concurrently). Checked: every answer's status (no 5xx), the closed result counts 200 with
   each option's count as chosen, and (open poll) 200 distinct voters in the ballots: every
   ballot counted exactly once. Measured: first to last answer, when each participant saw
   200/200 (`poll.updated`), and the result (`poll.updated` of the close) reaching all 200, p95.

Reference, measured in the same run with the same client workers: a bare aiohttp WebSocket
broadcast server that sends a frame of the same size to every connected stream when it gets a
POST (no database, no authorisation, no queue): what loopback, the client processes and one
HTTP round trip cost on this machine at this moment.

Goals: speak-queue change and poll result p95 < 300 ms; page turn p95 < 200 ms; every ballot
counted once. Prints the figures (and the load average) and writes
tests/bench/results/meeting_room.json (meeting_room_postgresql.json with --db postgresql).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from sqlalchemy import create_engine, update
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from server.models import AgendaItem, Attendance, Paper, User  # noqa: E402
from server.passwords import hash_password  # noqa: E402
from tests.bench.events import deal, percentile, summary, workers  # noqa: E402
from tests.fixtures.server import ServerProcess  # noqa: E402
from tests.server.conftest import Api, api_for  # noqa: E402

RESULTS = ROOT / "tests" / "bench" / "results"  # meeting_room[_postgresql].json
SERVER_ARGS = ["--access-ttl", "7200", "--log-level", "error"]
PASSWORD = "hopdesk-bench"
SITES, DELEGATES = 60, 140
GOALS = {"speak_queue_p95_ms": 300.0, "page_turn_p95_ms": 200.0, "poll_result_p95_ms": 300.0}


def add_people(db_url: str) -> list[str]:
    """200 accounts (one password hash for all: hashing is not what is measured)."""
    digest = hash_password(PASSWORD)
    names = [f"diemcau{n:02d}" for n in range(SITES)] + [
        f"daibieu{n:03d}" for n in range(DELEGATES)
    ]
    engine = create_engine(db_url)
    with Session(engine) as session, session.begin():
        session.add_all(
            User(username=name, password_hash=digest, full_name=f"Đại biểu {name}")
            for name in names
        )
    engine.dispose()
    return names


def room(server: ServerProcess, names: list[str]) -> tuple[Api, Api, list[Api], int, int]:
    """The chair, the presenter, every participant signed in, the meeting and its paper."""
    anon = api_for(server)
    chair, secretary = anon.login("giamdoc"), anon.login("chanhvp")
    people = [anon.login(name, PASSWORD) for name in names]
    start = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    reply = secretary.post(
        "/meetings",
        {
            "title": "Hội nghị trực tuyến toàn tỉnh",
            "starts_at": start.isoformat(),
            "ends_at": (start + dt.timedelta(hours=3)).isoformat(),
            "chair_id": chair.user["id"],
            "secretary_id": secretary.user["id"],
            "invitee_ids": [p.user["id"] for p in people],
        },
    )
    assert reply.status == 201, reply.body
    meeting = int(reply.json()["id"])
    engine = create_engine(server.db_url)
    with Session(engine) as session, session.begin():
        sites = [p.user["id"] for p in people[:SITES]]
        session.execute(
            update(Attendance)
            .where(Attendance.meeting_id == meeting, Attendance.user_id.in_(sites))
            .values(role="site")
        )
        item = AgendaItem(meeting_id=meeting, order=1, title="Báo cáo", presenter_id=None)
        item.papers.append(Paper(title="Báo cáo tổng hợp", kind="main"))
        session.add(item)
        session.flush()
        paper = int(item.papers[0].id)
    engine.dispose()
    return chair, secretary, people, meeting, paper


def streams_of(url: str, people: list[Api]) -> list[list[Any]]:
    ws = url.replace("http", "ws", 1) + "/api/v1/events/ws"
    return [[ws, p.token, p.get("/events?limit=1000").json()["last_seq"]] for p in people]


def delivery_ms(group: Any, sent: dict[str, float]) -> tuple[list[float], list[float]]:
    """Every delivery's latency (ms) and each change's p95, for the marks sent."""
    arrivals: dict[str, list[float]] = {}
    for report in group.ask("marked"):
        for mark, times in report.items():
            arrivals.setdefault(mark, []).extend(times)
    every, per_change = [], []
    for mark, before in sent.items():
        got = [(t - before) * 1000 for t in arrivals.get(mark, [])]
        every += got
        per_change.append(percentile(got, 0.95))
    return every, per_change


def measure(
    group: Any, count: int, streams: int, change: Any, timeout: float = 30.0
) -> dict[str, Any]:
    """Make `count` changes one after another; each is a (mark, time before) from `change`."""
    sent: dict[str, float] = {}
    missing = 0
    for n in range(count):
        mark, before = change(n)
        sent[mark] = before
        got = group.wait_for(f"marks {mark}", streams, timeout)
        missing += streams - got
        time.sleep(0.1)
    every, per_change = delivery_ms(group, sent)
    return {
        "deliveries": summary(every),
        "p95_ms": round(percentile(every, 0.95), 1),
        "p95_ms_per_change": [round(v, 1) for v in per_change],
        "missing_deliveries": missing,
    }


# --- votes: every participant at once -------------------------------------------------------


async def _burst(url: str, ballots: list[tuple[str, int]]) -> tuple[float, list[Any]]:
    """Every ballot POSTed at the same moment, one connection each; (start, [(status, at)])."""
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:

        async def one(token: str, option: int) -> tuple[str, float]:
            """The answer's status, or the error when none came (counted, not raised)."""
            headers = {"Authorization": f"Bearer {token}"}
            try:
                async with http.post(url, json={"option": option}, headers=headers) as reply:
                    await reply.read()
                    return str(reply.status), time.time()
            except (TimeoutError, aiohttp.ClientError) as error:
                return type(error).__name__, time.time()

        start = time.time()
        answers = await asyncio.gather(*(one(t, o) for t, o in ballots))
    return start, list(answers)


def poll_round(
    group: Any, server: ServerProcess, secretary: Api, people: list[Api], base: str, secret: bool
) -> tuple[dict[str, Any], str, float]:
    """One poll for all 200 (named voters): open, all vote at once, checked; then the close's
    mark and time, for the result's delivery."""
    body = {
        "title": "Biểu quyết kín" if secret else "Biểu quyết công khai",
        "secret": secret,
        "voter_ids": [p.user["id"] for p in people],
    }
    reply = secretary.post(f"{base}/polls", body)
    assert reply.status == 201, reply.body
    poll = int(reply.json()["id"])
    assert secretary.post(f"{base}/polls/{poll}/open").status == 200
    streams = len(people)
    group.wait_for(f"marks poll#{poll}.open.0", streams, 30)
    chosen = [n % 3 for n in range(len(people))]
    url = f"{server.url}/api/v1{base}/polls/{poll}/vote"
    start, answers = asyncio.run(
        _burst(url, [(p.token or "", c) for p, c in zip(people, chosen, strict=True)])
    )
    statuses: dict[str, int] = {}
    for status, _ in answers:
        statuses[status] = statuses.get(status, 0) + 1
    times = [at for status, at in answers if status.isdigit()] or [start]
    if set(statuses) != {"200"}:
        print(
            f"  ballots answered {statuses}; server stderr:\n{server.stderr()[-2000:]}", flush=True
        )
    seen_all = group.wait_for(f"marks poll#{poll}.open.{streams}", streams, 60)
    arrivals = [
        (t - start) * 1000
        for report in group.ask("marked")
        for t in report.get(f"poll#{poll}.open.{streams}", [])
    ]
    before = time.time()
    closed = secretary.post(f"{base}/polls/{poll}/close")
    assert closed.status == 200, closed.body
    result = closed.json()
    expected = [chosen.count(k) for k in range(len(result["options"]))]
    ballots = result["ballots"] or []
    voters = {b["user"]["id"] for b in ballots}
    figures = {
        "poll_id": poll,
        "secret": secret,
        "statuses": statuses,
        "server_errors": sum(n for s, n in statuses.items() if s.startswith("5")),
        "no_answer": sum(n for s, n in statuses.items() if not s.isdigit()),
        "first_to_last_answer_ms": round((max(times) - min(times)) * 1000, 1),
        "start_to_last_answer_ms": round((max(times) - start) * 1000, 1),
        "result_voted": result["voted"],
        "result_counts": result["counts"],
        "expected_counts": expected,
        "counted_exactly_once": result["voted"] == streams
        and result["counts"] == expected
        and (secret or (len(ballots) == streams and len(voters) == streams)),
        "participants_seeing_all_ballots": seen_all,
        "all_ballots_seen_after_start": summary(arrivals) if arrivals else None,
    }
    return figures, f"poll#{poll}.closed.{streams}", before


def votes(
    group: Any, server: ServerProcess, secretary: Api, people: list[Api], base: str, rounds: int
) -> dict[str, Any]:
    """`rounds` times an open then a secret poll; the result (close) event's delivery p95."""
    polls, sent, missing = [], {}, 0
    for n in range(rounds * 2):
        figures, mark, before = poll_round(group, server, secretary, people, base, n % 2 == 1)
        print(f"  poll {figures}", flush=True)
        polls.append(figures)
        sent[mark] = before
        missing += len(people) - group.wait_for(f"marks {mark}", len(people), 30)
    every, per_poll = delivery_ms(group, sent)
    return {
        "polls": polls,
        "result_deliveries": summary(every),
        "result_p95_ms": round(percentile(every, 0.95), 1),
        "result_p95_ms_per_poll": [round(v, 1) for v in per_poll],
        "missing_result_deliveries": missing,
        "every_ballot_counted_once": all(p["counted_exactly_once"] for p in polls),
        "no_server_errors": not any(p["server_errors"] or p["no_answer"] for p in polls),
    }


# --- the reference: a bare WebSocket broadcast ----------------------------------------------


class Broadcast:
    """An aiohttp server in a thread: streams connect, `POST /send?n=` sends frame n to all."""

    def __init__(self, frame_size: int) -> None:
        self.padding = "x" * frame_size
        self.sockets: set[web.WebSocketResponse] = set()
        self.loop = asyncio.new_event_loop()
        self.port = 0
        ready = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(ready,), daemon=True)
        self.thread.start()
        ready.wait(30)

    def _run(self, ready: threading.Event) -> None:
        asyncio.set_event_loop(self.loop)
        app = web.Application()
        app.router.add_get("/api/v1/events/ws", self._stream)
        app.router.add_post("/send", self._send)
        runner = web.AppRunner(app)
        self.loop.run_until_complete(runner.setup())
        site = web.TCPSite(runner, "127.0.0.1", 0)
        self.loop.run_until_complete(site.start())
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        ready.set()
        self.loop.run_forever()

    async def _stream(self, request: web.Request) -> web.WebSocketResponse:
        sock = web.WebSocketResponse()
        await sock.prepare(request)
        self.sockets.add(sock)
        async for _ in sock:
            pass
        self.sockets.discard(sock)
        return sock

    async def _send(self, request: web.Request) -> web.Response:
        n = int(request.query["n"])
        frame = json.dumps(
            {"seq": n, "type": "ref", "data": {"revision": n, "padding": self.padding}}
        )
        for sock in list(self.sockets):
            await sock.send_str(frame)
        return web.Response(text="ok")

    def send(self, n: int) -> tuple[str, float]:
        before = time.time()
        urllib.request.urlopen(
            urllib.request.Request(f"http://127.0.0.1:{self.port}/send?n={n}", method="POST")
        ).read()
        return f"ref#{n}", before

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


def reference(args: argparse.Namespace, streams: int, frame_size: int) -> dict[str, Any]:
    server = Broadcast(frame_size)
    try:
        url = f"ws://127.0.0.1:{server.port}/api/v1/events/ws"
        entries = [[url, "-", 0] for _ in range(streams)]
        with workers(deal(entries, args.workers)) as group:
            group.wait_for("open", streams, 120)
            server.send(0)  # warm-up
            group.wait_for("marks ref#0", streams, 30)
            return measure(group, args.changes, streams, lambda n: server.send(n + 1))
    finally:
        server.stop()


# --- the floor on the real server -----------------------------------------------------------


def floor(args: argparse.Namespace, workdir: Path, db: str | None) -> tuple[dict[str, Any], int]:
    """Every phase on one server: SQLite in `workdir`, or the PostgreSQL database `db`."""
    with ServerProcess(workdir, db=db, extra_args=SERVER_ARGS) as server:
        names = add_people(server.db_url)
        chair, secretary, people, meeting, paper = room(server, names)
        streams = len(people)
        base = f"/meetings/{meeting}"
        with workers(deal(streams_of(server.url, people), args.workers)) as group:
            opened = group.wait_for("open", streams, 120)
            print(f"  {opened} participants connected", flush=True)

            def speak(n: int) -> tuple[str, float]:
                """Alternately a delegate asks and the chair gives the floor to the next."""
                before = time.time()
                if n % 2 == 0:
                    reply = people[SITES + n // 2].post(f"{base}/speak-requests", {})
                else:
                    reply = chair.post(f"{base}/speak-requests/next")
                assert reply.status == 200, reply.body
                return f"speak.queue#{reply.json()['revision']}", before

            def turn(n: int) -> tuple[str, float]:
                """The secretary, presenting, turns to the next page."""
                before = time.time()
                body = {"paper_id": paper, "page": n + 1, "zoom": 1.0}
                reply = secretary.call("PUT", f"{base}/presenter", body)
                assert reply.status == 200, reply.body
                return f"page.follow#{reply.json()['revision']}", before

            speak(0)  # warm-up (the first write of a process is slow), uncounted
            turn(-1)
            queue = measure(group, args.changes, streams, lambda n: speak(n + 2))
            print(f"  speak queue: {queue['deliveries']}", flush=True)
            pages = measure(group, args.changes, streams, lambda n: turn(n + 1))
            print(f"  page turn: {pages['deliveries']}", flush=True)
            polls = votes(group, server, secretary, people, base, args.polls)
            print(f"  poll result: {polls['result_deliveries']}", flush=True)
            size = len(json.dumps(people[0].get(f"{base}/speak-requests").json()))
    measured = {"participants": opened, "speak_queue": queue, "page_turn": pages, "votes": polls}
    return measured, size


def on_engine(args: argparse.Namespace, workdir: Path) -> tuple[dict[str, Any], int]:
    """The floor on the engine chosen (a private PostgreSQL cluster: tests/fixtures)."""
    print(f"the floor on the real server ({args.db}, 200 participants)", flush=True)
    if args.db == "sqlite":
        return floor(args, workdir, None)
    from tests.fixtures.postgres import create_database, postgres_cluster

    with postgres_cluster() as url:
        return floor(args, workdir, create_database(url))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--changes", type=int, default=20, help="changes measured per kind")
    parser.add_argument("--workers", type=int, default=2, help="client processes")
    parser.add_argument("--polls", type=int, default=1, help="rounds of an open and a secret poll")
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hopdesk-bench-room-") as tmp:
        measured, frame_size = on_engine(args, Path(tmp))
    print(f"reference: bare WebSocket broadcast of {frame_size} bytes", flush=True)
    ref = reference(args, measured["participants"], frame_size)
    print(f"  reference: {ref['deliveries']}", flush=True)
    speak_p95 = measured["speak_queue"]["p95_ms"]
    page_p95 = measured["page_turn"]["p95_ms"]
    poll_p95 = measured["votes"]["result_p95_ms"]
    result = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "database": args.db,
        "load_average": [round(v, 2) for v in os.getloadavg()],
        "participants": measured["participants"],
        "sites": SITES,
        "delegates": DELEGATES,
        "changes_per_kind": args.changes,
        "speak_queue": measured["speak_queue"],
        "page_turn": measured["page_turn"],
        "votes": measured["votes"],
        "reference_bare_websocket_broadcast": ref,
        "speak_queue_p95_over_reference": round(speak_p95 / max(ref["p95_ms"], 0.1), 2),
        "page_turn_p95_over_reference": round(page_p95 / max(ref["p95_ms"], 0.1), 2),
        "poll_result_p95_over_reference": round(poll_p95 / max(ref["p95_ms"], 0.1), 2),
        "goals_ms": GOALS,
        "goals_met": {
            "speak_queue_p95_ms": speak_p95 < GOALS["speak_queue_p95_ms"],
            "page_turn_p95_ms": page_p95 < GOALS["page_turn_p95_ms"],
            "poll_result_p95_ms": poll_p95 < GOALS["poll_result_p95_ms"],
            "every_ballot_counted_once": measured["votes"]["every_ballot_counted_once"],
            "no_server_errors": measured["votes"]["no_server_errors"],
        },
    }
    out = RESULTS / ("meeting_room.json" if args.db == "sqlite" else "meeting_room_postgresql.json")
    RESULTS.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps({k: result[k] for k in ("goals_met",)}), flush=True)
    print(
        f"speak queue p95 {speak_p95} ms, page turn p95 {page_p95} ms, "
        f"poll result p95 {poll_p95} ms, "
        f"reference p95 {ref['p95_ms']} ms -> {out}",
        flush=True,
    )


if __name__ == "__main__":
    main()
