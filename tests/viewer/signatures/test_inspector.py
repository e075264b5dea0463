"""Signature inspection (viewer/signatures/inspector.py) and the signatures panel, on real
pyHanko output."""

from __future__ import annotations

import time
from pathlib import Path

import pymupdf
import pytest
from pytestqt.qtbot import QtBot

from tests.viewer.fixtures_sign import (
    SIGNER_NAME,
    SigningPki,
    make_pki,
    pki_fixture,  # noqa: F401 (fixture)
    plain_pdf_fixture,  # noqa: F401 (fixture)
    sign_pdf,
    signed_pdf_fixture,  # noqa: F401 (fixture)
)
from viewer.signatures.inspector import SignatureInspector, SignatureState, inspect_signatures
from viewer.signatures.panel import SignaturesPanel

pytestmark = pytest.mark.timeout(60)


def _incremental_content_change(tmp_path: Path, data: bytes) -> bytes:
    """Append an incremental update that rewrites page content: not allowed after signing."""
    path = tmp_path / "changed.pdf"
    path.write_bytes(data)
    doc = pymupdf.open(path)
    page = doc[0]
    page.insert_text((72, 60), "Số tiền: 9.999.999 đồng")
    doc.save(path, incremental=True, encryption=0)
    doc.close()
    return path.read_bytes()


def _full_resave(data: bytes) -> bytes:
    """Rewrite the whole file (what a careless editor does): the signed bytes move."""
    doc = pymupdf.open(stream=data, filetype="pdf")
    out: bytes = doc.tobytes(garbage=3, deflate=True)
    doc.close()
    return out


def test_signed_document_is_valid_and_trusted(signed_pdf: bytes, pki: SigningPki) -> None:
    (info,) = inspect_signatures(signed_pdf, [pki.root_pem])
    assert info.signer == SIGNER_NAME
    assert info.signing_time is not None
    assert abs(time.time() - info.signing_time.timestamp()) < 3600
    assert info.intact
    assert info.valid
    assert info.trusted
    assert not info.modified_after_signing
    assert info.state is SignatureState.VALID


def test_untrusted_without_configured_root(signed_pdf: bytes) -> None:
    (info,) = inspect_signatures(signed_pdf, [make_pki().root_der])
    assert info.intact
    assert info.valid
    assert not info.trusted


def test_modified_after_signing(tmp_path: Path, signed_pdf: bytes, pki: SigningPki) -> None:
    (changed,) = inspect_signatures(
        _incremental_content_change(tmp_path, signed_pdf), [pki.root_pem]
    )
    assert changed.intact
    assert changed.modified_after_signing
    assert not changed.changes_allowed
    assert changed.state is SignatureState.MODIFIED

    (resaved,) = inspect_signatures(_full_resave(signed_pdf), [pki.root_pem])
    assert not resaved.intact
    assert resaved.modified_after_signing
    assert resaved.state is SignatureState.BROKEN


def test_second_signature_is_an_allowed_change(signed_pdf: bytes, pki: SigningPki) -> None:
    first, second = inspect_signatures(sign_pdf(signed_pdf, pki, "Signature2"), [pki.root_pem])
    assert first.state is SignatureState.VALID_CHANGED
    assert first.changes_allowed
    assert second.state is SignatureState.VALID


def test_unsigned_document_has_no_signatures(plain_pdf: bytes) -> None:
    assert inspect_signatures(plain_pdf) == []


def test_panel_checks_off_the_gui_thread(
    qtbot: QtBot, tmp_path: Path, signed_pdf: bytes, pki: SigningPki
) -> None:
    inspector = SignatureInspector([pki.root_pem])
    panel = SignaturesPanel(inspector)
    qtbot.addWidget(panel)
    try:
        started = time.perf_counter()
        panel.show_document(signed_pdf)
        assert time.perf_counter() - started < 0.2  # returned at once: the work is elsewhere
        assert panel.model.rowCount() == 0
        with qtbot.waitSignal(panel.signaturesShown, timeout=30_000) as shown:
            pass
        (info,) = shown.args[0]
        assert info.signer == SIGNER_NAME
        text = panel.model.data(panel.model.index(0))
        assert SIGNER_NAME in text
        assert "not been modified" in text
        assert "issued by a trusted authority" in text

        changed = tmp_path / "changed-copy.pdf"
        changed.write_bytes(_incremental_content_change(tmp_path, signed_pdf))
        with qtbot.waitSignal(inspector.finished, timeout=30_000) as done:
            panel.show_document(str(changed))  # by path: the worker reads the file
        assert done.args[1][0].modified_after_signing
        assert "modified after signing" in panel.status.text()
        assert "modified after signing" in panel.model.data(panel.model.index(0))
    finally:
        panel.shutdown()


def test_panel_reports_failure(qtbot: QtBot) -> None:
    panel = SignaturesPanel()
    qtbot.addWidget(panel)
    try:
        with qtbot.waitSignal(panel.inspector.failed, timeout=30_000):
            panel.show_document(b"%PDF-1.7 this is no pdf")
        assert panel.status.text() == (
            "The signatures could not be checked: the file is not a readable PDF."
        )
        with qtbot.waitSignal(panel.inspector.failed, timeout=30_000):
            panel.show_document("/nonexistent/file.pdf")
        assert panel.status.text() == (
            "The signatures could not be checked: the file could not be read."
        )
    finally:
        panel.shutdown()


def test_a_damaged_unsigned_file_has_no_signatures(qtbot: QtBot, plain_pdf: bytes) -> None:
    """pyHanko cannot read a damaged file that MuPDF repairs and shows: unsigned, the panel
    says it has no signatures (it said they could not be checked)."""
    damaged = plain_pdf.replace(b"startxref", b"startxrex")
    assert inspect_signatures(damaged) == []
    panel = SignaturesPanel()
    qtbot.addWidget(panel)
    try:
        with qtbot.waitSignal(panel.signaturesShown, timeout=30_000):
            panel.show_document(damaged)
        assert panel.status.text() == "This document has no digital signatures."
    finally:
        panel.shutdown()


def test_a_damaged_signed_file_says_why_it_cannot_be_checked(
    qtbot: QtBot, signed_pdf: bytes
) -> None:
    damaged = signed_pdf.replace(b"startxref", b"startxrex")
    panel = SignaturesPanel()
    qtbot.addWidget(panel)
    try:
        with qtbot.waitSignal(panel.inspector.failed, timeout=30_000):
            panel.show_document(damaged)
        assert panel.status.text() == (
            "The file has signatures, but it is damaged: they cannot be checked."
        )
    finally:
        panel.shutdown()


def test_panels_sharing_an_inspector_keep_each_others_requests(
    qtbot: QtBot, signed_pdf: bytes, plain_pdf: bytes
) -> None:
    """Two reader tabs share one worker: opening the second must not drop the first's check."""
    inspector = SignatureInspector()
    first, second = SignaturesPanel(inspector), SignaturesPanel(inspector)
    qtbot.addWidget(first)
    qtbot.addWidget(second)
    try:
        with (
            qtbot.waitSignal(first.signaturesShown, timeout=30_000) as signed,
            qtbot.waitSignal(second.signaturesShown, timeout=30_000) as plain,
        ):
            first.show_document(signed_pdf)
            second.show_document(plain_pdf)
        assert len(signed.args[0]) == 1
        assert plain.args[0] == []
        assert "no digital signatures" in second.status.text()
    finally:
        inspector.close()
