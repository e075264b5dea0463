"""The demo's signing keys: made at the first demo start (nothing committed), loadable with the
demo PIN, and they make valid signatures on a prepared draft."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature

from desktop.demo_keys import AGENCY, DEMO_PIN, LEADER, demo_keys
from desktop.signing import appearance, keys, layout, sign
from tests.fixtures.drafts import draft_pdf


def test_demo_keys_are_made_once_and_sign(tmp_path: Path) -> None:
    made = demo_keys(tmp_path / "signing")
    first = made[LEADER].key_path.read_bytes()
    assert demo_keys(tmp_path / "signing")[LEADER].key_path.read_bytes() == first  # kept
    leader = keys.load_pkcs12(made[LEADER].key_path, DEMO_PIN)
    agency = keys.load_pkcs12(made[AGENCY].key_path, DEMO_PIN)
    draft, _ = layout.prepare_draft_from_text(draft_pdf())
    stamp = appearance.StampImage.from_png(made[LEADER].image_path.read_bytes())
    seal = appearance.StampImage.from_png(made[AGENCY].image_path.read_bytes())
    signed = asyncio.run(sign.sign_leader(draft, leader, stamp))
    issued = asyncio.run(
        sign.issue(signed, agency, seal, "Số: 01/QĐ-STTTT", "Hòa Bình, ngày 07 tháng 12 năm 2026")
    )
    signatures = PdfFileReader(io.BytesIO(issued)).embedded_signatures
    assert len(signatures) == 2
    for embedded in signatures:
        status = validate_pdf_signature(embedded)
        assert status.intact
        assert status.valid
