"""A signed version reaches the server exactly once, however the app stops: killed between
"signed" and "uploaded", or between the upload and the sign action being sent. Real server,
real PKCS#12 key from the certomancer test PKI, the real Decree 30 signing core."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest

from desktop.files import FileCache
from desktop.inbox import ApprovalInbox
from desktop.outbox import Outbox
from desktop.session import Session
from desktop.sign_flow import sign_many, version_to_sign
from desktop.signed_uploads import QUEUED, SIGNED, SignedUploads
from desktop.signing import appearance, keys, layout, sign
from desktop.signing.errors import UnsignableDocument
from desktop.store import LocalStore
from tests.fixtures.drafts import draft_pdf, signature_png
from tests.fixtures.pki import TestPki, running_pki
from tests.fixtures.server import ServerProcess
from tests.integration.conftest import PASSWORD, SessionFactory, start_app


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestPki]:
    with running_pki(tmp_path_factory.mktemp("pki")) as running:
        yield running


async def awaiting_my_signature(
    specialist: Session, leader: Session, summary: str = "Quyết định ban hành quy chế làm việc"
) -> tuple[int, bytes]:
    """A prepared draft a specialist submitted and the leader approved: now the leader signs."""
    prepared, _ = layout.prepare_draft_from_text(draft_pdf())
    ref: Any = (
        await specialist.api.request(
            "POST", "/files", params={"name": "du-thao.pdf"}, data=prepared
        )
    ).body
    created: Any = await specialist.api.post_json(
        "/documents",
        {
            "direction": "out",
            "issuing_agency": "Sở Thông tin và Truyền thông",
            "doc_type": "Quyết định",
            "summary": summary,
            "file_sha256": ref["sha256"],
        },
    )
    assert leader.user is not None
    await specialist.api.post_json(
        f"/documents/{created['id']}/submit", {"approver_id": leader.user.id}
    )
    await leader.api.post_json(f"/documents/{created['id']}/approve", {})
    return int(created["id"]), prepared


async def signed_by_leader(prepared: bytes, pki: TestPki, tmp_path: Path) -> bytes:
    p12 = tmp_path / "leader.p12"
    p12.write_bytes(pki.pkcs12("leader", b"pin"))
    signer = keys.load_pkcs12(p12, "pin")
    stamp = appearance.StampImage.from_png(signature_png())
    base = hashlib.sha256(prepared).hexdigest()
    return await sign.sign_leader(prepared, signer, stamp, expected_sha256=base)


def uploads_of(store: LocalStore, session: Session, tmp_path: Path) -> SignedUploads:
    return SignedUploads(
        store, session.api, Outbox(store, session.api), session.scope, tmp_path / "signed"
    )


async def versions(session: Session, document_id: int) -> list[str]:
    document: Any = await session.api.get_json(f"/documents/{document_id}")
    return [v["file"]["sha256"] for v in document["versions"]]


@pytest.mark.parametrize("killed_after", [SIGNED, QUEUED])
async def test_a_signed_file_is_uploaded_once_after_the_app_was_killed(
    server: ServerProcess,
    make_session: SessionFactory,
    pki: TestPki,
    tmp_path: Path,
    killed_after: str,
) -> None:
    specialist = make_session()
    await specialist.sign_in(server.url, "chuyenvien1", PASSWORD, False)
    cache = tmp_path / "app" / "cache.db"
    store, session = await start_app(cache, server.url)  # giamdoc, the leader
    document_id, prepared = await awaiting_my_signature(specialist, session)
    base = hashlib.sha256(prepared).hexdigest()
    signed = await signed_by_leader(prepared, pki, tmp_path)

    uploads = uploads_of(store, session, tmp_path)
    sha = await uploads.keep(document_id, base, signed, "du-thao.pdf")
    if killed_after == QUEUED:
        assert await uploads.upload_pending() == 1  # uploaded, the action queued, not sent
    assert uploads.records()[sha]["state"] == killed_after
    await session.close()  # the app is killed here
    store.close()

    store, session = await start_app(cache, server.url)
    uploads = uploads_of(store, session, tmp_path)
    assert uploads.path(sha).read_bytes() == signed  # kept until the server confirms
    await uploads.resume()
    document: Any = await session.api.get_json(f"/documents/{document_id}")
    assert document["status"] == "signed"
    assert await versions(session, document_id) == [base, sha]
    assert uploads.records() == {}
    assert not uploads.path(sha).exists()

    await session.close()  # and once more: nothing is sent again
    store.close()
    store, session = await start_app(cache, server.url)
    uploads = uploads_of(store, session, tmp_path)
    assert await uploads.resume() == 0
    assert await versions(session, document_id) == [base, sha]
    await session.close()
    store.close()


async def test_the_leader_signs_from_the_inbox_while_the_server_is_down(
    server: ServerProcess,
    make_session: SessionFactory,
    store: LocalStore,
    pki: TestPki,
    tmp_path: Path,
) -> None:
    """Ký with the server gone after the document was opened: the signature is made, kept,
    and reaches the server when it is back; a batch of one with a changed document is refused
    with the reason and does not stop the others."""
    specialist = make_session()
    await specialist.sign_in(server.url, "chuyenvien1", PASSWORD, False)
    leader = make_session()
    await leader.sign_in(server.url, "giamdoc", PASSWORD, False)
    first, _ = await awaiting_my_signature(specialist, leader)
    second, _ = await awaiting_my_signature(specialist, leader)
    outbox = Outbox(store, leader.api)
    inbox = ApprovalInbox(leader, outbox=outbox)
    documents = [await inbox.document(first), await inbox.document(second)]
    files = FileCache(leader, tmp_path / "files", 1 << 30)
    uploads = SignedUploads(store, leader.api, outbox, leader.scope, tmp_path / "s")
    for document in documents:
        await files.fetch(version_to_sign(document).file)  # read before the network went
    p12 = tmp_path / "leader.p12"
    p12.write_bytes(pki.pkcs12("leader", b"pin"))
    signer = keys.load_pkcs12(p12, "pin")
    stamp = appearance.StampImage.from_png(signature_png())
    changed = msgspec.structs.replace(documents[1], signing_sha256="0" * 64)

    server.stop()
    outcomes = await sign_many([documents[0], changed], signer, stamp, files, uploads)
    assert outcomes[0].sha256 is not None
    assert outcomes[0].error is None
    assert isinstance(outcomes[1].error, UnsignableDocument)
    assert outcomes[1].error.reason == "changed"
    assert [r["state"] for r in uploads.records().values()] == [SIGNED]

    server.restart()
    await uploads.resume()
    assert (await inbox.document(first)).status == "signed"
    assert (await inbox.document(second)).status == "awaiting_signature"
    assert uploads.records() == {}
    await files.close()
    await inbox.close()
