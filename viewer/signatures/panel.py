"""The signatures panel: each signature's signer, time, integrity and trust, checked off-thread."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QCoreApplication,
    QDateTime,
    QLocale,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimeZone,
    Signal,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QListView, QVBoxLayout, QWidget

from viewer.signatures.inspector import SignatureInfo, SignatureInspector, SignatureState

_STATE_COLORS = {
    SignatureState.VALID: QColor(0x1B, 0x7F, 0x3B),
    SignatureState.VALID_CHANGED: QColor(0x1B, 0x7F, 0x3B),
    SignatureState.MODIFIED: QColor(0xC0, 0x6A, 0x00),
    SignatureState.INVALID: QColor(0xB0, 0x1E, 0x1E),
    SignatureState.BROKEN: QColor(0xB0, 0x1E, 0x1E),
    SignatureState.ERROR: QColor(0x70, 0x70, 0x70),
}


def format_time(when: dt.datetime | None) -> str:
    """A signing time in the user's locale and time zone."""
    if when is None:
        return QCoreApplication.translate("viewer", "unknown time")
    stamp = QDateTime.fromSecsSinceEpoch(int(when.timestamp()), QTimeZone.systemTimeZone())
    return QLocale().toString(stamp, QLocale.FormatType.ShortFormat)


class SignatureListModel(QAbstractListModel):
    """Rows: one signature each; display is "signer — time", tooltip the full verdict."""

    InfoRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._items: list[SignatureInfo] = []

    def set_signatures(self, infos: Sequence[SignatureInfo]) -> None:
        """Replace the list."""
        self.beginResetModel()
        self._items = list(infos)
        self.endResetModel()

    def signatures(self) -> list[SignatureInfo]:
        """The signatures shown."""
        return list(self._items)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex | None = None) -> int:
        """Flat list."""
        if parent is not None and parent.isValid():
            return 0
        return len(self._items)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        """Signer, time and verdict per row."""
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        info = self._items[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            signer = info.signer or self.tr("Unknown signer")
            return self.tr("{signer} — {time}\n{status}\n{trust}").format(
                signer=signer,
                time=format_time(info.signing_time),
                status=info.status_text(),
                trust=info.trust_text(),
            )
        if role == Qt.ItemDataRole.ToolTipRole:
            return info.signer_subject or info.error
        if role == Qt.ItemDataRole.DecorationRole:
            return _STATE_COLORS[info.state]
        if role == self.InfoRole:
            return info
        return None


class SignaturesPanel(QWidget):
    """Lists a document's signatures. `show_document(bytes)` returns at once; the check runs
    in a worker process and `signaturesShown` follows."""

    signaturesShown = Signal(list)

    def __init__(
        self, inspector: SignatureInspector | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.inspector = inspector or SignatureInspector(parent=self)
        self.inspector.finished.connect(self._on_finished)
        self.inspector.failed.connect(self._on_failed)
        self.model = SignatureListModel(self)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.list = QListView(self)
        self.list.setModel(self.model)
        self.list.setWordWrap(True)
        self.list.setEditTriggers(QListView.EditTrigger.NoEditTriggers)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.status)
        layout.addWidget(self.list, 1)
        self._request = 0
        self.status.setText(self.tr("No document."))

    def show_document(self, source: bytes | str) -> int:
        """Check the signatures of a document: its exact bytes, or a file path (read by the
        worker). Returns the request id."""
        self.inspector.cancel(self._request)
        self.model.set_signatures([])
        self.status.setText(self.tr("Checking signatures…"))
        if isinstance(source, bytes):
            self._request = self.inspector.inspect(source)
        else:
            self._request = self.inspector.inspect_file(source)
        return self._request

    def clear(self) -> None:
        """No document."""
        self.inspector.cancel(self._request)
        self._request = 0
        self.model.set_signatures([])
        self.status.setText(self.tr("No document."))

    def _on_finished(self, request: int, infos: list[SignatureInfo]) -> None:
        if request != self._request:
            return
        self.model.set_signatures(infos)
        if not infos:
            self.status.setText(self.tr("This document has no digital signatures."))
        elif any(i.modified_after_signing and not i.changes_allowed for i in infos):
            self.status.setText(self.tr("Warning: the document was modified after signing."))
        else:
            self.status.setText(self.tr("%n signature(s).", "", len(infos)))
        self.signaturesShown.emit(infos)

    def _on_failed(self, request: int, message: str) -> None:
        if request == self._request:
            self.status.setText(message)

    def shutdown(self) -> None:
        """Stop the worker process (the host calls this on orderly shutdown)."""
        self.inspector.close()
