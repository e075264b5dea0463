"""The leader's "Ký" from the approval inbox: fetch the version submitted for signature, sign it
off the GUI thread with the chosen key (desktop/signing), keep the signed file and send it
(`SignedUploads`: exactly once, even across a crash). Batch: one key (one PIN) for many.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from desktop import pause_points
from desktop.domain import Document, DocumentVersion
from desktop.errors import HopDeskError
from desktop.signing import appearance, sign
from desktop.signing.batch import KEY_GONE
from desktop.signing.errors import SigningError, UnsignableDocument
from desktop.signing.worker import off_the_loop

if TYPE_CHECKING:
    from pyhanko.sign.signers import Signer

    from desktop.domain import JsonObject
    from desktop.files import FileCache
    from desktop.inbox import ApprovalInbox
    from desktop.issue_journal import IssueJournal
    from desktop.signed_uploads import SignedUploads

log = logging.getLogger(__name__)


def version_to_sign(document: Document) -> DocumentVersion:
    """The version the server recorded at submission (`signing_sha256`); refused when the
    document has none or it is gone (the document changed: nothing to sign)."""
    for version in reversed(document.versions):
        if document.signing_sha256 and version.file.sha256 == document.signing_sha256:
            return version
    raise UnsignableDocument("changed")


async def sign_document(
    document: Document,
    signer: Signer,
    stamp: appearance.StampImage,
    files: FileCache,
    uploads: SignedUploads,
) -> str:
    """Sign `document` as its leader (in the prepared field) or, when the server laid it out,
    at `signature_place` (a meeting's minutes: POST /documents/{id}/sign passes it on to the
    minutes' signing); returns the signed file's sha256. The file is kept locally first; an
    unreachable server leaves it queued (sent when it is back)."""
    version = version_to_sign(document)
    base = version.file.sha256
    path = await files.fetch(version.file)
    pdf = await asyncio.to_thread(path.read_bytes)
    place = document.signature_place
    if place is None:
        signed = await off_the_loop(
            lambda: sign.sign_leader(pdf, signer, stamp, expected_sha256=base)
        )
    else:  # laid out by the server (a meeting's minutes): a new field at my block
        signed = await off_the_loop(
            lambda: sign.sign_in_place(
                pdf, signer, stamp, place.page, tuple(place.box), expected_sha256=base
            )
        )
    sha256 = await uploads.keep(document.id, base, signed, version.file.name)
    await send_kept(uploads, document.id)
    return sha256


async def send_kept(uploads: SignedUploads, document_id: int) -> None:
    """Send what `uploads` keeps now; offline it stays kept and goes with the next resume."""
    try:
        await uploads.resume()
    except HopDeskError as exc:
        log.info("signed file of %s kept for later upload: %r", document_id, exc)


def describe(signer: Signer, document: Document) -> None:
    """A remote signing service shows the user, on the phone, what is being signed: this
    document's trích yếu (with its số once issued), not the same "HopDesk" for each of a batch.
    Tokens and files have nothing to show."""
    from desktop.signing.remote.service import RemoteSigner

    if isinstance(signer, RemoteSigner):
        number = f"{document.number.zfill(2)}/{document.symbol}: " if document.number else ""
        signer.describe(number + document.summary)


@dataclass(frozen=True, slots=True)
class BatchOutcome:
    """One document of a batch: its signed sha256, or the error that stopped it."""

    document_id: int
    sha256: str | None = None
    error: Exception | None = None


async def sign_many(
    documents: list[Document],
    signer: Signer,
    stamp: appearance.StampImage,
    files: FileCache,
    uploads: SignedUploads,
    progress: Callable[[int, int], None] | None = None,
) -> list[BatchOutcome]:
    """Sign several documents with one key (the PIN entered once); one failure neither stops
    nor spoils the others. When the key itself is gone (`batch.KEY_GONE`: token removed,
    signing process dead, the phone refused or let the request expire, the wait cancelled),
    the rest fail at once with that error instead of asking the token or the phone again."""
    outcomes: list[BatchOutcome] = []
    gone: Exception | None = None
    for done, document in enumerate(documents, 1):
        if gone is not None:
            outcomes.append(BatchOutcome(document.id, error=gone))
        else:
            describe(signer, document)
            try:
                sha = await sign_document(document, signer, stamp, files, uploads)
                outcomes.append(BatchOutcome(document.id, sha))
            except KEY_GONE as exc:
                gone = exc
                outcomes.append(BatchOutcome(document.id, error=exc))
            except (SigningError, HopDeskError) as exc:
                outcomes.append(BatchOutcome(document.id, error=exc))
        if progress is not None:
            progress(done, len(documents))
    return outcomes


async def apply_agency_signature(
    document: Document,
    signer: Signer,
    seal: appearance.StampImage,
    files: FileCache,
) -> bytes:
    """The clerk's Phát hành after the server gave the số and date: both filled into their
    fields and the agency's seal signed over the leader's version (off the GUI thread).
    `issue_document` sends the result to the server."""
    if not document.issued_on or not document.number:
        raise UnsignableDocument("leader-unsigned")
    version = document.versions[-1]  # the leader's signed version
    path = await files.fetch(version.file)
    pdf = await asyncio.to_thread(path.read_bytes)
    number = appearance.number_line(int(document.number), document.symbol)
    date = appearance.date_line(document.place, document.issued_on)
    return await off_the_loop(
        lambda: sign.issue(pdf, signer, seal, number, date, expected_sha256=version.file.sha256)
    )


async def issue_document(
    inbox: ApprovalInbox,
    document_id: int,
    body: JsonObject,
    finish: Callable[[Document], Awaitable[str]],
    journal: IssueJournal | None = None,
) -> str:
    """Phát hành end to end: issue on the server (it gives the số of the year and the date),
    then `finish` the issued document (`finish_issue` with the agency's key and seal); returns
    what `finish` does, the agency-signed sha256. `journal` remembers the issuance until the
    signed file is kept, so a crash in between is finished at the next start."""
    if journal is not None:
        await journal.begin(document_id)  # durable before the issue is queued
    await inbox.act(document_id, "issue", body)
    document = await inbox.document(document_id)
    if document.status != "issued":
        raise UnsignableDocument("not-issued", document.status)  # offline: the issue is queued
    await pause_points.reached("issued")  # numbered on the server, not signed
    return await finish(document)


async def finish_issue(
    document: Document,
    signer: Signer,
    seal: appearance.StampImage,
    files: FileCache,
    uploads: SignedUploads,
    journal: IssueJournal | None = None,
) -> str:
    """Sign an issued document with the agency's key using the số and date the server gave,
    keep the agency-signed file and send it as the document's issued version (`SignedUploads`:
    exactly once, even across a crash; offline it waits for the server); the journal forgets
    the issuance once the file is kept."""
    leader_version = document.versions[-1]
    describe(signer, document)
    issued = await apply_agency_signature(document, signer, seal, files)
    sha256 = await uploads.keep(
        document.id, leader_version.file.sha256, issued, leader_version.file.name, "issued-version"
    )
    if journal is not None:
        await journal.end(document.id)
    await pause_points.reached("issue-kept")  # signed and kept, not sent
    await send_kept(uploads, document.id)
    return sha256
