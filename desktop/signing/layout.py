"""Where the number, the date and the two signatures go, read from the draft's own text.

When a draft is submitted for signature, `prepare_draft` adds in ONE incremental update the
text fields for the "Số:" line and the place-and-date line, and the signature fields of the
leader and of the agency. Everything added later (the number, the date, the agency's
signature) is then form filling, which pyHanko's difference analysis accepts after the leader's
signature; a new annotation or a PyMuPDF save would be classed OTHER (a modification).
Each field is one object (field and widget merged): a separate widget makes filling look like
an annotation change.

Positions come from the words of page 1 (the "Số:" line and the "..., ngày ... tháng ... năm"
line) and of the last page (the position line and the name line of the signature block, in the
right-hand column). Without them the fields go where Phụ lục I puts them on an A4 page.
Coordinates here are PDF points from the bottom-left corner, as in the file.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name, pdf_string
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import SigFieldSpec, append_signature_field

from desktop.signing.appearance import DEFAULT_SEAL_MM, MM

NUMBER_FIELD = "so_ky_hieu"
DATE_FIELD = "ngay_thang"
LEADER_FIELD = "chu_ky_lanh_dao"
AGENCY_FIELD = "chu_ky_co_quan"

Box = tuple[float, float, float, float]  # llx, lly, urx, ury

_DATE = re.compile(r"ngày\b.*\btháng\b.*\bnăm\b", re.IGNORECASE)
_NUMBER = re.compile(r"^\s*Số\s*:", re.IGNORECASE)
_LINE_TOLERANCE = 3.0
_MIN_SIGNATURE_ROOM = 40.0  # about 14 mm between position and name lines
_SIGNATURE_WIDTH = 150.0  # the leader's image box: about 53 mm, centred on the block


@dataclass(frozen=True, slots=True)
class TextLine:
    """One line of a page: its text and box in PDF points (bottom-left origin)."""

    text: str
    box: Box


@dataclass(frozen=True, slots=True)
class PageText:
    width: float
    height: float
    lines: tuple[TextLine, ...]


@dataclass(frozen=True, slots=True)
class DraftLayout:
    """The four boxes: number and date on page 1, both signatures on the last page."""

    number: Box
    date: Box
    leader: Box
    agency: Box
    last_page: int
    found: bool  # False when the fall-back A4 places were used


def lines_from_words(
    words: list[tuple[float, float, float, float, str]], page_height: float
) -> tuple[TextLine, ...]:
    """Group words (top-left origin, as MuPDF gives them) into lines, left to right, top down,
    and turn their boxes to PDF's bottom-left origin. Words of the two columns of a Decree 30
    header or signature block on the same height stay separate lines when far apart."""
    rows: list[list[tuple[float, float, float, float, str]]] = []
    for word in sorted(words, key=lambda w: ((w[1] + w[3]) / 2, w[0])):
        middle = (word[1] + word[3]) / 2
        for row in rows:
            same_height = abs((row[0][1] + row[0][3]) / 2 - middle) <= _LINE_TOLERANCE
            near = min(max(word[0] - w[2], w[0] - word[2]) for w in row)
            if same_height and near < (word[3] - word[1]) * 3:
                row.append(word)
                break
        else:
            rows.append([word])
    lines = []
    for row in rows:
        row.sort(key=lambda w: w[0])
        x0, top = min(w[0] for w in row), min(w[1] for w in row)
        x1, bottom = max(w[2] for w in row), max(w[3] for w in row)
        text = " ".join(w[4] for w in row)
        lines.append(TextLine(text, (x0, page_height - bottom, x1, page_height - top)))
    lines.sort(key=lambda line: (-line.box[3], line.box[0]))
    return tuple(lines)


def find_layout(
    first: PageText, last: PageText, last_page: int, seal_diameter: float
) -> DraftLayout:
    """The boxes of the four fields, from the text of the first and the last page."""
    number_line = next((ln for ln in first.lines if _NUMBER.match(ln.text)), None)
    date_line = next((ln for ln in first.lines if _DATE.search(ln.text)), None)
    block = _signature_block(last)
    found = number_line is not None and date_line is not None and block is not None
    number = (
        _field_box(number_line, 170.0)
        if number_line
        else (20 * MM, first.height - 55 * MM, 95 * MM, first.height - 48 * MM)
    )
    date = (
        _field_box(date_line, 230.0)
        if date_line
        else (
            first.width - 100 * MM,
            first.height - 55 * MM,
            first.width - 20 * MM,
            first.height - 48 * MM,
        )
    )
    if block is not None:
        position, name = block
        centre = (position.box[0] + position.box[2]) / 2
        top, bottom = position.box[1] - 2, name.box[3] + 2
    else:
        centre = last.width - 20 * MM - 40 * MM
        top, bottom = last.height / 2, last.height / 2 - 30 * MM
    leader = (centre - _SIGNATURE_WIDTH / 2, bottom, centre + _SIGNATURE_WIDTH / 2, top)
    return DraftLayout(number, date, leader, seal_box(leader, seal_diameter), last_page, found)


def seal_box(leader: Box, seal_diameter: float) -> Box:
    """II.8.a: the seal, `seal_diameter` wide, covers about the left third of the leader's
    signature box, centred on it vertically."""
    seal_right = leader[0] + (leader[2] - leader[0]) / 3
    middle = (leader[1] + leader[3]) / 2
    return (
        seal_right - seal_diameter,
        middle - seal_diameter / 2,
        seal_right,
        middle + seal_diameter / 2,
    )


def move_signature_fields(writer: IncrementalPdfFileWriter, leader: Box) -> None:
    """Put the leader's field at `leader` (the leader clicked elsewhere before signing) and
    the agency's field with it, in the leader's own signing update: once the leader has signed,
    moving a field would no longer be form filling."""
    fields = {f.get_object().get("/T"): f for f in writer.root["/AcroForm"]["/Fields"]}
    agency_ref, leader_ref = fields[AGENCY_FIELD], fields[LEADER_FIELD]
    rect = agency_ref.get_object()["/Rect"]
    diameter = abs(float(rect[2]) - float(rect[0]))
    for ref, box in ((leader_ref, leader), (agency_ref, seal_box(leader, diameter))):
        obj = ref.get_object()
        obj["/Rect"] = generic.ArrayObject(generic.FloatObject(v) for v in box)
        writer.mark_update(ref)


def _field_box(line: TextLine, min_width: float) -> Box:
    x0, y0, x1, y1 = line.box
    return (x0 - 1, y0 - 2, max(x1, x0 + min_width) + 1, y1 + 2)


def _signature_block(page: PageText) -> tuple[TextLine, TextLine] | None:
    """The position line and the name line: the last two lines of the right-hand column
    (the left one holds "Nơi nhận:"), the name being the lowest."""
    right = [
        ln
        for ln in page.lines
        if ln.box[0] >= page.width * 0.45
        and ln.box[3] < page.height * 0.8
        and not _DATE.search(ln.text)
    ]
    if len(right) < 2:
        return None
    name, position = right[-1], right[-2]
    if position.box[1] - name.box[3] < _MIN_SIGNATURE_ROOM:
        return None
    return position, name


def _text_field(name: str, box: Box, page_ref: generic.IndirectObject) -> generic.DictionaryObject:
    """A text field merged with its widget (one object), read-only once filled."""
    return generic.DictionaryObject(
        {
            pdf_name("/Type"): pdf_name("/Annot"),
            pdf_name("/Subtype"): pdf_name("/Widget"),
            pdf_name("/FT"): pdf_name("/Tx"),
            pdf_name("/T"): pdf_string(name),
            pdf_name("/F"): generic.NumberObject(4),  # print
            pdf_name("/Rect"): generic.ArrayObject(generic.FloatObject(v) for v in box),
            pdf_name("/P"): page_ref,
            pdf_name("/DA"): pdf_string("/Helv 0 Tf 0 g"),
        }
    )


def prepare_draft(pdf: bytes, layout: DraftLayout) -> bytes:
    """The draft with the four fields added, as one incremental update of `pdf`."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    append_signature_field(
        writer,
        SigFieldSpec(LEADER_FIELD, on_page=layout.last_page, box=layout.leader),  # type: ignore[arg-type]
    )
    append_signature_field(
        writer,
        SigFieldSpec(AGENCY_FIELD, on_page=layout.last_page, box=layout.agency),  # type: ignore[arg-type]
    )
    fields = writer.root["/AcroForm"]["/Fields"]
    page_ref = writer.find_page_for_modification(0)[0]
    for name, box in ((NUMBER_FIELD, layout.number), (DATE_FIELD, layout.date)):
        ref = writer.add_object(_text_field(name, box, page_ref))
        fields.append(ref)
        writer.register_annotation(page_ref, ref)
    writer.update_container(fields)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def seal_diameter_points(seal_mm: float = DEFAULT_SEAL_MM) -> float:
    return seal_mm * MM


def read_pages(pdf: bytes) -> tuple[PageText, PageText, int]:
    """The text of the first and the last page, through the viewer's engine."""
    from viewer import Document

    document = Document.open_bytes(pdf, "draft.pdf")
    try:
        last = document.page_count - 1
        document.load_sizes(budget=document.page_count, seconds=60.0)
        pages = []
        for index in (0, last):
            width, height = document.page_size(index)
            pages.append(PageText(width, height, lines_from_words(document.words(index), height)))
        return pages[0], pages[1], last
    finally:
        document.close()


def is_prepared(pdf: bytes) -> bool:
    """Whether the draft already has the leader's signature field (prepared before)."""
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    try:
        fields = reader.root["/AcroForm"]["/Fields"]
    except KeyError:
        return False
    return any(ref.get_object().get("/T") == LEADER_FIELD for ref in fields)


def prepare_draft_from_text(
    pdf: bytes, seal_mm: float = DEFAULT_SEAL_MM
) -> tuple[bytes, DraftLayout]:
    """Find the places in the draft's text and add the fields there (see `prepare_draft`)."""
    first, last, last_index = read_pages(pdf)
    found = find_layout(first, last, last_index, seal_diameter_points(seal_mm))
    return prepare_draft(pdf, found), found
