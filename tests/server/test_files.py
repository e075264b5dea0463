"""server/files.py without HTTP: the content-addressed store and its metadata rows."""

from __future__ import annotations

import hashlib
from pathlib import Path

from server.db import make_engine, session_factory, upgrade
from server.files import FileStore, add_file, file_ref
from server.models import FileBlob


def test_bytes_live_under_their_sha256_in_fan_out_folders(tmp_path: Path) -> None:
    store = FileStore(tmp_path / "files")
    data = b"%PDF-1.7 van ban"
    digest = store.put(data)
    assert digest == hashlib.sha256(data).hexdigest()
    assert store.path(digest) == tmp_path / "files" / digest[:2] / digest
    assert store.path(digest).read_bytes() == data


def test_the_same_bytes_are_stored_once_and_no_temp_file_stays(tmp_path: Path) -> None:
    store = FileStore(tmp_path / "files")
    first = store.put(b"same")
    stored = store.path(first)
    before = stored.stat().st_mtime_ns
    assert store.put(b"same") == first
    assert stored.stat().st_mtime_ns == before  # not written again
    assert [p.name for p in stored.parent.iterdir()] == [first]


def test_add_file_reuses_the_row_of_the_same_bytes(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'server.db'}")
    upgrade(engine)
    factory = session_factory(engine)
    store = FileStore(tmp_path / "files")
    with factory() as session:
        blob = add_file(session, store, b"%PDF- to trinh", "totrinh.pdf")
        session.flush()
        again = add_file(session, store, b"%PDF- to trinh", "ban-sao.pdf")
        session.commit()
        assert again is blob
        assert session.query(FileBlob).count() == 1
        ref = file_ref(blob)
        assert ref is not None
        assert (ref.name, ref.size, ref.media_type) == ("totrinh.pdf", 14, "application/pdf")
    assert file_ref(None) is None
    engine.dispose()
