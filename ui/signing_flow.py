"""Ký from the approval inbox: one dialog (key, signature image, PIN) for one document or a
batch, the signing in desktop/sign_flow.py, the outcome told through the notifier."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QDialog, QWidget

from desktop.domain import Document
from ui.sign_dialog import SignDialog

if TYPE_CHECKING:
    from pyhanko.sign.signers import Signer

    from desktop.app import Core
    from desktop.sign_flow import BatchOutcome
    from desktop.signing.token_process import TokenClient


async def sign_from_inbox(
    core: Core, parent: QWidget | None, documents: list[Document], dialog: SignDialog | None = None
) -> list[BatchOutcome]:
    """Ask once for the key and PIN, sign every document, report what was signed and why
    the others were not. Returns the outcomes (empty when the user cancelled)."""
    from desktop.errors import HopDeskError
    from desktop.sign_flow import sign_many  # pyHanko loads on the first signature
    from desktop.signing import appearance, keys
    from desktop.signing.token_process import TokenClient
    from ui.shell import wait_dialog

    remembered_key = f"signing-paths:{core.session.scope}"
    remembered = core.store.get(remembered_key) or {}
    demo_pin = ""
    if not remembered and core.demo is not None:  # `hopdesk --demo`: its own generated keys
        from desktop.demo_keys import AGENCY, DEMO_PIN, LEADER, demo_keys

        user = core.session.user
        label = AGENCY if user is not None and user.has_role("clerk") else LEADER
        made = (await asyncio.to_thread(demo_keys, core.demo.data_dir / "signing"))[label]
        remembered = {"key": str(made.key_path), "image": str(made.image_path)}
        demo_pin = DEMO_PIN
    client = TokenClient()
    try:
        if dialog is None:
            modules = await asyncio.to_thread(keys.module_candidates, remembered.get("module"))
            dialog = SignDialog(
                len(documents),
                remembered.get("key", ""),
                remembered.get("image", ""),
                parent,
                modules=[str(m) for m in modules],
                list_certificates=client.list_certificates,
            )
            dialog.source.setCurrentIndex(1 if remembered.get("source") == "token" else 0)
            dialog.pin.setText(demo_pin)
        if await wait_dialog(dialog) != QDialog.DialogCode.Accepted:
            return []
        core.store.set(
            remembered_key,
            {
                "key": dialog.key_path,
                "image": dialog.image_path,
                "module": dialog.module_path,
                "source": "token" if dialog.use_token else "file",
            },
        )
        try:
            signer = await _signer(dialog, client)
            png = await asyncio.to_thread(Path(dialog.image_path).read_bytes)
        except (HopDeskError, OSError) as exc:  # a wrong PIN is told, never retried
            core.notifier.warning(exc.user_message() if isinstance(exc, HopDeskError) else str(exc))
            return []
        stamp = appearance.StampImage.from_png(png)
        outcomes = await sign_many(documents, signer, stamp, core.files, core.uploads)
    finally:
        await asyncio.to_thread(client.close)
    signed = sum(o.error is None for o in outcomes)
    if signed:
        core.notifier.info(
            QCoreApplication.translate("SigningFlow", "%n document(s) signed.", None, signed)
        )
    for outcome in outcomes:
        if isinstance(outcome.error, HopDeskError):
            core.notifier.warning(outcome.error.user_message())
    return outcomes


async def _signer(dialog: SignDialog, client: TokenClient) -> Signer:
    """The key the dialog chose: the certificate's key on the token (logged in once, through
    the signing process) or the PKCS#12 file."""
    from desktop.signing import keys
    from desktop.signing.errors import TokenUnavailable

    if not dialog.use_token:
        return await asyncio.to_thread(keys.load_pkcs12, Path(dialog.key_path), dialog.pin.text())
    chosen = dialog.token_certificate
    if chosen is None:
        raise TokenUnavailable("no certificate chosen")
    return await client.login(
        dialog.module_path, chosen.token_label, dialog.pin.text(), chosen.label
    )
