"""The approval detail shows the document's PDF itself (ui/document_pane.py): the latest
version in a viewer Reader beside the metadata, its signatures panel checking the leader's
signature, another file of the list shown when chosen; loaded in the background (the detail
is on screen before the file is), through the real server and the real render and signature
workers."""

from __future__ import annotations

from typing import Any

from pytestqt.qtbot import QtBot

from desktop.app import Core
from tests.fixtures.pki import TestPki
from tests.ui.conftest import until
from tests.ui.test_approval_issue import clerk as clerk  # the clerk's signed-in core
from tests.ui.test_approval_issue import leader_signed as leader_signed
from tests.ui.test_approval_issue import pki as pki  # the test PKI of the module
from ui.approval_detail import ApprovalDetail
from ui.document_pane import DocumentPane


def wait_shown(aio: Any, pane: DocumentPane, sha256: str) -> None:
    """Until the pane's reader shows the file `sha256` (else fail with what the pane says)."""
    try:
        aio(until(lambda: pane.shown == sha256, limit=90), timeout=120)
    except TimeoutError:
        raise AssertionError(pane.message.text()) from None


def test_the_detail_shows_the_pdf_and_its_signatures(
    leader_signed: int, qtbot: QtBot, clerk: Core, aio: Any, pki: TestPki, vietnamese: None
) -> None:
    pane = DocumentPane(clerk)
    detail = ApprovalDetail(clerk.inbox, pane=pane)
    qtbot.addWidget(detail)
    try:
        document = aio(detail.show_document(leader_signed))
        assert pane.shown == ""  # shown before the file: it loads in the background
        assert pane.message.text() == "Đang tải văn bản…"
        latest = max(document.versions, key=lambda v: v.no).file.sha256
        wait_shown(aio, pane, latest)
        reader = pane.reader
        assert reader is not None
        assert reader.isVisibleTo(detail)
        assert detail.files.currentRow() == len(document.versions) - 1
        aio(until(lambda: reader.signatures.model.rowCount() == 1, limit=60), timeout=90)
        [leader] = reader.signatures.model.signatures()
        assert leader.intact
        assert leader.valid
        assert leader.signer == pki.cert("leader").subject.native["common_name"]

        detail.files.setCurrentRow(0)  # the prepared draft, before anyone signed
        first = document.versions[0].file.sha256
        wait_shown(aio, pane, first)
        aio(until(lambda: "không có chữ ký số" in reader.signatures.status.text(), limit=60))
        assert reader.signatures.model.rowCount() == 0
    finally:
        detail.shutdown()
