"""Phát hành with the agency's key at a remote signing service (the clerk approves on the phone):
through the real UI pieces, the real server and certomancer-csc-dummy (CSC API) or the
hash-then-poll test service; the issued copy carries the leader's and the agency's signatures,
both valid in pyHanko and poppler's pdfsig, and the phone was shown the document's số."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from desktop.app import Core
from tests.desktop.signing.conftest import make_nss_db, pdfsig_report
from tests.fixtures.csc_service import running_csc_service
from tests.fixtures.drafts import seal_png
from tests.fixtures.hash_poll_service import running_hash_poll_service
from tests.fixtures.pki import TestPki
from tests.fixtures.server import ServerProcess
from tests.ui.conftest import until
from tests.ui.test_approval_issue import assert_leader_and_agency, signed_document
from tests.ui.test_approval_issue import clerk as clerk  # the clerk's signed-in core
from tests.ui.test_approval_issue import pki as pki  # the test PKI of the module
from tests.ui.test_remote_signing import TOKEN, remote_dialog, use_service
from ui.signing_flow import issue_from_inbox

SYMBOL = "QĐ-STTTT"


@pytest.mark.parametrize("kind", ["csc", "hash-poll"])
def test_the_clerk_issues_with_the_agency_key_on_the_phone(
    kind: str,
    qtbot: QtBot,
    clerk: Core,
    aio: Any,
    server: ServerProcess,
    pki: TestPki,
    tmp_path: Path,
    vietnamese: None,
) -> None:
    document_id = aio(signed_document(clerk, server, pki, tmp_path), timeout=120)
    document = aio(clerk.inbox.document(document_id))
    seal = tmp_path / "dau.png"
    seal.write_bytes(seal_png())
    shown: list[object] = []  # what the phone showed the clerk

    async def issue(url: str, credential: str) -> str | None:
        use_service(clerk, pki, tmp_path, kind, url, credential, 300)
        dialog = remote_dialog(qtbot, clerk, seal, 1)
        body = {"symbol": SYMBOL, "recipient_ids": []}
        task = asyncio.ensure_future(issue_from_inbox(clerk, None, document, body, dialog))
        await until(dialog.isVisible)
        dialog.accept()
        return await task

    async def run() -> str | None:
        if kind == "csc":
            authorized: list[dict[str, object]] = []
            async with running_csc_service(pki, authorized=authorized) as url:
                sent = await issue(url, "hopdesk/agency")
            shown.extend(a["description"] for a in authorized)
            return sent
        async with running_hash_poll_service(pki, TOKEN, ["agency"]) as service:
            task = asyncio.ensure_future(issue(service.url, "agency"))
            tran = await service.next_transaction()
            shown.append(service.transactions[tran].description)
            service.approve(tran)
            return await task

    sent = aio(run(), timeout=180)
    assert sent is not None
    issued = aio(clerk.inbox.document(document_id))
    assert (issued.status, issued.number, issued.symbol) == ("issued", "01", SYMBOL)
    assert issued.versions[-1].file.sha256 == sent
    assert clerk.uploads.records() == {}
    assert shown == [f"01/{SYMBOL}: {document.summary}"]
    pdf = aio(clerk.session.api.get_bytes(f"/files/{sent}"))
    assert_leader_and_agency(pdf, pki)
    report = pdfsig_report(pdf, make_nss_db(pki, tmp_path / "nss"), tmp_path)
    assert report.count("Signature is Valid") == 2, report
