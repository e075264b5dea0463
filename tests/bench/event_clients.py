"""Many event-stream clients in one process, for tests/bench/events.py (started by it).

Reads a JSON list of `[url, token, since]` on its first stdin line, opens one WebSocket per entry
with aiohttp, as the desktop does (Authorization header, the desktop's heartbeat, so the client
pings only when the server has been silent that long) and keeps every stream open: a closed
stream reconnects after a short jittered pause with `since` = the last seq it received, as the
desktop does. Then it
answers one-line commands on stdin, each with one JSON line on stdout:
  `count MEETING_ID` -> how many streams received the event of that meeting;
  `open`             -> how many streams are connected now;
  `report`           -> arrival times per meeting id, and each stream's received seqs;
  `marks KEY`        -> how many streams received the event marked KEY = "type#revision"
                        (meeting-room events carry a `revision`, tests/bench/meeting_room.py;
                        `poll.updated` is marked "poll#ID.STATUS.VOTED");
  `marked`           -> arrival times per mark;
  `quit`.
"""

from __future__ import annotations

import asyncio
import json
import random
import resource
import sys
import time
from collections import defaultdict
from typing import Any

import aiohttp

from desktop.api import EVENT_STREAM_HEARTBEAT


class Client:
    """One stream: its received seqs, reconnecting from the last one."""

    def __init__(
        self, http: aiohttp.ClientSession, url: str, token: str, since: int, board: Board
    ) -> None:
        self.http = http
        self.url = url
        self.token = token
        self.since = since
        self.board = board
        self.seqs: list[int] = []
        self.open = False

    async def run(self) -> None:
        rng = random.Random()
        while True:
            try:
                async with self.http.ws_connect(
                    self.url,
                    params={"since": self.since},
                    headers={"Authorization": f"Bearer {self.token}"},
                    heartbeat=EVENT_STREAM_HEARTBEAT,
                    max_msg_size=0,
                ) as sock:
                    self.open = True
                    async for message in sock:
                        if message.type == aiohttp.WSMsgType.TEXT:
                            self.receive(message.data)
            except (OSError, TimeoutError, aiohttp.ClientError):
                pass
            self.open = False
            await asyncio.sleep(rng.uniform(0.1, 1.0))

    def receive(self, raw: str | bytes) -> None:
        now = time.time()
        event = json.loads(raw)
        if event["type"] == "stream.resync":
            raise RuntimeError(f"unexpected resync at {self.since}")
        self.seqs.append(event["seq"])
        self.since = event["seq"]
        meeting = event["data"].get("meeting_id")
        if meeting is not None:
            self.board.arrivals[meeting].append(now)
        revision = event["data"].get("revision")
        if revision is not None:
            self.board.marks[f"{event['type']}#{revision}"].append(now)
        elif event["type"] == "poll.updated":  # polls have no revision: id, status, ballots
            data = event["data"]
            self.board.marks[f"poll#{data['id']}.{data['status']}.{data['voted']}"].append(now)


class Board:
    """What all streams of this process saw."""

    def __init__(self) -> None:
        self.arrivals: dict[int, list[float]] = defaultdict(list)
        self.marks: dict[str, list[float]] = defaultdict(list)


async def main() -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=1 << 26)  # the list of streams is one line
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    entries = json.loads(await reader.readline())
    board = Board()
    # No pool limit (aiohttp's default is 100 connections); the handshake may wait for a busy
    # server for a minute, as a burst of thousands of connections does.
    http = aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=0),
        timeout=aiohttp.ClientTimeout(total=None, connect=60, sock_connect=60),
    )
    clients = [Client(http, url, token, since, board) for url, token, since in entries]
    tasks = [asyncio.create_task(c.run()) for c in clients]
    while line := (await reader.readline()).decode().strip():
        command, _, arg = line.partition(" ")
        answer: Any
        if command == "count":
            answer = len(board.arrivals.get(int(arg), ()))
        elif command == "open":
            answer = sum(c.open for c in clients)
        elif command == "marks":
            answer = len(board.marks.get(arg, ()))
        elif command == "marked":
            answer = board.marks
        elif command == "report":
            answer = {"arrivals": board.arrivals, "streams": [c.seqs for c in clients]}
        else:
            break
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await http.close()


if __name__ == "__main__":
    import uvloop

    uvloop.run(main())
