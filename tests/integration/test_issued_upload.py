"""The clerk's agency-signed file reaches the server exactly once, even when the app is killed
after signing (kept, not uploaded) or after uploading (the issued-version action queued, not
sent): after the restart it is the document's last version, and a further restart sends
nothing again. Real server, real files, the real agency signature."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from desktop.files import FileCache
from desktop.inbox import ApprovalInbox
from desktop.sign_flow import apply_agency_signature
from desktop.signed_uploads import QUEUED, SIGNED
from desktop.signing import appearance, keys
from tests.fixtures.drafts import seal_png
from tests.fixtures.pki import TestPki
from tests.fixtures.server import ServerProcess
from tests.integration.conftest import PASSWORD, SessionFactory, start_app
from tests.integration.test_signed_upload import (
    awaiting_my_signature,
    signed_by_leader,
    uploads_of,
    versions,
)
from tests.integration.test_signed_upload import pki as pki  # the test PKI fixture


@pytest.mark.parametrize("killed_after", [SIGNED, QUEUED])
async def test_the_issued_file_is_uploaded_once_after_the_app_was_killed(
    server: ServerProcess,
    make_session: SessionFactory,
    pki: TestPki,
    tmp_path: Path,
    killed_after: str,
) -> None:
    specialist = make_session()
    await specialist.sign_in(server.url, "chuyenvien1", PASSWORD, False)
    leader = make_session()
    await leader.sign_in(server.url, "giamdoc", PASSWORD, False)
    document_id, prepared = await awaiting_my_signature(specialist, leader)
    signed = await signed_by_leader(prepared, pki, tmp_path)
    ref: Any = (
        await leader.api.request("POST", "/files", params={"name": "ky.pdf"}, data=signed)
    ).body
    base = hashlib.sha256(prepared).hexdigest()
    await leader.api.post_json(
        f"/documents/{document_id}/sign", {"file_sha256": ref["sha256"], "base_sha256": base}
    )
    leader_sha = str(ref["sha256"])

    cache = tmp_path / "app" / "cache.db"
    store, session = await start_app(cache, server.url, "vanthu")
    await session.api.post_json(f"/documents/{document_id}/issue", {"symbol": "QĐ-STTTT"})
    inbox = ApprovalInbox(session)
    files = FileCache(session, tmp_path / "files", 1 << 30)
    p12 = tmp_path / "agency.p12"
    p12.write_bytes(pki.pkcs12("agency", b"pin"))
    seal = appearance.StampImage.from_png(seal_png())
    document = await inbox.document(document_id)
    issued = await apply_agency_signature(document, keys.load_pkcs12(p12, "pin"), seal, files)
    await files.close()
    await inbox.close()
    uploads = uploads_of(store, session, tmp_path)
    sha = await uploads.keep(document_id, leader_sha, issued, "quy-che.pdf", "issued-version")
    if killed_after == QUEUED:
        assert await uploads.upload_pending() == 1  # uploaded, the action queued, not sent
    assert uploads.records()[sha]["state"] == killed_after
    await session.close()  # the app is killed here
    store.close()

    store, session = await start_app(cache, server.url, "vanthu")
    uploads = uploads_of(store, session, tmp_path)
    assert uploads.path(sha).read_bytes() == issued  # kept until the server confirms
    await uploads.resume()
    assert await versions(session, document_id) == [base, leader_sha, sha]
    assert uploads.records() == {}
    await session.close()  # and once more: nothing is sent again
    store.close()
    store, session = await start_app(cache, server.url, "vanthu")
    uploads = uploads_of(store, session, tmp_path)
    assert await uploads.resume() == 0
    assert await versions(session, document_id) == [base, leader_sha, sha]
    await session.close()
    store.close()
    await specialist.close()
    await leader.close()
