"""Request body limit as a pure ASGI middleware: counts the bytes actually streamed in.

Checking Content-Length alone is not enough (chunked bodies carry none), so the middleware
wraps `receive`; once the limit is crossed it stops reading and answers 413 itself.
"""

from __future__ import annotations

import contextlib

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.problems import MEDIA_TYPE, problem_body


class BodyTooLarge(Exception):
    """Raised inside the app's `receive` once the body passes the limit."""


class BodyLimitMiddleware:
    """413 `too-large` for bodies over `max_body` (`max_upload` under the upload prefixes)."""

    def __init__(
        self, app: ASGIApp, max_body: int, max_upload: int, upload_prefixes: tuple[str, ...]
    ) -> None:
        self.app = app
        self.max_body = max_body
        self.max_upload = max_upload
        self.upload_prefixes = upload_prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        limit = self.max_upload if path.startswith(self.upload_prefixes) else self.max_body
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _send_413(send, path, limit)
            return

        seen = 0
        exceeded = False
        started = False

        async def counting_receive() -> Message:
            nonlocal seen, exceeded
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    exceeded = True
                    raise BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded:  # the app turned our exception into some error: answer 413 instead
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        with contextlib.suppress(BodyTooLarge):
            await self.app(scope, counting_receive, guarded_send)
        if exceeded and not started:
            await _send_413(send, path, limit)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _send_413(send: Send, path: str, limit: int) -> None:
    body = problem_body(
        413, "too-large", "Request body too large", f"The limit is {limit} bytes.", path
    )
    headers = [(b"content-type", MEDIA_TYPE.encode()), (b"content-length", str(len(body)).encode())]
    headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})
