"""IssueJournal: a crash-safety record written off the GUI thread, durable when awaited."""

from __future__ import annotations

import asyncio
from pathlib import Path

from desktop.issue_journal import IssueJournal
from desktop.store import LocalStore
from tests.fixtures.store_lock import locked_elsewhere


async def test_begin_and_end_wait_out_another_process_s_lock_off_the_gui_thread(
    tmp_path: Path,
) -> None:
    """Another process holds the cache: `begin` is awaited on the loop, which keeps turning,
    and returns only once the issuance is in the file, after the lock goes (before: it wrote on
    the GUI thread and raised "database is locked" after 20 ms, before the issue was queued)."""
    path = tmp_path / "cache.db"
    store = LocalStore(path)
    store.open()
    journal = IssueJournal(store, "vanthu@x")
    await journal.begin(3)
    async with locked_elsewhere(path) as lock:
        beginning = asyncio.ensure_future(journal.begin(5))
        ending = asyncio.ensure_future(journal.end(3))
        await lock.hold()
        assert not beginning.done()  # not durable yet: the next step must wait
        assert journal.pending() == [3]
    await asyncio.wait_for(asyncio.gather(beginning, ending), 10)
    lock.assert_loop_kept_turning()
    assert journal.pending() == [5]  # landed in the order they were asked
    await journal.begin(5)  # once only
    store.close()
    reopened = LocalStore(path)
    reopened.open()
    assert IssueJournal(reopened, "vanthu@x").pending() == [5]
    assert IssueJournal(reopened, "other@x").pending() == []
    reopened.close()
