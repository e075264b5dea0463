"""Personal notes into and out of PDF files as standard annotations (ISO 32000-1 §12.5.6).

Export writes the original bytes unchanged into a new file and appends the annotations as one
incremental update (§7.5.6), so a signed document's signed revision stays intact and `pdfsig`
still reports the signature valid; the original file is never opened for writing. Import reads
highlight, underline, strike-out, text (sticky note) and ink annotations back into notes.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pymupdf

from viewer.annotations.model import Annotation, AnnotationKind, bounding_rect

log = logging.getLogger(__name__)

_EXPORT_NAMESPACE = uuid.UUID("6f1c1b4e-3c55-4d8e-9a43-0b7c2f6f5a10")
_HIGHLIGHT_OPACITY = 0.4
_PDF_ENCRYPT_KEEP = 0  # pymupdf.PDF_ENCRYPT_KEEP, missing from its type hints

# PDF /Subtype names (as PyMuPDF's `annot.type[1]` gives them) that notes can represent
_SUBTYPES: dict[str, AnnotationKind] = {
    "Highlight": AnnotationKind.HIGHLIGHT,
    "Underline": AnnotationKind.UNDERLINE,
    "StrikeOut": AnnotationKind.STRIKEOUT,
    "Text": AnnotationKind.NOTE,
    "Ink": AnnotationKind.INK,
    "Square": AnnotationKind.RECT,
}


class ExportError(Exception):
    """The copy could not be written (the original is untouched either way)."""


def rgb(color: str) -> tuple[float, float, float]:
    """`#rrggbb` as PDF colour components 0..1."""
    value = color.lstrip("#")
    if len(value) != 6:
        raise ValueError(f"not a #rrggbb colour: {color!r}")
    return (int(value[0:2], 16) / 255, int(value[2:4], 16) / 255, int(value[4:6], 16) / 255)


def hex_color(components: Iterable[float] | None, default: str = "#ffd400") -> str:
    """PDF colour components (RGB, grey or CMYK 0..1) as `#rrggbb`."""
    c = list(components or ())
    if len(c) == 1:
        c = c * 3
    elif len(c) == 4:
        k = c[3]
        c = [(1 - c[0]) * (1 - k), (1 - c[1]) * (1 - k), (1 - c[2]) * (1 - k)]
    if len(c) != 3:
        return default
    return "#" + "".join(f"{round(min(max(v, 0.0), 1.0) * 255):02x}" for v in c)


def _pdf_date(when: dt.datetime) -> str:
    """A PDF date string (§7.9.4) in UTC."""
    return when.astimezone(dt.UTC).strftime("D:%Y%m%d%H%M%SZ")


def _add_one(page: Any, a: Annotation, author: str) -> Any:
    """Add `a` to a PyMuPDF page as the matching standard annotation."""
    color = rgb(a.color)
    if a.kind.is_text_markup:
        quads = [pymupdf.Quad(*(pymupdf.Point(p) for p in q)) for q in a.quads()] or [
            pymupdf.Rect(a.rect).quad
        ]
        adder = {
            AnnotationKind.HIGHLIGHT: page.add_highlight_annot,
            AnnotationKind.UNDERLINE: page.add_underline_annot,
            AnnotationKind.STRIKEOUT: page.add_strikeout_annot,
        }[a.kind]
        annot = adder(quads=quads)
        if a.kind is AnnotationKind.HIGHLIGHT:
            annot.set_opacity(_HIGHLIGHT_OPACITY)
    elif a.kind is AnnotationKind.NOTE:
        annot = page.add_text_annot(pymupdf.Point(a.rect[0], a.rect[1]), a.text, icon="Comment")
    elif a.kind is AnnotationKind.RECT:
        annot = page.add_rect_annot(pymupdf.Rect(a.rect))
        annot.set_border(width=1.5)
    else:
        annot = page.add_ink_annot([list(a.points)])
        annot.set_border(width=2)
    annot.set_colors(stroke=color)
    annot.set_info(content=a.text, title=author)
    annot.update()
    # /NM identifies the note so that importing the copy again finds the same notes (§12.5.2)
    page.parent.xref_set_key(annot.xref, "NM", pymupdf.get_pdf_str(a.id))
    page.parent.xref_set_key(annot.xref, "M", pymupdf.get_pdf_str(_pdf_date(a.updated_at)))
    return annot


def export_annotated_copy(
    source: str | Path | bytes,
    annotations: Iterable[Annotation],
    destination: str | Path,
    author: str = "",
    password: str | None = None,
) -> int:
    """Write `source` plus `annotations` as standard PDF annotations to `destination`.

    The source bytes are copied verbatim and the annotations appended as one incremental
    update, so existing signatures keep covering exactly what they signed. Returns how many
    annotations were written. Raises ExportError; `destination` is then left absent.
    """
    destination = Path(destination)
    if isinstance(source, (str, Path)) and Path(source).resolve() == destination.resolve():
        raise ExportError("refusing to write over the original document")
    notes = list(annotations)
    fd, tmp_name = tempfile.mkstemp(suffix=".pdf", dir=destination.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            if isinstance(source, bytes):
                out.write(source)
            else:
                with open(source, "rb") as src:
                    shutil.copyfileobj(src, out)
        count = _append_annotations(tmp, notes, author, password)
        os.replace(tmp, destination)
    except (OSError, RuntimeError, ValueError) as exc:
        tmp.unlink(missing_ok=True)
        raise ExportError(f"export to {destination} failed: {exc}") from exc
    return count


def _append_annotations(
    path: Path, notes: list[Annotation], author: str, password: str | None
) -> int:
    """Open the copy and append the annotations as an incremental update."""
    doc = pymupdf.open(path)
    try:
        if doc.needs_pass and not doc.authenticate(password or ""):
            raise ValueError("wrong or missing password")
        count = 0
        for a in notes:
            if not 0 <= a.page < doc.page_count:
                log.info("note %s on missing page %d skipped", a.id, a.page)
                continue
            _add_one(doc[a.page], a, author)
            count += 1
        if count:
            doc.save(path, incremental=True, encryption=_PDF_ENCRYPT_KEEP)
        return count
    finally:
        doc.close()


def import_annotations(
    source: str | Path | bytes, target_sha256: str, password: str | None = None
) -> list[Annotation]:
    """Read the standard annotations of a PDF that notes can represent, as notes of
    `target_sha256`. An annotation with a UUID in /NM keeps it (a re-imported export matches its
    notes); others get an id derived from their place so importing twice adds nothing new."""
    if isinstance(source, bytes):
        doc = pymupdf.open(stream=source, filetype="pdf")
    else:
        doc = pymupdf.open(source)
    try:
        if doc.needs_pass and not doc.authenticate(password or ""):
            raise ValueError("wrong or missing password")
        notes: list[Annotation] = []
        for number in range(doc.page_count):
            page = doc[number]
            for annot in page.annots():
                notes.extend(_to_notes(number, annot, target_sha256))
        return notes
    finally:
        doc.close()


def _to_notes(page: int, annot: Any, sha: str) -> list[Annotation]:
    """One PyMuPDF annotation as notes (an ink annotation gives one per stroke); none for kinds
    notes cannot represent."""
    kind = _SUBTYPES.get(annot.type[1])
    if kind is None:
        return []
    info = annot.info
    try:
        note_id = str(uuid.UUID(info.get("id") or ""))
    except ValueError:
        note_id = str(uuid.uuid5(_EXPORT_NAMESPACE, f"{sha}:{page}:{annot.xref}"))
    colors = annot.colors
    common: dict[str, Any] = {
        "color": hex_color(colors.get("stroke") or colors.get("fill")),
        "text": str(info.get("content") or ""),
        "updated_at": _parse_pdf_date(info.get("modDate") or "") or dt.datetime.now(dt.UTC),
    }
    r = annot.rect
    vertices = annot.vertices or []
    if kind.is_text_markup:
        flat = tuple((float(x), float(y)) for x, y in vertices)
        lines = [bounding_rect(flat[i : i + 4]) for i in range(0, len(flat) - 3, 4)]
        lines = lines or [(r.x0, r.y0, r.x1, r.y1)]
        return [Annotation.markup(sha, page, kind, lines, id=note_id, **common)]
    if kind is AnnotationKind.INK:
        strokes = [s for s in vertices if s]
        return [
            Annotation.ink(
                sha,
                page,
                stroke,
                id=note_id if n == 0 else str(uuid.uuid5(uuid.UUID(note_id), str(n))),
                **common,
            )
            for n, stroke in enumerate(strokes)
        ]
    if kind is AnnotationKind.RECT:
        left, top, right, bottom = _rect_differences(annot)
        box = (r.x0 + left, r.y0 + top, r.x1 - right, r.y1 - bottom)
        return [Annotation.box(sha, page, box, id=note_id, **common)]
    return [Annotation.sticky(sha, page, (r.x0, r.y0), id=note_id, **common)]


def _rect_differences(annot: Any) -> tuple[float, float, float, float]:
    """/RD of a square annotation (§12.5.6.8): how far /Rect extends beyond the box itself."""
    kind, value = annot.parent.parent.xref_get_key(annot.xref, "RD")
    if kind != "array":
        return (0.0, 0.0, 0.0, 0.0)
    try:
        left, top, right, bottom = (float(v) for v in value.strip("[]").split())
    except ValueError:
        return (0.0, 0.0, 0.0, 0.0)
    return (left, top, right, bottom)


def _parse_pdf_date(text: str) -> dt.datetime | None:
    """A PDF date (D:YYYYMMDDHHmmSS with Z or +HH'mm') as an aware datetime; None if unreadable."""
    value = text.removeprefix("D:").replace("'", "")
    try:
        base = dt.datetime.strptime(value[:14], "%Y%m%d%H%M%S")
    except ValueError:
        return None
    tail = value[14:]
    offset = dt.timedelta(0)
    if tail[:1] in ("+", "-") and len(tail) >= 5:
        sign = 1 if tail[0] == "+" else -1
        offset = sign * dt.timedelta(hours=int(tail[1:3]), minutes=int(tail[3:5]))
    return base.replace(tzinfo=dt.timezone(offset)).astimezone(dt.UTC)
