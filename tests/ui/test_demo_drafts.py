"""The demo's drafts waiting for signature can be signed by giamdoc: the demo launcher prepares
them through the specialist's own submission path (desktop/demo_drafts.py). The real demo server
child, the demo keys, the real signing core; pyHanko validates each signature."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import async_validate_pdf_signature

from desktop.app import DEMO_PASSWORD
from desktop.config import Config
from desktop.demo import DemoServer
from desktop.demo_drafts import prepare_waiting_drafts
from desktop.demo_keys import DEMO_PIN, LEADER, demo_keys
from desktop.files import FileCache
from desktop.inbox import ApprovalInbox
from desktop.outbox import Outbox
from desktop.secrets import SecretStore
from desktop.session import Session
from desktop.sign_flow import sign_document
from desktop.signed_uploads import SignedUploads
from desktop.signing import appearance, keys, layout
from desktop.store import LocalStore


def test_the_demos_waiting_drafts_are_signed_by_giamdoc(aio: Any, tmp_path: Path) -> None:
    demo = DemoServer(tmp_path / "demo")

    async def scenario() -> None:
        url = await demo.start()
        prepared = await prepare_waiting_drafts(url, DEMO_PASSWORD, tmp_path / "launcher")
        assert sorted(prepared) == [4, 13]
        assert await prepare_waiting_drafts(url, DEMO_PASSWORD, tmp_path / "launcher") == []

        store = LocalStore(tmp_path / "app.db")
        store.open()
        session = Session(Config(), SecretStore(), store)
        await session.sign_in(url, "giamdoc", DEMO_PASSWORD, False)
        outbox = Outbox(store, session.api, session.scope)
        inbox = ApprovalInbox(session, outbox=outbox)
        files = FileCache(session, tmp_path / "files", 1 << 30)
        uploads = SignedUploads(store, session.api, outbox, session.scope, tmp_path / "signed")
        made = demo_keys(tmp_path / "signing")
        signer = keys.load_pkcs12(made[LEADER].key_path, DEMO_PIN)
        stamp = appearance.StampImage.from_png(made[LEADER].image_path.read_bytes())
        for document_id in (4, 13):
            document = await inbox.document(document_id)
            assert document.status == "awaiting_signature"
            await sign_document(document, signer, stamp, files, uploads)
            signed = await inbox.document(document_id)
            assert signed.status == "signed"
            path = await files.fetch(signed.versions[-1].file)
            signatures = PdfFileReader(io.BytesIO(path.read_bytes())).embedded_signatures
            assert [s.field_name for s in signatures] == [layout.LEADER_FIELD]
            status = await async_validate_pdf_signature(signatures[0])
            assert status.intact
            assert status.valid
        await files.close()
        await inbox.close()
        await session.close()
        store.close()

    try:
        aio(scenario())
    finally:
        aio(demo.stop())
