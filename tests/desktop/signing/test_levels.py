"""PAdES levels against certomancer's timestamp server and CRLs on loopback: B-T, B-LT, and a
timestamp server that is down, flaky, slow, or cancelled while waited for."""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import Iterator

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko_certvalidator import ValidationContext

from desktop.signing import appearance, layout, sign
from desktop.signing.errors import TimestampUnavailable
from desktop.signing.sign import LevelOptions, PadesLevel
from tests.desktop.signing.conftest import pyhanko_check
from tests.fixtures.drafts import draft_pdf, signature_png
from tests.fixtures.pki import TestPki

IMAGE = appearance.StampImage.from_png(signature_png())


@pytest.fixture(scope="module")
def draft() -> bytes:
    return layout.prepare_draft_from_text(draft_pdf(1))[0]


@pytest.fixture
def tsa(pki: TestPki) -> Iterator[TestPki]:
    """The PKI with its timestamp server reset to healthy after each test."""
    yield pki
    pki.switch.tsa_down = False
    pki.switch.tsa_failures = 0
    pki.switch.tsa_delay = 0.0


def _options(pki: TestPki, level: PadesLevel = PadesLevel.B_T, **kw: float) -> LevelOptions:
    return LevelOptions(level=level, tsa_url=pki.tsa_url, **kw)  # type: ignore[arg-type]


async def test_b_t_carries_a_valid_timestamp(p12_signer, tsa: TestPki, draft: bytes) -> None:  # type: ignore[no-untyped-def]
    steps: list[str] = []
    signed = await sign.sign_leader(draft, p12_signer("leader"), IMAGE, _options(tsa), steps.append)
    (checked,) = await asyncio.to_thread(pyhanko_check, signed, tsa)
    assert checked.status.bottom_line
    stamp = checked.status.timestamp_validity
    assert stamp is not None
    assert stamp.intact
    assert stamp.valid
    assert stamp.trusted
    assert "timestamp:1/3" in steps
    assert steps[-1] == "signed"
    assert LevelOptions().tsa_timeout == 180.0


async def test_b_lt_embeds_the_validation_data(p12_signer, tsa: TestPki, draft: bytes) -> None:  # type: ignore[no-untyped-def]
    context = ValidationContext(
        trust_roots=[tsa.cert("root")], allow_fetching=True, other_certs=[tsa.cert("interm")]
    )
    options = LevelOptions(PadesLevel.B_LT, tsa.tsa_url, validation=context)
    signed = await sign.sign_leader(draft, p12_signer("leader"), IMAGE, options)
    reader = PdfFileReader(io.BytesIO(signed))
    dss = reader.root["/DSS"]
    assert len(dss["/CRLs"]) >= 1  # the intermediate's CRL, fetched from the loopback PKI
    assert len(dss["/Certs"]) >= 2
    (checked,) = await asyncio.to_thread(pyhanko_check, signed, tsa)
    assert checked.status.bottom_line


async def test_timestamp_server_down_is_a_clear_error_after_retries(
    p12_signer,
    tsa: TestPki,
    draft: bytes,  # type: ignore[no-untyped-def]
) -> None:
    tsa.switch.tsa_down = True
    before = tsa.switch.tsa_requests
    with pytest.raises(TimestampUnavailable) as caught:
        await sign.sign_leader(draft, p12_signer("leader"), IMAGE, _options(tsa, tsa_attempts=2))
    assert tsa.switch.tsa_requests - before == 2
    assert "timestamp" in caught.value.user_message()


async def test_a_failed_timestamp_request_is_retried(
    p12_signer,
    tsa: TestPki,
    draft: bytes,  # type: ignore[no-untyped-def]
) -> None:
    tsa.switch.tsa_failures = 1
    steps: list[str] = []
    signed = await sign.sign_leader(draft, p12_signer("leader"), IMAGE, _options(tsa), steps.append)
    assert "timestamp:2/3" in steps
    (checked,) = await asyncio.to_thread(pyhanko_check, signed, tsa)
    assert checked.status.timestamp_validity is not None


async def test_slow_timestamp_server_times_out(p12_signer, tsa: TestPki, draft: bytes) -> None:  # type: ignore[no-untyped-def]
    tsa.switch.tsa_delay = 3.0
    with pytest.raises(TimestampUnavailable):
        await sign.sign_leader(
            draft, p12_signer("leader"), IMAGE, _options(tsa, tsa_timeout=0.5, tsa_attempts=1)
        )


async def test_waiting_for_the_timestamp_can_be_cancelled(
    p12_signer,
    tsa: TestPki,
    draft: bytes,  # type: ignore[no-untyped-def]
) -> None:
    tsa.switch.tsa_delay = 30.0
    asked = asyncio.Event()

    def progress(step: str) -> None:
        if step.startswith("timestamp:"):
            asked.set()

    task = asyncio.ensure_future(
        sign.sign_leader(draft, p12_signer("leader"), IMAGE, _options(tsa), progress)
    )
    await asyncio.wait_for(asked.wait(), 30)
    started = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert time.monotonic() - started < 5  # not the 30 s the server takes
