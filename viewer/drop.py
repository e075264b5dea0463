"""Dropped files: which local PDF a drag carries (the reader and the main window accept drops)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from PySide6.QtCore import QMimeData, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent


def dropped_pdf(urls: Iterable[QUrl]) -> Path | None:
    """The first local file ending in .pdf among `urls`; None when there is none (remote URLs,
    folders and other files are ignored, so a drag of mixed files still finds its PDF)."""
    for url in urls:
        if not url.isLocalFile():
            continue
        path = Path(url.toLocalFile())
        if path.suffix.lower() == ".pdf" and not path.is_dir():
            return path
    return None


def mime_pdf(mime: QMimeData | None) -> Path | None:
    """`dropped_pdf` of a drag's data (None when the drag carries no URLs)."""
    if mime is None or not mime.hasUrls():
        return None
    return dropped_pdf(mime.urls())


def accept_pdf_drag(event: QDragEnterEvent) -> None:
    """A widget's `dragEnterEvent`: accept a drag that carries a local PDF."""
    if mime_pdf(event.mimeData()) is not None:
        event.acceptProposedAction()


def take_pdf_drop(event: QDropEvent) -> Path | None:
    """A widget's `dropEvent`: the dropped local PDF, the drop accepted; None (left ignored)
    when the drop carries none."""
    path = mime_pdf(event.mimeData())
    if path is not None:
        event.acceptProposedAction()
    return path
