"""A draft submitted through the app can be signed by the leader: the specialist's app adds the
Decree 30 fields before submitting (desktop/prepare_flow.py). Real server, the draft uploaded
as the specialist would (without fields), the real signing core; pyHanko validates the result."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import async_validate_pdf_signature

from desktop.files import FileCache
from desktop.inbox import ApprovalInbox
from desktop.outbox import Outbox
from desktop.prepare_flow import submit_prepared
from desktop.session import Session
from desktop.sign_flow import sign_document
from desktop.signed_uploads import SignedUploads
from desktop.signing import appearance, keys, layout
from desktop.store import LocalStore
from tests.fixtures.drafts import draft_pdf, signature_png
from tests.fixtures.pki import TestPki, running_pki
from tests.fixtures.server import ServerProcess
from tests.fixtures.threads import threads_calling
from tests.integration.conftest import PASSWORD, SessionFactory


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestPki]:
    with running_pki(tmp_path_factory.mktemp("pki")) as running:
        yield running


async def draft_of(specialist: Session) -> int:
    """A new outgoing document whose version is the plain draft (no fields)."""
    ref: Any = (
        await specialist.api.request(
            "POST", "/files", params={"name": "du-thao.pdf"}, data=draft_pdf()
        )
    ).body
    created: Any = await specialist.api.post_json(
        "/documents",
        {
            "direction": "out",
            "issuing_agency": "Sở Thông tin và Truyền thông",
            "doc_type": "Quyết định",
            "summary": "Quyết định ban hành quy chế làm việc",
            "file_sha256": ref["sha256"],
        },
    )
    return int(created["id"])


async def test_a_draft_submitted_through_the_app_is_signed_by_the_leader(
    server: ServerProcess,
    make_session: SessionFactory,
    store: LocalStore,
    pki: TestPki,
    tmp_path: Path,
) -> None:
    specialist = make_session()
    await specialist.sign_in(server.url, "chuyenvien1", PASSWORD, False)
    leader = make_session()
    await leader.sign_in(server.url, "giamdoc", PASSWORD, False)
    assert leader.user is not None
    document_id = await draft_of(specialist)
    outbox = Outbox(store, specialist.api)
    inbox = ApprovalInbox(specialist, outbox=outbox)
    files = FileCache(specialist, tmp_path / "files", 1 << 30)
    uploads = SignedUploads(store, specialist.api, outbox, specialist.scope, tmp_path / "up")
    document = await inbox.document(document_id)
    plain = document.versions[-1].file.sha256

    sha = await submit_prepared(
        inbox, document, {"approver_id": leader.user.id, "note": ""}, files, uploads
    )
    assert sha != plain
    assert uploads.records() == {}  # uploaded, added and submitted
    submitted = await inbox.document(document_id)
    assert submitted.status == "awaiting_approval"
    assert submitted.signing_sha256 == sha
    assert [v.file.sha256 for v in submitted.versions] == [plain, sha]
    await leader.api.post_json(f"/documents/{document_id}/approve", {})

    leader_outbox = Outbox(store, leader.api)
    leader_inbox = ApprovalInbox(leader, outbox=leader_outbox)
    leader_files = FileCache(leader, tmp_path / "leader-files", 1 << 30)
    leader_uploads = SignedUploads(
        store, leader.api, leader_outbox, leader.scope, tmp_path / "signed"
    )
    p12 = tmp_path / "leader.p12"
    p12.write_bytes(pki.pkcs12("leader", b"pin"))
    signer = keys.load_pkcs12(p12, "pin")
    stamp = appearance.StampImage.from_png(signature_png())
    to_sign = await leader_inbox.document(document_id)
    signed_sha = await sign_document(to_sign, signer, stamp, leader_files, leader_uploads)

    signed = await leader_inbox.document(document_id)
    assert signed.status == "signed"
    assert signed.versions[-1].file.sha256 == signed_sha
    path = await leader_files.fetch(signed.versions[-1].file)
    signatures = PdfFileReader(io.BytesIO(path.read_bytes())).embedded_signatures
    assert [s.field_name for s in signatures] == [layout.LEADER_FIELD]
    status = await async_validate_pdf_signature(signatures[0])
    assert status.intact
    assert status.valid
    for closing in (files, leader_files):
        await closing.close()
    await inbox.close()
    await leader_inbox.close()


async def drafting(
    server: ServerProcess, make_session: SessionFactory, store: LocalStore, tmp_path: Path
) -> tuple[Session, int, tuple[Outbox, ApprovalInbox, FileCache, SignedUploads]]:
    """The specialist signed in with a new plain draft, and the services that submit it."""
    specialist = make_session()
    await specialist.sign_in(server.url, "chuyenvien1", PASSWORD, False)
    document_id = await draft_of(specialist)
    outbox = Outbox(store, specialist.api)
    inbox = ApprovalInbox(specialist, outbox=outbox)
    files = FileCache(specialist, tmp_path / "files", 1 << 30)
    uploads = SignedUploads(store, specialist.api, outbox, specialist.scope, tmp_path / "up")
    return specialist, document_id, (outbox, inbox, files, uploads)


async def test_an_already_prepared_draft_is_submitted_as_it_is(
    server: ServerProcess,
    make_session: SessionFactory,
    store: LocalStore,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """... and the check whether it is (pyHanko parsing the whole PDF) is not made on the loop's
    thread, which is the GUI thread in the app."""
    _, document_id, (_, inbox, files, uploads) = await drafting(
        server, make_session, store, tmp_path
    )
    is_prepared = layout.is_prepared
    checked_from = threads_calling(monkeypatch, layout, "is_prepared")
    first = await submit_prepared(
        inbox, await inbox.document(document_id), {"approver_id": 2, "note": ""}, files, uploads
    )
    assert len(checked_from) == 1
    assert threading.main_thread().ident not in checked_from
    prepared = await files.fetch((await inbox.document(document_id)).versions[-1].file)
    assert is_prepared(prepared.read_bytes())
    assert not is_prepared(draft_pdf())
    await files.close()
    await inbox.close()
    assert first


async def test_a_draft_submitted_offline_is_prepared_kept_and_sent_when_back(
    server: ServerProcess, make_session: SessionFactory, store: LocalStore, tmp_path: Path
) -> None:
    """Trình ký with the server gone after the draft was opened: the draft is prepared and kept
    on disk, and its new version and the submission reach the server, once, when it is back."""
    _, document_id, (outbox, inbox, files, uploads) = await drafting(
        server, make_session, store, tmp_path
    )
    document = await inbox.document(document_id)
    plain = document.versions[-1].file.sha256
    await files.fetch(document.versions[-1].file)  # opened before the network went

    server.stop()
    sha = await submit_prepared(inbox, document, {"approver_id": 1, "note": ""}, files, uploads)
    assert [(r["action"], r["then"]) for r in uploads.records().values()] == [
        ("files", {"action": "submit", "body": {"approver_id": 1, "note": ""}})
    ]
    assert layout.is_prepared(uploads.path(sha).read_bytes())

    server.restart()
    await uploads.resume()
    await outbox.flush()
    submitted = await inbox.document(document_id)
    assert submitted.status == "awaiting_approval"
    assert [v.file.sha256 for v in submitted.versions] == [plain, sha]
    assert submitted.signing_sha256 == sha
    assert uploads.records() == {}
    assert outbox.pending == 0
    assert await uploads.resume() == 0  # nothing sent twice
    await files.close()
    await inbox.close()
