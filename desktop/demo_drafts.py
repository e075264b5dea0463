"""`hopdesk --demo`: the seeded drafts waiting for signature become signable.

The reference server seeds its demo documents without touching PDFs the way the desktop does
(the server may not import desktop/), so a seeded draft "awaiting signature" lacks the Decree 30
fields and the leader's Ký would fail with "not-prepared". The workflow allows neither a new
version nor a new submission while a draft awaits signature, so the demo launcher replays, through
the API, what really happens to such a draft: the leader returns it, its drafter submits it again
through the app's own path (`submit_prepared`: downloaded, prepared, added as a version,
submitted), and the leader approves it with himself as signer. A draft already prepared (every
start after the first) is left alone.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from desktop.config import Config
from desktop.domain import DocumentSummary, parse_list
from desktop.files import FileCache
from desktop.inbox import ApprovalInbox
from desktop.outbox import Outbox
from desktop.prepare_flow import submit_prepared
from desktop.secrets import SecretStore
from desktop.session import Session
from desktop.sign_flow import version_to_sign
from desktop.signed_uploads import SignedUploads
from desktop.signing import layout
from desktop.store import LocalStore

log = logging.getLogger(__name__)

LEADER = "giamdoc"
RETURN_REASON = "Chuẩn bị trường ký số theo Nghị định 30 trước khi ký"


class _Actor:
    """One demo user signed in on the launcher's own store, with the app's services."""

    def __init__(self, store: LocalStore, directory: Path) -> None:
        self.session = Session(Config(), SecretStore(), store)
        self.store = store
        self.directory = directory

    async def sign_in(self, url: str, username: str, password: str) -> ApprovalInbox:
        await self.session.sign_in(url, username, password, False)
        self.outbox = Outbox(self.store, self.session.api, self.session.scope)
        self.inbox = ApprovalInbox(self.session, outbox=self.outbox)
        self.files = FileCache(self.session, self.directory / username / "files", 1 << 30)
        self.uploads = SignedUploads(
            self.store, self.session.api, self.outbox, self.session.scope, self.directory / username
        )
        return self.inbox

    async def close(self) -> None:
        await self.inbox.close()
        await self.files.close()
        await self.session.close()


async def prepare_waiting_drafts(url: str, password: str, directory: Path) -> list[int]:
    """Make the demo leader's unprepared drafts awaiting signature signable (see the module);
    returns the ids of the drafts prepared now."""
    await asyncio.to_thread(directory.mkdir, parents=True, exist_ok=True)
    store = LocalStore(directory / "launcher.db")
    store.open()
    leader = _Actor(store, directory)
    prepared: list[int] = []
    try:
        inbox = await leader.sign_in(url, LEADER, password)
        assert leader.session.user is not None
        leader_id = leader.session.user.id
        people = {user.id: user.username for user in await inbox.people()}
        listed = parse_list(
            DocumentSummary,
            await leader.session.api.get_json("/documents", {"box": "inbox"}),
            "demo inbox",
        )
        waiting = [d.id for d in listed if d.status == "awaiting_signature"]
        for document_id in waiting:
            document = await inbox.document(document_id)
            path = await leader.files.fetch(version_to_sign(document).file)
            if layout.is_prepared(await asyncio.to_thread(path.read_bytes)):
                continue
            await inbox.act(document_id, "return", {"reason": RETURN_REASON})
            returned = await inbox.document(document_id)
            drafter_id = next(
                a.assignee.id
                for a in reversed(returned.assignments)
                if a.action == "process" and a.state == "pending"
            )
            drafter = _Actor(store, directory)
            try:
                drafts = await drafter.sign_in(url, people[drafter_id], password)
                body = {"approver_id": leader_id, "note": ""}
                await submit_prepared(
                    drafts, await drafts.document(document_id), body, drafter.files, drafter.uploads
                )
            finally:
                await drafter.close()
            await inbox.act(document_id, "approve", {"signer_id": leader_id})
            prepared.append(document_id)
    finally:
        await leader.close()
        store.close()
    return prepared
