"""Opening bad input: every case is a typed DocumentError with a message, never a crash."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import pymupdf
import pytest

from viewer.document import (
    DamagedError,
    Document,
    DocumentError,
    EmptyFileError,
    FileMissingError,
    NoPagesError,
    NotPdfError,
    PasswordRequiredError,
)

from .conftest import make_text_pdf

Write = Callable[[str, bytes], Path]


def _encrypted(password: str = "secret") -> bytes:
    doc = pymupdf.open("pdf", make_text_pdf(2, outline=False))
    data: bytes = doc.tobytes(
        encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw=password, owner_pw="owner"
    )
    return data


def test_opens_a_good_file(text_pdf: Path) -> None:
    doc = Document.open_path(str(text_pdf))
    assert doc.page_count == 30
    assert doc.page_size(0) == (595.0, 842.0)
    assert doc.outline()[0].title == "Chương 1"
    doc.close()


def test_zero_bytes(write_file: Write) -> None:
    with pytest.raises(EmptyFileError) as info:
        Document.open_path(str(write_file("empty.pdf", b"")))
    assert info.value.user_message()


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileMissingError):
        Document.open_path(str(tmp_path / "nope.pdf"))


def test_html_named_pdf(write_file: Write) -> None:
    with pytest.raises(NotPdfError):
        Document.open_path(str(write_file("page.pdf", b"<html><body>Hi</body></html>")))


def test_random_bytes_are_not_a_pdf(write_file: Write) -> None:
    data = random.Random(3).randbytes(5000)
    with pytest.raises(NotPdfError):
        Document.open_path(str(write_file("noise.pdf", data)))


def test_truncated_file(write_file: Write, text_pdf_bytes: bytes) -> None:
    path = write_file("cut.pdf", text_pdf_bytes[: len(text_pdf_bytes) // 3])
    try:
        doc = Document.open_path(str(path))
    except DocumentError as exc:
        message = exc.user_message()
    else:  # MuPDF repaired what was left: it must still be usable
        message = str(doc.page_count)
        doc.close()
    assert message


def test_flipped_bytes(write_file: Write, text_pdf_bytes: bytes) -> None:
    rng = random.Random(7)
    data = bytearray(text_pdf_bytes)
    for _ in range(200):
        data[rng.randrange(100, len(data))] ^= 0xFF
    try:
        doc = Document.open_path(str(write_file("flipped.pdf", bytes(data))))
    except DocumentError:
        return
    for i in range(doc.page_count):
        doc.page_size(i)
    doc.close()


def test_broken_xref_is_repaired(write_file: Write, text_pdf_bytes: bytes) -> None:
    data = text_pdf_bytes.replace(b"startxref", b"startxrex")
    doc = Document.open_path(str(write_file("xref.pdf", data)))
    assert doc.page_count == 30
    assert doc.repaired  # the reader is told (the viewer's banner)
    doc.close()
    intact = Document.open_bytes(text_pdf_bytes)
    assert not intact.repaired
    intact.close()


def test_a_file_without_header_that_mupdf_repairs_opens(
    write_file: Write, text_pdf_bytes: bytes
) -> None:
    """No %PDF- line (cut off by a mail gateway, say), the rest intact: MuPDF repairs and shows
    it, so it is not refused as "not a PDF"; it opens as repaired."""
    headless = text_pdf_bytes[text_pdf_bytes.index(b"\n") + 1 :]
    assert b"%PDF-" not in headless[:1024]
    for doc in (
        Document.open_path(str(write_file("headless.pdf", headless))),
        Document.open_bytes(headless, "headless.pdf"),
    ):
        assert doc.page_count == 30
        assert doc.repaired
        doc.close()


def test_damaged_file_with_zero_pages(write_file: Write) -> None:
    data = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    with pytest.raises((NoPagesError, DamagedError)) as info:
        Document.open_path(str(write_file("nopages.pdf", data)))
    assert info.value.user_message()


def test_password_asked_again_when_wrong(write_file: Write) -> None:
    path = write_file("locked.pdf", _encrypted())
    asked: list[bool] = []
    answers = iter(["wrong", "secret"])

    def ask(name: str, wrong: bool) -> str | None:
        asked.append(wrong)
        return next(answers)

    doc = Document.open_path(str(path), ask)
    assert asked == [False, True]
    assert doc.source.password == "secret"
    doc.close()


@pytest.mark.parametrize(
    ("stored", "typed"),
    [
        ("pass word", "pass\u00a0word"),  # a no-break space (RFC 4013 maps it to SPACE)
        ("file", "\ufb01le"),  # the ligature ﬁ (NFKC: "fi")
        ("ngày", "nga\u0300y"),  # Vietnamese typed decomposed (NFKC composes it)
        ("mật", "m\u00adật"),  # a soft hyphen (mapped to nothing)
    ],
)
def test_aes256_password_is_saslprepped(write_file: Write, stored: str, typed: str) -> None:
    """ISO 32000-2 §7.6.4.3.3: an AES-256 (R6) password is checked in its SASLprep form, so
    the password as the user types it opens a file encrypted with the prepared one."""
    path = write_file("r6.pdf", _encrypted(stored))
    answers = iter([typed])
    doc = Document.open_path(str(path), lambda _n, _w: next(answers, None))
    assert "R6" in doc.engine.metadata["encryption"]
    assert doc.source.password == stored  # the workers open it with the form that worked
    doc.close()


def test_password_as_typed_still_opens_a_file_encrypted_without_saslprep(
    write_file: Write,
) -> None:
    """Software that skipped SASLprep (MuPDF itself) encrypted with the bytes as typed."""
    path = write_file("raw.pdf", _encrypted("\ufb01le"))
    answers = iter(["\ufb01le"])
    doc = Document.open_path(str(path), lambda _n, _w: next(answers, None))
    assert doc.source.password == "\ufb01le"
    doc.close()


def test_password_refused(write_file: Write) -> None:
    with pytest.raises(PasswordRequiredError):
        Document.open_path(str(write_file("locked.pdf", _encrypted())), lambda _n, _w: None)
    with pytest.raises(PasswordRequiredError):
        Document.open_path(str(write_file("locked2.pdf", _encrypted())))


def test_open_bytes_survives_deletion(write_file: Write, text_pdf_bytes: bytes) -> None:
    path = write_file("gone.pdf", text_pdf_bytes)
    doc = Document.open_bytes(path.read_bytes(), "gone.pdf")
    path.unlink()
    assert doc.text_in(17, (0, 0, 595, 842)).find("ĐẶC BIỆT") >= 0
    doc.close()


def test_five_thousand_pages_open_fast_and_sizes_load_in_slices(write_file: Write) -> None:
    src = pymupdf.open()
    for _ in range(5000):
        src.new_page(width=300, height=400)
    doc = Document.open_path(str(write_file("big.pdf", src.tobytes())))
    assert doc.page_count == 5000
    assert not doc.sizes_complete
    while not doc.sizes_complete:
        doc.load_sizes()
    assert doc.page_size(4999) == (300.0, 400.0)
    doc.close()


def test_page_sizes_are_read_in_time_bounded_slices(tmp_path: Path) -> None:
    """Out of time, a slice still reads one page (progress), and every size ends up right."""
    src = pymupdf.open()
    sizes = [(595.0, 842.0), (842.0, 595.0), (420.0, 595.0), (595.0, 842.0)]
    for width, height in sizes:
        src.new_page(width=width, height=height)
    path = tmp_path / "mixed.pdf"
    src.save(path)
    doc = Document.open_path(str(path))
    try:
        assert doc.load_sizes(seconds=0.0)  # page 2 differs from page 1
        assert not doc.sizes_complete
        while not doc.sizes_complete:
            doc.load_sizes(seconds=0.0)
        assert [doc.page_size(i) for i in range(4)] == sizes
    finally:
        doc.close()
