"""Opening a PDF and reading what the view needs, in a render worker (Qt-free).

Opening can take MuPDF hundreds of milliseconds (repairing a damaged file with tens of thousands
of objects, loading the page tree of a 20,000-page file), and PyMuPDF holds the GIL while it
works, so the GUI process never does it: a worker opens the file (repairing it if need be),
checks the password, and replies with a `DocumentInfo`: page sizes and rotations, metadata,
outline, and for a repaired file the path of a repaired copy it saved, so that nobody repairs
it again. `viewer.document` turns the reply into a `Document` or a translated error.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pymupdf

if TYPE_CHECKING:
    from viewer.render.worker import DocumentSource

log = logging.getLogger(__name__)

# Kinds of failure (`DocumentInfo.error`); viewer.document maps each to a translated message.
MISSING, EMPTY, NOT_PDF, DAMAGED, NO_PAGES, PASSWORD = (
    "missing",
    "empty",
    "not_pdf",
    "damaged",
    "no_pages",
    "password",
)


@dataclass(frozen=True, slots=True)
class Describe:
    """Open `source` (trying `passwords` in turn if it is encrypted) and reply a DocumentInfo."""

    request_id: int
    source: DocumentSource
    passwords: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    """What the view needs of an open document, or why it cannot be opened (`error`)."""

    request_id: int
    error: str = ""
    detail: str = ""
    password: str | None = None  # the form of the password that opened it
    key: str = ""  # size and hash of both ends: the remembered view state's key
    page_count: int = 0
    # Sizes (points, page rotation applied) and rotations of the first pages: as many as
    # `SIZE_SECONDS` allowed; `PageSizes` bring the rest (0.1 ms a page: seconds for 20,000).
    sizes: tuple[tuple[float, float], ...] = ()
    rotations: tuple[int, ...] = ()
    repaired: bool = False
    repaired_path: str | None = None  # a repaired copy (the caller deletes it)
    metadata: tuple[tuple[str, str], ...] = ()
    outline: tuple[tuple[int, str, int], ...] = ()  # level, title, 0-based page (-1: none)


@dataclass(frozen=True, slots=True)
class PageSizes:
    """Sizes and rotations of pages `start`, `start + 1`, ... of a described document."""

    request_id: int
    start: int
    sizes: tuple[tuple[float, float], ...]
    rotations: tuple[int, ...]


SIZE_SECONDS = 0.02  # page sizes read before the reply; the rest follow in batches


class _Failed(Exception):
    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(detail)
        self.kind = kind


def describe(
    req: Describe, data: bytes | None = None, in_worker: bool = True
) -> tuple[DocumentInfo, Any]:
    """Open the document (from `data` when given, else the source's file) and describe it;
    returns the info and the open PyMuPDF document (None on failure). Outside a worker
    (`in_worker` False) no repaired copy is saved and only the first page's size is read:
    the caller reads the rest from the returned document."""
    try:
        if data is None and req.source.path is None:
            raise _Failed(DAMAGED, "no path and no bytes")
        key, head = _key(req.source.path, data)
        doc = _open(req.source.path, data, head)
    except _Failed as exc:
        return DocumentInfo(req.request_id, exc.kind, str(exc)), None
    try:
        password = _authenticate(doc, req.passwords)
        info = _read(doc, req.request_id, key, password, in_worker)
    except _Failed as exc:
        doc.close()
        return DocumentInfo(req.request_id, exc.kind, str(exc)), None
    except Exception as exc:  # page_count and pages raise on some truncated files
        log.info("describe failed: %r", exc)
        doc.close()
        return DocumentInfo(req.request_id, DAMAGED, repr(exc)), None
    return info, doc


def describe_failure(req: Describe, detail: str) -> DocumentInfo:
    """The reply when the worker itself failed (or died) while opening: the file is damaged
    as far as the reader is concerned."""
    return DocumentInfo(req.request_id, DAMAGED, detail)


def _key(path: str | None, data: bytes | None) -> tuple[str, bytes]:
    """The state key (size and a hash of both ends: a full hash of a 100 MB scan is slow) and
    the file's first bytes."""
    if data is not None:
        if not data:
            raise _Failed(EMPTY, "no bytes")
        return f"{len(data)}:{hashlib.sha256(data).hexdigest()}", data[:1024]
    assert path is not None
    try:
        size = os.path.getsize(path)
        with open(path, "rb") as f:
            head = f.read(1 << 16)
            ends = head
            if size > len(head):
                f.seek(max(len(head), size - (1 << 16)))
                ends += f.read()
    except OSError as exc:
        raise _Failed(MISSING, f"{path}: {exc}") from exc
    if size == 0:
        raise _Failed(EMPTY, path)
    return f"{size}:{hashlib.sha256(ends).hexdigest()}", head


def _open(path: str | None, data: bytes | None, head: bytes) -> Any:
    """Let MuPDF decide: it repairs many files, even some without a %PDF- header. What it
    cannot open is "damaged" when it said it was a PDF, else "not a PDF"."""
    try:
        if data is not None:
            return pymupdf.open(stream=data, filetype="pdf")
        return pymupdf.open(path)
    except pymupdf.EmptyFileError as exc:
        raise _Failed(EMPTY, repr(exc)) from exc
    except FileNotFoundError as exc:
        raise _Failed(MISSING, repr(exc)) from exc
    except Exception as exc:  # FileDataError, RuntimeError, FzError*: all mean unreadable
        log.info("open failed: %r", exc)
        if b"%PDF-" not in head[:1024]:
            raise _Failed(NOT_PDF, f"no %PDF- header, and MuPDF: {exc!r}") from exc
        raise _Failed(DAMAGED, repr(exc)) from exc


def _authenticate(doc: Any, passwords: tuple[str, ...]) -> str | None:
    """The password form that opens `doc` (None when it needs none)."""
    if not doc.needs_pass:
        return None
    for form in passwords:
        if doc.authenticate(form):
            return form
    raise _Failed(PASSWORD, "wrong password" if passwords else "password needed")


def _read(
    doc: Any, request_id: int, key: str, password: str | None, in_worker: bool
) -> DocumentInfo:
    if not doc.is_pdf:
        raise _Failed(NOT_PDF, f"opened as {doc.metadata.get('format')}")
    if doc.page_count < 1:
        raise _Failed(NO_PAGES, "no pages")
    sizes, rotations = read_sizes(doc, 0, SIZE_SECONDS if in_worker else 0.0)
    try:
        toc = doc.get_toc(simple=True)
        outline = tuple((int(lvl), str(title), int(page) - 1) for lvl, title, page in toc)
    except Exception as exc:
        log.info("outline unreadable: %r", exc)
        outline = ()
    metadata = tuple((k, v) for k, v in (doc.metadata or {}).items() if isinstance(v, str) and v)
    # MuPDF rebuilt a damaged file to open it: what it could not recover is missing. A copy
    # of what it rebuilt lets the GUI process and the other workers open it without repairing.
    repaired = bool(doc.is_repaired)
    repaired_path = _save_repaired(doc) if repaired and in_worker else None
    return DocumentInfo(
        request_id,
        password=password,
        key=key,
        page_count=doc.page_count,
        sizes=sizes,
        rotations=rotations,
        repaired=repaired,
        repaired_path=repaired_path,
        metadata=metadata,
        outline=outline,
    )


def read_sizes(
    doc: Any, start: int, seconds: float
) -> tuple[tuple[tuple[float, float], ...], tuple[int, ...]]:
    """Sizes and rotations from page `start` on, for about `seconds` (at least one page); an
    unreadable page gets the size of the one before it (its render says what is wrong)."""
    sizes: list[tuple[float, float]] = []
    rotations: list[int] = []
    deadline = time.perf_counter() + seconds
    for i in range(start, doc.page_count):
        if sizes and time.perf_counter() > deadline:
            break
        try:
            page = doc[i]
            sizes.append((page.rect.width, page.rect.height))
            rotations.append(page.rotation % 360)
        except Exception as exc:
            if i == 0:
                raise
            log.info("page %d size unreadable: %r", i, exc)
            sizes.append(sizes[-1] if sizes else (612.0, 792.0))
            rotations.append(rotations[-1] if rotations else 0)
    return tuple(sizes), tuple(rotations)


def _save_repaired(doc: Any) -> str | None:
    """Save the repaired document (encryption kept) to a temporary file; None if impossible."""
    fd, path = tempfile.mkstemp(prefix="hopdesk-repaired-", suffix=".pdf")
    os.close(fd)
    try:
        doc.save(path)
    except Exception as exc:  # the original is opened (and repaired) again instead
        log.info("repaired copy not saved: %r", exc)
        os.unlink(path)
        return None
    return path
