"""Who voted what in an open poll, and whose ballot is signed with their certificate.

The server publishes the ballots of an open (non-secret) poll once its counts are shown (closed,
or live results): each with the subject of the certificate that signed it, when the voter
signed (server/ballot_signatures.py checked the signature over the ballot's text before keeping
it). The app checks each again against the roots it trusts (desktop/meeting_room/ballot_trust.py),
since the server trusts any certificate: a certificate not chained to them is said to be so.
`BallotListModel` lists them for the votes panel; `signed_summary` says how many are signed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QAbstractListModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)

if TYPE_CHECKING:
    from desktop.meeting_room.polls import Ballot, Poll

ModelIndex = QModelIndex | QPersistentModelIndex


def ballot_line(poll: Poll, ballot: Ballot, trusted: bool | None = None) -> str:
    """One ballot as the list shows it: the voter, the choice, and the signature if any
    (`trusted`: what the app's own check said; None before it or without one)."""
    option = poll.options[ballot.option] if ballot.option < len(poll.options) else "?"
    if ballot.signed_by and trusted is False:
        text = QCoreApplication.translate(
            "BallotList", "%1: %2 — signed by %3 (certificate not trusted)"
        )
        text = text.replace("%3", ballot.signed_by)
    elif ballot.signed_by:
        text = QCoreApplication.translate("BallotList", "%1: %2 — signed by %3")
        text = text.replace("%3", ballot.signed_by)
    else:
        text = QCoreApplication.translate("BallotList", "%1: %2 — not signed")
    return text.replace("%1", ballot.user.full_name).replace("%2", option)


def signed_summary(poll: Poll) -> str:
    """How many ballots are signed (empty while the ballots are not shown)."""
    if not poll.ballots:
        return ""
    signed = sum(1 for b in poll.ballots if b.signed_by)
    text = QCoreApplication.translate("BallotList", "Signed with a digital certificate: %1 of %2")
    return text.replace("%1", str(signed)).replace("%2", str(len(poll.ballots)))


class BallotListModel(QAbstractListModel):
    """The shown poll's ballots (empty for a secret poll, or while they are not shown)."""

    def __init__(self) -> None:
        super().__init__()
        self.poll: Poll | None = None
        self.rows: list[Ballot] = []
        self.trust: dict[str, bool] = {}  # signature -> the app's own check of it

    def set_trust(self, trust: dict[str, bool]) -> None:
        """What the app's check said of these signatures (kept for the ones seen again)."""
        self.trust.update(trust)
        if self.rows:
            self.dataChanged.emit(self.index(0), self.index(len(self.rows) - 1))

    def set_poll(self, poll: Poll | None) -> None:
        """Show `poll`'s ballots."""
        rows = list(poll.ballots or ()) if poll is not None else []
        if poll == self.poll and rows == self.rows:
            return
        self.beginResetModel()
        self.poll, self.rows = poll, rows
        self.endResetModel()

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or self.poll is None:
            return None
        ballot = self.rows[index.row()]
        trusted = self.trust.get(ballot.signature or "")
        if role == Qt.ItemDataRole.DisplayRole:
            return ballot_line(self.poll, ballot, trusted)
        if role == Qt.ItemDataRole.ToolTipRole and trusted is False:
            return QCoreApplication.translate(
                "BallotList",
                "The certificate is not chained to a certification authority this computer "
                "trusts, or the signature does not match this choice: the name it gives is not "
                "proven.",
            )
        if role == Qt.ItemDataRole.ToolTipRole and ballot.signed_by:
            return QCoreApplication.translate(
                "BallotList",
                "The server checked that this signature was made over this choice in this poll "
                "by the key of the certificate it names.",
            )
        return None
