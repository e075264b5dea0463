"""media/participants.py: the roster speaks in rows."""

from __future__ import annotations

from media.participants import Participant, Roster


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
