"""The votes panel (biểu quyết): the meeting's polls, voting, results; the chair's controls.

`PollListModel` lists the polls (title and state); the panel shows the selected one: a "secret
ballot" badge, how many voted of how many may, a button per option while I may vote, and the
result as bars with percentages once the server shows counts. The chair and the secretary also
get a form to create a poll (default options Tán thành / Không tán thành / Không biểu quyết, or
their own, one per line; secret; change allowed; live results; an opinion form's deadline) and
the open and close buttons. The panel does no I/O itself: it calls `PollsService`.

On an open (non-secret) poll a voter may tick "sign my vote": the option pressed is then signed
with their certificate (`open_key`: the inbox's signing dialog and keys, ui/signing_flow.py)
and sent with the signature; when the key does not open (wrong PIN, no token) nothing is sent,
the buttons stay and the panel says so. The ballots, once shown, say who signed.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QAbstractListModel,
    QCoreApplication,
    QDateTime,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDateTimeEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.errors import HopDeskError
from ui.meeting_room.ballots import BallotListModel, signed_summary
from ui.tasks import TaskOwner

if TYPE_CHECKING:
    from pyhanko.sign.signers import Signer

    from desktop.app import Core
    from desktop.meeting_room.polls import Poll, PollsService

log = logging.getLogger(__name__)

ModelIndex = QModelIndex | QPersistentModelIndex
# Opens the voter's signing key for one ballot (the dialog's heading says which); yields None
# when cancelled or the key did not open, which the opener has told the user.
KeyOpener = Callable[[QWidget, str], AbstractAsyncContextManager["Signer | None"]]
# Checks a poll's published signed ballots against the app's trusted roots: voter id -> trusted.
BallotVerifier = Callable[["Poll"], Awaitable[dict[int, bool]]]


def key_opener(core: Core) -> KeyOpener:
    """Signing a ballot with the inbox's signing dialog, keys and PIN (ui/signing_flow)."""

    def open_key(parent: QWidget, heading: str) -> AbstractAsyncContextManager[Signer | None]:
        from ui.signing_flow import ballot_key  # pyHanko loads on the first signature

        return ballot_key(core, parent, heading)

    return open_key


def ballot_verifier(core: Core) -> BallotVerifier:
    """The app's own check of published signed ballots (desktop/meeting_room/ballot_trust),
    under the roots it trusts for signing (ui/signing_flow.signing_trust)."""

    async def verify(poll: Poll) -> dict[int, bool]:
        from desktop.meeting_room.ballot_trust import trusted_ballots
        from ui.signing_flow import signing_trust

        return await trusted_ballots(poll, await signing_trust(core))

    return verify


def state_text(poll: Poll) -> str:
    """The poll's state in the user's language (an opinion form past its deadline is closed)."""
    if poll.past_deadline(dt.datetime.now(dt.UTC)):
        return QCoreApplication.translate("PollPanel", "Closed")
    texts = {
        "draft": QCoreApplication.translate("PollPanel", "Not opened yet"),
        "open": QCoreApplication.translate("PollPanel", "Voting"),
        "closed": QCoreApplication.translate("PollPanel", "Closed"),
    }
    return texts.get(poll.status, poll.status)


PollFilter = Callable[["Poll"], bool]


class PollListModel(QAbstractListModel):
    """The meeting's polls (those `only` keeps), oldest first: "title — state"."""

    def __init__(self, service: PollsService, only: PollFilter | None = None) -> None:
        super().__init__()
        self.service = service
        self.only = only
        self.rows: list[Poll] = self._shown()
        service.changed.connect(self.reload)

    def _shown(self) -> list[Poll]:
        return [p for p in self.service.ordered() if self.only is None or self.only(p)]

    def reload(self) -> None:
        """Take the service's polls again."""
        self.beginResetModel()
        self.rows = self._shown()
        self.endResetModel()

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        poll = self.rows[index.row()]
        return self.tr("%1 — %2").replace("%1", poll.title).replace("%2", state_text(poll))


class PollPanel(QWidget):
    """The polls of one meeting; `runs` adds the chair's and secretary's controls;
    `open_key` lets a voter sign an open ballot; `opinion_forms` keeps to the opinion forms
    (the meeting detail's, for members away: drafts only for those who run the meeting) and
    makes every new poll one."""

    def __init__(
        self,
        service: PollsService,
        runs: bool,
        parent: QWidget | None = None,
        *,
        open_key: KeyOpener | None = None,
        verify: BallotVerifier | None = None,
        opinion_forms: bool = False,
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.runs = runs
        self.open_key = open_key
        self.verify = verify
        self._verified: set[str] = set()  # signatures checked or being checked
        self.only: PollFilter | None = None
        if opinion_forms:
            self.only = lambda p: p.kind == "opinion" and (runs or p.status != "draft")
        self.tasks = TaskOwner(self)
        self.selected: int | None = None
        self.signing: int | None = None  # the poll whose ballot is being signed

        self.model = PollListModel(service, self.only)
        self.list = QListView(self)
        self.list.setModel(self.model)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.selectionModel().currentChanged.connect(self._on_current)

        self.title = QLabel(self)
        self.title.setWordWrap(True)
        self.secret_badge = QLabel(self.tr("Secret ballot"), self)
        self.secret_badge.setObjectName("secretBadge")
        self.secret_badge.setStyleSheet(
            "QLabel#secretBadge { background: #7a1f1f; color: white; padding: 1px 6px;"
            " border-radius: 3px; }"
        )
        self.state = QLabel(self)
        self.turnout = QLabel(self)
        self.mine = QLabel(self)
        self.mine.setWordWrap(True)
        self.buttons = QHBoxLayout()
        self.sign_check = QCheckBox(self.tr("Sign my vote with my digital certificate"), self)
        self.sign_check.setToolTip(
            self.tr(
                "Your ballot is signed with your key (key file or USB token) and everyone will "
                "see that you signed it."
            )
        )
        self.sign_note = QLabel(self)
        self.sign_note.setWordWrap(True)
        self.bars = QVBoxLayout()
        self.ballots_model = BallotListModel()
        self.ballots = QListView(self)
        self.ballots.setModel(self.ballots_model)
        self.ballots.setWordWrap(True)
        self.signed = QLabel(self)
        self.vote_buttons: list[QPushButton] = []
        self.result_bars: list[QProgressBar] = []
        self.open_button = QPushButton(self.tr("Open the vote"), self)
        self.close_button = QPushButton(self.tr("Close the vote"), self)
        self.open_button.clicked.connect(lambda: self._step(self.service.open))
        self.close_button.clicked.connect(lambda: self._step(self.service.close_poll))

        heading = QHBoxLayout()
        heading.addWidget(self.title, 1)
        heading.addWidget(self.secret_badge)
        controls = QHBoxLayout()
        controls.addWidget(self.open_button)
        controls.addWidget(self.close_button)
        self.detail = QGroupBox(self)
        column = QVBoxLayout(self.detail)
        column.addLayout(heading)
        for label in (self.state, self.turnout, self.mine):
            column.addWidget(label)
        column.addLayout(self.buttons)
        column.addWidget(self.sign_check)
        column.addWidget(self.sign_note)
        column.addLayout(self.bars)
        column.addWidget(self.signed)
        column.addWidget(self.ballots)
        column.addLayout(controls)

        layout = QVBoxLayout(self)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.detail, 2)
        self.form = self._build_form() if runs else None
        if self.form is not None:
            layout.addWidget(self.form)
            if opinion_forms:  # only opinion forms here: the live ones belong to the room
                self.new_opinion.setChecked(True)
                self.new_opinion.setEnabled(False)
        # An opinion form closes at its deadline: shown closed then, and asked for again.
        self.deadline_timer = QTimer(self)
        self.deadline_timer.setSingleShot(True)
        self.deadline_timer.timeout.connect(self._deadline_passed)
        service.changed.connect(self.show_poll)
        self.show_poll()

    # --- the chair's form ----------------------------------------------------------------------
    def _build_form(self) -> QGroupBox:
        box = QGroupBox(self.tr("New vote"), self)
        self.new_title = QLineEdit(box)
        self.new_options = QPlainTextEdit(box)
        self.new_options.setPlaceholderText(
            self.tr("One option per line; empty: Agree, Disagree, Abstain")
        )
        self.new_options.setFixedHeight(70)
        self.new_secret = QCheckBox(self.tr("Secret ballot"), box)
        self.new_change = QCheckBox(self.tr("Voters may change their vote before the close"), box)
        self.new_live = QCheckBox(self.tr("Show the results while voting"), box)
        self.new_opinion = QCheckBox(self.tr("Opinion form for members who are away"), box)
        self.new_deadline = QDateTimeEdit(QDateTime.currentDateTime().addDays(1), box)
        self.new_deadline.setCalendarPopup(True)
        self.new_deadline.setEnabled(False)
        self.new_opinion.toggled.connect(self.new_deadline.setEnabled)
        # A secret ballot is linked to nobody: it cannot be changed, nor counted in public
        # before the close (server/polls.py).
        self.new_secret.toggled.connect(self._secret_toggled)
        self.create_button = QPushButton(self.tr("Create the vote"), box)
        self.create_button.clicked.connect(self.create_poll)
        form = QFormLayout(box)
        form.addRow(self.tr("Question"), self.new_title)
        form.addRow(self.tr("Options"), self.new_options)
        for check in (self.new_secret, self.new_change, self.new_live, self.new_opinion):
            form.addRow(check)
        form.addRow(self.tr("Deadline"), self.new_deadline)
        form.addRow(self.create_button)
        return box

    def _secret_toggled(self, secret: bool) -> None:
        for check in (self.new_change, self.new_live):
            if secret:
                check.setChecked(False)
            check.setEnabled(not secret)

    def create_poll(self) -> None:
        """Create a draft poll from the form (it is opened with "Open the vote")."""
        title = self.new_title.text().strip()
        if not title:
            self.new_title.setFocus()
            return
        options = [o.strip() for o in self.new_options.toPlainText().splitlines() if o.strip()]
        deadline: dt.datetime | None = None
        if self.new_opinion.isChecked():
            seconds = self.new_deadline.dateTime().toSecsSinceEpoch()
            deadline = dt.datetime.fromtimestamp(seconds, dt.UTC)
        self.tasks.run(self._create(title, options, deadline))

    async def _create(self, title: str, options: list[str], deadline: dt.datetime | None) -> None:
        poll = await self.service.create(
            title,
            options or None,
            secret=self.new_secret.isChecked(),
            allow_change=self.new_change.isChecked(),
            show_live=self.new_live.isChecked(),
            deadline=deadline,
        )
        self.new_title.clear()
        self.new_options.clear()
        self.select(poll.id)

    def _step(self, action: object) -> None:
        if self.selected is not None and callable(action):
            self.tasks.run(action(self.selected))

    # --- the selected poll ---------------------------------------------------------------------
    def select(self, poll_id: int) -> None:
        """Show this poll (selecting it in the list)."""
        self.selected = poll_id
        rows = [p.id for p in self.model.rows]
        if poll_id in rows:
            self.list.setCurrentIndex(self.model.index(rows.index(poll_id)))
        self.show_poll()

    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            chosen = self.model.rows[current.row()].id
            if chosen != self.selected:
                self.sign_note.clear()
            self.selected = chosen
            self.show_poll()

    def _deadline_passed(self) -> None:
        self.show_poll()
        self.service.refresher.schedule()

    def show_poll(self) -> None:
        """Fill the detail with the selected poll (the newest when none is selected)."""
        polls = {k: p for k, p in self.service.polls.items() if self.only is None or self.only(p)}
        if self.selected not in polls and polls:
            self.selected = max(polls)
        poll = polls.get(self.selected) if self.selected is not None else None
        self.detail.setVisible(poll is not None)
        if poll is None:
            return
        self.title.setText(poll.title)
        self.secret_badge.setVisible(poll.secret)
        state = state_text(poll)
        if poll.deadline is not None:
            when = poll.deadline.astimezone().strftime("%H:%M %d/%m/%Y")
            state = self.tr("%1 (until %2)").replace("%1", state).replace("%2", when)
        self.state.setText(state)
        self.turnout.setText(
            self.tr("Voted: %1 of %2")
            .replace("%1", str(poll.voted))
            .replace("%2", str(poll.eligible))
        )
        self.mine.setText(self._mine_text(poll))
        self._watch_deadline(poll)
        self._show_buttons(poll)
        self._show_bars(poll)
        self.ballots_model.set_poll(poll)
        self._verify_ballots(poll)
        self.ballots.setVisible(bool(poll.ballots))
        self.signed.setText(signed_summary(poll))
        self.signed.setVisible(bool(poll.ballots))
        self.open_button.setVisible(self.runs and poll.status == "draft")
        self.close_button.setVisible(self.runs and poll.status == "open")

    def _verify_ballots(self, poll: Poll) -> None:
        """Check signatures not checked yet, in the background (the list says the outcome)."""
        fresh = [b for b in poll.ballots or () if b.signature and b.signature not in self._verified]
        if self.verify is None or not fresh:
            return
        self._verified.update(b.signature for b in fresh if b.signature)
        self.tasks.run(self._verify(poll), on_error=self._verify_failed)

    async def _verify(self, poll: Poll) -> None:
        assert self.verify is not None
        trusted = await self.verify(poll)
        signatures = {b.user.id: b.signature for b in poll.ballots or () if b.signature}
        self.ballots_model.set_trust(
            {signatures[user]: ok for user, ok in trusted.items() if user in signatures}
        )

    def _verify_failed(self, exc: BaseException) -> None:
        log.warning("checking the signed ballots failed", exc_info=exc)

    def _watch_deadline(self, poll: Poll) -> None:
        """Wake at the shown poll's deadline while it is open (a timer, not a poll loop)."""
        self.deadline_timer.stop()
        if poll.status != "open" or poll.deadline is None:
            return
        left = (poll.deadline - dt.datetime.now(dt.UTC)).total_seconds()
        if left > 0:
            self.deadline_timer.start(min(int(left * 1000) + 50, 2**31 - 1))

    def _mine_text(self, poll: Poll) -> str:
        if self.signing == poll.id:
            return self.tr("Signing your vote…")
        if self.service.sending(poll.id):
            return self.tr("Your vote is waiting to be sent.")
        if poll.i_voted and poll.my_option is not None:
            return self.tr("You voted: %1").replace("%1", poll.options[poll.my_option])
        if poll.i_voted:
            return self.tr("You have voted. Your choice is secret: it is kept nowhere.")
        return ""

    def _show_buttons(self, poll: Poll) -> None:
        """A button per option while I may vote (and nothing of mine is on its way)."""
        may = poll.may_vote and not self.service.sending(poll.id)
        may = may and not poll.past_deadline(dt.datetime.now(dt.UTC))
        texts = poll.options if may else []
        # An open ballot may be signed; a secret one never (it would link me to my choice).
        self.sign_check.setVisible(bool(texts) and not poll.secret and self.open_key is not None)
        for button in self.vote_buttons:
            button.setEnabled(self.signing is None)
        if [b.text() for b in self.vote_buttons] != texts:
            for button in self.vote_buttons:
                self.buttons.removeWidget(button)
                button.deleteLater()
            self.vote_buttons = []
            for index, text in enumerate(texts):
                button = QPushButton(text, self.detail)
                button.setEnabled(self.signing is None)
                button.clicked.connect(lambda _=False, i=index: self.vote(i))
                self.buttons.addWidget(button)
                self.vote_buttons.append(button)

    def vote(self, option: int) -> None:
        """Cast my ballot for the selected poll (through the outbox), signed first when
        "sign my vote" is ticked."""
        if self.selected is None or self.signing is not None:
            return
        self.sign_note.clear()
        if not self.sign_check.isHidden() and self.sign_check.isChecked():  # tab may be hidden
            self.tasks.run(self.vote_signed(self.selected, option))
        else:
            self.service.vote(self.selected, option)

    async def vote_signed(self, poll_id: int, option: int) -> bool:
        """Ask for my key, sign the ballot off the GUI thread and send it; whether it was sent.
        When the key does not open or the signature fails, nothing is sent: the options stay
        for another try (signed or not) and the panel says why."""
        assert self.open_key is not None
        poll = self.service.polls[poll_id]
        heading = (
            self.tr("Sign your vote “%1” on: %2")
            .replace("%1", poll.options[option])
            .replace("%2", poll.title)
        )
        self.signing = poll_id
        self.show_poll()
        failure = ""
        try:
            async with self.open_key(self, heading) as signer:
                if signer is not None:
                    await self.service.vote_signed(poll_id, option, signer)
                    return True
        except HopDeskError as exc:
            log.warning("signing the ballot of poll %s failed: %r", poll_id, exc)
            failure = exc.user_message()
        finally:
            self.signing = None
            self.show_poll()
        note = self.tr("Your vote was not sent: it could not be signed. You can vote again.")
        self.sign_note.setText(f"{failure}\n{note}" if failure else note)
        return False

    def _show_bars(self, poll: Poll) -> None:
        """The result as one bar per option with its count and percentage, when shown."""
        shares = poll.percentages()
        wanted = len(poll.options) if shares is not None and poll.counts is not None else 0
        while len(self.result_bars) > wanted:
            bar = self.result_bars.pop()
            self.bars.removeWidget(bar)
            bar.deleteLater()
        while len(self.result_bars) < wanted:
            bar = QProgressBar(self.detail)
            bar.setRange(0, 1000)
            self.bars.addWidget(bar)
            self.result_bars.append(bar)
        if shares is None or poll.counts is None:
            return
        for bar, text, count, share in zip(
            self.result_bars, poll.options, poll.counts, shares, strict=True
        ):
            bar.setValue(round(share * 10))
            bar.setFormat(
                self.tr("%1: %2 (%3%)")
                .replace("%1", text)
                .replace("%2", str(count))
                .replace("%3", f"{share:.1f}".replace(".", ","))
            )
