"""One document of the approval inbox: its metadata, files, history and comments, the PDF in
the viewer with its signatures panel (`DocumentPane`, beside the rest), and a button for each
workflow action this user may take now (`ApprovalInbox.allowed`).

An action asks for what it needs (a reason, a person, a symbol) in `ActionDialog`, then goes
through the outbox (`ApprovalInbox.act`): offline it stays queued and is sent when the server is
back. "Ký" (sign) is handed to whoever signs (`sign_requested`): the signing flow owns the key.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QLocale, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop.domain import Document, JsonObject, User
from ui.recipient_picker import RecipientPicker
from ui.table_model import format_date, format_datetime
from ui.tasks import TaskOwner

if TYPE_CHECKING:
    from desktop.domain import FileRef
    from desktop.inbox import ApprovalInbox
    from ui.document_pane import DocumentPane

TEXT_FIELD = {  # actions whose body is one text: its member name
    "comment": "text",
    "instruct": "text",
    "answer": "text",
    "return": "reason",
    "complete": "note",
}
PERSON_FIELD = {  # actions that name one person: its member name
    "assign": "processor_id",
    "forward": "to_id",
    "submit": "approver_id",
    "approve": "signer_id",
}
Submitter = Callable[[Document, JsonObject], Awaitable[str]]
HIDDEN = frozenset({"attach"})  # new versions come from the drafting flow, not a button


def action_body(
    action: str,
    text: str,
    person: int | None,
    symbol: str = "",
    recipients: Sequence[int] = (),
) -> JsonObject:
    """The request body of an action from what the dialog collected (pure)."""
    if action in TEXT_FIELD:
        return {TEXT_FIELD[action]: text}
    if action == "coordinate":
        return {"user_ids": [person] if person is not None else [], "deadline": None}
    if action == "issue":
        return {"symbol": symbol, "recipient_ids": list(recipients)}
    body: JsonObject = {}
    if action in PERSON_FIELD and person is not None:
        body[PERSON_FIELD[action]] = person
    if action == "assign":
        body.update({"coordinator_ids": [], "deadline": None, "instruction": text})
    elif action in ("forward", "submit"):
        body["note"] = text
    return body


class ActionDialog(QDialog):
    """Asks what one action needs: a person, a text, or at issuance the symbol (ký hiệu) and
    the people inside the agency it reaches (nơi nhận, `RecipientPicker`)."""

    def __init__(
        self, action: str, title: str, people: list[User], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.action = action
        self.setWindowTitle(title)
        form = QFormLayout(self)
        self.person = QComboBox(self)
        for user in people:
            self.person.addItem(f"{user.full_name} — {user.title}".strip(" —"), user.id)
        self.text = QPlainTextEdit(self)
        self.symbol = QLineEdit(self)
        self.recipients: RecipientPicker | None = None
        if action in PERSON_FIELD or action == "coordinate":
            form.addRow(self.tr("Person"), self.person)
        if action == "issue":
            form.addRow(self.tr("Symbol"), self.symbol)
            self.recipients = RecipientPicker(people, self)
            form.addRow(self.tr("Recipients"), self.recipients)
        else:
            form.addRow(self.tr("Reason") if action == "return" else self.tr("Note"), self.text)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def body(self) -> JsonObject:
        """The request body for what was entered."""
        person = self.person.currentData() if self.person.count() else None
        return action_body(
            self.action,
            self.text.toPlainText().strip(),
            int(person) if person is not None else None,
            self.symbol.text().strip(),
            self.recipients.selected_ids() if self.recipients is not None else (),
        )


class ApprovalDetail(QWidget):
    """The detail window; `show_document(id)` loads and shows one document."""

    open_requested = Signal(object)  # the Document, to read its current version
    sign_requested = Signal(object)  # the Document the leader wants to sign
    issue_requested = Signal(object, object)  # the Document and the issue body (clerk)
    action_queued = Signal(str, str)  # action, idempotency key

    def __init__(
        self,
        inbox: ApprovalInbox,
        parent: QWidget | None = None,
        submitter: Submitter | None = None,
        pane: DocumentPane | None = None,
    ) -> None:
        """`submitter`: how "submit" is sent (the app prepares the draft for signing first,
        desktop/prepare_flow.py); without it the action is queued as it is. `pane`: where the
        document's PDF is shown (its latest version, or the file chosen in the list)."""
        super().__init__(parent)
        self.inbox = inbox
        self.submitter = submitter
        self.pane = pane
        self._file_refs: list[FileRef] = []
        self.tasks = TaskOwner(self)
        self.document: Document | None = None
        self.heading = QLabel(self)
        self.heading.setWordWrap(True)
        self.metadata = QFormLayout()
        self.files = QListWidget(self)
        self.files.currentRowChanged.connect(self._show_file)
        self.history = QListWidget(self)
        self.open_button = QPushButton(self)
        self.open_button.clicked.connect(self._open)
        self.actions_row = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        facts = QWidget(self)
        column = QVBoxLayout(facts)
        column.addWidget(self.heading)
        column.addLayout(self.metadata)
        column.addWidget(self.open_button)
        column.addWidget(self.files)
        column.addWidget(self.history, 1)
        column.addLayout(self.actions_row)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        if pane is None:
            outer.addWidget(facts)
            self.resize(720, 640)
        else:
            split = QSplitter(Qt.Orientation.Horizontal, self)
            split.addWidget(facts)
            split.addWidget(pane)
            split.setStretchFactor(1, 1)
            split.setSizes([420, 880])
            outer.addWidget(split)
            self.resize(1300, 860)
        self.retranslate()

    async def show_document(self, document_id: int) -> Document:
        """Load the document (cached copy offline) and show it with its buttons."""
        document = await self.inbox.document(document_id)
        self.show_loaded(document)
        self.show()
        return document

    def show_loaded(self, document: Document) -> None:
        """Fill the window from a loaded document."""
        self.document = document
        self.setWindowTitle(document.summary)
        number = "/".join(p for p in (document.number, document.symbol) if p)
        self.heading.setText(f"<b>{number}</b> {document.summary}".strip())
        while self.metadata.rowCount():
            self.metadata.removeRow(0)
        locale = QLocale()
        rows = [
            (self.tr("Issuing agency"), document.issuing_agency),
            (self.tr("Type"), document.doc_type),
            (self.tr("Status"), self.status_text(document.status)),
            (self.tr("Deadline"), format_datetime(locale, document.deadline)),
            (self.tr("Issued on"), format_date(locale, document.issued_on)),
            (self.tr("Signer"), document.signer_name),
            (self.tr("Recipients"), "; ".join(document.recipients)),
        ]
        for label, value in rows:
            if value:
                self.metadata.addRow(label, QLabel(value, self))
        self.files.blockSignals(True)  # the pane follows once the list is whole
        self.files.clear()
        self._file_refs = []
        for version in document.versions:
            QListWidgetItem(self.tr("Version %1").replace("%1", str(version.no)), self.files)
            self._file_refs.append(version.file)
        for attachment in document.attachments:
            QListWidgetItem(
                self.tr("Attachment: %1").replace("%1", attachment.file.name), self.files
            )
            self._file_refs.append(attachment.file)
        latest = max(
            range(len(document.versions)), key=lambda i: document.versions[i].no, default=-1
        )
        self.files.setCurrentRow(latest)
        self.files.blockSignals(False)
        self._show_file(latest)
        self.open_button.setEnabled(bool(document.versions))
        self._fill_history(document, locale)
        self._fill_buttons(self.inbox.allowed(document))

    def _fill_history(self, document: Document, locale: QLocale) -> None:
        entries: list[tuple[dt.datetime | None, str]] = []
        for a in document.assignments:
            text = self.tr("%1: %2 (%3)").replace("%1", a.assignee.full_name)
            text = text.replace("%2", self.action_text(a.action)).replace("%3", a.state)
            entries.append((a.deadline, text))
        for c in document.comments:
            entries.append((c.created_at, f"{c.author.full_name}: {c.text}"))
        self.history.clear()
        epoch = dt.datetime.min.replace(tzinfo=dt.UTC)
        for when, text in sorted(entries, key=lambda e: e[0] or epoch):
            stamp = format_datetime(locale, when) if when else ""
            QListWidgetItem(f"{stamp}  {text}".strip(), self.history)

    def _fill_buttons(self, actions: list[str]) -> None:
        for button in self.buttons.values():
            self.actions_row.removeWidget(button)
            button.deleteLater()
        self.buttons = {}
        for action in actions:
            if action in HIDDEN:
                continue
            button = QPushButton(self.action_text(action), self)
            button.setObjectName(f"action-{action}")
            button.clicked.connect(lambda _=False, a=action: self.request(a))
            self.actions_row.addWidget(button)
            self.buttons[action] = button

    def request(self, action: str) -> None:
        """A button was pressed: sign is handed on, the others ask and queue (a task)."""
        if self.document is None:
            return
        if action == "sign":
            self.sign_requested.emit(self.document)
            return
        self.tasks.run(self.ask_and_act(action))

    async def ask_and_act(self, action: str, dialog: ActionDialog | None = None) -> str | None:
        """Ask what `action` needs (the dialog may be given by a test), then queue it."""
        from ui.shell import wait_dialog  # the shell imports this module

        document = self.document
        if document is None:
            return None
        if dialog is None:
            needs_people = action in PERSON_FIELD or action in ("coordinate", "issue")
            people = await self.inbox.people() if needs_people else []
            dialog = ActionDialog(action, self.action_text(action), people, self)
        if await wait_dialog(dialog) != QDialog.DialogCode.Accepted:
            return None
        if action == "issue":  # the agency's key and seal are asked next, then it is issued
            self.issue_requested.emit(document, dialog.body())
            return None
        if action == "submit" and self.submitter is not None:
            key = await self.submitter(document, dialog.body())
        else:
            key = await self.inbox.act(document.id, action, dialog.body())
        self.action_queued.emit(action, key)
        return key

    def _open(self) -> None:
        if self.document is not None:
            self.open_requested.emit(self.document)

    def _show_file(self, row: int) -> None:
        """The pane shows the file of the list's `row` (a version or an attachment)."""
        if self.pane is None or self.document is None:
            return
        if not 0 <= row < len(self._file_refs):
            self.pane.clear()
            return
        document = self.document
        self.pane.show_file(self._file_refs[row], document.summary, document.confidentiality)

    def shutdown(self) -> None:
        """Stop the pane's reader and render workers (the detail goes)."""
        if self.pane is not None:
            self.pane.shutdown()

    # --- texts ---------------------------------------------------------------------------------
    def action_text(self, action: str) -> str:
        """The button text of a workflow action (or an assignment's action)."""
        return {
            "assign": self.tr("Assign"),
            "forward": self.tr("Forward"),
            "coordinate": self.tr("Ask to coordinate"),
            "answer": self.tr("Give opinion"),
            "complete": self.tr("Complete"),
            "submit": self.tr("Submit"),
            "approve": self.tr("Approve"),
            "return": self.tr("Return"),
            "sign": self.tr("Sign"),
            "issue": self.tr("Issue"),
            "comment": self.tr("Comment"),
            "instruct": self.tr("Instruct"),
            "route": self.tr("Route"),
            "process": self.tr("Process"),
            "review": self.tr("Review"),
        }.get(action, action)

    def status_text(self, status: str) -> str:
        """The workflow state in words."""
        return {
            "registered": self.tr("Registered"),
            "processing": self.tr("Processing"),
            "drafting": self.tr("Drafting"),
            "returned": self.tr("Returned"),
            "awaiting_approval": self.tr("Awaiting approval"),
            "awaiting_signature": self.tr("Awaiting signature"),
            "signed": self.tr("Signed"),
            "issued": self.tr("Issued"),
            "done": self.tr("Done"),
        }.get(status, status)

    def retranslate(self) -> None:
        """Texts in the current language (the document's own texts stay as they are)."""
        self.open_button.setText(self.tr("Read the document"))
        if self.document is not None:
            self.show_loaded(self.document)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
