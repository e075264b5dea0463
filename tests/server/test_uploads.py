"""`POST /files` through the real server: a PDF is stored under its sha256; a file that is not a
PDF, is encrypted or damaged, is empty or comes as another media type is refused and not kept."""

from __future__ import annotations

import hashlib
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pymupdf
import pytest

from tests.fixtures.server import ServerProcess
from tests.server.conftest import Api, api_for
from tests.server.wf_helpers import pdf, slug, upload


def _encrypted() -> bytes:
    with pymupdf.open() as doc:
        doc.new_page().insert_text((72, 72), "Tài liệu mật")
        return doc.tobytes(
            encryption=pymupdf.PDF_ENCRYPT_AES_256, owner_pw="chu", user_pw="mat-khau"
        )


def _damaged() -> bytes:
    good = pdf("Bản hỏng", pages=3)
    return good[: len(good) // 2]  # cut in the middle: no xref, no trailer, half the objects


REFUSED = [
    ("not-a-pdf", b"PK\x03\x04 a zip file, not a PDF", "application/pdf"),
    ("pdf-encrypted", _encrypted(), "application/pdf"),
    ("pdf-damaged", _damaged(), "application/pdf"),
    ("pdf-damaged", b"%PDF-1.7\n" + b"\x00garbage" * 100, "application/pdf"),
    ("empty-file", b"", "application/pdf"),
]


@pytest.fixture(scope="module")
def specialist(shared: Api) -> Api:
    return shared.login("chuyenvien1")


@pytest.mark.parametrize(("expected", "data", "media"), REFUSED, ids=[r[0] for r in REFUSED])
def test_refused_uploads(specialist: Api, expected: str, data: bytes, media: str) -> None:
    reply = upload(specialist, data, "x.pdf", media)
    assert (reply.status, slug(reply)) == (422, expected)
    assert reply.headers["content-type"] == "application/problem+json"


def test_other_media_types_are_refused(specialist: Api) -> None:
    reply = upload(specialist, pdf("ảnh"), "x.png", "image/png")
    assert reply.status == 415


def test_a_pdf_is_stored_under_its_hash(specialist: Api) -> None:
    data = pdf("Dự thảo công văn", pages=2)
    reply = upload(specialist, data, "du-thao.pdf")
    assert reply.status == 201, reply.body
    ref = reply.json()
    assert ref == {
        "sha256": hashlib.sha256(data).hexdigest(),
        "size": len(data),
        "name": "du-thao.pdf",
        "media_type": "application/pdf",
    }
    # the same bytes again: the same file, stored once
    assert upload(specialist, data, "du-thao.pdf").json()["sha256"] == ref["sha256"]


def test_guests_and_anonymous_cannot_upload(shared: Api) -> None:
    assert upload(shared, pdf("x")).status == 401
    assert upload(shared.login("khach"), pdf("x")).status == 403


def test_refused_files_leave_nothing_behind(server: ServerProcess) -> None:
    """Not even a temporary file: the store holds only the accepted upload (checked on disk)."""
    api = api_for(server).login("chuyenvien1")
    store = server.data_dir / "files"
    before = {p for p in store.rglob("*") if p.is_file()}
    for _expected, data, media in REFUSED:
        assert upload(api, data, "x.pdf", media).status == 422
    good = pdf("Giữ lại")
    assert upload(api, good, "ok.pdf").status == 201
    added = {p for p in store.rglob("*") if p.is_file()} - before
    assert [p.name for p in added] == [hashlib.sha256(good).hexdigest()]


def test_uploads_over_the_limit_are_refused_streamed_or_not(server_factory: Any) -> None:
    """413 with or without Content-Length (a chunked body is counted as it streams)."""
    limited = server_factory(extra_args=["--max-upload", "8000"])
    api = api_for(limited).login("chuyenvien1")
    big = pdf("Tệp lớn " + "x" * 30_000, pages=40)
    assert len(big) > 8_000
    assert upload(api, big, "lon.pdf").status == 413
    small = pdf("Tệp nhỏ")
    assert len(small) < 8_000
    assert upload(api, small, "nho.pdf").status == 201

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(big), 4096):
            yield big[start : start + 4096]

    request = urllib.request.Request(
        f"{limited.api}/files?name=lon.pdf", data=chunks(), method="POST"
    )
    request.add_header("Content-Type", "application/pdf")
    request.add_header("Authorization", f"Bearer {api.token}")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 413
