"""Export of notes into a copy of a (signed) PDF, and import back (viewer/annotations/export.py).

Checked with the real tools: pdfsig, mutool and pyHanko.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from io import BytesIO
from pathlib import Path

import pymupdf
import pytest

from tests.viewer.fixtures_sign import (
    SigningPki,
    nss_db_with_root,
    pki_fixture,  # noqa: F401 (fixture)
    plain_pdf_fixture,  # noqa: F401 (fixture)
    signed_pdf_fixture,  # noqa: F401 (fixture)
)
from viewer.annotations.export import ExportError, export_annotated_copy, import_annotations
from viewer.annotations.model import Annotation, AnnotationKind

pytestmark = pytest.mark.timeout(60)


def _notes(sha: str, doc_bytes: bytes) -> list[Annotation]:
    doc = pymupdf.open(stream=doc_bytes, filetype="pdf")
    hit = doc[0].search_for("line 2")[0]
    hit3 = doc[0].search_for("line 3")[0]
    doc.close()
    return [
        Annotation.markup(
            sha, 0, AnnotationKind.HIGHLIGHT, [tuple(hit)], color="#ffd400", text="Xem lại"
        ),
        Annotation.markup(sha, 0, AnnotationKind.UNDERLINE, [tuple(hit3)], color="#0000ff"),
        Annotation.markup(sha, 1, AnnotationKind.STRIKEOUT, [tuple(hit)], color="#ff0000"),
        Annotation.sticky(sha, 1, (300, 400), text="Hỏi ý kiến Giám đốc", color="#00ff00"),
        Annotation.ink(sha, 0, [(100, 300), (150, 320), (200, 310)], color="#ff00ff"),
        Annotation.box(sha, 1, (100, 600, 300, 700), color="#0000ff", text="Chữ ký"),
    ]


def _same(a: Annotation, b: Annotation) -> None:
    assert (a.id, a.page, a.kind, a.color, a.text) == (b.id, b.page, b.kind, b.color, b.text)
    assert a.rect == pytest.approx(b.rect, abs=0.5)
    flat = [c for p in a.points for c in p]
    assert flat == pytest.approx([c for p in b.points for c in p], abs=0.5)


def test_export_keeps_signature_and_imports_back(
    tmp_path: Path, signed_pdf: bytes, pki: SigningPki
) -> None:
    original = tmp_path / "signed.pdf"
    original.write_bytes(signed_pdf)
    sha = hashlib.sha256(signed_pdf).hexdigest()
    notes = _notes(sha, signed_pdf)
    out = tmp_path / "annotated.pdf"

    assert export_annotated_copy(original, notes, out, author="Chuyên viên 1") == len(notes)

    assert original.read_bytes() == signed_pdf  # the original is untouched
    exported = out.read_bytes()
    assert exported.startswith(signed_pdf)  # an incremental update: signed bytes intact

    # pdfsig: still valid (and trusted once the test root is in an NSS db)
    nss = nss_db_with_root(tmp_path / "nss", pki)
    args = ["pdfsig", *(["-nssdir", f"sql:{nss}"] if nss else []), str(out)]
    report = subprocess.run(args, capture_output=True, text=True, check=False).stdout
    assert "Signature is Valid" in report, report
    if nss:
        assert "Certificate is Trusted" in report, report

    # pyHanko: the signed revision is intact (the diff policy objects to annotations: RECIPES)
    from pyhanko.keys import load_certs_from_pemder_data
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    roots = list(load_certs_from_pemder_data(pki.root_pem))
    reader = PdfFileReader(BytesIO(exported))
    status = validate_pdf_signature(
        reader.embedded_signatures[0], ValidationContext(trust_roots=roots), skip_diff=True
    )
    assert status.intact
    assert status.valid
    assert status.trusted

    # PyMuPDF sees the standard annotations with their colours
    doc = pymupdf.open(out)
    types = sorted((page.number, a.type[1]) for page in doc for a in page.annots())
    assert types == [
        (0, "Highlight"),
        (0, "Ink"),
        (0, "Underline"),
        (1, "Square"),
        (1, "StrikeOut"),
        (1, "Text"),
    ]
    colours = {a.type[1]: a.colors["stroke"] for page in doc for a in page.annots()}
    assert colours["StrikeOut"] == pytest.approx((1, 0, 0))
    assert colours["Underline"] == pytest.approx((0, 0, 1))
    doc.close()

    # import back: the same notes
    back = sorted(
        import_annotations(out, sha),
        key=lambda a: notes.index(next(n for n in notes if n.id == a.id)),
    )
    assert len(back) == len(notes)
    for a, b in zip(back, notes, strict=True):
        _same(a, b)


def test_mutool_shows_subtypes(tmp_path: Path, plain_pdf: bytes) -> None:
    if not shutil.which("mutool"):
        pytest.skip("mutool not installed")
    sha = hashlib.sha256(plain_pdf).hexdigest()
    out = tmp_path / "a.pdf"
    export_annotated_copy(plain_pdf, _notes(sha, plain_pdf), out)
    doc = pymupdf.open(out)
    xrefs = [a.xref for a in doc[0].annots()]
    doc.close()
    shown = "".join(
        subprocess.run(["mutool", "show", str(out), str(x)], capture_output=True, text=True).stdout
        for x in xrefs
    )
    for subtype in ("/Highlight", "/Underline", "/Ink"):
        assert subtype in shown, shown


def test_import_is_idempotent_for_foreign_annotations(tmp_path: Path, plain_pdf: bytes) -> None:
    doc = pymupdf.open(stream=plain_pdf, filetype="pdf")
    first_page, second_page = doc[0], doc[1]
    annot = first_page.add_highlight_annot(first_page.search_for("line 1")[0])
    annot.set_colors(stroke=(0, 1, 0))
    annot.update()
    second_page.add_text_annot((50, 50), "ghi chú")
    path = tmp_path / "foreign.pdf"
    doc.save(path)
    doc.close()
    first = import_annotations(path, "x" * 64)
    second = import_annotations(path.read_bytes(), "x" * 64)
    assert [a.id for a in first] == [a.id for a in second]
    assert [(a.kind, a.page) for a in first] == [
        (AnnotationKind.HIGHLIGHT, 0),
        (AnnotationKind.NOTE, 1),
    ]
    assert first[0].color == "#00ff00"
    assert first[1].text == "ghi chú"


def test_export_refuses_to_overwrite_original(tmp_path: Path, plain_pdf: bytes) -> None:
    path = tmp_path / "doc.pdf"
    path.write_bytes(plain_pdf)
    with pytest.raises(ExportError):
        export_annotated_copy(path, [], path)
    assert path.read_bytes() == plain_pdf


def test_export_failure_leaves_no_file(tmp_path: Path) -> None:
    out = tmp_path / "out.pdf"
    with pytest.raises(ExportError):
        export_annotated_copy(b"not a pdf at all", [], out)
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []
