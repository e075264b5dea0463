"""The CSC v1 adapter (Viettel MySign's shape) against certomancer-csc-dummy on loopback:
list and pick the credential, authorize (SAD bound to the hash, SCAL 2), signHash → a valid
PAdES signature; a service that is down or answers nonsense → typed errors."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from desktop.signing import appearance, sign
from desktop.signing.remote.account import RemoteAccount, RemoteKind
from desktop.signing.remote.csc import CscService
from desktop.signing.remote.errors import (
    RemoteBadResponse,
    RemoteServiceUnavailable,
    RemoteSignCancelled,
    RemoteSignExpired,
    RemoteSigningError,
)
from desktop.signing.remote.poll import Phase
from tests.desktop.signing.remote.conftest import assert_valid_leader_signature, sign_through
from tests.fixtures.csc_service import running_csc_service
from tests.fixtures.pki import TestPki

RSA_ENCRYPTION = "1.2.840.113549.1.1.1"
ECDSA_SHA256 = "1.2.840.10045.4.3.2"


@pytest.fixture
async def csc_url(pki: TestPki) -> AsyncIterator[str]:
    async with running_csc_service(pki) as url:
        yield url


def _account(url: str, credential: str | None = None, timeout: float = 30.0) -> RemoteAccount:
    return RemoteAccount(
        RemoteKind.CSC, url, "leader", credential, approval_timeout=timeout, request_timeout=5
    )


async def test_lists_credentials_and_signs_a_valid_pades_signature(
    csc_url: str,
    draft: bytes,
    stamp: appearance.StampImage,
    pki: TestPki,
    nss_db: Path,
    tmp_path: Path,
) -> None:
    async with CscService(_account(csc_url), "oauth-token") as remote:
        listed = await remote.credentials()
        assert "hopdesk/leader" in listed
        seen: list[tuple[float, Phase]] = []
        signer = await remote.signer(
            "hopdesk/leader", progress=lambda elapsed, now: seen.append((elapsed, now))
        )
        signed = await asyncio.wait_for(sign.sign_leader(draft, signer, stamp), 60)
    assert [now for _, now in seen] == [Phase.WAITING, Phase.DONE]
    await assert_valid_leader_signature(signed, "leader", pki, nss_db, tmp_path)


async def test_a_key_listing_only_rsa_encryption_signs_pkcs1(
    pki: TestPki,
    draft: bytes,
    stamp: appearance.StampImage,
    nss_db: Path,
    tmp_path: Path,
) -> None:
    async with running_csc_service(pki, algorithms=[RSA_ENCRYPTION]) as url:
        remote = CscService(_account(url, "hopdesk/leader"), "t")
        async with remote:
            signed = await sign_through(remote, draft, stamp)
    await assert_valid_leader_signature(signed, "leader", pki, nss_db, tmp_path)


async def test_a_key_with_no_usable_algorithm_is_a_typed_error(
    pki: TestPki, draft: bytes, stamp: appearance.StampImage
) -> None:
    async with running_csc_service(pki, algorithms=[ECDSA_SHA256]) as url:
        remote = CscService(_account(url, "hopdesk/leader"), "t")
        async with remote:
            with pytest.raises(RemoteSigningError):
                await sign_through(remote, draft, stamp)


async def test_the_account_credential_is_used_without_listing(csc_url: str, pki: TestPki) -> None:
    async with CscService(_account(csc_url, "hopdesk/clerk"), "t") as remote:
        signer = await remote.signer()
    assert signer.signing_cert.subject == pki.cert("clerk").subject


async def test_service_down_is_a_typed_error(pki: TestPki) -> None:
    async with running_csc_service(pki) as url:
        pass
    async with CscService(_account(url, "hopdesk/leader"), "t") as remote:
        with pytest.raises(RemoteServiceUnavailable):
            await remote.signer()


@pytest.mark.parametrize(
    ("endpoint", "body"),
    [
        ("credentials/list", '{"credentialIDs": "hopdesk/leader"}'),
        ("credentials/info", '{"cert": {"certificates": []}}'),
        ("credentials/info", "<html>"),
        ("credentials/authorize", '{"sad": "lowercase"}'),
        ("signatures/signHash", '{"signatures": ["%%%"]}'),
        ("signatures/signHash", '{"signatures": []}'),
    ],
)
async def test_malformed_answers_are_typed_errors(
    pki: TestPki, draft: bytes, stamp: appearance.StampImage, endpoint: str, body: str
) -> None:
    async with running_csc_service(pki, broken={endpoint: body}) as url:
        remote = CscService(_account(url), "t")
        async with remote:
            with pytest.raises(RemoteBadResponse):
                await sign_through(remote, draft, stamp)


async def test_no_approval_in_time_is_expired_and_cancel_stops_at_once(
    pki: TestPki, draft: bytes, stamp: appearance.StampImage
) -> None:
    async with running_csc_service(pki, hang="credentials/authorize") as url:
        async with CscService(_account(url, "hopdesk/leader", timeout=0.5), "t") as remote:
            with pytest.raises(RemoteSignExpired):
                await asyncio.wait_for(sign.sign_leader(draft, await remote.signer(), stamp), 10)
        async with CscService(_account(url, "hopdesk/leader"), "t") as remote:
            signer = await remote.signer()
            task = asyncio.create_task(sign.sign_leader(draft, signer, stamp))
            await asyncio.sleep(0.2)
            signer.cancel()
            with pytest.raises(RemoteSignCancelled):
                await asyncio.wait_for(task, 2)
