"""Full-text search, Vietnamese-aware: pure matching code run inside a render worker process.

Text is extracted once per page (characters with their boxes) and cached in the worker; a query
is then matched on a normalised copy (case folded, and optionally with diacritics removed so that
"quyet dinh" finds "quyết định"), keeping a map back to the original characters for rects and
context.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass, field
from typing import Any

Rect = tuple[float, float, float, float]

CONTEXT_CHARS = 40


@dataclass(frozen=True, slots=True)
class SearchOptions:
    """What a query matches: case and diacritics sensitivity."""

    match_case: bool = False
    match_diacritics: bool = False


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One match: page index, boxes in page coordinates (points) and a line of context."""

    page: int
    rects: tuple[Rect, ...]
    context: str
    context_start: int  # offset of the match inside `context`
    context_length: int


@dataclass(slots=True)
class PageText:
    """The characters of one page in reading order, with one box per character."""

    text: str
    boxes: list[Rect]
    _folded: dict[SearchOptions, tuple[str, list[int]]] = field(default_factory=dict)

    def folded(self, options: SearchOptions) -> tuple[str, list[int]]:
        """`normalise(text)`, kept per options: a second query only runs str.find."""
        cached = self._folded.get(options)
        if cached is None:
            cached = self._folded[options] = normalise(self.text, options)
        return cached

    @classmethod
    def from_chars(cls, chars: list[str], boxes: list[Rect]) -> PageText:
        """Compose base + combining marks (some PDFs store them apart) into one NFC character
        whose box is the base's, so that indices into `text` and `boxes` agree."""
        out_chars: list[str] = []
        out_boxes: list[Rect] = []
        for ch, box in zip(chars, boxes, strict=True):
            if out_chars and unicodedata.combining(ch):
                out_chars[-1] = unicodedata.normalize("NFC", out_chars[-1] + ch)
            else:
                out_chars.append(unicodedata.normalize("NFC", ch))
                out_boxes.append(box)
        return cls("".join(out_chars), out_boxes)


@functools.lru_cache(maxsize=8192)
def _fold_char(ch: str, match_case: bool, match_diacritics: bool) -> str:
    """Normalise one character; may return "" (a bare combining mark) or several characters.
    Cached: a page has a few thousand characters but only a few dozen distinct ones."""
    if not match_case:
        ch = ch.casefold()
    if match_diacritics:
        return unicodedata.normalize("NFC", ch)
    # đ/Đ are letters of their own, not d + a mark: NFD leaves them alone.
    if ch in ("đ", "Đ"):
        return "d" if ch == "đ" else "D"
    return "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))


def normalise(text: str, options: SearchOptions) -> tuple[str, list[int]]:
    """The folded text and, for each folded character, the index of its source character."""
    case, marks = options.match_case, options.match_diacritics
    parts = [_fold_char(ch, case, marks) for ch in text]
    folded = "".join(parts)
    if len(folded) == len(text):  # the usual case: one character in, one out
        return folded, list(range(len(text)))
    index: list[int] = []
    for i, part in enumerate(parts):
        index.extend([i] * len(part))
    return folded, index


def fold_query(query: str, options: SearchOptions) -> str:
    """The query folded the same way as the page text, whitespace collapsed."""
    return " ".join(normalise(query, options)[0].split())


def extract_page_text(page: Any) -> PageText:
    """Characters and boxes of a PyMuPDF page, lines joined by spaces (a hit may span lines)."""
    chars: list[str] = []
    boxes: list[Rect] = []
    raw = page.get_text("rawdict", flags=0)
    for block in raw.get("blocks", ()):
        for line in block.get("lines", ()):
            for span in line.get("spans", ()):
                for ch in span.get("chars", ()):
                    chars.append(ch["c"])
                    boxes.append(tuple(ch["bbox"]))
            if chars and chars[-1] != " ":
                chars.append(" ")
                boxes.append(boxes[-1] if boxes else (0.0, 0.0, 0.0, 0.0))
    return PageText.from_chars(chars, boxes)


def _merge_line_rects(boxes: list[Rect]) -> tuple[Rect, ...]:
    """Union the boxes of consecutive characters on the same line into one rect per line."""
    rects: list[list[float]] = []
    for x0, y0, x1, y1 in boxes:
        if x1 <= x0 and y1 <= y0:
            continue
        last = rects[-1] if rects else None
        if last is not None and abs(last[1] - y0) < 0.5 * max(1.0, y1 - y0):
            last[0], last[1] = min(last[0], x0), min(last[1], y0)
            last[2], last[3] = max(last[2], x1), max(last[3], y1)
        else:
            rects.append([x0, y0, x1, y1])
    return tuple((r[0], r[1], r[2], r[3]) for r in rects)


def find_in_page(
    page_index: int, text: PageText, query: str, options: SearchOptions
) -> list[SearchHit]:
    """All non-overlapping hits of `query` (already folded) on one page."""
    if not query:
        return []
    folded, index = text.folded(options)
    hits: list[SearchHit] = []
    start = folded.find(query)
    while start >= 0:
        end = start + len(query) - 1
        first, last = index[start], index[end]
        rects = _merge_line_rects(text.boxes[first : last + 1])
        c0 = max(0, first - CONTEXT_CHARS)
        c1 = min(len(text.text), last + 1 + CONTEXT_CHARS)
        context = text.text[c0:c1]
        stripped = len(context) - len(context.lstrip())
        hits.append(
            SearchHit(page_index, rects, context.strip(), first - c0 - stripped, last + 1 - first)
        )
        start = folded.find(query, start + len(query))
    return hits
