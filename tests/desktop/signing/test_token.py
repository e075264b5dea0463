"""The token in its own signing process (SoftHSM2 as the token), PKCS#12 files, driver
discovery, and batch signing."""

from __future__ import annotations

import asyncio
import io
import os
import shutil
import signal
import threading
from multiprocessing.context import SpawnProcess
from pathlib import Path

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from desktop.signing import appearance, keys, layout, sign
from desktop.signing.batch import BatchItem, sign_batch
from desktop.signing.errors import (
    PinTries,
    SigningProcessFailed,
    TokenUnavailable,
    UnsignableDocument,
    WrongPin,
)
from desktop.signing.token_process import TokenClient, TokenSigner, _pin_tries
from tests.desktop.signing.conftest import P12_PASSWORD, pdfsig_report, pyhanko_check
from tests.fixtures.drafts import draft_pdf, signature_png
from tests.fixtures.pki import TestPki
from tests.fixtures.softhsm import SoftToken
from tests.fixtures.store_lock import watching_the_loop
from tests.fixtures.threads import threads_calling

IMAGE = appearance.StampImage.from_png(signature_png())


@pytest.fixture(scope="module")
def draft() -> bytes:
    return layout.prepare_draft_from_text(draft_pdf(1))[0]


@pytest.fixture
async def client():  # type: ignore[no-untyped-def]
    made = TokenClient(timeout=60)
    yield made
    await made.aclose()


async def _login(client: TokenClient, token: SoftToken, **kw: bool) -> TokenSigner:
    return await client.login(token.module, token.label, token.pin, token.key_label, **kw)


@pytest.mark.parametrize("raw", [False, True], ids=["hash-and-sign", "raw-rsa"])
async def test_token_signature_is_valid(
    raw: bool,
    client: TokenClient,
    token: SoftToken,
    draft: bytes,
    pki: TestPki,
    nss_db: Path,
    tmp_path: Path,
) -> None:
    signer = await _login(client, token, use_raw_mechanism=raw)
    assert client.pid is not None
    assert client.pid != os.getpid()  # the driver is loaded in another process
    signed = await sign.sign_leader(draft, signer, IMAGE)
    (checked,) = await asyncio.to_thread(pyhanko_check, signed, pki)
    assert checked.status.bottom_line, checked.status.pretty_print_details()
    assert checked.status.signing_cert.subject == pki.cert("leader").subject
    assert "Signature is Valid" in pdfsig_report(signed, nss_db, tmp_path)


async def test_closing_a_logged_in_client_leaves_the_loop_turning(
    client: TokenClient, token: SoftToken, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The child logs out and unloads the driver before it exits: waited for in a thread
    (the wait can stay under the probe's bound on an idle machine, so which thread joins the
    process is checked too)."""
    joined_from = threads_calling(monkeypatch, SpawnProcess, "join")
    await _login(client, token)
    process = client._process
    assert process is not None
    async with watching_the_loop() as watch:
        await client.aclose()
    watch.assert_loop_kept_turning()
    assert joined_from
    assert threading.main_thread().ident not in joined_from
    assert client.pid is None
    assert process.exitcode is not None  # reaped


async def test_tokens_are_listed(client: TokenClient, token: SoftToken) -> None:
    labels = [t.label for t in await client.list_tokens(token.module)]
    assert token.label in labels


async def test_wrong_pin_is_reported_and_not_retried(client: TokenClient, token: SoftToken) -> None:
    with pytest.raises(WrongPin) as caught:
        await client.login(token.module, token.label, "000000", token.key_label)
    assert caught.value.tries in set(PinTries)
    assert "PIN" in caught.value.user_message()
    # the right PIN still works: the wrong one was tried once, not until the token locked
    assert isinstance(await _login(client, token), TokenSigner)


def test_tries_left_come_from_the_token_flags() -> None:
    from pkcs11 import TokenFlag

    class Flags:
        def __init__(self, flags: int) -> None:
            self.flags = flags

    assert _pin_tries(Flags(0)) == "unknown"
    assert _pin_tries(Flags(TokenFlag.USER_PIN_COUNT_LOW)) == "low"
    assert _pin_tries(Flags(TokenFlag.USER_PIN_COUNT_LOW | TokenFlag.USER_PIN_FINAL_TRY)) == "final"
    assert _pin_tries(Flags(TokenFlag.USER_PIN_LOCKED)) == "locked"


async def test_unknown_token_or_module_is_a_clear_error(
    client: TokenClient, token: SoftToken, tmp_path: Path
) -> None:
    with pytest.raises(TokenUnavailable):
        await client.login(token.module, "NO-SUCH-TOKEN", token.pin, token.key_label)
    with pytest.raises(TokenUnavailable):
        await client.login(str(tmp_path / "missing.so"), None, token.pin)


class _KilledMidSignature(TokenSigner):
    """Kills the signing process as the signature is requested."""

    async def async_sign_raw(
        self, data: bytes, digest_algorithm: str, dry_run: bool = False
    ) -> bytes:
        if not dry_run:
            assert self.client.pid is not None
            os.kill(self.client.pid, signal.SIGKILL)
        return await super().async_sign_raw(data, digest_algorithm, dry_run)


async def test_killed_signing_process_is_a_clear_error_and_the_client_recovers(
    client: TokenClient, token: SoftToken, draft: bytes, pki: TestPki
) -> None:
    signer = await _login(client, token)
    first_pid = client.pid
    doomed = _KilledMidSignature(client, signer.signing_cert, list(signer.cert_registry))
    with pytest.raises(SigningProcessFailed) as caught:
        await sign.sign_leader(draft, doomed, IMAGE)
    assert "token driver" in caught.value.user_message()
    # the same client starts a new process; after a new login it signs again
    signer = await _login(client, token)
    assert client.pid not in (None, first_pid)
    signed = await sign.sign_leader(draft, signer, IMAGE)
    (checked,) = await asyncio.to_thread(pyhanko_check, signed, pki)
    assert checked.status.bottom_line


async def test_batch_one_session_and_a_bad_document_fails_alone(
    client: TokenClient, token: SoftToken, draft: bytes, pki: TestPki
) -> None:
    signer = await _login(client, token)
    pid = client.pid
    items = [BatchItem(f"doc{i}", draft) for i in range(5)]
    items[2] = BatchItem("broken", b"%PDF-1.7\n garbage")
    seen: list[tuple[int, int]] = []
    results = await sign_batch(
        items, lambda pdf: sign.sign_leader(pdf, signer, IMAGE), lambda d, t: seen.append((d, t))
    )
    assert [r.ok for r in results] == [True, True, False, True, True]
    assert isinstance(results[2].error, UnsignableDocument)
    assert seen[-1] == (5, 5)
    assert client.pid == pid  # one process, one session for the whole batch
    for result in results:
        if result.signed is not None:
            (checked,) = await asyncio.to_thread(pyhanko_check, result.signed, pki)
            assert checked.status.bottom_line
            assert len(PdfFileReader(io.BytesIO(result.signed)).embedded_signatures) == 1


async def test_batch_token_gone_midway_fails_the_rest_clearly(
    client: TokenClient, token: SoftToken, draft: bytes
) -> None:
    signer = await _login(client, token)
    calls = 0

    async def sign_one(pdf: bytes) -> bytes:
        nonlocal calls
        calls += 1
        if calls == 3:  # the token goes away under the third document
            assert client.pid is not None
            os.kill(client.pid, signal.SIGKILL)
        return await sign.sign_leader(pdf, signer, IMAGE)

    results = await sign_batch([BatchItem(f"d{i}", draft) for i in range(6)], sign_one)
    assert [r.ok for r in results] == [True, True, False, False, False, False]
    assert all(isinstance(r.error, SigningProcessFailed) for r in results[2:])
    assert calls == 3  # the rest were not tried against a dead token


def test_driver_discovery_by_name(tmp_path: Path) -> None:
    system32, syswow = tmp_path / "System32", tmp_path / "SysWOW64"
    system32.mkdir()
    syswow.mkdir()
    for name in ("vnptca_p11_v8.dll", "kernel32.dll", "EtPkcs11.dll"):
        (system32 / name).write_bytes(b"")
    (syswow / "viettel-ca_v6.dll").write_bytes(b"")
    found = keys.find_pkcs11_modules([system32, syswow, tmp_path / "absent"], keys.WINDOWS_MODULES)
    assert [p.name for p in found] == ["EtPkcs11.dll", "vnptca_p11_v8.dll", "viettel-ca_v6.dll"]
    assert keys.find_pkcs11_modules([tmp_path / "absent"], keys.WINDOWS_MODULES) == []


def test_softhsm_is_found_on_linux(token: SoftToken) -> None:
    assert Path(token.module) in keys.find_pkcs11_modules()


def test_configured_module_wins_over_discovery(tmp_path: Path) -> None:
    (tmp_path / "libsofthsm2.so").write_bytes(b"")
    assert keys.module_candidates("/opt/ca/vnptca_p11_v9.so", [tmp_path]) == [
        Path("/opt/ca/vnptca_p11_v9.so")
    ]
    assert keys.module_candidates(None, [tmp_path]) == [tmp_path / "libsofthsm2.so"]


def test_pkcs12_file(pki: TestPki, tmp_path: Path, draft: bytes) -> None:
    path = tmp_path / "leader.p12"
    path.write_bytes(pki.pkcs12("leader", P12_PASSWORD))
    signer = keys.load_pkcs12(path, P12_PASSWORD.decode())
    signed = asyncio.run(sign.sign_leader(draft, signer, IMAGE))
    (checked,) = pyhanko_check(signed, pki)
    assert checked.status.bottom_line
    with pytest.raises(WrongPin):
        keys.load_pkcs12(path, "wrong")


async def test_batch_token_removed_midway_fails_the_rest_clearly(
    client: TokenClient, token: SoftToken, draft: bytes, pki: TestPki
) -> None:
    """SoftHSM2 keeps its token in files: deleting them under an open session is what the
    signing process sees of a USB token pulled out (the key handle is gone)."""
    signer = await _login(client, token)
    calls = 0

    async def sign_one(pdf: bytes) -> bytes:
        nonlocal calls
        calls += 1
        if calls == 3:
            shutil.rmtree(token.conf.parent / "tokens")
        return await sign.sign_leader(pdf, signer, IMAGE)

    results = await sign_batch([BatchItem(f"d{i}", draft) for i in range(5)], sign_one)
    assert [r.ok for r in results] == [True, True, False, False, False]
    assert all(isinstance(r.error, TokenUnavailable) for r in results[2:])
    assert "Plug it in" in str(results[2].error.user_message() if results[2].error else "")
    assert calls == 3
    for result in results[:2]:
        assert result.signed is not None
        (checked,) = await asyncio.to_thread(pyhanko_check, result.signed, pki)
        assert checked.status.bottom_line


async def test_token_certificates_are_listed_without_the_pin(
    client: TokenClient, token: SoftToken, pki: TestPki
) -> None:
    [listed] = await client.list_certificates(token.module)
    assert (listed.token_label, listed.label) == (token.label, token.key_label)
    assert listed.certificate == pki.cert("leader").dump()
    assert listed.subject == pki.cert("leader").subject.human_friendly
