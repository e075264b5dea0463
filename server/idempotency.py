"""Idempotency-Key: each (user, key) is applied once; a repeat gets the stored answer.

A pure ASGI middleware owns the request's DB session (server/unit_of_work.py) and commits the
change together with the stored response, so a crash can never leave one without the other.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import String
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.access import authenticate, bearer_token
from server.inputs import NUL
from server.models import IdempotencyRecord
from server.problems import MEDIA_TYPE, Problem, problem_body
from server.unit_of_work import DEFERRED, SCOPE_KEY

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
EXEMPT_PREFIX = "/api/v1/auth/"
HEADER = "idempotency-key"
_BODY_SECRET = "idempotency_body_secret"


def keep_body_secret(scope: Scope) -> None:
    """Store this request's record without a digest of its body.

    A secret ballot's body is one of a handful of options: a SHA-256 of it next to the user id
    would give the choice away to anyone who hashes the few candidates (server/polls.py). Its
    record keeps the digest of method, path and query only, so the same key with another body
    is replayed instead of refused (the first ballot stands either way); the handler must also
    answer with a body that does not name the choice.
    """
    scope.setdefault("state", {})[_BODY_SECRET] = True


def _column_length(name: str) -> int:
    column_type = IdempotencyRecord.__table__.c[name].type
    assert isinstance(column_type, String)
    assert column_type.length is not None
    return column_type.length


# What the record's columns hold: a longer key, or a path PostgreSQL cannot store, is refused.
MAX_KEY = _column_length("key")
MAX_PATH = _column_length("path")


class IdempotencyMiddleware:
    """Replays stored answers for repeated (user, Idempotency-Key) pairs."""

    def __init__(self, app: ASGIApp, factory: sessionmaker[Session]) -> None:
        self.app = app
        self.factory = factory

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in UNSAFE:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        key = headers.get(HEADER)
        if not key or scope["path"].startswith(EXEMPT_PREFIX):
            await self.app(scope, receive, send)
            return
        refusal = _unstorable(scope, key)
        if refusal is not None:
            await _send(send, 422, refusal)
            return
        session = self.factory()
        try:
            await self._handle(scope, receive, send, session, headers, key)
        finally:
            await run_in_threadpool(session.close)

    async def _handle(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        session: Session,
        headers: Headers,
        key: str,
    ) -> None:
        try:
            user_id = (await run_in_threadpool(authenticate, session, bearer_token(headers))).id
        except Problem:
            await run_in_threadpool(session.rollback)
            await self.app(scope, receive, send)  # the endpoint answers 401 as usual
            return
        digest = RequestDigest(scope, receive)
        stored = await run_in_threadpool(session.get, IdempotencyRecord, (user_id, key))
        if stored is not None:
            await self._replay(scope, send, stored, await digest.finish())
            return

        session.info[DEFERRED] = True
        scope.setdefault("state", {})[SCOPE_KEY] = session
        messages: list[Message] = []

        async def capture(message: Message) -> None:
            messages.append(message)

        try:
            await self.app(scope, digest.receive, capture)
        except BaseException:
            await run_in_threadpool(session.rollback)
            raise
        status, content_type, body = _summarise(messages)
        if status >= 500 or status == 401:  # not an answer worth repeating: let a retry run
            await run_in_threadpool(session.rollback)
        else:
            if status >= 400:
                await run_in_threadpool(session.rollback)
            record = IdempotencyRecord(
                user_id=user_id,
                key=key,
                method=scope["method"],
                path=scope["path"],
                status=status,
                content_type=content_type,
                body=body,
                request_hash=await digest.finish(),
            )
            if scope.get("state", {}).get(_BODY_SECRET):
                record.request_hash = digest.head
            winner = await run_in_threadpool(_store, session, record)
            if winner is not None:  # a concurrent twin committed first: answer as it did
                await self._replay(scope, send, winner, record.request_hash)
                return
        for message in messages:
            await send(message)

    async def _replay(
        self, scope: Scope, send: Send, stored: IdempotencyRecord, request_hash: str | None
    ) -> None:
        # Records stored before request hashes were kept have none: method and path decide.
        same_hash = stored.request_hash in (None, request_hash, digest_head(scope))
        if stored.method != scope["method"] or stored.path != scope["path"] or not same_hash:
            body = _problem(
                scope,
                422,
                "idempotency-key-reused",
                "This Idempotency-Key was used for another request.",
            )
            await _send(send, 422, body)
            return
        headers = [(b"idempotent-replayed", b"true")]
        await _send(send, stored.status, stored.body, stored.content_type, headers)


class RequestDigest:
    """SHA-256 of method, path, query and body, taken as the body streams past.

    A key reused for a different body must not replay the first answer, so each record keeps
    the digest of its request. The body is hashed while the app reads it (no copy is kept, an
    upload may be large); `finish` reads whatever the app left unread.
    """

    def __init__(self, scope: Scope, receive: Receive) -> None:
        self._receive = receive
        self._hash = hashlib.sha256(_head(scope))
        self.head = digest_head(scope)
        self._done = False

    async def receive(self) -> Message:
        """The wrapped `receive`, hashing each body chunk."""
        message = await self._receive()
        if message["type"] == "http.request":
            self._hash.update(message.get("body", b""))
            self._done = not message.get("more_body", False)
        else:  # http.disconnect: no more body will come
            self._done = True
        return message

    async def finish(self) -> str:
        """The digest of the whole request (reading the rest of the body if needed)."""
        while not self._done:
            await self.receive()
        return self._hash.hexdigest()


def _head(scope: Scope) -> bytes:
    return f"{scope['method']} {scope['path']}?".encode() + scope.get("query_string", b"") + b"\n"


def digest_head(scope: Scope) -> str:
    """The digest of method, path and query alone (`keep_body_secret`)."""
    return hashlib.sha256(_head(scope)).hexdigest()


def _unstorable(scope: Scope, key: str) -> bytes | None:
    """A 422 problem naming the part of the request its record could not store, else None."""
    if len(key) > MAX_KEY:
        loc, msg = ["header", HEADER], f"at most {MAX_KEY} characters"
    elif len(scope["path"]) > MAX_PATH or NUL in scope["path"]:
        loc, msg = ["path"], f"at most {MAX_PATH} characters, without NUL"
    else:
        return None
    error = {"loc": loc, "msg": msg, "type": "idempotency_unstorable"}
    detail = "This request cannot be recorded for Idempotency-Key."
    path = scope["path"]
    return problem_body(422, "validation-error", "Validation error", detail, path, errors=[error])


def _store(session: Session, record: IdempotencyRecord) -> IdempotencyRecord | None:
    """Commit the change with its record; on a key clash return the record that won."""
    session.add(record)
    try:
        session.commit()
        return None
    except IntegrityError:
        session.rollback()
        won = session.get(IdempotencyRecord, (record.user_id, record.key))
        if won is None:
            raise
        return won


def _summarise(messages: list[Message]) -> tuple[int, str, bytes]:
    status, content_type, chunks = 500, "", []
    for message in messages:
        if message["type"] == "http.response.start":
            status = message["status"]
            content_type = Headers(raw=message.get("headers", [])).get("content-type", "")
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))
    return status, content_type, b"".join(chunks)


def _problem(scope: Scope, status: int, slug: str, detail: str) -> bytes:
    title = {400: "Malformed request", 422: "Idempotency key reused"}.get(status, "Error")
    return problem_body(status, slug, title, detail, scope["path"])


async def _send(
    send: Send,
    status: int,
    body: bytes,
    content_type: str = MEDIA_TYPE,
    extra: list[tuple[bytes, bytes]] | None = None,
) -> None:
    headers: list[Any] = [(b"content-length", str(len(body)).encode())]
    if content_type:
        headers.append((b"content-type", content_type.encode()))
    headers.extend(extra or [])
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
