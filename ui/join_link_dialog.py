"""Join by link: a field for a pasted meeting link, checked as it is typed (desktop/join_link.py),
saying what the link opens or why it cannot be used; Join is enabled only for a usable link.
A usable link already on the clipboard is filled in."""

from __future__ import annotations

from urllib.parse import urlsplit

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.join_link import MAX_LINK, BadLink, GuestLink, JoinLink, MeetingLink, parse_link


def _host(url: str) -> str:
    parts = urlsplit(url)
    return parts.netloc + parts.path


class JoinLinkDialog(QDialog):
    """Asks for a link; `link` holds the parsed link once accepted."""

    def __init__(self, parent: QWidget | None = None, text: str | None = None) -> None:
        super().__init__(parent)
        self.link: JoinLink | None = None
        self.prompt = QLabel(self)
        self.prompt.setWordWrap(True)
        self.field = QLineEdit(self)
        self.field.setMaxLength(MAX_LINK + 2)
        self.field.setClearButtonEnabled(True)
        self.verdict = QLabel(self)
        self.verdict.setWordWrap(True)
        self.verdict.setTextFormat(Qt.TextFormat.PlainText)  # a link is never markup
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        column = QVBoxLayout(self)
        column.addWidget(self.prompt)
        column.addWidget(self.field)
        column.addWidget(self.verdict)
        column.addWidget(self.buttons)
        self.field.textChanged.connect(self._check)
        if text is None:
            clip = QGuiApplication.clipboard().text()
            text = clip if self._parses(clip) else ""
        self.field.setText(text)
        self.resize(560, self.sizeHint().height())
        self.retranslate()

    @staticmethod
    def _parses(text: str) -> bool:
        try:
            parse_link(text)
        except BadLink:
            return False
        return True

    def _check(self) -> None:
        try:
            self.link = parse_link(self.field.text())
            self.verdict.setText(self.describe(self.link))
        except BadLink as exc:
            self.link = None
            self.verdict.setText(exc.user_message() if self.field.text().strip() else "")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(self.link is not None)

    def describe(self, link: JoinLink) -> str:
        """What joining the link will do, in a sentence."""
        if isinstance(link, MeetingLink) and link.meeting is not None:
            return (
                self.tr("Meeting number %1 on %2.")
                .replace("%1", str(link.meeting))
                .replace("%2", _host(link.server))
            )
        if isinstance(link, MeetingLink):
            return (
                self.tr("The meeting of room “%1” on %2.")
                .replace("%1", link.room or "")
                .replace("%2", _host(link.server))
            )
        if isinstance(link, GuestLink):
            return self.tr(
                "A guest link of %1: it opens in your web browser, which joins as a guest."
            ).replace("%1", _host(link.server))
        return self.tr(
            "A call that sends your camera and microphone to the media server %1."
        ).replace("%1", _host(link.url))

    def accept(self) -> None:
        if self.link is not None:
            super().accept()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        """Texts in the current language."""
        self.setWindowTitle(self.tr("Join by link"))
        self.prompt.setText(
            self.tr(
                "Paste the meeting link from the invitation: hopdesk://join…, the meeting's "
                "address on the office server, a guest link or a WHIP address."
            )
        )
        self.field.setPlaceholderText(self.tr("hopdesk://join?…"))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Join"))
        self._check()
