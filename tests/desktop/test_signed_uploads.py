"""SignedUploads: a signed file kept, and forgotten once sent, off the GUI thread.

The uploads themselves, against the real server and across a killed app, are in
tests/integration/test_signed_upload.py and test_issued_upload.py."""

from __future__ import annotations

import asyncio
import functools
from pathlib import Path

from desktop.outbox import Outbox
from desktop.signed_uploads import QUEUED, SIGNED, SignedUploads
from desktop.store import LocalStore
from tests.desktop.test_store import NoServer
from tests.fixtures.store_lock import locked_elsewhere
from tests.ui.conftest import until


async def test_a_signed_file_is_kept_and_forgotten_while_another_process_holds_the_cache(
    tmp_path: Path,
) -> None:
    """With the cache locked elsewhere, `keep` is awaited on the loop, which keeps turning, and
    returns only once the record is in the file; the outbox's "sent" (a slot) hands the record
    and the file to the writer thread, and `confirmed` follows once they are gone (before: both
    wrote on the GUI thread and raised "database is locked" after 20 ms)."""
    path = tmp_path / "cache.db"
    store = LocalStore(path)
    store.open()
    outbox = Outbox(store, NoServer(), scope="giamdoc@x")  # type: ignore[arg-type]
    uploads = SignedUploads(store, outbox.api, outbox, "giamdoc@x", tmp_path / "signed")
    async with locked_elsewhere(path) as lock:
        keeping = asyncio.ensure_future(uploads.keep(7, "base", b"%PDF-1.7 signed", "qd.pdf"))
        await lock.hold()
        assert not keeping.done()  # not durable yet: nothing may be sent
        assert uploads.records() == {}
    sha = await asyncio.wait_for(keeping, 10)
    lock.assert_loop_kept_turning()
    record = uploads.records()[sha]
    assert (record["state"], uploads.path(sha).read_bytes()) == (SIGNED, b"%PDF-1.7 signed")

    queued = {**record, "state": QUEUED, "outbox_key": "k"}  # what upload_pending leaves
    await store.run(functools.partial(uploads._write, sha, queued))
    confirmed: list[int] = []
    uploads.confirmed.connect(confirmed.append)
    async with locked_elsewhere(path) as lock:
        outbox.sent.emit("k", None)
        await lock.hold()
        assert (confirmed, list(uploads.records())) == ([], [sha])
    await until(lambda: confirmed == [7], limit=10)
    lock.assert_loop_kept_turning()
    assert uploads.records() == {}
    assert not uploads.path(sha).exists()
    store.close()
