"""Ký: choose the key — a PKCS#12 file, a certificate on a USB token (PKCS#11), or the remote
signing service approved on the phone — and the signature image, and enter the PIN, once for a
whole batch. The paths and the module are remembered per user; the PIN never is. The token is
read through the signing process (desktop/signing/token_process.py): the dialog only gets the
certificates it lists. The token's driver and the remote service come from Settings or the
machine policy; a driver set by policy is shown greyed out. A signed ballot (the meeting room's
votes) asks the same way, without a signature image: `heading` says what is signed."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence

from PySide6.QtWidgets import (
    QComboBox,
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

from desktop.errors import HopDeskError
from desktop.signing.token_process import TokenCertificate

CertificateLister = Callable[[str], Awaitable[tuple[TokenCertificate, ...]]]


FILE, TOKEN, REMOTE = 0, 1, 2  # the key sources, in the order of the choice


class SignDialog(QDialog):
    """`key_path` or (`use_token`, `module_path`, `token_certificate`) or `use_remote`,
    `image_path`, `pin` once accepted.

    `remote`: the configured remote signing service as shown to the user (empty: none set up);
    `module_locked`: the machine policy names the token's driver (greyed out);
    `heading`: what is signed, instead of the count of documents; `with_image`: False when
    nothing is drawn (a signed ballot), so no signature image is asked for."""

    def __init__(
        self,
        count: int,
        key_path: str = "",
        image_path: str = "",
        parent: QWidget | None = None,
        *,
        modules: Sequence[str] = (),
        list_certificates: CertificateLister | None = None,
        remote: str = "",
        module_locked: bool = False,
        heading: str = "",
        with_image: bool = True,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Sign"))
        self._list_certificates = list_certificates
        self._reading: asyncio.Task[None] | None = None
        self.form = form = QFormLayout(self)
        form.addRow(QLabel(heading or self.tr("%n document(s) to sign", "", count), self))
        self.source = QComboBox(self)
        self.source.addItems(
            [
                self.tr("Key file (PKCS#12)"),
                self.tr("USB token (PKCS#11)"),
                self.tr("Remote signing (phone)"),
            ]
        )
        form.addRow(self.tr("Key"), self.source)
        self.key = QLineEdit(key_path, self)
        self.key_row = self._with_browse(self.key, "*.p12 *.pfx")
        form.addRow(self.tr("Key file (PKCS#12)"), self.key_row)
        self.module = QComboBox(self)
        self.module.setEditable(True)
        self.module.addItems(list(modules))
        if module_locked:
            self.module.setEnabled(False)
            self.module.setToolTip(self.tr("Set by your organisation's policy"))
        self.read_token = QPushButton(self.tr("Read the token"), self)
        self.read_token.clicked.connect(self._start_reading)
        self.module_row = self._row(self.module, self.read_token)
        form.addRow(self.tr("Token driver"), self.module_row)
        self.certificate = QComboBox(self)
        form.addRow(self.tr("Certificate"), self.certificate)
        self.token_status = QLabel(self)
        self.token_status.setWordWrap(True)
        form.addRow(self.token_status)
        self.remote = QLabel(
            remote or self.tr("No remote signing service is set up. Set it up in Settings."),
            self,
        )
        self.remote.setWordWrap(True)
        self.remote_configured = bool(remote)
        form.addRow(self.tr("Signing service"), self.remote)
        self.image = QLineEdit(image_path, self)
        self.image_row = self._with_browse(self.image, "*.png")
        form.addRow(self.tr("Signature image"), self.image_row)
        form.setRowVisible(self.image_row, with_image)
        self.pin = QLineEdit(self)
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin_label = QLabel(self.tr("PIN"), self)
        form.addRow(self.pin_label, self.pin)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.source.currentIndexChanged.connect(self._show_source)
        self._show_source()

    def _show_source(self) -> None:
        index = self.source.currentIndex()
        self.form.setRowVisible(self.key_row, index == FILE)
        for widget in (self.module_row, self.certificate, self.token_status):
            self.form.setRowVisible(widget, index == TOKEN)
        self.form.setRowVisible(self.remote, index == REMOTE)
        self.form.setRowVisible(self.pin, index != REMOTE)  # approved on the phone instead

    def _start_reading(self) -> None:
        if self._list_certificates is not None and self.module_path:
            self._reading = asyncio.ensure_future(self.read_certificates())

    async def read_certificates(self) -> None:
        """List the token's certificates (through the signing process) into the choice."""
        assert self._list_certificates is not None
        self.certificate.clear()
        self.token_status.setText(self.tr("Reading the token…"))
        try:
            found = await self._list_certificates(self.module_path)
        except HopDeskError as exc:
            self.token_status.setText(exc.user_message())
            return
        for cert in found:
            self.certificate.addItem(f"{cert.subject} ({cert.token_label})", cert)
        self.token_status.setText(
            "" if found else self.tr("No certificate was found on the token.")
        )

    def _row(self, *widgets: QWidget) -> QWidget:
        box = QWidget(self)
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        for i, widget in enumerate(widgets):
            row.addWidget(widget, 1 if i == 0 else 0)
        return box

    def _with_browse(self, field: QLineEdit, pattern: str) -> QWidget:
        browse = QPushButton(self.tr("Choose…"), self)

        def choose() -> None:
            path, _ = QFileDialog.getOpenFileName(self, self.tr("Choose a file"), "", pattern)
            if path:
                field.setText(path)

        browse.clicked.connect(choose)
        return self._row(field, browse)

    @property
    def use_token(self) -> bool:
        return self.source.currentIndex() == TOKEN

    @property
    def use_remote(self) -> bool:
        return self.source.currentIndex() == REMOTE

    @property
    def source_name(self) -> str:
        """The chosen source as remembered per user."""
        return ("file", "token", "remote")[self.source.currentIndex()]

    def choose_source(self, name: str) -> None:
        """Select the source remembered as `name` (see `source_name`)."""
        names = ("file", "token", "remote")
        self.source.setCurrentIndex(names.index(name) if name in names else FILE)

    @property
    def module_path(self) -> str:
        return self.module.currentText().strip()

    @property
    def token_certificate(self) -> TokenCertificate | None:
        data = self.certificate.currentData()
        return data if isinstance(data, TokenCertificate) else None

    @property
    def key_path(self) -> str:
        return self.key.text().strip()

    @property
    def image_path(self) -> str:
        return self.image.text().strip()
