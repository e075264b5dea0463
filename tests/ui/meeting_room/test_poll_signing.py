"""A delegate signs an open vote from the votes panel with their certificate, through the inbox's
signing dialog and keys, on the real core and server: a wrong PIN sends nothing, says why and
leaves the options to vote again; the right key (a PKCS#12 file, or a SoftHSM2 token through the
signing process) sends the ballot signed, the server checks and keeps the signature, and after
the close everyone's panel says whose ballot is signed, and which certificate the app does not
trust (the server keeps any certificate's signature). A secret poll offers no signing."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import cms
from pyhanko.sign.signers import Signer
from pyhanko.sign.validation.generic_cms import validate_sig_integrity
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from desktop.app import Core
from desktop.meeting_room.polls import PollsService
from desktop.signing.token_process import TokenClient
from server.ballot_signatures import ballot_text
from tests.fixtures.pki import TestPki
from tests.fixtures.server import ServerProcess
from tests.fixtures.softhsm import soft_token
from tests.server.room_helpers import CHAIR, SECRETARY, Room, open_room
from tests.server.test_ballot_signatures import b64, sign, signer
from tests.ui.conftest import until
from tests.ui.test_approval_signing import _token_dialog, trust_test_root
from tests.ui.test_approval_signing import pki as pki  # the test PKI, once per module
from ui.meeting_room.poll_panel import PollPanel, ballot_verifier
from ui.sign_dialog import SignDialog
from ui.signing_flow import ballot_key

pytestmark = pytest.mark.timeout(240)

DELEGATE = "phogiamdoc"
Opener = Callable[[QWidget, str], AbstractAsyncContextManager[Signer | None]]


@pytest.fixture
def room(server: ServerProcess) -> Room:
    return open_room(server)


def opener(core: Core, dialogs: list[SignDialog], headings: list[str]) -> Opener:
    """The window's `ballot_key`, with the prepared dialogs (one per signature) accepted as
    soon as they show, as the user would after typing the PIN."""

    accepting: list[asyncio.Task[None]] = []

    def open_key(parent: QWidget, heading: str) -> AbstractAsyncContextManager[Signer | None]:
        headings.append(heading)
        dialog = dialogs.pop(0)

        async def accept_when_shown() -> None:
            await until(dialog.isVisible)
            dialog.accept()

        accepting.append(asyncio.ensure_future(accept_when_shown()))
        return ballot_key(core, parent, heading, dialog)

    return open_key


def p12_dialog(qtbot: QtBot, key: Path, pin: str) -> SignDialog:
    dialog = SignDialog(1, str(key), "", with_image=False, heading="ballot")
    qtbot.addWidget(dialog)
    dialog.pin.setText(pin)
    return dialog


def open_poll(room: Room, title: str, **options: Any) -> int:
    poll = room.ok(SECRETARY, "POST", "polls", {"title": title, **options})
    room.ok(CHAIR, "POST", f"polls/{poll['id']}/open")
    return int(poll["id"])


def assert_signed_by(room: Room, poll_id: int, pki: TestPki, label: str, option: int) -> None:
    """The published ballot carries a signature over the contract's text of this poll and
    option (computed here by the server's own function), made by `label`'s certificate."""
    poll = room.ok(CHAIR, "GET", f"polls/{poll_id}")
    [ballot] = [b for b in poll["ballots"] if b["option"] == option]
    assert ballot["signed_by"] == pki.cert(label).subject.human_friendly
    content = cms.ContentInfo.load(base64.b64decode(ballot["signature"]))["content"]
    [cert] = [
        c.chosen for c in content["certificates"] if c.chosen.dump() == pki.cert(label).dump()
    ]
    text = ballot_text(poll_id, room.meeting_id, poll["title"], option, poll["options"][option])
    digest = hashlib.sha256(text).digest()
    info = content["signer_infos"][0]
    assert validate_sig_integrity(info, cert, "data", digest) == (True, True)


async def settle(panel: PollPanel) -> None:
    await until(lambda: panel.signing is None and not panel.tasks.busy, 60)


def test_a_wrong_pin_sends_nothing_then_the_signed_vote_is_checked_by_the_server(
    aio: Any,
    qtbot: QtBot,
    core_as: Callable[[str], Core],
    room: Room,
    pki: TestPki,
    tmp_path: Path,
    vietnamese: None,
) -> None:
    core = trust_test_root(core_as(DELEGATE), pki, tmp_path)
    warnings: list[str] = []
    core.notifier.warning = warnings.append  # type: ignore[method-assign]
    key = tmp_path / "leader.p12"
    key.write_bytes(pki.pkcs12("leader", b"123456"))
    dialogs = [p12_dialog(qtbot, key, "000000"), p12_dialog(qtbot, key, "123456")]
    headings: list[str] = []
    poll_id = open_poll(room, "Thông qua dự toán")
    service = PollsService(core.session, core.events, core.outbox, room.meeting_id)
    aio(service.refresh())
    panel = PollPanel(
        service,
        runs=False,
        open_key=opener(core, dialogs, headings),
        verify=ballot_verifier(core),
    )
    qtbot.addWidget(panel)
    panel.show()
    try:
        aio(until(lambda: len(panel.vote_buttons) == 3))
        assert panel.sign_check.isVisible()
        panel.sign_check.setChecked(True)

        async def vote_and_settle(option: int) -> None:
            panel.vote_buttons[option].click()
            await settle(panel)

        aio(vote_and_settle(1), timeout=120)  # the wrong PIN
        assert len(warnings) == 1
        assert "Sai mã PIN" in warnings[0]
        assert "chưa được gửi" in panel.sign_note.text()
        assert [b.isEnabled() for b in panel.vote_buttons] == [True, True, True]
        assert not service.sending(poll_id)
        assert core.outbox.pending == 0
        assert room.ok(CHAIR, "GET", f"polls/{poll_id}")["voted"] == 0
        assert "Không tán thành" in headings[0]
        assert "Thông qua dự toán" in headings[0]

        aio(vote_and_settle(0), timeout=120)  # the right one
        aio(until(lambda: service.polls[poll_id].i_voted))
        assert warnings == warnings[:1]
        assert panel.sign_note.text() == ""
        assert "Tán thành" in panel.mine.text()
        # another delegate signs with a certificate of no trusted authority: the server
        # keeps it (it trusts nobody), the app says it is not trusted
        poll = room.ok(CHAIR, "GET", f"polls/{poll_id}")
        text = ballot_text(poll_id, room.meeting_id, poll["title"], 2, poll["options"][2])
        stranger = b64(sign(signer(pki, "stranger"), text))
        body = {"option": 2, "signature": stranger}
        room.ok("chuyenvien1", "POST", f"polls/{poll_id}/vote", body)
        room.ok(CHAIR, "POST", f"polls/{poll_id}/close")
        aio(until(lambda: panel.ballots_model.rowCount() == 2))
        lines = lambda: [panel.ballots_model.index(i).data() for i in range(2)]  # noqa: E731
        aio(until(lambda: any("không được tin cậy" in line for line in lines()), 60))
        [mine] = [line for line in lines() if "Tán thành" in line]
        assert "ký số bởi" in mine
        assert pki.cert("leader").subject.human_friendly in mine
        assert "không được tin cậy" not in mine
        [theirs] = [line for line in lines() if "Không biểu quyết" in line]
        assert "không được tin cậy" in theirs
        assert panel.signed.text().endswith("2/2")
        assert_signed_by(room, poll_id, pki, "leader", 0)
    finally:
        aio(service.close())


def test_a_vote_signed_with_the_usb_token(
    aio: Any,
    qtbot: QtBot,
    core_as: Callable[[str], Core],
    room: Room,
    pki: TestPki,
    tmp_path: Path,
    vietnamese: None,
) -> None:
    core = trust_test_root(core_as(DELEGATE), pki, tmp_path)
    warnings: list[str] = []
    core.notifier.warning = warnings.append  # type: ignore[method-assign]
    poll_id = open_poll(room, "Thông qua kế hoạch", show_live=True)
    service = PollsService(core.session, core.events, core.outbox, room.meeting_id)
    aio(service.refresh())
    client = TokenClient(timeout=60)
    chain = [pki.cert("interm").dump(), pki.cert("root").dump()]
    leader = pki.cert("leader").dump()
    try:
        with soft_token(tmp_path / "hsm", pki.key_pem("leader"), leader, chain=chain) as token:
            dialog = _token_dialog(qtbot, aio, token, tmp_path / "none.png", client, token.pin)
            panel = PollPanel(service, runs=False, open_key=opener(core, [dialog], []))
            qtbot.addWidget(panel)
            aio(until(lambda: len(panel.vote_buttons) == 3))
            panel.sign_check.setChecked(True)
            panel.show()

            async def vote() -> None:
                panel.vote_buttons[2].click()
                await settle(panel)

            aio(vote(), timeout=120)
            assert warnings == []
            aio(until(lambda: service.polls[poll_id].i_voted))
        # live results: the ballots (and who signed) are shown while the vote goes on
        assert_signed_by(room, poll_id, pki, "leader", 2)
        aio(until(lambda: panel.ballots_model.rowCount() == 1))
    finally:
        aio(asyncio.to_thread(client.close))
        aio(service.close())


def test_a_secret_poll_offers_no_signing(
    aio: Any, qtbot: QtBot, core_as: Callable[[str], Core], room: Room
) -> None:
    core = core_as(DELEGATE)
    open_poll(room, "Bầu tổ thư ký", secret=True)
    service = PollsService(core.session, core.events, core.outbox, room.meeting_id)
    aio(service.refresh())

    def never(_parent: QWidget, _heading: str) -> AbstractAsyncContextManager[Signer | None]:
        raise AssertionError("a secret ballot is never signed")

    panel = PollPanel(service, runs=False, open_key=never)
    qtbot.addWidget(panel)
    panel.show()
    try:
        aio(until(lambda: len(panel.vote_buttons) == 3))
        assert not panel.sign_check.isVisible()
    finally:
        aio(service.close())


def test_a_cancelled_key_sends_nothing_even_from_a_panel_off_screen(
    aio: Any, qtbot: QtBot, core_as: Callable[[str], Core], room: Room
) -> None:
    core = core_as(DELEGATE)
    poll_id = open_poll(room, "Thông qua quy chế")
    service = PollsService(core.session, core.events, core.outbox, room.meeting_id)
    aio(service.refresh())
    asked: list[str] = []

    @contextlib.asynccontextmanager
    async def cancelled(_parent: QWidget, heading: str) -> AsyncIterator[Signer | None]:
        asked.append(heading)
        yield None  # the user pressed Cancel in the signing dialog

    panel = PollPanel(service, runs=False, open_key=cancelled)  # in a tab not shown
    qtbot.addWidget(panel)
    try:
        aio(until(lambda: len(panel.vote_buttons) == 3))
        panel.sign_check.setChecked(True)

        async def vote() -> None:
            panel.vote(0)
            await settle(panel)

        aio(vote())
        assert len(asked) == 1
        assert panel.sign_note.text() != ""
        assert not service.sending(poll_id)
        assert room.ok(CHAIR, "GET", f"polls/{poll_id}")["voted"] == 0
    finally:
        aio(service.close())
