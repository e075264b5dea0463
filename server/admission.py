"""Admission: no more HTTP requests at work at once than the database pool can serve.

Each request takes a worker thread and a pooled connection, and the idempotency middleware holds
its connection while the endpoint waits for a thread. With more requests in flight than the pool
has connections (200 delegates voting in the same second), the threads filled up with requests
waiting for a connection while the requests holding connections waited for a thread: nothing
moved until the pool's 30 s timeout turned them all into 500s. A request now waits for its turn
here, in the event loop, before it takes either; it gives its turn back when its answer starts
(a slow download does not hold it) or when it ends. WebSockets are not counted: they hold no
connection between their short, separate reads.
"""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Message, Receive, Scope, Send

MIN_TURNS = 2


def turns_for(connections: int) -> int:
    """How many requests may work at once with a pool of `connections`: half of them, since one
    request can hold two (an upload records its file in a session of its own) and the event
    reader, the housekeeper and WebSocket sign-ins need connections of their own meanwhile."""
    return max(MIN_TURNS, connections // 2)


class AdmissionMiddleware:
    """Lets at most `turns` HTTP requests past it at once; the others wait in the event loop."""

    def __init__(self, app: ASGIApp, turns: int) -> None:
        self.app = app
        self.turns = turns
        self._gate: asyncio.Semaphore | None = None  # made in the server's loop, on first use

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self._gate is None:
            self._gate = asyncio.Semaphore(self.turns)
        gate = self._gate
        await gate.acquire()
        held = True

        def give_back() -> None:
            nonlocal held
            if held:
                held = False
                gate.release()

        async def send_and_give_back(message: Message) -> None:
            if message["type"] == "http.response.start":
                give_back()
            await send(message)

        try:
            await self.app(scope, receive, send_and_give_back)
        finally:
            give_back()
