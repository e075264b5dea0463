"""Ký from the approval inbox's detail, through the real UI pieces and the real server: the
button shows for the leader holding the signature, one dialog (key file, image, PIN), the
signed version lands on the server and validates in pyHanko."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.app import Core
from desktop.config import Config
from desktop.policy import TomlPolicy
from desktop.session import Session
from desktop.signing.token_process import TokenClient
from tests.fixtures.drafts import signature_png
from tests.fixtures.pki import TestPki, running_pki
from tests.fixtures.server import ServerProcess
from tests.fixtures.softhsm import SoftToken, soft_token
from tests.integration.test_signed_upload import awaiting_my_signature
from tests.ui.conftest import until
from tests.ui.test_approval_view import core as core  # the signed-in core fixture
from ui.approval_detail import ApprovalDetail
from ui.sign_dialog import SignDialog
from ui.signing_flow import sign_from_inbox


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestPki]:
    with running_pki(tmp_path_factory.mktemp("pki")) as running:
        yield running


def trust_test_root(core: Core, pki: TestPki, directory: Path) -> Core:
    """`core` with the machine policy trusting the test PKI's root for signing (the check
    before signing refuses any other root than the pinned ones)."""
    root = directory / "root.pem"
    root.write_bytes(pki.cert_pem("root"))
    policy = directory / "policy.toml"
    policy.write_text(f"signing_roots = [{str(root)!r}]\n")
    core.config = Config(policy=TomlPolicy(policy))
    return core


@pytest.fixture
def trusting(core: Core, pki: TestPki, tmp_path: Path) -> Core:
    return trust_test_root(core, pki, tmp_path)


def test_the_leader_signs_from_the_detail(
    trusting: Core,
    qtbot: QtBot,
    core: Core,
    aio: Any,
    server: ServerProcess,
    pki: TestPki,
    tmp_path: Path,
    vietnamese: None,
) -> None:
    specialist = Session(core.config, core.secrets, None)
    aio(specialist.sign_in(server.url, "chuyenvien1", "hopdesk-demo", False))
    document_id, _ = aio(awaiting_my_signature(specialist, core.session))
    aio(specialist.close())
    detail = ApprovalDetail(core.inbox)
    qtbot.addWidget(detail)
    document = aio(detail.show_document(document_id))
    assert "Ký" in [b.text() for b in detail.buttons.values()]

    key = tmp_path / "leader.p12"
    key.write_bytes(pki.pkcs12("leader", b"123456"))
    image = tmp_path / "chu-ky.png"
    image.write_bytes(signature_png())
    dialog = SignDialog(1, str(key), str(image), detail)
    dialog.pin.setText("123456")

    async def accept_when_shown() -> None:
        await until(dialog.isVisible)
        dialog.accept()

    outcomes, _ = aio(
        asyncio.gather(sign_from_inbox(core, detail, [document], dialog), accept_when_shown()),
        timeout=120,
    )
    assert [o.error for o in outcomes] == [None]
    signed = aio(core.inbox.document(document_id))
    assert signed.status == "signed"
    assert signed.versions[-1].file.sha256 == outcomes[0].sha256
    assert core.uploads.records() == {}
    pdf = aio(core.session.api.get_bytes(f"/files/{outcomes[0].sha256}"))
    reader = PdfFileReader(io.BytesIO(pdf))
    [embedded] = reader.embedded_signatures
    context = ValidationContext(
        trust_roots=[pki.cert("root")], other_certs=[pki.cert("interm")], allow_fetching=True
    )
    status = validate_pdf_signature(embedded, context)
    assert status.intact
    assert status.valid
    assert status.trusted


def _document_awaiting(
    core: Core, aio: Any, server: ServerProcess, summary: str | None = None
) -> Any:
    specialist = Session(core.config, core.secrets, None)
    aio(specialist.sign_in(server.url, "chuyenvien1", "hopdesk-demo", False))
    named = {} if summary is None else {"summary": summary}
    document_id, _ = aio(awaiting_my_signature(specialist, core.session, **named))
    aio(specialist.close())
    return aio(core.inbox.document(document_id))


def _token_dialog(
    qtbot: QtBot, aio: Any, token: SoftToken, image: Path, client: TokenClient, pin: str
) -> SignDialog:
    """The real dialog switched to the token: the driver offered, the certificates read
    through the signing process by clicking 'Read the token'."""
    dialog = SignDialog(
        1, "", str(image), modules=[token.module], list_certificates=client.list_certificates
    )
    qtbot.addWidget(dialog)
    dialog.source.setCurrentIndex(1)
    assert dialog.module_path == token.module
    assert not dialog.key_row.isVisibleTo(dialog)
    qtbot.mouseClick(dialog.read_token, Qt.MouseButton.LeftButton)
    aio(until(lambda: dialog.certificate.count() == 1), timeout=60)
    assert dialog.token_certificate is not None
    assert dialog.token_certificate.label == token.key_label
    dialog.pin.setText(pin)
    return dialog


def _sign_with(core: Core, aio: Any, dialog: SignDialog, document: Any) -> list[Any]:
    async def accept_when_shown() -> None:
        await until(dialog.isVisible)
        dialog.accept()

    outcomes, _ = aio(
        asyncio.gather(sign_from_inbox(core, None, [document], dialog), accept_when_shown()),
        timeout=120,
    )
    return list(outcomes)


def test_the_leader_signs_with_the_usb_token(
    trusting: Core,
    qtbot: QtBot,
    core: Core,
    aio: Any,
    server: ServerProcess,
    pki: TestPki,
    tmp_path: Path,
    vietnamese: None,
) -> None:
    document = _document_awaiting(core, aio, server)
    image = tmp_path / "chu-ky.png"
    image.write_bytes(signature_png())
    client = TokenClient(timeout=60)
    warnings: list[str] = []
    core.notifier.warning = warnings.append  # type: ignore[method-assign]
    chain = [pki.cert("interm").dump(), pki.cert("root").dump()]
    leader = pki.cert("leader").dump()
    with soft_token(tmp_path / "hsm", pki.key_pem("leader"), leader, chain=chain) as token:
        try:
            wrong = _token_dialog(qtbot, aio, token, image, client, "000000")
            assert _sign_with(core, aio, wrong, document) == []  # not retried for the user
            assert len(warnings) == 1
            assert "Sai mã PIN" in warnings[0]
            right = _token_dialog(qtbot, aio, token, image, client, token.pin)
            outcomes = _sign_with(core, aio, right, document)
            assert len(warnings) == 1, warnings
        finally:
            aio(client.aclose())
    assert [o.error for o in outcomes] == [None]
    pdf = aio(core.session.api.get_bytes(f"/files/{outcomes[0].sha256}"))
    [embedded] = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
    context = ValidationContext(
        trust_roots=[pki.cert("root")], other_certs=[pki.cert("interm")], allow_fetching=True
    )
    status = validate_pdf_signature(embedded, context)
    assert status.intact
    assert status.valid
    assert status.signing_cert.subject == pki.cert("leader").subject


@pytest.mark.parametrize(
    ("label", "said"),
    [
        ("expired", "đã hết hạn"),
        ("future", "chỉ có hiệu lực từ"),
        ("nokeyusage", "không dùng để ký văn bản"),
        ("revoked", "đã bị thu hồi"),
        ("stranger", "không do tổ chức cung cấp dịch vụ chứng thực tin cậy"),
    ],
)
def test_a_bad_certificate_is_refused_before_signing(
    label: str,
    said: str,
    trusting: Core,
    qtbot: QtBot,
    aio: Any,
    server: ServerProcess,
    pki: TestPki,
    tmp_path: Path,
    vietnamese: None,
) -> None:
    core = trusting
    document = _document_awaiting(core, aio, server)
    key = tmp_path / f"{label}.p12"
    key.write_bytes(pki.pkcs12(label, b"123456"))
    image = tmp_path / "chu-ky.png"
    image.write_bytes(signature_png())
    dialog = SignDialog(1, str(key), str(image))
    qtbot.addWidget(dialog)
    dialog.pin.setText("123456")
    warnings: list[str] = []
    core.notifier.warning = warnings.append  # type: ignore[method-assign]
    assert _sign_with(core, aio, dialog, document) == []
    assert len(warnings) == 1
    assert said in warnings[0]
    assert aio(core.inbox.document(document.id)).status != "signed"
