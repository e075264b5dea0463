"""Leader then agency on a prepared Decree 30 draft: both valid in pyHanko and pdfsig, the
changes after the leader's signature are form filling at most, the images where Phụ lục I
puts them."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pymupdf
import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel

from desktop.signing import appearance, layout, sign
from desktop.signing.errors import UnsignableDocument
from tests.desktop.signing.conftest import pdfsig_report, pyhanko_check
from tests.fixtures.drafts import draft_pdf, seal_png, signature_png
from tests.fixtures.pki import TestPki

ISSUED = dt.date(2026, 1, 5)


def _issued(p12_signer, pages: int = 2) -> tuple[bytes, bytes, layout.DraftLayout]:  # type: ignore[no-untyped-def]
    draft, found = layout.prepare_draft_from_text(draft_pdf(pages))
    leader = appearance.StampImage.from_png(signature_png())
    seal = appearance.StampImage.from_png(seal_png())
    signed = _run(sign.sign_leader(draft, p12_signer("leader"), leader))
    issued = _run(
        sign.issue(
            signed,
            p12_signer("agency"),
            seal,
            appearance.number_line(5, "QĐ-UBND"),
            appearance.date_line("Hà Nội", ISSUED),
        )
    )
    return signed, issued, found


def _run(coro):  # type: ignore[no-untyped-def]
    import asyncio

    return asyncio.run(coro)


def test_draft_fields_are_added_in_one_incremental_update() -> None:
    original = draft_pdf(2)
    draft, found = layout.prepare_draft_from_text(original)
    assert found.found
    assert draft.startswith(original)  # incremental: the original bytes untouched
    assert draft.count(b"%%EOF") == original.count(b"%%EOF") + 1
    reader = PdfFileReader(io.BytesIO(draft))
    names = {f.get_object()["/T"]: f.get_object() for f in reader.root["/AcroForm"]["/Fields"]}
    assert set(names) == {
        layout.NUMBER_FIELD,
        layout.DATE_FIELD,
        layout.LEADER_FIELD,
        layout.AGENCY_FIELD,
    }
    for obj in names.values():  # one object each: field and widget merged
        assert obj["/Subtype"] == "/Widget"
        assert "/Kids" not in obj


def test_places_come_from_the_page_text() -> None:
    first, last, index = layout.read_pages(draft_pdf(2))
    found = layout.find_layout(first, last, index, 100.0)
    number_line = next(ln for ln in first.lines if ln.text.startswith("Số:"))
    date_line = next(ln for ln in first.lines if "ngày" in ln.text)
    position = next(ln for ln in last.lines if ln.text == "CHỦ TỊCH")
    name = next(ln for ln in last.lines if ln.text == "Nguyễn Văn An")
    assert found.number[0] <= number_line.box[0]
    assert found.number[3] >= number_line.box[3]
    assert found.date[0] <= date_line.box[0]
    assert found.date[3] >= date_line.box[3]
    # the leader's box lies between the position line and the name line, centred on the block
    assert name.box[3] <= found.leader[1] < found.leader[3] <= position.box[1]
    centre = (position.box[0] + position.box[2]) / 2
    assert abs((found.leader[0] + found.leader[2]) / 2 - centre) < 0.01
    # the seal covers the left third of the signature box, at its given size
    assert found.agency[2] - found.agency[0] == pytest.approx(100.0)
    width = found.leader[2] - found.leader[0]
    assert found.agency[2] - found.leader[0] == pytest.approx(width / 3)
    assert index == 1


def test_without_a_signature_block_the_fields_go_to_the_a4_places() -> None:
    first, last, index = layout.read_pages(draft_pdf(1, signature_block=False))
    found = layout.find_layout(first, last, index, 100.0)
    assert not found.found
    assert found.leader[3] > found.leader[1]
    assert found.leader[2] <= last.width


def test_leader_then_agency_both_valid_and_form_filling_only(
    p12_signer,
    pki: TestPki,
    nss_db: Path,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    _signed, issued, _ = _issued(p12_signer)
    results = {c.field: c.status for c in pyhanko_check(issued, pki)}
    assert set(results) == {layout.LEADER_FIELD, layout.AGENCY_FIELD}
    for status in results.values():
        assert status.bottom_line, status.pretty_print_details()
    leader = results[layout.LEADER_FIELD]
    assert leader.modification_level is not None
    assert leader.modification_level <= ModificationLevel.FORM_FILLING
    assert leader.docmdp_ok
    assert results[layout.AGENCY_FIELD].modification_level == ModificationLevel.NONE
    # subfilter PAdES
    reader = PdfFileReader(io.BytesIO(issued))
    for sig in reader.embedded_signatures:
        assert sig.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    report = pdfsig_report(issued, nss_db, tmp_path)
    assert report.count("Signature is Valid") == 2, report
    assert report.count("Certificate is Trusted") == 2, report


def test_number_and_date_filled_and_images_placed(p12_signer) -> None:  # type: ignore[no-untyped-def]
    _, issued, found = _issued(p12_signer)
    reader = PdfFileReader(io.BytesIO(issued))
    values = {
        f.get_object()["/T"]: f.get_object().get("/V") for f in reader.root["/AcroForm"]["/Fields"]
    }
    assert values[layout.NUMBER_FIELD] == "Số: 05/QĐ-UBND"
    assert values[layout.DATE_FIELD] == "Hà Nội, ngày 05 tháng 01 năm 2026"
    doc = pymupdf.open(stream=issued, filetype="pdf")
    try:
        page = doc[found.last_page]
        height = page.rect.height
        widgets = {w.field_name: w.rect for w in page.widgets()}
        leader_rect, seal_rect = widgets[layout.LEADER_FIELD], widgets[layout.AGENCY_FIELD]
        images = page.get_image_info()
        # leader: the image centred in its box; seal: true size (36 mm) and over the left third
        # the seal is round (square box), the signature wide
        boxes = sorted((pymupdf.Rect(i["bbox"]) for i in images), key=lambda r: r.width / r.height)
        assert len(boxes) == 2
        seal_box, signature_box = boxes
        assert abs(signature_box.x0 + signature_box.x1 - leader_rect.x0 - leader_rect.x1) < 1
        assert abs(signature_box.y0 + signature_box.y1 - leader_rect.y0 - leader_rect.y1) < 3
        assert seal_box.width == pytest.approx(36 * 72 / 25.4, abs=0.5)
        assert seal_rect.x1 == pytest.approx(leader_rect.x0 + leader_rect.width / 3, abs=0.5)
        assert seal_box.x1 > signature_box.x0  # the seal overlaps the signature on its left
        assert height > 0
        spans = [
            span
            for block in doc[0].get_text("dict")["blocks"]
            for line in block.get("lines", [])
            for span in line["spans"]
        ]
        date_span = next(s for s in spans if s["text"].startswith("Hà Nội, ngày 05"))
        number_span = next(s for s in spans if s["text"].startswith("Số: 05"))
        assert "Italic" in date_span["font"]
        assert "Italic" not in number_span["font"]
        assert number_span["size"] == pytest.approx(13, abs=0.3)  # MuPDF reads 13.14
        text = doc[0].get_text()
        assert "Số: 05/QĐ-UBND" in text
        assert "Hà Nội, ngày 05 tháng 01 năm 2026" in text
    finally:
        doc.close()


def test_agency_cannot_sign_before_the_leader(p12_signer) -> None:  # type: ignore[no-untyped-def]
    draft, _ = layout.prepare_draft_from_text(draft_pdf(1))
    seal = appearance.StampImage.from_png(seal_png())
    with pytest.raises(UnsignableDocument) as caught:
        _run(sign.issue(draft, p12_signer("agency"), seal, "Số: 01/QĐ", "Hà Nội"))
    assert caught.value.reason == "leader-unsigned"


def test_attachment_signed_top_right_with_number_and_time(
    p12_signer,
    pki: TestPki,
    nss_db: Path,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    at = dt.datetime(2026, 1, 5, 2, 30, tzinfo=dt.UTC)
    signed = _run(sign.sign_attachment(draft_pdf(1), p12_signer("agency"), "05/QĐ-UBND", at))
    (checked,) = pyhanko_check(signed, pki)
    assert checked.status.valid
    assert checked.status.trusted
    doc = pymupdf.open(stream=signed, filetype="pdf")
    try:
        page = doc[0]
        (widget,) = list(page.widgets())
        assert widget.rect.x1 > page.rect.width * 0.8
        assert widget.rect.y0 < page.rect.height * 0.1
        text = page.get_text(clip=widget.rect)
        # MuPDF reads the stamp's punctuation back as spaces (pyHanko's ToUnicode for the
        # subset font); the letters and digits are checked, the drawing is in the stamp
        assert re.sub(r"[^\w/]+", " ", text).strip() == "05/QĐ UBND 2026 01 05T09 30 00 07 00"
        rendered = page.get_text("rawdict", clip=widget.rect)
        assert all(
            s["bbox"][1] >= widget.rect.y0 - 0.5
            for b in rendered["blocks"]
            for ln in b["lines"]
            for s in ln["spans"]
        )  # nothing clipped at the top
        spans = [
            s
            for b in page.get_text("dict", clip=widget.rect)["blocks"]
            for ln in b.get("lines", [])
            for s in ln["spans"]
        ]
        assert spans
        assert all(abs(s["size"] - 10) < 0.1 and s["color"] == 0 for s in spans)
        assert not page.get_image_info()
    finally:
        doc.close()
    assert "Signature is Valid" in pdfsig_report(signed, nss_db, tmp_path)


@pytest.mark.parametrize("kind", ["encrypted", "damaged"])
def test_encrypted_or_damaged_pdf_is_refused(kind: str, p12_signer) -> None:  # type: ignore[no-untyped-def]
    if kind == "encrypted":
        doc = pymupdf.open(stream=draft_pdf(1), filetype="pdf")
        data = doc.tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="x", owner_pw="y")
        doc.close()
    else:
        data = draft_pdf(1)[:600] + b"garbage" * 10
    image = appearance.StampImage.from_png(signature_png())
    with pytest.raises(UnsignableDocument) as caught:
        _run(sign.sign_leader(data, p12_signer("leader"), image))
    assert caught.value.reason == kind


def test_decree_texts() -> None:
    assert appearance.number_line(5, "QĐ-UBND") == "Số: 05/QĐ-UBND"
    assert appearance.number_line(12, "QĐ-UBND") == "Số: 12/QĐ-UBND"
    assert (
        appearance.date_line("Hà Nội", dt.date(2026, 1, 5)) == "Hà Nội, ngày 05 tháng 01 năm 2026"
    )
    assert appearance.date_line("Huế", dt.date(2026, 3, 15)) == "Huế, ngày 15 tháng 3 năm 2026"
    at = dt.datetime(2026, 1, 5, 2, 30, 5, 123, tzinfo=dt.UTC)
    assert appearance.signing_time_text(at) == "2026-01-05T09:30:05+07:00"


def test_leader_moves_the_signature_before_signing_and_the_seal_follows(
    p12_signer,
    pki: TestPki,  # type: ignore[no-untyped-def]
) -> None:
    draft, found = layout.prepare_draft_from_text(draft_pdf(1))
    x0, y0, x1, y1 = found.leader
    moved = (x0 - 40, y0 - 10, x1 - 40, y1 - 10)
    leader_image = appearance.StampImage.from_png(signature_png())
    signed = _run(sign.sign_leader(draft, p12_signer("leader"), leader_image, place=moved))
    issued = _run(
        sign.issue(
            signed,
            p12_signer("agency"),
            appearance.StampImage.from_png(seal_png()),
            appearance.number_line(7, "QĐ-UBND"),
            appearance.date_line("Hà Nội", ISSUED),
        )
    )
    results = {c.field: c.status for c in pyhanko_check(issued, pki)}
    leader = results[layout.LEADER_FIELD]
    assert leader.bottom_line
    assert leader.modification_level is not None
    assert leader.modification_level <= ModificationLevel.FORM_FILLING
    doc = pymupdf.open(stream=issued, filetype="pdf")
    try:
        page = doc[0]
        height = page.rect.height
        rects = {w.field_name: w.rect for w in page.widgets()}
        leader_rect = rects[layout.LEADER_FIELD]
        assert leader_rect.x0 == pytest.approx(moved[0], abs=0.01)
        assert height - leader_rect.y1 == pytest.approx(moved[1], abs=0.01)
        seal = rects[layout.AGENCY_FIELD]
        assert seal.x1 == pytest.approx(moved[0] + (moved[2] - moved[0]) / 3, abs=0.01)
        assert seal.width == pytest.approx(found.agency[2] - found.agency[0], abs=0.01)
    finally:
        doc.close()


def test_a_document_changed_since_it_was_read_is_not_signed(p12_signer) -> None:  # type: ignore[no-untyped-def]
    import hashlib

    draft, _ = layout.prepare_draft_from_text(draft_pdf(1))
    read = hashlib.sha256(draft).hexdigest()
    changed, _ = layout.prepare_draft_from_text(draft_pdf(2))
    image = appearance.StampImage.from_png(signature_png())
    with pytest.raises(UnsignableDocument) as caught:
        _run(sign.sign_leader(changed, p12_signer("leader"), image, expected_sha256=read))
    assert caught.value.reason == "changed"
    assert "changed" in caught.value.user_message()
    signed = _run(sign.sign_leader(draft, p12_signer("leader"), image, expected_sha256=read))
    assert signed.startswith(draft)
