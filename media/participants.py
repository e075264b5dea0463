"""Who is in a call, as rows: a list model in ui/ maps the row signals to beginInsertRows /
dataChanged (STYLE-EXAMPLES §1.2), so a join or a video arriving does not reset the grid and
lose its selection or scroll position."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from media.stats import Quality


@dataclass(frozen=True, slots=True)
class Participant:
    """One other person in the call, as the UI shows them."""

    peer: str
    display: str
    media: str = "new"  # the peer connection's state: new, connecting, connected, failed, …
    has_video: bool = False  # a video track arrived (a sink exists for the tile)
    muted: bool = True  # no audio packets lately (media/peer_link.py AUDIO_GAP)
    camera: bool = False  # video frames lately (VIDEO_GAP)
    talking: bool = False
    quality: Quality = Quality.UNKNOWN  # from the last statistics sample (media/stats.py)


class Roster(QObject):
    """The participants in join order, with a signal per row change."""

    row_inserted = Signal(int)
    row_removed = Signal(int)
    row_changed = Signal(int)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Participant] = []

    def __len__(self) -> int:
        return len(self._rows)

    def __getitem__(self, row: int) -> Participant:
        return self._rows[row]

    def row_of(self, peer: str) -> int | None:
        """The row of a peer, or None."""
        return next((i for i, p in enumerate(self._rows) if p.peer == peer), None)

    def add(self, participant: Participant) -> None:
        """Append (a peer already listed is left as it is)."""
        if self.row_of(participant.peer) is None:
            self._rows.append(participant)
            self.row_inserted.emit(len(self._rows) - 1)

    def remove(self, peer: str) -> None:
        """Drop a peer's row, if any."""
        row = self.row_of(peer)
        if row is not None:
            del self._rows[row]
            self.row_removed.emit(row)

    def update(
        self,
        peer: str,
        *,
        media: str | None = None,
        has_video: bool | None = None,
        muted: bool | None = None,
        camera: bool | None = None,
        talking: bool | None = None,
        quality: Quality | None = None,
    ) -> None:
        """Change what is given of a peer's row; emits only when something changed."""
        row = self.row_of(peer)
        if row is None:
            return
        old = self._rows[row]
        new = Participant(
            old.peer,
            old.display,
            old.media if media is None else media,
            old.has_video if has_video is None else has_video,
            old.muted if muted is None else muted,
            old.camera if camera is None else camera,
            old.talking if talking is None else talking,
            old.quality if quality is None else quality,
        )
        if new != old:
            self._rows[row] = new
            self.row_changed.emit(row)
