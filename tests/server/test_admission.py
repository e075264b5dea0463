"""A burst larger than the database pool is served, not deadlocked (server/admission.py).

Before, 200 requests at once took every worker thread: those waiting for a pooled connection
held the threads that the requests holding the connections needed, until the pool's 30 s
timeout answered 500 to most of them (found by the meeting room's vote benchmark)."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter

import aiohttp

from server.admission import turns_for
from tests.fixtures.server import ServerProcess
from tests.server.conftest import api_for

BURST = 200


async def _burst(base: str, token: str) -> Counter[int]:
    """BURST reads and BURST idempotent writes, all sent at the same moment."""
    headers = {"Authorization": f"Bearer {token}"}
    connector = aiohttp.TCPConnector(limit=0)  # one connection per request, as 200 PCs would
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:

        async def read() -> int:
            async with http.get(f"{base}/api/v1/me", headers=headers) as reply:
                return reply.status

        async def write() -> int:
            note = {
                "target": "ab" * 32,
                "page": 0,
                "kind": "highlight",
                "rect": [10, 10, 50, 30],
                "text": "Ý kiến",
                "updated_at": "2026-12-07T09:00:00+07:00",
            }
            keyed = {**headers, "Idempotency-Key": str(uuid.uuid4())}
            url = f"{base}/api/v1/notes/{uuid.uuid4()}"
            async with http.put(url, json=note, headers=keyed) as reply:
                return reply.status

        answers = await asyncio.gather(
            *[read() for _ in range(BURST)], *[write() for _ in range(BURST)]
        )
    return Counter(answers)


def test_a_burst_beyond_the_pool_is_answered(any_db_server: ServerProcess) -> None:
    me = api_for(any_db_server).login("chuyenvien1")
    assert me.token is not None
    answers = asyncio.run(_burst(any_db_server.url, me.token))
    assert answers == Counter({200: BURST, 201: BURST})


def test_half_the_pool_works_at_once() -> None:
    assert turns_for(15) == 7  # SQLite: 5 + 10 connections
    assert turns_for(30) == 15  # PostgreSQL: 10 + 20
    assert turns_for(1) == 2
