"""Ký from the approval inbox: one dialog (key, signature image, PIN) for one document or a
batch, the signing in desktop/sign_flow.py, the outcome told through the notifier. Phát hành
asks for the agency's key and seal the same way, then issues and signs."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QDialog, QWidget

from desktop.domain import Document, JsonObject
from ui.sign_dialog import SignDialog

if TYPE_CHECKING:
    from pyhanko.sign.signers import Signer

    from desktop.app import Core
    from desktop.sign_flow import BatchOutcome
    from desktop.signing.appearance import StampImage
    from desktop.signing.token_process import TokenClient


async def sign_from_inbox(
    core: Core, parent: QWidget | None, documents: list[Document], dialog: SignDialog | None = None
) -> list[BatchOutcome]:
    """Ask once for the key and PIN, sign every document, report what was signed and why
    the others were not. Returns the outcomes (empty when the user cancelled)."""
    from desktop.errors import HopDeskError
    from desktop.sign_flow import sign_many  # pyHanko loads on the first signature
    from desktop.signing.token_process import TokenClient

    client = TokenClient()
    try:
        chosen = await _ask_key(core, parent, len(documents), dialog, client)
        if chosen is None:
            return []
        signer, stamp = chosen
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


async def issue_from_inbox(
    core: Core,
    parent: QWidget | None,
    document: Document,
    body: JsonObject,
    dialog: SignDialog | None = None,
) -> str | None:
    """Phát hành: the agency's key and seal asked first (nothing is issued when cancelled or
    the key does not open), then issued on the server, signed with the số and date it gave
    and sent back (desktop/sign_flow.issue_document). The agency-signed sha256, or None."""
    from desktop.errors import HopDeskError
    from desktop.sign_flow import issue_document
    from desktop.signing.token_process import TokenClient

    client = TokenClient()
    try:
        chosen = await _ask_key(core, parent, 1, dialog, client)
        if chosen is None:
            return None
        signer, seal = chosen
        try:
            sha256 = await issue_document(
                core.inbox, document.id, body, signer, seal, core.files, core.uploads
            )
        except HopDeskError as exc:
            core.notifier.warning(exc.user_message())
            return None
    finally:
        await asyncio.to_thread(client.close)
    core.notifier.info(QCoreApplication.translate("SigningFlow", "The document was issued."))
    return sha256


async def _ask_key(
    core: Core,
    parent: QWidget | None,
    count: int,
    dialog: SignDialog | None,
    client: TokenClient,
) -> tuple[Signer, StampImage] | None:
    """The signing dialog (key, image, PIN; the last choices remembered, the demo's own keys
    in `hopdesk --demo`) and the key it opens; None when cancelled or the key did not open
    (told, a wrong PIN never retried)."""
    from desktop.errors import HopDeskError
    from desktop.signing import appearance, keys
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
    if dialog is None:
        modules = await asyncio.to_thread(keys.module_candidates, remembered.get("module"))
        dialog = SignDialog(
            count,
            remembered.get("key", ""),
            remembered.get("image", ""),
            parent,
            modules=[str(m) for m in modules],
            list_certificates=client.list_certificates,
        )
        dialog.source.setCurrentIndex(1 if remembered.get("source") == "token" else 0)
        dialog.pin.setText(demo_pin)
    if await wait_dialog(dialog) != QDialog.DialogCode.Accepted:
        return None
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
        await _check_certificate(core, signer)
        png = await asyncio.to_thread(Path(dialog.image_path).read_bytes)
    except (HopDeskError, OSError) as exc:  # a wrong PIN is told, never retried
        core.notifier.warning(exc.user_message() if isinstance(exc, HopDeskError) else str(exc))
        return None
    return signer, appearance.StampImage.from_png(png)


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


async def _check_certificate(core: Core, signer: Signer) -> None:
    """Refuse, before anything is signed, a certificate that is expired, not yet valid, not
    for signing, revoked, or not chained to a trusted root (`CertificateRejected` says which).
    Trusted: the pinned roots, the policy's (`signing_roots`, `signing_root_pins`), and in
    `hopdesk --demo` the demo's own CA."""
    from desktop.signing import trust

    settings = core.config.settings

    def policy() -> trust.TrustPolicy:
        pems = [Path(p).read_bytes() for p in settings.signing_roots]
        pins = list(settings.signing_root_pins)
        if core.demo is not None:
            pins += _demo_ca_pins(core.demo.data_dir / "signing")
        return trust.TrustPolicy.from_policy(pems, pins)

    cert = signer.signing_cert
    assert cert is not None
    chain = list(signer.cert_registry) if signer.cert_registry is not None else []
    await trust.check_certificate(cert, chain, await asyncio.to_thread(policy))


def _demo_ca_pins(directory: Path) -> list[str]:
    """The fingerprints of the demo CA (the self-signed certificate in the demo's keys)."""
    from desktop.demo_keys import DEMO_PIN, demo_keys
    from desktop.signing import keys, trust

    pins = []
    for made in demo_keys(directory).values():
        registry = keys.load_pkcs12(made.key_path, DEMO_PIN).cert_registry
        pins += [trust.fingerprint(c) for c in registry or () if c.self_signed != "no"]
    return pins
