"""Signing runs on a worker thread with its own loop, and can be cancelled from the caller."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from desktop.signing import appearance, layout, sign
from desktop.signing.sign import LevelOptions, PadesLevel
from desktop.signing.worker import off_the_loop
from tests.desktop.signing.conftest import pyhanko_check
from tests.fixtures.drafts import draft_pdf, signature_png
from tests.fixtures.pki import TestPki

IMAGE = appearance.StampImage.from_png(signature_png())


async def test_signing_happens_on_another_thread(p12_signer, pki: TestPki) -> None:  # type: ignore[no-untyped-def]
    draft = layout.prepare_draft_from_text(draft_pdf(3))[0]
    threads: set[int] = set()
    signed = await off_the_loop(
        lambda: sign.sign_leader(
            draft,
            p12_signer("leader"),
            IMAGE,
            progress=lambda _: threads.add(threading.get_ident()),
        )
    )
    assert threads
    assert threading.get_ident() not in threads
    (checked,) = await asyncio.to_thread(pyhanko_check, signed, pki)
    assert checked.status.bottom_line


async def test_cancelling_the_caller_cancels_the_worker(p12_signer, pki: TestPki) -> None:  # type: ignore[no-untyped-def]
    draft = layout.prepare_draft_from_text(draft_pdf(1))[0]
    pki.switch.tsa_delay = 30.0
    asked = threading.Event()
    options = LevelOptions(PadesLevel.B_T, pki.tsa_url)
    try:
        task = asyncio.ensure_future(
            off_the_loop(
                lambda: sign.sign_leader(
                    draft,
                    p12_signer("leader"),
                    IMAGE,
                    options,
                    lambda step: asked.set() if step.startswith("timestamp") else None,
                )
            )
        )
        assert await asyncio.to_thread(asked.wait, 30)
        started = time.monotonic()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert time.monotonic() - started < 5
    finally:
        pki.switch.tsa_delay = 0.0
