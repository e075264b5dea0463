"""Scheduled purge of what only matters for a while: tokens, idempotency records, sign-in failures.

Nothing else deletes them, so without this the tables grow for as long as the server runs
(`idempotency_records` holds whole response bodies). `Housekeeper` is owned by the app's
lifespan (server/app.py): it purges once at start-up, then every `purge_interval` seconds.
The event window has its own purge (server/event_bus.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import delete, or_
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from server.config import Config
from server.db import rows_changed
from server.models import AccessToken, IdempotencyRecord, LoginFailure, RefreshToken, utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Purged:
    """How many rows one purge deleted, per kind."""

    access_tokens: int
    refresh_tokens: int
    idempotency_records: int
    login_failures: int


def purge(session: Session, config: Config, now: dt.datetime) -> Purged:
    """Delete what has served its time (the caller commits).

    Tokens go `token_grace` after they expire (until then an expired access token still answers
    `token-expired`) or, for refresh tokens, after they were revoked; a rotated refresh token
    stays until it expires, so presenting it still reveals a theft. Idempotency records go after
    `idempotency_ttl` (a client retries long before), sign-in failures once outside the window.
    """
    grace = now - dt.timedelta(seconds=config.token_grace)
    return Purged(
        access_tokens=rows_changed(
            session, delete(AccessToken).where(AccessToken.expires_at < grace)
        ),
        refresh_tokens=rows_changed(
            session,
            delete(RefreshToken).where(
                or_(RefreshToken.expires_at < grace, RefreshToken.revoked_at < grace)
            ),
        ),
        idempotency_records=rows_changed(
            session,
            delete(IdempotencyRecord).where(
                IdempotencyRecord.created_at < now - dt.timedelta(seconds=config.idempotency_ttl)
            ),
        ),
        login_failures=rows_changed(
            session,
            delete(LoginFailure).where(
                LoginFailure.at < now - dt.timedelta(seconds=config.sign_in.window)
            ),
        ),
    )


class Housekeeper:
    """Runs `purge` at start-up and then every `config.purge_interval` seconds."""

    def __init__(self, factory: sessionmaker[Session], config: Config) -> None:
        self._factory = factory
        self._config = config
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        """Whether the purge loop is scheduled."""
        return self._task is not None and not self._task.done()

    async def start(self) -> None:
        """Purge once now, then schedule the loop."""
        await self.purge_now()
        self._task = asyncio.create_task(self._loop(), name="housekeeping")

    async def stop(self) -> None:
        """Cancel the loop and wait for it (a purge in a worker thread finishes first)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def purge_now(self) -> Purged | None:
        """One purge in a worker thread; a failure is logged and left to the next round."""
        try:
            return await run_in_threadpool(self._purge)
        except Exception:
            log.exception("housekeeping purge failed")
            return None

    def _purge(self) -> Purged:
        with self._factory() as session, session.begin():
            purged = purge(session, self._config, utcnow())
        log.info("purged %s", purged)
        return purged

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self._config.purge_interval)
            await self.purge_now()
