"""Trình ký from the desktop: the draft gets its Decree 30 fields before it is submitted.

The leader can only sign a draft that has the số/date text fields and the leader/agency
signature fields (`desktop/signing/layout.py`); the server may not touch the PDF, so the
specialist's app adds them when the draft is submitted: download the current version, prepare
it off the GUI thread (an already prepared draft is left as it is), then add it as a new version
and submit. The prepared file goes through `SignedUploads` like a signed one: kept on disk first,
uploaded, and the two actions ("files" then "submit") queued together in the outbox, so an
unreachable server only delays them.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from desktop.errors import HopDeskError
from desktop.signing import layout
from desktop.signing.worker import off_the_loop

if TYPE_CHECKING:
    from desktop.domain import Document, JsonObject
    from desktop.files import FileCache
    from desktop.inbox import ApprovalInbox
    from desktop.signed_uploads import SignedUploads

log = logging.getLogger(__name__)


async def _prepared(pdf: bytes) -> bytes:
    return layout.prepare_draft_from_text(pdf)[0]


async def submit_prepared(
    inbox: ApprovalInbox,
    document: Document,
    body: JsonObject,
    files: FileCache,
    uploads: SignedUploads,
) -> str:
    """Submit `document` (`body`: the submit action's) with its draft prepared for signing.
    Returns the sha256 of the version submitted."""
    if not document.versions:  # nothing to prepare: the server answers no-version
        await inbox.act(document.id, "submit", body)
        return ""
    version = document.versions[-1]
    path = await files.fetch(version.file)
    pdf = await asyncio.to_thread(path.read_bytes)
    if await asyncio.to_thread(layout.is_prepared, pdf):  # parses the whole PDF
        await inbox.act(document.id, "submit", body)
        return version.file.sha256
    prepared = await off_the_loop(lambda: _prepared(pdf))
    sha256 = await uploads.keep(
        document.id,
        version.file.sha256,
        prepared,
        version.file.name,
        "files",
        {"action": "submit", "body": body},
    )
    try:
        await uploads.resume()
    except HopDeskError as exc:  # offline: kept, and sent by the next resume
        log.info("prepared draft of %s kept for later upload: %r", document.id, exc)
    return sha256
