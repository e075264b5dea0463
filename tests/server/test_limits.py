"""server/limits.py as a bare ASGI middleware: bodies are counted as they stream in."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from starlette.types import Message, Receive, Scope, Send

from server.limits import BodyLimitMiddleware


class EchoLength:
    """An app that reads the whole body and answers its length."""

    def __init__(self) -> None:
        self.read = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        more = True
        while more:
            message = await receive()
            self.read += len(message.get("body", b""))
            more = message.get("more_body", False)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": str(self.read).encode()})


def run(
    path: str, chunks: list[bytes], content_length: int | None = None
) -> tuple[list[Message], EchoLength]:
    app = EchoLength()
    middleware = BodyLimitMiddleware(app, max_body=100, max_upload=1000, upload_prefixes=("/up",))
    headers = [] if content_length is None else [(b"content-length", str(content_length).encode())]
    scope: dict[str, Any] = {"type": "http", "path": path, "headers": headers}
    incoming = [
        {"type": "http.request", "body": c, "more_body": i < len(chunks) - 1}
        for i, c in enumerate(chunks)
    ]
    sent: list[Message] = []

    async def receive() -> Message:
        return incoming.pop(0)

    async def send(message: Message) -> None:
        sent.append(message)

    asyncio.run(middleware(scope, receive, send))
    return sent, app


def status(sent: list[Message]) -> int:
    return int(sent[0]["status"])


def test_a_body_within_the_limit_passes() -> None:
    sent, app = run("/api/v1/notes", [b"x" * 60, b"x" * 40])
    assert status(sent) == 200
    assert app.read == 100


def test_a_declared_length_over_the_limit_is_refused_unread() -> None:
    sent, app = run("/api/v1/notes", [b"x" * 10], content_length=101)
    assert status(sent) == 413
    assert app.read == 0
    problem = json.loads(sent[1]["body"])
    assert problem["type"].endswith("/too-large")
    assert "100 bytes" in problem["detail"]


def test_a_chunked_body_is_stopped_once_it_passes_the_limit() -> None:
    """Without Content-Length the middleware counts: the app never gets the rest."""
    sent, app = run("/api/v1/notes", [b"x" * 80, b"x" * 80, b"x" * 80])
    assert status(sent) == 413
    assert len(sent) == 2  # only the middleware's answer, not the app's
    assert app.read == 80


def test_upload_paths_have_their_own_limit() -> None:
    sent, app = run("/up/files", [b"x" * 500, b"x" * 400])
    assert status(sent) == 200
    assert app.read == 900
    sent, _app = run("/up/files", [b"x" * 600, b"x" * 600])
    assert status(sent) == 413


def test_other_protocols_pass_untouched() -> None:
    seen: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope["type"])

    middleware = BodyLimitMiddleware(app, max_body=1, max_upload=1, upload_prefixes=())

    async def nothing() -> Message:
        return {}

    async def drop(_message: Message) -> None:
        return None

    asyncio.run(middleware({"type": "websocket", "path": "/events", "headers": []}, nothing, drop))
    assert seen == ["websocket"]
