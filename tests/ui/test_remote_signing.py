"""Ký số từ xa from the approval inbox, through the real UI pieces, the real server and a remote
signing service on loopback (the hash-then-poll test service of VNPT SmartCA's shape, and
certomancer-csc-dummy for the CSC API): the service comes from the machine policy, the sign
dialog offers it, a waiting window stands while the "phone" is asked (Cancel stops it), the
certificate is checked before the phone is asked, and a refusal, an expiry or our own timeout
end the batch with one message in Vietnamese."""

from __future__ import annotations

import asyncio
import io
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from desktop.app import Core
from desktop.config import Config
from desktop.domain import Document
from desktop.policy import TomlPolicy
from desktop.sign_flow import BatchOutcome
from desktop.signing.remote.errors import (
    RemoteSignCancelled,
    RemoteSignExpired,
    RemoteSignRejected,
)
from desktop.signing.remote.poll import Phase
from tests.fixtures.csc_service import running_csc_service
from tests.fixtures.drafts import signature_png
from tests.fixtures.hash_poll_service import HashPollTestService, running_hash_poll_service
from tests.fixtures.pki import TestPki, running_pki
from tests.fixtures.server import ServerProcess
from tests.fixtures.threads import threads_calling
from tests.ui.conftest import until
from tests.ui.test_approval_signing import _document_awaiting
from tests.ui.test_approval_view import core as core  # the signed-in core fixture
from ui.phone_wait import PhoneWaitDialog
from ui.sign_dialog import SignDialog
from ui.signing_flow import remote_account, save_remote_token, sign_from_inbox

TOKEN = "token-of-the-phone-app"


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestPki]:
    with running_pki(tmp_path_factory.mktemp("pki")) as running:
        yield running


def use_service(
    core: Core, pki: TestPki, directory: Path, kind: str, url: str, credential: str, timeout: int
) -> None:
    """The machine policy names the remote service (and trusts the test PKI's root); the
    token is typed in Settings and lands in the keyring."""
    root = directory / "root.pem"
    root.write_bytes(pki.cert_pem("root"))
    policy = directory / "policy.toml"
    policy.write_text(
        f"signing_roots = [{str(root)!r}]\n"
        f"remote_signing = {kind!r}\nremote_signing_url = {url!r}\n"
        f"remote_signing_credential = {credential!r}\nremote_signing_timeout = {timeout}\n"
    )
    core.config = Config(policy=TomlPolicy(policy))
    save_remote_token(core, TOKEN)


def remote_dialog(qtbot: QtBot, core: Core, image: Path, count: int) -> SignDialog:
    account = remote_account(core)
    assert account is not None
    dialog = SignDialog(count, "", str(image), remote=account.service_url)
    qtbot.addWidget(dialog)
    dialog.choose_source("remote")
    assert dialog.use_remote
    assert not dialog.pin.isVisibleTo(dialog)  # approved on the phone, no PIN here
    assert dialog.remote.text() == account.service_url
    return dialog


def wait_window() -> PhoneWaitDialog | None:
    shown = [
        w
        for w in QApplication.topLevelWidgets()
        if isinstance(w, PhoneWaitDialog) and w.isVisible()
    ]
    return shown[0] if shown else None


async def start_signing(
    core: Core, dialog: SignDialog, documents: list[Document]
) -> asyncio.Future[list[BatchOutcome]]:
    task = asyncio.ensure_future(sign_from_inbox(core, None, documents, dialog))
    await until(dialog.isVisible)
    dialog.accept()
    return task


def assert_signed_by_the_leader(core: Core, aio: Any, pki: TestPki, sha256: str) -> None:
    """The server's file carries one intact, valid signature by the leader, trusted from the
    test PKI's root."""
    pdf = aio(core.session.api.get_bytes(f"/files/{sha256}"))
    [embedded] = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
    context = ValidationContext(
        trust_roots=[pki.cert("root")], other_certs=[pki.cert("interm")], allow_fetching=True
    )
    status = validate_pdf_signature(embedded, context)
    assert status.intact
    assert status.valid
    assert status.trusted
    assert status.signing_cert.subject == pki.cert("leader").subject


@pytest.fixture
def image(tmp_path: Path) -> Path:
    path = tmp_path / "chu-ky.png"
    path.write_bytes(signature_png())
    return path


def test_the_leader_signs_approving_on_the_phone(
    qtbot: QtBot,
    core: Core,
    aio: Any,
    server: ServerProcess,
    pki: TestPki,
    tmp_path: Path,
    image: Path,
    vietnamese: None,
) -> None:
    document = _document_awaiting(core, aio, server)
    seen: list[str] = []

    async def scenario(service: HashPollTestService) -> list[BatchOutcome]:
        use_service(core, pki, tmp_path, "hash-poll", service.url, "leader", 300)
        dialog = remote_dialog(qtbot, core, image, 1)
        task = await start_signing(core, dialog, [document])
        tran = await service.next_transaction()
        await until(lambda: wait_window() is not None)
        window = wait_window()
        assert window is not None
        seen.append(window.text.text())
        service.approve(tran)
        return await task

    async def run() -> list[BatchOutcome]:
        async with running_hash_poll_service(pki, TOKEN, ["leader"]) as service:
            return await scenario(service)

    outcomes = aio(run(), timeout=120)
    assert [o.error for o in outcomes] == [None]
    assert seen == ["Mở ứng dụng ký số trên điện thoại và xác nhận yêu cầu ký (văn bản 1/1)."]
    assert wait_window() is None  # closed after signing
    signed = aio(core.inbox.document(document.id))
    assert signed.status == "signed"
    assert signed.versions[-1].file.sha256 == outcomes[0].sha256
    assert_signed_by_the_leader(core, aio, pki, str(outcomes[0].sha256))


def test_the_leader_signs_through_the_csc_service(
    qtbot: QtBot,
    core: Core,
    aio: Any,
    server: ServerProcess,
    pki: TestPki,
    tmp_path: Path,
    image: Path,
    vietnamese: None,
) -> None:
    document = _document_awaiting(core, aio, server)

    async def run() -> list[BatchOutcome]:
        async with running_csc_service(pki) as url:
            use_service(core, pki, tmp_path, "csc", url, "hopdesk/leader", 300)
            dialog = remote_dialog(qtbot, core, image, 1)
            return await (await start_signing(core, dialog, [document]))

    outcomes = aio(run(), timeout=120)
    assert [o.error for o in outcomes] == [None]
    assert_signed_by_the_leader(core, aio, pki, str(outcomes[0].sha256))


SUMMARIES = ["Kế hoạch chuyển đổi số năm 2027", "Báo cáo tổng kết công tác văn thư"]


def test_the_phone_shows_each_document_of_a_csc_batch(
    qtbot: QtBot,
    core: Core,
    aio: Any,
    server: ServerProcess,
    pki: TestPki,
    tmp_path: Path,
    image: Path,
    vietnamese: None,
) -> None:
    """credentials/authorize carries each document's trích yếu as its `description` (what the
    phone shows), not the same "HopDesk" for every request of the batch."""
    documents = [_document_awaiting(core, aio, server, s) for s in SUMMARIES]
    authorized: list[dict[str, object]] = []

    async def run() -> list[BatchOutcome]:
        async with running_csc_service(pki, authorized=authorized) as url:
            use_service(core, pki, tmp_path, "csc", url, "hopdesk/leader", 300)
            dialog = remote_dialog(qtbot, core, image, 2)
            return await (await start_signing(core, dialog, documents))

    outcomes = aio(run(), timeout=120)
    assert [o.error for o in outcomes] == [None, None]
    assert [a["description"] for a in authorized] == SUMMARIES


def test_the_phone_shows_each_document_of_a_hash_poll_batch(
    qtbot: QtBot,
    core: Core,
    aio: Any,
    server: ServerProcess,
    pki: TestPki,
    tmp_path: Path,
    image: Path,
    vietnamese: None,
) -> None:
    documents = [_document_awaiting(core, aio, server, s) for s in SUMMARIES]

    async def run() -> tuple[list[BatchOutcome], list[str]]:
        async with running_hash_poll_service(pki, TOKEN, ["leader"]) as service:
            use_service(core, pki, tmp_path, "hash-poll", service.url, "leader", 300)
            task = await start_signing(core, remote_dialog(qtbot, core, image, 2), documents)
            service.approve(await service.next_transaction())
            service.approve(await service.next_transaction())
            outcomes = await task
            return outcomes, [t.description for t in service.transactions.values()]

    outcomes, shown = aio(run(), timeout=120)
    assert [o.error for o in outcomes] == [None, None]
    assert shown == SUMMARIES


def test_a_refusal_on_the_phone_ends_the_batch_with_one_message(
    qtbot: QtBot,
    core: Core,
    aio: Any,
    server: ServerProcess,
    pki: TestPki,
    tmp_path: Path,
    image: Path,
    vietnamese: None,
) -> None:
    documents = [_document_awaiting(core, aio, server) for _ in range(3)]
    warnings: list[str] = []
    core.notifier.warning = warnings.append  # type: ignore[method-assign]

    async def run() -> tuple[list[BatchOutcome], int]:
        async with running_hash_poll_service(pki, TOKEN, ["leader"]) as service:
            use_service(core, pki, tmp_path, "hash-poll", service.url, "leader", 300)
            task = await start_signing(core, remote_dialog(qtbot, core, image, 3), documents)
            service.approve(await service.next_transaction())
            service.reject(await service.next_transaction())
            return await task, len(service.transactions)

    outcomes, asked = aio(run(), timeout=120)
    assert outcomes[0].error is None
    assert [type(o.error) for o in outcomes[1:]] == [RemoteSignRejected, RemoteSignRejected]
    assert asked == 2  # the phone is not asked again for the third document
    assert warnings == ["Yêu cầu ký đã bị từ chối trên điện thoại. Văn bản chưa được ký."]
    statuses = [aio(core.inbox.document(d.id)).status for d in documents]
    assert statuses[0] == "signed"
    assert "signed" not in statuses[1:]


def test_the_wait_times_out_with_a_message(
    qtbot: QtBot,
    core: Core,
    aio: Any,
    server: ServerProcess,
    pki: TestPki,
    tmp_path: Path,
    image: Path,
    vietnamese: None,
) -> None:
    documents = [_document_awaiting(core, aio, server) for _ in range(2)]
    warnings: list[str] = []
    core.notifier.warning = warnings.append  # type: ignore[method-assign]

    async def run() -> list[BatchOutcome]:
        async with running_hash_poll_service(pki, TOKEN, ["leader"]) as service:
            # nobody looks at the phone; the policy gives it 1 second
            use_service(core, pki, tmp_path, "hash-poll", service.url, "leader", 1)
            return await (
                await start_signing(core, remote_dialog(qtbot, core, image, 2), documents)
            )

    outcomes = aio(run(), timeout=120)
    assert [type(o.error) for o in outcomes] == [RemoteSignExpired, RemoteSignExpired]
    assert warnings == [
        "Yêu cầu ký không được xác nhận trên điện thoại kịp thời hạn. "
        "Văn bản chưa được ký; vui lòng thử lại."
    ]


def test_cancel_in_the_waiting_window_stops_at_once(
    qtbot: QtBot,
    core: Core,
    aio: Any,
    server: ServerProcess,
    pki: TestPki,
    tmp_path: Path,
    image: Path,
    vietnamese: None,
) -> None:
    document = _document_awaiting(core, aio, server)
    warnings: list[str] = []
    core.notifier.warning = warnings.append  # type: ignore[method-assign]

    async def run() -> list[BatchOutcome]:
        async with running_hash_poll_service(pki, TOKEN, ["leader"]) as service:
            use_service(core, pki, tmp_path, "hash-poll", service.url, "leader", 300)
            task = await start_signing(core, remote_dialog(qtbot, core, image, 1), [document])
            await service.next_transaction()
            await until(lambda: wait_window() is not None)
            window = wait_window()
            assert window is not None
            assert window.cancel_button.text() == "Hủy ký"
            window.cancel_button.click()
            return await asyncio.wait_for(task, 10)  # well before the 300 s

    outcomes = aio(run(), timeout=120)
    assert [type(o.error) for o in outcomes] == [RemoteSignCancelled]
    assert warnings == ["Đã hủy ký. Văn bản chưa được ký."]
    assert aio(core.inbox.document(document.id)).status != "signed"


def test_a_remote_certificate_is_checked_before_the_phone_is_asked(
    qtbot: QtBot,
    core: Core,
    aio: Any,
    server: ServerProcess,
    pki: TestPki,
    tmp_path: Path,
    image: Path,
    vietnamese: None,
) -> None:
    document = _document_awaiting(core, aio, server)
    warnings: list[str] = []
    core.notifier.warning = warnings.append  # type: ignore[method-assign]

    async def run() -> tuple[list[BatchOutcome], int]:
        async with running_hash_poll_service(pki, TOKEN, ["expired"]) as service:
            use_service(core, pki, tmp_path, "hash-poll", service.url, "expired", 300)
            task = await start_signing(core, remote_dialog(qtbot, core, image, 1), [document])
            return await task, len(service.transactions)

    outcomes, asked = aio(run(), timeout=120)
    assert outcomes == []
    assert asked == 0
    assert len(warnings) == 1
    assert "đã hết hạn" in warnings[0]


def test_the_waiting_window_counts_down_between_reports(qtbot: QtBot, vietnamese: None) -> None:
    """The CSC service reports only when the request is sent and answered: the time left still
    counts down every second, and Cancel reaches the signer."""
    cancelled: list[bool] = []
    window = PhoneWaitDialog(2, 300, lambda: cancelled.append(True))
    qtbot.addWidget(window)
    window.progress(10.0, Phase.WAITING)
    assert window.remaining.text() == "Thời gian còn lại: 4:50"
    # a second later (more on a loaded machine), without another report
    qtbot.waitUntil(lambda: window.remaining.text() != "Thời gian còn lại: 4:50", timeout=10000)
    assert window.remaining.text() in {f"Thời gian còn lại: 4:{s}" for s in range(40, 50)}
    window.document(1)
    assert window.text.text().endswith("(văn bản 2/2).")
    window.reject()  # Esc
    assert cancelled == [True]
    assert window.remaining.text() == "Đang hủy…"


def test_reports_from_the_signing_thread_reach_the_window_on_the_gui_thread(
    qtbot: QtBot, vietnamese: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pyHanko signs on a worker thread (desktop/signing/worker.py), where the remote signer
    reports its progress: the window's labels and countdown timer change on the GUI thread
    only (before: on the signing thread, which Qt does not allow)."""
    shown_on = threads_calling(monkeypatch, QLabel, "setText")
    window = PhoneWaitDialog(1, 300, lambda: None)
    qtbot.addWidget(window)
    shown_on.clear()
    reporter = threading.Thread(target=window.progress, args=(30.0, Phase.WAITING))
    reporter.start()
    reporter.join()
    qtbot.waitUntil(lambda: window.remaining.text() == "Thời gian còn lại: 4:30", timeout=10000)
    assert set(shown_on) == {threading.main_thread().ident}
    done = threading.Thread(target=window.progress, args=(31.0, Phase.DONE))
    done.start()
    done.join()
    qtbot.waitUntil(lambda: not window._ticker.isActive(), timeout=10000)
    assert set(shown_on) == {threading.main_thread().ident}


@pytest.mark.parametrize(
    ("configured", "said"),
    [
        (
            False,
            "Chưa thiết lập dịch vụ ký số từ xa. Vui lòng thiết lập trong phần Cài đặt.",
        ),
        (
            True,  # the service is named, but no access token was typed in Settings
            "HopDesk chưa đăng nhập dịch vụ ký số từ xa. "
            "Vui lòng đăng nhập trong phần Cài đặt và thử lại.",
        ),
    ],
)
def test_remote_signing_not_set_up_is_told(
    configured: bool,
    said: str,
    qtbot: QtBot,
    core: Core,
    aio: Any,
    server: ServerProcess,
    tmp_path: Path,
    image: Path,
    vietnamese: None,
) -> None:
    document = _document_awaiting(core, aio, server)
    if configured:
        policy = tmp_path / "policy.toml"
        policy.write_text('remote_signing = "csc"\nremote_signing_url = "http://127.0.0.1:9"\n')
        core.config = Config(policy=TomlPolicy(policy))
    warnings: list[str] = []
    core.notifier.warning = warnings.append  # type: ignore[method-assign]
    dialog = SignDialog(1, "", str(image))
    qtbot.addWidget(dialog)
    dialog.choose_source("remote")
    assert (
        dialog.remote.text()
        == "Chưa thiết lập dịch vụ ký số từ xa. Vui lòng thiết lập trong phần Cài đặt."
    )

    async def run() -> list[BatchOutcome]:
        return await (await start_signing(core, dialog, [document]))

    assert aio(run(), timeout=60) == []
    assert warnings == [said]
