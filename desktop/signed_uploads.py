"""Signed versions on their way to the server, kept on this computer until the server confirms.

A signature is made once and must reach the server once, whatever happens in between (issue 12,
Offline). Each signed file goes through three durable steps:

1. `keep()`: the file is written under its SHA-256 (temp file, fsync, rename) and recorded as
   `signed` in the local store. From here a crash loses nothing.
2. `upload_pending()`: `POST /files` with the bytes (the server stores files by content, so an
   upload repeated after a crash yields the same file), then — in one store transaction — the
   `POST /documents/{id}/sign` action (the leader's signature; `…/issued-version` for the
   clerk's agency-signed file after issuing) is written to the outbox with its idempotency key
   and the record becomes `queued`. A crash before that transaction uploads again; after it,
   the outbox owns the action and sends it once (the server replays a repeated key).
3. When the outbox reports the action sent, the file and its record are removed. A record whose
   outbox action no longer exists at start-up was sent just before a crash: removed too.

A refused action (409 hash-mismatch: the document changed) keeps the file for the user to see.

Nothing here blocks the GUI thread: the file is hashed, written and read in a worker thread, and
each change of the records is one job of the store's writer thread (read and written in one
transaction, so changes land in the order they were made), awaited where the next step needs it
durable (`keep`, the upload's queued action) and waited out there when another process holds the
file.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import functools
import hashlib
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from desktop.domain import JsonObject
from desktop.errors import HopDeskError
from desktop.refresher import Refresher

if TYPE_CHECKING:
    from desktop.api import ApiClient
    from desktop.events import EventStream
    from desktop.outbox import Outbox
    from desktop.store import LocalStore

log = logging.getLogger(__name__)

SIGNED = "signed"  # kept locally, not uploaded yet
QUEUED = "queued"  # uploaded; the sign action is in the outbox


class SignedUploads(QObject):
    """The signed files of one user (`scope`); `confirmed(int document_id)` when one arrived."""

    confirmed = Signal(int)

    def __init__(
        self,
        store: LocalStore,
        api: ApiClient,
        outbox: Outbox,
        scope: str,
        directory: Path,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.api = api
        self.outbox = outbox
        self.key = f"signed-uploads:{scope}"
        self.directory = directory
        self._resumer = Refresher(self._resume_quietly, "signed uploads")
        outbox.sent.connect(self._on_sent)

    def records(self) -> dict[str, JsonObject]:
        """sha256 → {document_id, base_sha256, name, state, outbox_key, action}."""
        value = self.store.get(self.key) or {}
        return dict(value)

    def _write(self, sha256: str, record: JsonObject | None) -> None:
        """In a store job: one record replaced (None: removed), the records read and written
        in that job's transaction."""
        records = self.records()
        if record is None:
            records.pop(sha256, None)
        else:
            records[sha256] = record
        self.store.set(self.key, records or None)

    def path(self, sha256: str) -> Path:
        """Where a kept signed file lives."""
        return self.directory / f"{sha256}.pdf"

    async def keep(
        self,
        document_id: int,
        base_sha256: str,
        pdf: bytes,
        name: str,
        action: str = "sign",
        then: JsonObject | None = None,
    ) -> str:
        """Write a freshly signed file durably and record it; returns its sha256. `action`: the
        document endpoint that takes it ("sign", "issued-version" for the agency's, or "files"
        for a prepared draft added as a new version); `then`: `{"action", "body"}` of a second
        action queued with it (the submission that follows the prepared draft). Durable when
        it returns."""
        sha256 = await asyncio.to_thread(self._write_file, pdf)
        record: JsonObject = {
            "document_id": document_id,
            "base_sha256": base_sha256,
            "name": name,
            "state": SIGNED,
            "outbox_key": None,
            "action": action,
            "then": then,
        }
        await self.store.run(lambda: self._write(sha256, record))
        return sha256

    def _write_file(self, pdf: bytes) -> str:
        """In a worker thread: the file under its sha256 (temp file, fsync, rename)."""
        sha256 = hashlib.sha256(pdf).hexdigest()
        self.directory.mkdir(parents=True, exist_ok=True)
        temp = self.directory / f".{sha256}.part"
        with open(temp, "wb") as fh:
            fh.write(pdf)
            fh.flush()
            os.fsync(fh.fileno())
        temp.replace(self.path(sha256))
        return sha256

    async def upload_pending(self) -> int:
        """Upload what is signed but not uploaded and queue its sign action; forget what the
        server already confirmed. Returns how many files were uploaded. Network errors raise
        (the files stay; the next call tries again)."""
        uploaded = 0
        for sha256, record in self.records().items():
            if record.get("state") == QUEUED:
                if self.store.outbox_state(str(record.get("outbox_key"))) is None:
                    # sent just before the app stopped
                    await self.store.run(functools.partial(self._forget, sha256))
                continue
            data = await asyncio.to_thread(self.path(sha256).read_bytes)
            await self.api.request(
                "POST", "/files", params={"name": str(record.get("name"))}, data=data
            )
            uploaded += 1
            await self.store.run(functools.partial(self._queue, sha256, record))
        return uploaded

    def _queue(self, sha256: str, record: JsonObject) -> None:
        """In a store job: the action and the new state together, or neither."""
        key = self._enqueue(sha256, record)
        self._write(sha256, {**record, "state": QUEUED, "outbox_key": key})

    def _enqueue(self, sha256: str, record: JsonObject) -> str:
        """The record's action (and its follow-up) into the outbox; the last one's key."""
        action = str(record.get("action") or "sign")
        document = f"/documents/{record['document_id']}"
        body: JsonObject = (
            {"file_sha256": sha256, "kind": "version"}
            if action == "files"
            else {"file_sha256": sha256, "base_sha256": record["base_sha256"]}
        )
        key: str = self.outbox.enqueue("POST", f"{document}/{action}", body)
        then = record.get("then")
        if isinstance(then, dict):
            key = self.outbox.enqueue("POST", f"{document}/{then['action']}", then["body"])
        return key

    async def resume(self) -> int:
        """At start-up (and when the server is back): upload, then send the queued actions."""
        uploaded = await self.upload_pending()
        await self.outbox.flush()  # the records of what it sent are gone when it returns
        return uploaded

    def follow(self, events: EventStream) -> None:
        """Resume every time the event stream (re)connects: the server is back."""
        events.state_changed.connect(self._on_state)

    def _on_state(self, state: str) -> None:
        if state == "connected":
            self._resumer.schedule()

    async def _resume_quietly(self) -> None:
        try:
            await self.resume()
        except HopDeskError as exc:  # still out of reach: the next connection tries again
            log.info("signed files not uploaded yet: %r", exc)

    async def close(self) -> None:
        """Cancel a running resume (the files stay for the next start)."""
        await self._resumer.close()

    def _on_sent(self, key: str, _body: object) -> None:
        """A slot: the record and file of the sent action are forgotten by the writer thread,
        then `confirmed`."""
        for sha256, record in self.records().items():
            if record.get("outbox_key") == key:
                done = self.store.submit(functools.partial(self._forget, sha256))
                document_id = int(str(record["document_id"]))
                self.store.when_done(done, functools.partial(self._forgotten, document_id))

    def _forgotten(self, document_id: int, done: concurrent.futures.Future[object]) -> None:
        error = done.exception()
        if error is not None:  # the record stays: the next start forgets it (its action is gone)
            log.warning("signed file of %s not forgotten: %r", document_id, error)
            return
        self.confirmed.emit(document_id)

    def _forget(self, sha256: str) -> None:
        """In a store job: the record, then the file (gone already when the job is retried)."""
        self._write(sha256, None)
        with contextlib.suppress(FileNotFoundError):
            self.path(sha256).unlink()
