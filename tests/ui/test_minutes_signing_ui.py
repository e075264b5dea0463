"""The minutes signed from the approval inbox through the real UI pieces: the secretary, who
holds no leader role, sees "Ký" on the minutes in the detail and signs with a USB token (SoftHSM2
over PKCS#11, through the signing process) at the THƯ KÝ block; the chair then signs with a
PKCS#12 key at CHỦ TRÌ; both signatures stay valid and the meeting is `minutes_approved`."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from pytestqt.qtbot import QtBot

from desktop.signing.token_process import TokenClient
from tests.e2e.test_minutes_signing import assert_two_valid_signatures
from tests.e2e.test_minutes_signing import nss_db as nss_db  # the pdfsig trust store
from tests.e2e.test_minutes_signing import pki as pki  # the test PKI, once per session
from tests.fixtures.drafts import signature_png
from tests.fixtures.pki import TestPki
from tests.fixtures.server import ServerProcess
from tests.fixtures.softhsm import soft_token
from tests.server.room_helpers import CHAIR, SECRETARY, open_room
from tests.server.test_minutes import run_meeting
from tests.ui.test_approval_signing import _sign_with, _token_dialog, trust_test_root
from tests.ui.test_approval_view import signed_in_core
from ui.approval_detail import ApprovalDetail
from ui.sign_dialog import SignDialog


def test_the_secretary_signs_with_the_token_then_the_chair_from_the_inbox(
    qtbot: QtBot,
    aio: Any,
    server: ServerProcess,
    pki: TestPki,
    nss_db: Path,
    tmp_path: Path,
    vietnamese: None,
) -> None:
    room = open_room(server)
    run_meeting(room)
    document_id = room.ok(SECRETARY, "POST", "minutes")["document_id"]
    image = tmp_path / "chu-ky.png"
    image.write_bytes(signature_png())

    secretary = signed_in_core(aio, server, tmp_path / "secretary", SECRETARY)
    try:
        trust_test_root(secretary, pki, tmp_path)
        detail = ApprovalDetail(secretary.inbox)
        qtbot.addWidget(detail)
        document = aio(detail.show_document(document_id))
        assert "Ký" in [b.text() for b in detail.buttons.values()]
        client = TokenClient(timeout=60)
        chain = [pki.cert("interm").dump(), pki.cert("root").dump()]
        clerk = pki.cert("clerk").dump()
        with soft_token(tmp_path / "hsm", pki.key_pem("clerk"), clerk, chain=chain) as token:
            try:
                dialog = _token_dialog(qtbot, aio, token, image, client, token.pin)
                [first] = _sign_with(secretary, aio, dialog, document)
            finally:
                aio(asyncio.to_thread(client.close))
        assert first.error is None, first.error
    finally:
        aio(secretary.aclose())
    assert room.ok(CHAIR, "GET", "minutes")["next_signer"] == "chair"

    chair = signed_in_core(aio, server, tmp_path / "chair", CHAIR)
    try:
        trust_test_root(chair, pki, tmp_path)
        document = aio(chair.inbox.document(document_id))
        key = tmp_path / "leader.p12"
        key.write_bytes(pki.pkcs12("leader", b"123456"))
        dialog = SignDialog(1, str(key), str(image))
        qtbot.addWidget(dialog)
        dialog.pin.setText("123456")
        [second] = _sign_with(chair, aio, dialog, document)
        assert second.error is None, second.error
    finally:
        aio(chair.aclose())
    final = room.as_user["chuyenvien1"].get(f"/files/{second.sha256}").body
    assert_two_valid_signatures(final, pki, nss_db, tmp_path)
    meeting = room.as_user["chuyenvien1"].get(f"/meetings/{room.meeting_id}").json()
    assert meeting["status"] == "minutes_approved"
