"""Submit-the-hash-then-poll (VNPT SmartCA v1.1, FPT CA) against a stand-in service on
loopback: approved on the "phone" → a valid PAdES signature; refused, expired, timed out,
service down, cancelled, nonsense answers → typed errors, never a crash."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from desktop.signing import appearance, sign
from desktop.signing.batch import BatchItem, sign_batch
from desktop.signing.remote.account import RemoteAccount, RemoteKind
from desktop.signing.remote.errors import (
    RemoteBadResponse,
    RemoteNotSignedIn,
    RemoteServiceUnavailable,
    RemoteSignCancelled,
    RemoteSignExpired,
    RemoteSignRejected,
)
from desktop.signing.remote.hash_poll import HashPollService, HashPollSigner
from desktop.signing.remote.poll import Phase
from tests.desktop.signing.conftest import pyhanko_check
from tests.desktop.signing.remote.conftest import assert_valid_leader_signature, sign_through
from tests.fixtures.hash_poll_service import (
    HashPollTestService,
    running_hash_poll_service,
)
from tests.fixtures.pki import TestPki

TOKEN = "oauth-token-of-the-leader"


@pytest.fixture
async def service(pki: TestPki) -> AsyncIterator[HashPollTestService]:
    async with running_hash_poll_service(pki, TOKEN, ["leader"]) as running:
        yield running


def _account(url: str, **overrides: float) -> RemoteAccount:
    settings = {"approval_timeout": 30.0, "poll_interval": 0.05, "request_timeout": 5.0}
    settings.update(overrides)
    return RemoteAccount(RemoteKind.HASH_POLL, url, "leader", **settings)  # type: ignore[arg-type]


async def _signing(
    service: HashPollTestService, draft: bytes, stamp: appearance.StampImage, **overrides: float
) -> tuple[HashPollSigner, asyncio.Task[bytes], list[tuple[float, Phase]], HashPollService]:
    """Start signing the draft; returns the signer, the task and the progress reports."""
    remote = HashPollService(_account(service.url, **overrides), TOKEN)
    seen: list[tuple[float, Phase]] = []
    signer = await remote.signer(progress=lambda elapsed, now: seen.append((elapsed, now)))
    task = asyncio.create_task(sign.sign_leader(draft, signer, stamp))
    return signer, task, seen, remote


async def test_approved_on_the_phone_gives_a_valid_pades_signature(
    service: HashPollTestService,
    draft: bytes,
    stamp: appearance.StampImage,
    pki: TestPki,
    nss_db: Path,
    tmp_path: Path,
) -> None:
    _, task, seen, remote = await _signing(service, draft, stamp)
    async with remote:
        tran_id = await service.next_transaction()
        await service.until_polled(2)  # the app is polling: the user has not approved yet
        assert not task.done()
        service.approve(tran_id)
        signed = await asyncio.wait_for(task, 30)
    assert seen[0][1] is Phase.WAITING
    assert seen[-1][1] is Phase.DONE
    assert [e for e, _ in seen] == sorted(e for e, _ in seen)
    await assert_valid_leader_signature(signed, "leader", pki, nss_db, tmp_path)


@pytest.mark.parametrize(
    ("user_action", "error"),
    [("reject", RemoteSignRejected), ("expire", RemoteSignExpired)],
)
async def test_refused_or_expired_at_the_service_is_a_typed_error(
    service: HashPollTestService,
    draft: bytes,
    stamp: appearance.StampImage,
    user_action: str,
    error: type[Exception],
) -> None:
    _, task, seen, remote = await _signing(service, draft, stamp)
    async with remote:
        getattr(service, user_action)(await service.next_transaction())
        with pytest.raises(error):
            await asyncio.wait_for(task, 30)
    assert seen[-1][1] is (Phase.REJECTED if user_action == "reject" else Phase.EXPIRED)


async def test_our_own_timeout_expires_a_request_nobody_answers(
    service: HashPollTestService, draft: bytes, stamp: appearance.StampImage
) -> None:
    _, task, seen, remote = await _signing(service, draft, stamp, approval_timeout=0.3)
    async with remote:
        with pytest.raises(RemoteSignExpired):
            await asyncio.wait_for(task, 30)
    assert seen[-1][1] is Phase.EXPIRED
    assert seen[-1][0] >= 0.3
    assert service.polls >= 2


async def test_cancel_stops_polling_at_once(
    service: HashPollTestService, draft: bytes, stamp: appearance.StampImage
) -> None:
    signer, task, _, remote = await _signing(service, draft, stamp, poll_interval=60.0)
    async with remote:
        await service.next_transaction()
        await service.until_polled(1)
        signer.cancel()  # the app is in a 60 s pause between polls
        with pytest.raises(RemoteSignCancelled):
            await asyncio.wait_for(task, 2)
    assert service.polls == 1


async def test_service_down_is_a_typed_error(pki: TestPki) -> None:
    async with running_hash_poll_service(pki, TOKEN, ["leader"]) as gone:
        url = gone.url
    async with HashPollService(_account(url), TOKEN) as remote:
        with pytest.raises(RemoteServiceUnavailable):
            await remote.signer()


async def test_a_passing_outage_while_polling_is_ridden_out(
    service: HashPollTestService, draft: bytes, stamp: appearance.StampImage
) -> None:
    service.answer_with("credentials/gettraninfo", "down", status=503, times=2)
    _, task, _, remote = await _signing(service, draft, stamp)
    async with remote:
        tran_id = await service.next_transaction()
        await service.until_polled(3)
        service.approve(tran_id)
        assert await asyncio.wait_for(task, 30)


async def test_the_service_going_down_while_polling_is_a_typed_error(
    service: HashPollTestService, draft: bytes, stamp: appearance.StampImage
) -> None:
    service.answer_with("credentials/gettraninfo", "down", status=503)
    _, task, _, remote = await _signing(service, draft, stamp)
    async with remote:
        with pytest.raises(RemoteServiceUnavailable):
            await asyncio.wait_for(task, 30)
    assert service.polls == 3


async def test_a_refused_token_says_sign_in(service: HashPollTestService) -> None:
    async with HashPollService(_account(service.url), "stale-token") as remote:
        with pytest.raises(RemoteNotSignedIn):
            await remote.credentials()


@pytest.mark.parametrize(
    "body",
    [
        "not json at all",
        "[1, 2]",
        '{"code": 0, "content": {"tranStatus": "soon"}}',
        '{"code": 0, "content": {"tranStatus": 7}}',
        '{"code": 0, "content": {"tranStatus": true}}',
        '{"code": 0, "content": {"tranStatus": 1}}',
        '{"code": 0, "content": {"tranStatus": 1, "documents": [{"sig": "%%%"}]}}',
        '{"code": 0, "content": null}',
        '{"code": 0, "content": {"tranStatus": 1, "documents": [{"sig": "AAAA"}]}}',
    ],
)
async def test_malformed_answers_are_typed_errors(
    service: HashPollTestService, draft: bytes, stamp: appearance.StampImage, body: str
) -> None:
    service.answer_with("credentials/gettraninfo", body)
    _, task, _, remote = await _signing(service, draft, stamp)
    async with remote:
        with pytest.raises(RemoteBadResponse):
            await asyncio.wait_for(task, 30)


@pytest.mark.parametrize(
    ("endpoint", "body"),
    [
        ("credentials/info", '{"code": 0, "content": {"cert": {"certificates": ["AAAA"]}}}'),
        ("credentials/info", '{"code": 0, "content": {"cert": {}}}'),
        ("credentials/list", '{"code": 0, "content": "leader"}'),
        ("signature/signhash", '{"code": 0, "content": {"tranid": "x"}}'),
    ],
)
async def test_malformed_setup_answers_are_typed_errors(
    service: HashPollTestService,
    draft: bytes,
    stamp: appearance.StampImage,
    endpoint: str,
    body: str,
) -> None:
    service.answer_with(endpoint, body)
    async with HashPollService(_account(service.url), TOKEN) as remote:
        with pytest.raises(RemoteBadResponse):
            await sign_through(remote, draft, stamp)


async def test_one_signer_signs_a_batch_and_a_refusal_on_the_phone_ends_it(
    service: HashPollTestService, draft: bytes, stamp: appearance.StampImage, pki: TestPki
) -> None:
    """The phone shows no document apart from the others: a refusal means "stop", so the rest
    of the batch fails with it at once instead of asking the phone again (as a removed token)."""

    async def phone() -> None:
        for answer in ("approve", "reject"):
            getattr(service, answer)(await service.next_transaction())

    async with HashPollService(_account(service.url), TOKEN) as remote:
        signer = await remote.signer()
        user = asyncio.create_task(phone())
        items = [BatchItem(f"doc{i}", draft) for i in range(3)]
        results = await sign_batch(items, lambda pdf: sign.sign_leader(pdf, signer, stamp))
        await user
    assert [r.ok for r in results] == [True, False, False]
    assert isinstance(results[1].error, RemoteSignRejected)
    assert results[2].error is results[1].error
    assert len(service.transactions) == 2
    assert results[0].signed is not None
    (checked,) = await asyncio.to_thread(pyhanko_check, results[0].signed, pki)
    assert checked.status.bottom_line
