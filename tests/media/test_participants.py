"""media/participants.py: the roster speaks in rows."""

from __future__ import annotations

from media.participants import Participant, Roster
from media.stats import Quality


def test_rows_are_inserted_changed_and_removed_one_at_a_time() -> None:
    roster = Roster()
    events: list[tuple[str, int]] = []
    roster.row_inserted.connect(lambda row: events.append(("insert", row)))
    roster.row_changed.connect(lambda row: events.append(("change", row)))
    roster.row_removed.connect(lambda row: events.append(("remove", row)))
    roster.add(Participant("a", "An"))
    roster.add(Participant("b", "Bình"))
    roster.add(Participant("a", "An again"))  # already there: nothing
    roster.update("b", media="connected")
    roster.update("b", media="connected")  # no change: no signal
    roster.update("b", has_video=True)
    roster.update("nobody", media="failed")
    roster.remove("a")
    roster.remove("a")
    assert events == [("insert", 0), ("insert", 1), ("change", 1), ("change", 1), ("remove", 0)]
    assert len(roster) == 1
    assert roster[0] == Participant("b", "Bình", "connected", True)
    assert roster.row_of("b") == 0


def test_the_media_columns_change_one_row() -> None:
    roster = Roster()
    roster.add(Participant("a", "An"))
    changed: list[int] = []
    roster.row_changed.connect(changed.append)
    assert (roster[0].muted, roster[0].camera, roster[0].quality) == (True, False, Quality.UNKNOWN)
    roster.update("a", muted=False, camera=True, talking=True, quality=Quality.FAIR)
    roster.update("a", muted=False)  # the same: no signal
    assert changed == [0]
    assert roster[0] == Participant("a", "An", "new", False, False, True, True, Quality.FAIR)
