"""Shared pieces of the remote signing tests: a prepared draft and the leader's stamp."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from desktop.signing import appearance, layout, sign
from desktop.signing.remote.service import RemoteSigningService
from tests.desktop.signing.conftest import pdfsig_report, pyhanko_check
from tests.fixtures.drafts import draft_pdf, signature_png
from tests.fixtures.pki import TestPki


@pytest.fixture(scope="session")
def draft() -> bytes:
    """A Decree 30 draft with its signature fields prepared."""
    prepared, found = layout.prepare_draft_from_text(draft_pdf(1))
    assert found.found
    return prepared


@pytest.fixture(scope="session")
def stamp() -> appearance.StampImage:
    return appearance.StampImage.from_png(signature_png())


async def sign_through(
    remote: RemoteSigningService, draft: bytes, stamp: appearance.StampImage
) -> bytes:
    """Pick the credential, fetch its certificates and sign the draft as the leader."""
    signer = await remote.signer()
    return await asyncio.wait_for(sign.sign_leader(draft, signer, stamp), 30)


async def assert_valid_leader_signature(
    signed: bytes, label: str, pki: TestPki, nss_db: Path, tmp_path: Path
) -> None:
    """One signature, in the leader's field, by `label`'s certificate, valid and trusted in
    pyHanko (run in a thread: its sync API starts a loop) and in pdfsig."""
    (checked,) = await asyncio.to_thread(pyhanko_check, signed, pki)
    assert checked.field == layout.LEADER_FIELD
    assert checked.status.bottom_line, checked.status.pretty_print_details()
    assert checked.status.signing_cert.subject == pki.cert(label).subject
    report = pdfsig_report(signed, nss_db, tmp_path)
    assert "Signature is Valid" in report, report
    assert "Certificate is Trusted" in report, report
