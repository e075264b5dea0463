"""Phát hành from the approval inbox's detail, through the real UI pieces and the real server:
the clerk's Issue button asks for the symbol, then the agency's key and seal; the document is
issued on the server (số 01 of the year, today's date), signed with those values and sent back,
so the server's last version carries the leader's and the agency's signatures."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.app import Core
from desktop.session import Session
from desktop.signing import layout
from tests.desktop.signing.conftest import pyhanko_check
from tests.fixtures.drafts import seal_png
from tests.fixtures.pki import TestPki, running_pki
from tests.fixtures.server import ServerProcess
from tests.integration.test_signed_upload import awaiting_my_signature, signed_by_leader
from tests.ui.conftest import until
from tests.ui.test_approval_signing import trust_test_root
from tests.ui.test_approval_view import signed_in_core
from ui.approval_detail import ActionDialog, ApprovalDetail
from ui.sign_dialog import SignDialog
from ui.signing_flow import issue_from_inbox


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestPki]:
    with running_pki(tmp_path_factory.mktemp("pki")) as running:
        yield running


@pytest.fixture
def clerk(aio: Any, server: ServerProcess, tmp_path: Path) -> Iterator[Core]:
    core = signed_in_core(aio, server, tmp_path / "clerk", "vanthu")
    yield core
    aio(core.aclose())


async def signed_document(core: Core, server: ServerProcess, pki: TestPki, tmp_path: Path) -> int:
    """A draft submitted, approved and signed by giamdoc: now the clerks issue it."""
    specialist = Session(core.config, core.secrets, None)
    leader = Session(core.config, core.secrets, None)
    await specialist.sign_in(server.url, "chuyenvien1", "hopdesk-demo", False)
    await leader.sign_in(server.url, "giamdoc", "hopdesk-demo", False)
    try:
        document_id, prepared = await awaiting_my_signature(specialist, leader)
        signed = await signed_by_leader(prepared, pki, tmp_path)
        ref: Any = (
            await leader.api.request("POST", "/files", params={"name": "ky.pdf"}, data=signed)
        ).body
        body = {"file_sha256": ref["sha256"], "base_sha256": hashlib.sha256(prepared).hexdigest()}
        await leader.api.post_json(f"/documents/{document_id}/sign", body)
    finally:
        await specialist.close()
        await leader.close()
    return document_id


def test_the_clerk_issues_from_the_detail(
    qtbot: QtBot,
    clerk: Core,
    aio: Any,
    server: ServerProcess,
    pki: TestPki,
    tmp_path: Path,
    vietnamese: None,
) -> None:
    trust_test_root(clerk, pki, tmp_path)
    document_id = aio(signed_document(clerk, server, pki, tmp_path), timeout=120)
    detail = ApprovalDetail(clerk.inbox)
    qtbot.addWidget(detail)
    document = aio(detail.show_document(document_id))
    assert "Phát hành" in [b.text() for b in detail.buttons.values()]

    asked: list[tuple[Any, Any]] = []
    detail.issue_requested.connect(lambda d, b: asked.append((d, b)))
    people = aio(clerk.inbox.people())
    symbol = ActionDialog("issue", "Phát hành", people, detail)
    symbol.symbol.setText("QĐ-STTTT")
    picker = symbol.recipients
    assert picker is not None
    picker.search.setText("phong cong nghe")  # typed without tone marks
    [unit] = [u for u in picker.units() if not u.isHidden()]
    assert unit.text(0) == "Phòng Công nghệ thông tin"
    unit.setCheckState(0, Qt.CheckState.Checked)  # the whole unit
    it_unit = [p for p in people if p.org_unit and p.org_unit.name == unit.text(0)]
    by_given_name = sorted(it_unit, key=lambda p: p.full_name.split()[-1])  # Huy, Lan
    recipient_ids = [p.id for p in by_given_name]
    key = tmp_path / "agency.p12"
    key.write_bytes(pki.pkcs12("agency", b"agency-pin"))
    seal = tmp_path / "dau.png"
    seal.write_bytes(seal_png())
    dialog = SignDialog(1, str(key), str(seal), detail)
    dialog.pin.setText("agency-pin")

    async def accept_when_shown(shown: Any) -> None:
        await until(shown.isVisible)
        shown.accept()

    aio(asyncio.gather(detail.ask_and_act("issue", symbol), accept_when_shown(symbol)))
    assert [(d.id, b) for d, b in asked] == [
        (document_id, {"symbol": "QĐ-STTTT", "recipient_ids": recipient_ids})
    ]
    assert aio(clerk.inbox.document(document_id)).status == "signed"  # nothing issued yet

    sent, _ = aio(
        asyncio.gather(
            issue_from_inbox(clerk, detail, document, asked[0][1], dialog),
            accept_when_shown(dialog),
        ),
        timeout=120,
    )
    issued = aio(clerk.inbox.document(document_id))
    assert (issued.status, issued.number, issued.symbol) == ("issued", "01", "QĐ-STTTT")
    assert issued.versions[-1].file.sha256 == sent
    assert clerk.uploads.records() == {}
    assert_leader_and_agency(aio(clerk.session.api.get_bytes(f"/files/{sent}")), pki)
    reached = {r.id for r in issued.readers}
    assert set(recipient_ids) <= reached
    specialist = Session(clerk.config, clerk.secrets, None)
    aio(specialist.sign_in(server.url, "chuyenvien1", "hopdesk-demo", False))
    incoming = aio(specialist.api.get_json("/documents?box=incoming"))
    aio(specialist.close())
    assert document_id in [d["id"] for d in incoming]


def assert_leader_and_agency(pdf: bytes, pki: TestPki) -> None:
    """`pdf` carries the leader's and the agency's signatures, both valid in pyHanko (the
    agency's by the agency's certificate)."""
    results = {c.field: c.status for c in pyhanko_check(pdf, pki)}
    assert set(results) == {layout.LEADER_FIELD, layout.AGENCY_FIELD}
    assert all(s.intact and s.valid and s.trusted for s in results.values())
    assert results[layout.AGENCY_FIELD].signing_cert.subject == pki.cert("agency").subject


def agency_dialog(qtbot: QtBot, pki: TestPki, tmp_path: Path) -> SignDialog:
    """The sign dialog filled with the agency's key file, seal image and PIN."""
    key = tmp_path / "agency.p12"
    key.write_bytes(pki.pkcs12("agency", b"agency-pin"))
    seal = tmp_path / "dau.png"
    seal.write_bytes(seal_png())
    dialog = SignDialog(1, str(key), str(seal))
    qtbot.addWidget(dialog)
    dialog.pin.setText("agency-pin")
    return dialog


def resume_with(aio: Any, clerk: Core, dialog: SignDialog) -> list[str]:
    """`resume_issues` at start-up, the clerk accepting the agency's key when asked."""
    from ui.signing_flow import resume_issues

    async def accept_when_shown() -> None:
        await until(dialog.isVisible)
        dialog.accept()

    made, _ = aio(
        asyncio.gather(resume_issues(clerk, None, dialog), accept_when_shown()), timeout=120
    )
    return list(made)


@pytest.fixture
def leader_signed(
    clerk: Core, aio: Any, server: ServerProcess, pki: TestPki, tmp_path: Path
) -> int:
    """A document the leader signed, for the clerk who trusts the test PKI."""
    trust_test_root(clerk, pki, tmp_path)
    return int(aio(signed_document(clerk, server, pki, tmp_path), timeout=120))


def test_an_issue_stopped_before_the_agency_signature_is_finished_at_the_next_start(
    leader_signed: int,
    qtbot: QtBot,
    clerk: Core,
    aio: Any,
    pki: TestPki,
    tmp_path: Path,
    vietnamese: None,
) -> None:
    from desktop.issue_journal import IssueJournal
    from ui.signing_flow import resume_issues

    document_id = leader_signed
    # the first run gets as far as issue_document does before signing: the issuance is
    # journaled and the server gives the number; then the app stops
    aio(IssueJournal(clerk.store, clerk.session.scope).begin(document_id))
    aio(clerk.inbox.act(document_id, "issue", {"symbol": "QĐ-STTTT", "recipient_ids": []}))
    issued = aio(clerk.inbox.document(document_id))
    assert issued.status == "issued"
    leader_sha = issued.versions[-1].file.sha256
    aio(clerk.stop_session())
    # the next start: the services read what the first run kept
    aio(clerk.start_session())
    notices: list[str] = []
    clerk.notifier.info = notices.append  # type: ignore[method-assign]
    dialog = agency_dialog(qtbot, pki, tmp_path)
    made = resume_with(aio, clerk, dialog)
    assert notices[0] == (
        f"Văn bản {issued.summary} đã được phát hành với số {issued.number} nhưng chưa ký số "
        "của cơ quan. "
        "Vui lòng ký ngay."
    )
    finished = aio(clerk.inbox.document(document_id))
    assert (finished.status, finished.number) == ("issued", issued.number)  # no second number
    assert [v.file.sha256 for v in finished.versions][-2:] == [leader_sha, made[0]]
    assert_leader_and_agency(aio(clerk.session.api.get_bytes(f"/files/{made[0]}")), pki)
    assert IssueJournal(clerk.store, clerk.session.scope).pending() == []
    assert aio(resume_issues(clerk, None, dialog)) == []  # exactly once


def test_an_issue_queued_offline_is_signed_once_the_server_took_it(
    leader_signed: int,
    qtbot: QtBot,
    clerk: Core,
    aio: Any,
    server: ServerProcess,
    pki: TestPki,
    tmp_path: Path,
    vietnamese: None,
) -> None:
    from desktop.issue_journal import IssueJournal, issues_to_finish

    journal = IssueJournal(clerk.store, clerk.session.scope)
    aio(clerk.inbox.document(leader_signed))  # opened before the network went
    server.stop()
    aio(journal.begin(leader_signed))  # what issue_document does offline: journaled, queued
    clerk.inbox.queue(leader_signed, "issue", {"symbol": "QĐ-STTTT", "recipient_ids": []})
    assert aio(issues_to_finish(clerk.inbox, clerk.uploads, journal)) == []
    assert journal.pending() == [leader_signed]  # still waiting in the outbox

    server.restart()
    aio(clerk.outbox.flush())
    assert aio(clerk.inbox.document(leader_signed)).status == "issued"
    made = resume_with(aio, clerk, agency_dialog(qtbot, pki, tmp_path))
    issued = aio(clerk.inbox.document(leader_signed))
    assert issued.versions[-1].file.sha256 == made[0]
    assert journal.pending() == []
