"""Where the keys come from, set in Settings or fixed by the machine policy: the USB token's
PKCS#11 driver (greyed out in the sign dialog when the policy names it; SoftHSM2 stands for
the vendor DLL) and the remote signing service, whose access token goes to the keyring only."""

from __future__ import annotations

import asyncio
import threading
import time
import tomllib
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop.app import Core
from desktop.config import Config
from desktop.policy import TomlPolicy, WindowsRegistryPolicy
from tests.fixtures.drafts import signature_png
from tests.fixtures.keyring import MemoryKeyring
from tests.fixtures.pki import TestPki
from tests.fixtures.server import ServerProcess
from tests.fixtures.softhsm import soft_token
from tests.fixtures.store_lock import HOLD_SECONDS, watching_the_loop
from tests.ui.conftest import until
from tests.ui.test_approval_signing import _document_awaiting
from tests.ui.test_approval_view import core as core  # the signed-in core fixture
from tests.ui.test_remote_signing import pki as pki  # the running test PKI
from ui.settings_dialog import SettingsDialog
from ui.sign_dialog import SignDialog
from ui.signing_flow import remote_account, remote_tokens, save_remote_token, sign_from_inbox


def test_the_token_driver_named_by_policy_is_greyed_out_and_signs(
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
    chain = [pki.cert("interm").dump(), pki.cert("root").dump()]
    leader = pki.cert("leader").dump()
    with soft_token(tmp_path / "hsm", pki.key_pem("leader"), leader, chain=chain) as token:
        root = tmp_path / "root.pem"
        root.write_bytes(pki.cert_pem("root"))
        policy = tmp_path / "policy.toml"
        policy.write_text(f"signing_roots = [{str(root)!r}]\npkcs11_module = {token.module!r}\n")
        core.config = Config(policy=TomlPolicy(policy))
        core.store.set_later(f"signing-paths:{core.session.scope}", {"image": str(image)})

        async def use_the_dialog() -> SignDialog:
            await until(
                lambda: any(
                    isinstance(w, SignDialog) and w.isVisible()
                    for w in QApplication.topLevelWidgets()
                )
            )
            [dialog] = [w for w in QApplication.topLevelWidgets() if isinstance(w, SignDialog)]
            dialog.choose_source("token")
            assert dialog.module_path == token.module
            assert not dialog.module.isEnabled()
            assert dialog.module.toolTip() == "Do chính sách của cơ quan bạn thiết lập"
            dialog.read_token.click()
            await until(lambda: dialog.certificate.count() == 1, 60)
            dialog.pin.setText(token.pin)
            dialog.accept()
            return dialog

        outcomes, dialog = aio(
            asyncio.gather(sign_from_inbox(core, None, [document]), use_the_dialog()),
            timeout=120,
        )
        qtbot.addWidget(dialog)
    assert [o.error for o in outcomes] == [None]
    assert aio(core.inbox.document(document.id)).status == "signed"


def test_the_driver_from_settings_comes_first_and_stays_editable(
    qtbot: QtBot, core: Core, aio: Any, tmp_path: Path, vietnamese: None
) -> None:
    from ui.signing_flow import _dialog

    user_file = tmp_path / "settings.toml"
    user_file.write_text('pkcs11_module = "C:\\\\Windows\\\\System32\\\\eTPKCS11.dll"\n')
    core.config = Config(user_file=user_file)
    dialog = aio(_dialog(core, None, 1, {}, _NoToken()))
    qtbot.addWidget(dialog)
    assert dialog.module.itemText(0) == "C:\\Windows\\System32\\eTPKCS11.dll"
    assert dialog.module.isEnabled()


class _NoToken:
    async def list_certificates(self, module: str) -> tuple[()]:
        return ()


def test_settings_edit_the_signing_keys_and_policy_greys_them(
    qtbot: QtBot, core: Core, tmp_path: Path, vietnamese: None
) -> None:
    policy = WindowsRegistryPolicy(
        lambda: {"Pkcs11Module": r"C:\Windows\SysWOW64\vnptca_p11_v8.dll"}
    )
    user_file = tmp_path / "settings.toml"
    core.config = Config(user_file=user_file, policy=policy)
    dialog = SettingsDialog(
        core.config, save_remote_token=lambda token: save_remote_token(core, token)
    )
    qtbot.addWidget(dialog)
    assert not dialog.pkcs11_module.isEnabled()
    assert dialog.pkcs11_module.text() == r"C:\Windows\SysWOW64\vnptca_p11_v8.dll"
    assert dialog.pkcs11_module.toolTip() == "Do chính sách của cơ quan bạn thiết lập"
    assert dialog.remote_signing.isEnabled()
    dialog.remote_signing.setCurrentIndex(dialog.remote_signing.findData("hash-poll"))
    assert dialog.remote_signing.currentText().startswith("Gửi mã băm")
    dialog.remote_signing_url.setText("https://gwsca.vnpt.vn/sca/sp769/v1")
    dialog.remote_signing_credential.setText("cred-1")
    dialog.remote_token.setText("secret-oauth-token")
    dialog.accept()
    core.config.flush()
    saved = tomllib.loads(user_file.read_text(encoding="utf-8"))
    assert saved == {
        "remote_signing": "hash-poll",
        "remote_signing_url": "https://gwsca.vnpt.vn/sca/sp769/v1",
        "remote_signing_credential": "cred-1",
    }
    assert "secret-oauth-token" not in user_file.read_text(encoding="utf-8")
    account = remote_account(core)
    assert account is not None
    assert account.user == "giamdoc"
    assert remote_tokens(core).load(account) == "secret-oauth-token"


@pytest.mark.parametrize("kind", ["bogus", "CSC "])
def test_an_unknown_remote_kind_is_ignored(kind: str, tmp_path: Path) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text(f'remote_signing = "{kind}"\n')
    assert Config(policy=TomlPolicy(policy)).settings.remote_signing == ""


class SlowKeyring(MemoryKeyring):
    """A keyring as slow as Secret Service or the Windows Credential Locker can be: each write
    takes `HOLD_SECONDS`; it notes which thread wrote."""

    def __init__(self) -> None:
        super().__init__()
        self.writers: list[threading.Thread] = []

    def set_password(self, service: str, username: str, password: str) -> None:
        self.writers.append(threading.current_thread())
        time.sleep(HOLD_SECONDS)
        super().set_password(service, username, password)


def test_the_remote_token_goes_to_a_slow_keyring_off_the_gui_thread(
    aio: Any, qapp: QApplication, server: ServerProcess, tmp_path: Path
) -> None:
    """Settings → OK with a remote signing token: the keyring write runs in a worker thread,
    the loop keeps turning while it takes its time, and the token is there after (before: the
    dialog's OK wrote it on the GUI thread, a stall as long as the keyring took)."""
    from desktop.app import Options
    from desktop.secrets import SecretStore
    from tests.ui.test_shell import make_core, remember_sign_in, window_with_lists
    from ui.shell import QtFrontend

    keyring = SlowKeyring()
    secrets = SecretStore(backend=keyring)
    remember_sign_in(aio, tmp_path, secrets, server.url)
    core = make_core(tmp_path, secrets, server.url)
    core.config = Config(user_file=tmp_path / "settings.toml")
    frontend = QtFrontend()

    async def scenario() -> int:
        run = asyncio.ensure_future(frontend.run(core, Options()))
        await window_with_lists(frontend, 60)
        frontend.open_settings()
        await until(lambda: bool(settings_dialogs()))
        [dialog] = settings_dialogs()
        dialog.remote_signing.setCurrentIndex(dialog.remote_signing.findData("hash-poll"))
        dialog.remote_signing_url.setText("https://gwsca.vnpt.vn/sca/sp769/v1")
        dialog.remote_signing_credential.setText("cred-1")
        dialog.remote_token.setText("secret-oauth-token")
        writes = len(keyring.writers)
        async with watching_the_loop() as watch:
            dialog.accept()
            await watch.hold()
            await until(lambda: len(keyring.secrets) == 2)  # the sign-in's and this one
        watch.assert_loop_kept_turning()
        assert len(keyring.writers) == writes + 1
        frontend._finish("quit")
        return await run

    assert aio(scenario(), 120) == 0
    account = remote_account(core)
    assert account is not None
    assert remote_tokens(core).load(account) == "secret-oauth-token"
    assert threading.main_thread() not in keyring.writers
    aio(core.aclose())


def settings_dialogs() -> list[SettingsDialog]:
    return [
        w for w in QApplication.topLevelWidgets() if isinstance(w, SettingsDialog) and w.isVisible()
    ]
