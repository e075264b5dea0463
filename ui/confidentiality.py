"""The marking of a confidential paper (MẬT / TỐI MẬT), shared by the meeting's paper list and
the reader's watermark; kept apart from ui/reader_window.py so the meeting window, built at
start-up, does not import the PDF engine."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication


def confidential_marking(confidentiality: str | None) -> str | None:
    """The marking stamped on a paper of this confidentiality (None: no watermark)."""
    if confidentiality == "confidential":
        return QCoreApplication.translate("ReaderWindow", "CONFIDENTIAL")
    if confidentiality == "secret":
        return QCoreApplication.translate("ReaderWindow", "SECRET")
    return None
