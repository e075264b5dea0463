"""FileCache against the real server: download, verify, cache hits offline, corruption, LRU,
single flight, server down, another user's file."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

import pytest

from desktop.domain import Document, FileRef
from desktop.errors import FileUnavailable, ServerUnreachable
from desktop.files import FileCache
from desktop.session import Session
from tests.fixtures.server import ServerProcess
from tests.integration.conftest import PASSWORD, SessionFactory


async def document_files(session: Session) -> dict[int, list[FileRef]]:
    """The files of every document the user may see, by document id."""
    listed = await session.api.get_json("/documents", {"box": "all"})
    files: dict[int, list[FileRef]] = {}
    for item in listed:
        document = Document.from_json(await session.api.get_json(f"/documents/{item['id']}"))
        files[document.id] = [version.file for version in document.versions]
    return files


def distinct(files: dict[int, list[FileRef]]) -> list[FileRef]:
    """Each file once, smallest first."""
    unique = {ref.sha256: ref for refs in files.values() for ref in refs}
    return sorted(unique.values(), key=lambda ref: (ref.size, ref.sha256))


async def signed_in(make_session: SessionFactory, url: str, username: str) -> Session:
    session = make_session()
    await session.sign_in(url, username, PASSWORD, False)
    return session


async def test_download_is_verified_and_then_served_offline(
    server: ServerProcess, make_session: SessionFactory, tmp_path: Path
) -> None:
    session = await signed_in(make_session, server.url, "giamdoc")
    ref = distinct(await document_files(session))[-1]
    cache = FileCache(session, tmp_path / "files", 1 << 30)
    progress: list[tuple[int, int]] = []
    path = await cache.fetch(ref, lambda done, total: progress.append((done, total)))
    assert hashlib.sha256(path.read_bytes()).hexdigest() == ref.sha256
    assert path.stat().st_size == ref.size
    assert progress[-1] == (ref.size, ref.size)
    assert cache.downloads == 1
    assert sorted(p.name for p in cache.directory.iterdir()) == [
        f"{ref.sha256}.ok",
        f"{ref.sha256}.pdf",
    ]

    server.stop()
    again = FileCache(session, tmp_path / "files", 1 << 30)  # the next start of the app
    assert again.cached(ref.sha256) == path
    assert await again.fetch(ref) == path
    assert again.downloads == 0


async def test_a_corrupt_cached_file_is_downloaded_again(
    server: ServerProcess, make_session: SessionFactory, tmp_path: Path
) -> None:
    session = await signed_in(make_session, server.url, "giamdoc")
    ref = distinct(await document_files(session))[0]
    cache = FileCache(session, tmp_path / "files", 1 << 30)
    path = await cache.fetch(ref)
    damaged = bytearray(path.read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF  # one flipped byte, same size
    path.write_bytes(bytes(damaged))

    restarted = FileCache(session, tmp_path / "files", 1 << 30)
    assert restarted.cached(ref.sha256) is None
    assert await restarted.fetch(ref) == path
    assert restarted.downloads == 1
    assert hashlib.sha256(path.read_bytes()).hexdigest() == ref.sha256


async def test_least_recently_used_files_are_evicted(
    server: ServerProcess, make_session: SessionFactory, tmp_path: Path
) -> None:
    session = await signed_in(make_session, server.url, "giamdoc")
    refs = distinct(await document_files(session))
    assert len(refs) >= 3, "the demo seed should have three different files"
    first, second, third = refs[-3:]
    # Room for the two largest of the three, not for all three.
    limit = second.size + third.size
    assert first.size + second.size + third.size > limit
    cache = FileCache(session, tmp_path / "files", limit)
    await cache.fetch(first)
    await cache.fetch(second)
    assert cache.cached(first.sha256) is not None  # first used again: second is the oldest
    await cache.fetch(third)
    assert cache.cached(second.sha256) is None
    assert cache.cached(first.sha256) is not None
    assert cache.cached(third.sha256) is not None
    total = sum(p.stat().st_size for p in cache.directory.glob("*.pdf"))
    assert total <= limit


async def test_concurrent_fetches_make_one_download(
    server: ServerProcess, make_session: SessionFactory, tmp_path: Path
) -> None:
    session = await signed_in(make_session, server.url, "giamdoc")
    ref = distinct(await document_files(session))[-1]
    cache = FileCache(session, tmp_path / "files", 1 << 30)
    paths = await asyncio.gather(*(cache.fetch(ref) for _ in range(5)))
    assert len(set(paths)) == 1
    assert cache.downloads == 1
    assert hashlib.sha256(paths[0].read_bytes()).hexdigest() == ref.sha256


async def test_server_down_is_a_typed_error_and_leaves_nothing(
    server: ServerProcess, make_session: SessionFactory, tmp_path: Path
) -> None:
    session = await signed_in(make_session, server.url, "giamdoc")
    ref = distinct(await document_files(session))[0]
    cache = FileCache(session, tmp_path / "files", 1 << 30)
    server.stop()
    with pytest.raises(ServerUnreachable) as caught:
        await cache.fetch(ref)
    assert server.url.split("//")[1] in caught.value.user_message()
    assert [p.name for p in cache.directory.iterdir()] == []
    assert cache.cached(ref.sha256) is None


async def test_another_users_file_is_unavailable(
    server: ServerProcess, make_session: SessionFactory, tmp_path: Path
) -> None:
    leader = await signed_in(make_session, server.url, "giamdoc")
    guest = await signed_in(make_session, server.url, "khach")
    theirs = await document_files(leader)
    visible_to_guest = {d["id"] for d in await guest.api.get_json("/documents", {"box": "all"})}
    hidden = [refs[0] for doc_id, refs in theirs.items() if doc_id not in visible_to_guest]
    assert hidden, "the demo seed should have a document the guest may not see"
    ref = hidden[0]
    cache = FileCache(guest, tmp_path / "guest-files", 1 << 30)
    with pytest.raises(FileUnavailable) as caught:
        await cache.fetch(ref)
    assert caught.value.status == 404
    assert ref.name in caught.value.user_message()
    assert cache.cached(ref.sha256) is None
