"""Phát hành between the server's number and the agency's signature (issue 12, Offline).

The clerk's issuance is two steps on two machines: the server gives the số and the date, then
the app signs with the agency's key and sends the signed file. An app killed in between (or an
issue that waited offline in the outbox) would leave the document issued without the agency's
signature. The journal remembers each issuance from before it is queued until the signed file
is kept (`SignedUploads` then owns it); at start-up `issues_to_finish` names the documents to
sign. No pyHanko here: this runs at every start.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from desktop.domain import Document
from desktop.errors import HopDeskError

if TYPE_CHECKING:
    from desktop.inbox import ApprovalInbox
    from desktop.signed_uploads import SignedUploads
    from desktop.store import LocalStore

log = logging.getLogger(__name__)


class IssueJournal:
    """Phát hành between the server's number and the agency's signature, kept in the local
    store: `begin` before the issue action is queued, `end` once the agency-signed file is in
    `SignedUploads` (which then owns it). A document still in the journal at start-up was
    issued (or queued for issuing) by an app that stopped before signing: `issues_to_finish`
    says which ones wait for the agency's signature.

    A crash-safety record: `begin` and `end` return once the store's writer thread committed
    them (the next step may be the last before a crash), awaited from the loop so that another
    process's lock on the file is waited out there, never on the GUI thread. Each is read and
    written in one job, so they land in the order they were called."""

    def __init__(self, store: LocalStore, scope: str) -> None:
        self.store = store
        self.key = f"issuing:{scope}"

    def pending(self) -> list[int]:
        """The documents whose issuance was started and not signed, oldest first."""
        return [int(d) for d in self.store.get(self.key) or []]

    async def begin(self, document_id: int) -> None:
        """Remember `document_id` (durable when this returns)."""
        await self.store.run(lambda: self._write(document_id, keep=True))

    async def end(self, document_id: int) -> None:
        """Forget `document_id` (durable when this returns)."""
        await self.store.run(lambda: self._write(document_id, keep=False))

    def _write(self, document_id: int, *, keep: bool) -> None:
        """In a store job: the list read and written in one transaction."""
        ids = self.pending()
        if keep and document_id not in ids:
            self.store.set(self.key, [*ids, document_id])
        elif not keep and document_id in ids:
            self.store.set(self.key, [d for d in ids if d != document_id] or None)


async def issues_to_finish(
    inbox: ApprovalInbox, uploads: SignedUploads, journal: IssueJournal
) -> list[Document]:
    """The documents the server issued whose agency signature was never made (the app was
    killed, or the issue waited offline in the outbox, between "issued" and "signed"). An
    issue still waiting in the outbox stays in the journal; one that the server refused, or
    whose signed file `SignedUploads` already holds, leaves it."""
    waiting = uploads.outbox.pending_paths()
    kept = {
        r.get("document_id")
        for r in uploads.records().values()
        if r.get("action") == "issued-version"
    }
    found: list[Document] = []
    for document_id in journal.pending():
        if document_id in kept:
            await journal.end(document_id)
            continue
        try:
            document = await inbox.document(document_id)
        except HopDeskError as exc:  # offline, and not cached: asked again at the next start
            log.info("issuance of %s not checked now: %r", document_id, exc)
            continue
        if document.status == "issued":
            found.append(document)
        elif f"/documents/{document_id}/issue" not in waiting:
            await journal.end(document_id)  # refused or returned meanwhile: nothing to sign
    return found
