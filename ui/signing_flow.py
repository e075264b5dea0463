"""Ký from the approval inbox: one dialog (key, signature image, PIN) for one document or a
batch, the signing in desktop/sign_flow.py, the outcome told through the notifier. Phát hành
asks for the agency's key and seal the same way, then issues and signs."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QDialog, QWidget

from desktop.domain import Document, JsonObject
from ui.phone_wait import PhoneWaitDialog
from ui.sign_dialog import SignDialog

if TYPE_CHECKING:
    from pyhanko.sign.signers import Signer

    from desktop.app import Core
    from desktop.sign_flow import BatchOutcome
    from desktop.signing.appearance import StampImage
    from desktop.signing.remote.account import RemoteAccount, RemoteTokens
    from desktop.signing.token_process import TokenClient
    from desktop.signing.trust import TrustPolicy


async def sign_from_inbox(
    core: Core, parent: QWidget | None, documents: list[Document], dialog: SignDialog | None = None
) -> list[BatchOutcome]:
    """Ask once for the key and PIN, sign every document, report what was signed and why
    the others were not. With the remote signing service, a waiting window stands while the
    phone is asked (Cancel stops the wait). Returns the outcomes (empty when the user
    cancelled)."""
    from desktop.errors import HopDeskError
    from desktop.sign_flow import sign_many  # pyHanko loads on the first signature

    async with contextlib.AsyncExitStack() as stack:
        chosen = await _ask_key(core, parent, len(documents), dialog, stack)
        if chosen is None:
            return []
        signer, stamp, wait = chosen
        progress = None
        if wait is not None:
            wait.show()
            progress = lambda done, _total: wait.document(done)  # noqa: E731
        outcomes = await sign_many(
            documents, signer, stamp, core.files, core.uploads, progress=progress
        )
    signed = sum(o.error is None for o in outcomes)
    if signed:
        core.notifier.info(
            QCoreApplication.translate("SigningFlow", "%n document(s) signed.", None, signed)
        )
    told: set[str] = set()  # a key gone fails the rest of a batch with one error: say it once
    for outcome in outcomes:
        if isinstance(outcome.error, HopDeskError):
            message = outcome.error.user_message()
            if message not in told:
                told.add(message)
                core.notifier.warning(message)
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
    from desktop.issue_journal import IssueJournal
    from desktop.sign_flow import finish_issue, issue_document

    journal = IssueJournal(core.store, core.session.scope)

    async def issue(signer: Signer, seal: StampImage) -> str:
        def finish(issued: Document) -> Awaitable[str]:
            return finish_issue(issued, signer, seal, core.files, core.uploads, journal)

        return await issue_document(core.inbox, document.id, body, finish, journal)

    done = QCoreApplication.translate("SigningFlow", "The document was issued.")
    return await _with_agency_key(core, parent, dialog, issue, done)


async def resume_issues(
    core: Core, parent: QWidget | None, dialog: SignDialog | None = None
) -> list[str]:
    """At start-up: documents the server issued while the app stopped before the agency's
    signature (killed, or the issue sent from the outbox later) are signed now, with the số and
    date they were given, after telling the clerk why the key is asked. The sha256s made."""
    from desktop.issue_journal import IssueJournal, issues_to_finish

    journal = IssueJournal(core.store, core.session.scope)
    made: list[str] = []
    if not journal.pending():  # the usual start: nothing to finish, pyHanko not loaded
        return made
    from desktop.sign_flow import finish_issue

    for document in await issues_to_finish(core.inbox, core.uploads, journal):

        async def sign(signer: Signer, seal: StampImage, document: Document = document) -> str:
            return await finish_issue(document, signer, seal, core.files, core.uploads, journal)

        core.notifier.info(
            QCoreApplication.translate(
                "SigningFlow",
                "Document %1 was issued as number %2 but not yet signed with the agency's "
                "seal. Sign it now.",
            )
            .replace("%1", document.summary)
            .replace("%2", document.number)
        )
        done = QCoreApplication.translate(
            "SigningFlow", "The issued document was signed with the agency's seal."
        )
        sha256 = await _with_agency_key(core, parent, dialog, sign, done)
        if sha256 is not None:
            made.append(sha256)
    return made


async def _with_agency_key(
    core: Core,
    parent: QWidget | None,
    dialog: SignDialog | None,
    work: Callable[[Signer, StampImage], Awaitable[str]],
    done: str,
) -> str | None:
    """Ask for the agency's key and seal, run `work` with them, tell the outcome."""
    from desktop.errors import HopDeskError

    async with contextlib.AsyncExitStack() as stack:
        chosen = await _ask_key(core, parent, 1, dialog, stack)
        if chosen is None:
            return None
        signer, seal, wait = chosen
        if wait is not None:
            wait.show()
        try:
            sha256 = await work(signer, seal)
        except HopDeskError as exc:
            core.notifier.warning(exc.user_message())
            return None
    core.notifier.info(done)
    return sha256


async def _ask_key(
    core: Core,
    parent: QWidget | None,
    count: int,
    dialog: SignDialog | None,
    stack: contextlib.AsyncExitStack,
) -> tuple[Signer, StampImage, PhoneWaitDialog | None] | None:
    """The key `_open_key` opens and the signature image the dialog names (read here: a
    missing image is told like a key that does not open)."""
    from desktop.signing import appearance

    opened = await _open_key(core, parent, count, dialog, stack)
    if opened is None:
        return None
    signer, chosen, wait = opened
    try:
        png = await asyncio.to_thread(Path(chosen.image_path).read_bytes)
    except OSError as exc:
        core.notifier.warning(str(exc))
        return None
    return signer, appearance.StampImage.from_png(png), wait


@contextlib.asynccontextmanager
async def ballot_key(
    core: Core, parent: QWidget | None, heading: str, dialog: SignDialog | None = None
) -> AsyncIterator[Signer | None]:
    """The key to sign a ballot with, asked as the inbox asks (key file, token or the phone,
    and the PIN; no signature image: nothing is drawn), open while the block runs and closed
    after (the token logged out). None when cancelled or the key did not open (told)."""
    async with contextlib.AsyncExitStack() as stack:
        opened = await _open_key(core, parent, 1, dialog, stack, heading=heading)
        if opened is None:
            yield None
            return
        signer, _chosen, wait = opened
        if wait is not None:
            wait.show()
        yield signer


async def _open_key(
    core: Core,
    parent: QWidget | None,
    count: int,
    dialog: SignDialog | None,
    stack: contextlib.AsyncExitStack,
    *,
    heading: str = "",
) -> tuple[Signer, SignDialog, PhoneWaitDialog | None] | None:
    """The signing dialog (key, image unless `heading` names a ballot, PIN; the last choices
    remembered, the demo's own keys in `hopdesk --demo`), the key it opens, its certificate
    checked, and the dialog; for the remote service also the waiting window to show while
    signing. None when cancelled or the key did not open (told, a wrong PIN never retried).
    What is opened here is closed by `stack`."""
    from desktop.errors import HopDeskError
    from desktop.signing.token_process import TokenClient
    from ui.shell import wait_dialog

    client = TokenClient()
    stack.push_async_callback(client.aclose)
    remembered_key = f"signing-paths:{core.session.scope}"
    remembered = core.store.get(remembered_key) or {}
    if dialog is None:
        dialog = await _dialog(core, parent, count, remembered, client, heading)
    if await wait_dialog(dialog) != QDialog.DialogCode.Accepted:
        return None
    core.store.set_later(  # the writer thread waits out another process's lock, not the GUI
        remembered_key,
        {
            "key": dialog.key_path,
            "image": dialog.image_path,
            "module": dialog.module_path,
            "source": dialog.source_name,
        },
    )
    wait: PhoneWaitDialog | None = None
    try:
        if dialog.use_remote:
            signer, wait = await _remote_signer(core, parent, count, stack)
        else:
            signer = await _signer(dialog, client)
        await _check_certificate(core, signer)
    except HopDeskError as exc:  # a wrong PIN is told, never retried
        core.notifier.warning(exc.user_message())
        return None
    return signer, dialog, wait


async def _dialog(
    core: Core,
    parent: QWidget | None,
    count: int,
    remembered: JsonObject,
    client: TokenClient,
    heading: str = "",
) -> SignDialog:
    """The dialog with the last choices, the token drivers (the one Settings or the policy
    names first; only it, greyed out, when the policy names it) and the remote service; with
    a `heading` (a ballot) it asks for no signature image."""
    from desktop.signing import keys

    settings = core.config.settings
    demo_pin = ""
    if not remembered and core.demo is not None:  # `hopdesk --demo`: its own generated keys
        from desktop.demo_keys import AGENCY, DEMO_PIN, LEADER, demo_keys

        user = core.session.user
        label = AGENCY if user is not None and user.has_role("clerk") else LEADER
        made = (await asyncio.to_thread(demo_keys, core.demo.data_dir / "signing"))[label]
        remembered = {"key": str(made.key_path), "image": str(made.image_path)}
        demo_pin = DEMO_PIN
    locked = core.config.locked("pkcs11_module")
    configured = settings.pkcs11_module or str(remembered.get("module") or "") or None
    modules = [str(m) for m in await asyncio.to_thread(keys.module_candidates, configured)]
    if settings.pkcs11_module and not locked:  # the drivers found by name stay on offer
        found = await asyncio.to_thread(keys.find_pkcs11_modules)
        modules += [str(m) for m in found if str(m) not in modules]
    account = remote_account(core)
    remote = ""
    if account is not None:
        remote = account.service_url + (
            f" ({account.credential_id})" if account.credential_id else ""
        )
    dialog = SignDialog(
        count,
        str(remembered.get("key") or ""),
        str(remembered.get("image") or ""),
        parent,
        modules=modules,
        list_certificates=client.list_certificates,
        remote=remote,
        module_locked=locked,
        heading=heading,
        with_image=not heading,
    )
    dialog.choose_source(str(remembered.get("source") or "file"))
    dialog.pin.setText(demo_pin)
    return dialog


def remote_account(core: Core) -> RemoteAccount | None:
    """The remote signing account Settings or the machine policy describe (None: none)."""
    from desktop.signing.remote.account import RemoteAccount

    settings = core.config.settings
    user = settings.remote_signing_user
    if not user and core.session.user is not None:
        user = core.session.user.username
    return RemoteAccount.configured(
        settings.remote_signing,
        settings.remote_signing_url,
        user,
        settings.remote_signing_credential,
        settings.remote_signing_timeout,
    )


def remote_tokens(core: Core) -> RemoteTokens:
    """The remote services' OAuth tokens, in the same keyring as the HopDesk sign-in."""
    from desktop.secrets import SecretStore
    from desktop.signing.remote.account import KEYRING_SERVICE, RemoteTokens

    return RemoteTokens(SecretStore(service=KEYRING_SERVICE, backend=core.secrets.backend))


def save_remote_token(core: Core, token: str) -> None:
    """Keep the remote signing service's access token (typed in Settings) in the keyring, for
    the service and account the settings now name (raises `SecretsUnavailable` without one,
    `RemoteNotConfigured` when no service is set up). Blocking (keyring I/O): the app calls it
    in a worker thread."""
    from desktop.signing.remote.errors import RemoteNotConfigured

    account = remote_account(core)
    if account is None:
        raise RemoteNotConfigured("no remote signing service in the settings")
    remote_tokens(core).save(account, token)


async def _remote_signer(
    core: Core, parent: QWidget | None, count: int, stack: contextlib.AsyncExitStack
) -> tuple[Signer, PhoneWaitDialog]:
    """The remote service's signer (its certificate and chain fetched) and the waiting window
    whose Cancel stops the wait for the phone; both closed by `stack`."""
    from desktop.signing.remote.connect import open_service
    from desktop.signing.remote.errors import RemoteNotConfigured
    from desktop.signing.remote.service import RemoteSigner

    account = remote_account(core)
    if account is None:
        raise RemoteNotConfigured("no remote signing service in the settings")
    service = await open_service(account, remote_tokens(core))
    stack.push_async_callback(service.aclose)
    made: list[RemoteSigner] = []

    def cancel() -> None:
        for signer in made:
            signer.cancel()

    wait = PhoneWaitDialog(count, account.approval_timeout, cancel, parent)
    stack.callback(wait.finish)
    made.append(await service.signer(progress=wait.progress))
    return made[0], wait


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
    for signing, revoked, or not chained to a trusted root (`CertificateRejected` says which)."""
    from desktop.signing import trust

    cert = signer.signing_cert
    assert cert is not None
    chain = list(signer.cert_registry) if signer.cert_registry is not None else []
    await trust.check_certificate(cert, chain, await signing_trust(core))


async def signing_trust(core: Core) -> TrustPolicy:
    """The roots a signature is trusted under: the pinned roots, the policy's
    (`signing_roots`, `signing_root_pins`), and in `hopdesk --demo` the demo's own CA."""
    from desktop.signing import trust

    settings = core.config.settings

    def policy() -> trust.TrustPolicy:
        pems = [Path(p).read_bytes() for p in settings.signing_roots]
        pins = list(settings.signing_root_pins)
        if core.demo is not None:
            pins += _demo_ca_pins(core.demo.data_dir / "signing")
        return trust.TrustPolicy.from_policy(pems, pins)

    return await asyncio.to_thread(policy)


def _demo_ca_pins(directory: Path) -> list[str]:
    """The fingerprints of the demo CA (the self-signed certificate in the demo's keys)."""
    from desktop.demo_keys import DEMO_PIN, demo_keys
    from desktop.signing import keys, trust

    pins = []
    for made in demo_keys(directory).values():
        registry = keys.load_pkcs12(made.key_path, DEMO_PIN).cert_registry
        pins += [trust.fingerprint(c) for c in registry or () if c.self_signed != "no"]
    return pins
