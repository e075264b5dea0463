"""Ký: choose the key (a PKCS#12 file) and the signature image, and enter the PIN — once for a
whole batch. The paths are remembered per user; the PIN never is."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)


class SignDialog(QDialog):
    """`key_path`, `image_path`, `pin` once accepted."""

    def __init__(
        self, count: int, key_path: str = "", image_path: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Sign"))
        form = QFormLayout(self)
        form.addRow(QLabel(self.tr("%n document(s) to sign", "", count), self))
        self.key = QLineEdit(key_path, self)
        self.image = QLineEdit(image_path, self)
        self.pin = QLineEdit(self)
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(self.tr("Key file (PKCS#12)"), self._with_browse(self.key, "*.p12 *.pfx"))
        form.addRow(self.tr("Signature image"), self._with_browse(self.image, "*.png"))
        form.addRow(self.tr("PIN"), self.pin)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _with_browse(self, field: QLineEdit, pattern: str) -> QWidget:
        box = QWidget(self)
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(field, 1)
        browse = QPushButton(self.tr("Choose…"), box)

        def choose() -> None:
            path, _ = QFileDialog.getOpenFileName(self, self.tr("Choose a file"), "", pattern)
            if path:
                field.setText(path)

        browse.clicked.connect(choose)
        row.addWidget(browse)
        return box

    @property
    def key_path(self) -> str:
        return self.key.text().strip()

    @property
    def image_path(self) -> str:
        return self.image.text().strip()
