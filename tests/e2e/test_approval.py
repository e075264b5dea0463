"""The approval workflow end to end through the real server and the desktop's services and UI
pieces: the clerk registers an incoming document, the leader assigns it from the inbox, the
specialist drafts the answer and submits it, the leader signs on the desktop with the SoftHSM2
token (signing process), the clerk issues it (số and date from the server's register), applies
the agency's signature and sends the issued file back. The file a recipient downloads from the
server carries both signatures, valid in pyHanko and poppler's pdfsig, the số and date filled,
and the changes after the leader's signature are form filling at most."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pyhanko.sign.diff_analysis import ModificationLevel
from pytestqt.qtbot import QtBot

from desktop.files import FileCache
from desktop.inbox import ApprovalInbox
from desktop.inbox_index import WAITING
from desktop.outbox import Outbox
from desktop.session import Session
from desktop.sign_flow import finish_issue, issue_document, sign_many
from desktop.signed_uploads import SignedUploads
from desktop.signing import appearance, keys, layout
from desktop.signing.token_process import TokenClient
from desktop.store import LocalStore
from tests.desktop.signing.conftest import nss_db as nss_db  # the pdfsig trust store
from tests.desktop.signing.conftest import pdfsig_report, pyhanko_check
from tests.fixtures.drafts import draft_pdf, seal_png, signature_png
from tests.fixtures.pki import TestPki, running_pki
from tests.fixtures.server import ServerProcess
from tests.fixtures.softhsm import SoftToken, soft_token
from tests.ui.conftest import aio as aio  # coroutines on a qasync loop
from ui.approval_detail import ApprovalDetail

PASSWORD = "hopdesk-demo"


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestPki]:
    with running_pki(tmp_path_factory.mktemp("pki")) as running:
        yield running


@pytest.fixture
def token(pki: TestPki, tmp_path: Path) -> Iterator[SoftToken]:
    with soft_token(tmp_path / "hsm", pki.key_pem("leader"), pki.cert("leader").dump()) as made:
        yield made


class Desk:
    """One person's desktop: session, local store, outbox, inbox, files, signed uploads."""

    def __init__(self, root: Path) -> None:
        self.store = LocalStore(root / "cache.db")
        self.store.open()
        self.root = root

    async def sign_in(self, url: str, username: str) -> Desk:
        from desktop.config import Config
        from desktop.secrets import SecretStore

        self.session = Session(Config(), SecretStore(), self.store)
        await self.session.sign_in(url, username, PASSWORD, False)
        self.outbox = Outbox(self.store, self.session.api)
        self.inbox = ApprovalInbox(self.session, outbox=self.outbox)
        self.files = FileCache(self.session, self.root / "files", 1 << 30)
        scope = self.session.scope
        self.uploads = SignedUploads(self.store, self.session.api, self.outbox, scope, self.root)
        return self

    @property
    def user_id(self) -> int:
        assert self.session.user is not None
        return self.session.user.id

    async def upload(self, pdf: bytes, name: str) -> str:
        ref: Any = (
            await self.session.api.request("POST", "/files", params={"name": name}, data=pdf)
        ).body
        return str(ref["sha256"])

    async def close(self) -> None:
        await self.inbox.close()
        await self.files.close()
        await self.session.close()
        self.store.close()


def test_register_assign_draft_submit_sign_with_the_token_and_issue(
    qtbot: QtBot,
    aio: Any,
    server: ServerProcess,
    pki: TestPki,
    token: SoftToken,
    nss_db: Path,
    tmp_path: Path,
) -> None:
    url = server.url
    clerk = aio(Desk(tmp_path / "clerk").sign_in(url, "vanthu"))
    leader = aio(Desk(tmp_path / "leader").sign_in(url, "giamdoc"))
    specialist = aio(Desk(tmp_path / "specialist").sign_in(url, "chuyenvien1"))
    recipient = aio(Desk(tmp_path / "recipient").sign_in(url, "chanhvp"))
    try:
        # the clerk registers the incoming letter and asks the leader to route it
        letter = aio(clerk.upload(draft_pdf(), "cong-van-den.pdf"))
        incoming: Any = aio(
            clerk.session.api.post_json(
                "/documents",
                {
                    "direction": "in",
                    "number": "215",
                    "symbol": "UBND-VP",
                    "issuing_agency": "UBND tỉnh Hòa Bình",
                    "doc_type": "Công văn",
                    "summary": "Đề nghị ban hành quy chế làm việc",
                    "leader_id": leader.user_id,
                    "file_sha256": letter,
                },
            )
        )
        # the leader sees it waiting and assigns it from the detail's button
        aio(leader.inbox.refresh())
        assert incoming["id"] in {d.id for d in leader.inbox.documents(WAITING)}
        detail = ApprovalDetail(leader.inbox)
        qtbot.addWidget(detail)
        aio(detail.show_document(incoming["id"]))
        assert "assign" in detail.buttons
        body = {"processor_id": specialist.user_id, "coordinator_ids": [], "deadline": None}
        aio(leader.inbox.act(incoming["id"], "assign", {**body, "instruction": "Soạn quy chế"}))
        assert leader.outbox.pending == 0

        # the specialist drafts the decision (fields prepared) and submits it to the leader
        aio(specialist.inbox.refresh())
        assert incoming["id"] in {d.id for d in specialist.inbox.documents(WAITING)}
        prepared, _ = layout.prepare_draft_from_text(draft_pdf())
        draft: Any = aio(
            specialist.session.api.post_json(
                "/documents",
                {
                    "direction": "out",
                    "issuing_agency": "Sở Thông tin và Truyền thông",
                    "place": "Hòa Bình",
                    "doc_type": "Quyết định",
                    "summary": "Quyết định ban hành quy chế làm việc",
                    "file_sha256": aio(specialist.upload(prepared, "quy-che.pdf")),
                },
            )
        )
        aio(specialist.inbox.act(draft["id"], "submit", {"approver_id": leader.user_id}))
        aio(leader.inbox.act(draft["id"], "approve", {}))

        # the leader signs on the desktop with the SoftHSM2 token (PIN once)
        document = aio(leader.inbox.document(draft["id"]))
        assert "sign" in leader.inbox.allowed(document)
        client = TokenClient()
        try:
            signer = aio(client.login(token.module, token.label, token.pin, token.key_label))
            stamp = appearance.StampImage.from_png(signature_png())
            [outcome] = aio(
                sign_many([document], signer, stamp, leader.files, leader.uploads), timeout=120
            )
        finally:
            client.close()
        assert outcome.error is None
        assert aio(leader.inbox.document(draft["id"])).status == "signed"

        # the clerk issues it: số and date from the register, the agency's signature, uploaded
        agency_key = tmp_path / "agency.p12"
        agency_key.write_bytes(pki.pkcs12("agency", b"agency-pin"))
        agency = keys.load_pkcs12(agency_key, "agency-pin")
        seal = appearance.StampImage.from_png(seal_png())
        body = {"symbol": "QĐ-STTTT", "recipient_ids": [recipient.user_id]}
        sent = aio(
            issue_document(
                clerk.inbox,
                draft["id"],
                body,
                lambda issued: finish_issue(issued, agency, seal, clerk.files, clerk.uploads),
            ),
            timeout=120,
        )
        assert (clerk.outbox.pending, clerk.uploads.records()) == (0, {})

        # the recipient downloads the server's last version: the clerk's agency-signed file
        issued = aio(recipient.inbox.document(draft["id"]))
        assert (issued.status, issued.number) == ("issued", "01")
        assert issued.issued_on is not None
        assert issued.versions[-1].file.sha256 == sent
        final = aio(recipient.files.fetch(issued.versions[-1].file)).read_bytes()

        results = {c.field: c.status for c in pyhanko_check(final, pki)}
        assert set(results) == {layout.LEADER_FIELD, layout.AGENCY_FIELD}
        for status in results.values():
            assert status.intact
            assert status.valid
            assert status.trusted
        leader_level = results[layout.LEADER_FIELD].modification_level
        assert leader_level is not None
        assert leader_level <= ModificationLevel.FORM_FILLING
        report = pdfsig_report(final, nss_db, tmp_path)
        assert report.count("Signature is Valid") == 2, report
        assert "Số: 01/QĐ-STTTT" in issued_text(final)
        assert appearance.date_line("Hòa Bình", issued.issued_on) in issued_text(final)
    finally:
        for desk in (clerk, leader, specialist, recipient):
            aio(desk.close())


def issued_text(pdf: bytes) -> str:
    """The filled field values as the PDF carries them (number and date lines)."""
    import io

    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(pdf))
    values = [f.get_object().get("/V") for f in reader.root["/AcroForm"]["/Fields"]]
    return " ".join(str(v) for v in values if v is not None)
