"""FileCache without a server: verification, markers, single flight, LRU, local errors."""

from __future__ import annotations

import asyncio
import errno
import hashlib
import os
import threading
from collections.abc import AsyncGenerator, Callable
from pathlib import Path
from typing import Any

import pytest

from desktop.domain import FileRef
from desktop.errors import (
    ApiError,
    DiskFull,
    FileCorrupt,
    FileUnavailable,
    LocalFileProblem,
    MalformedResponse,
    Problem,
    ServerUnreachable,
)
from desktop.files import FileCache, local_error
from tests.fixtures.threads import threads_calling
from tests.ui.conftest import until


def blob(seed: int, size: int) -> bytes:
    """Deterministic bytes of `size` (distinct per seed)."""
    out = bytearray()
    counter = 0
    while len(out) < size:
        out += hashlib.sha256(f"{seed}:{counter}".encode()).digest()
        counter += 1
    return bytes(out[:size])


def ref_of(data: bytes, name: str = "paper.pdf") -> FileRef:
    return FileRef(hashlib.sha256(data).hexdigest(), len(data), name, "application/pdf")


class StreamingApi:
    """Serves bytes by sha256 in small chunks, like `ApiClient.stream`; counts the calls."""

    def __init__(self, files: dict[str, bytes | Exception]) -> None:
        self.files = files
        self.calls: list[str] = []
        self.gate: asyncio.Event | None = None

    async def stream(self, path: str, chunk_size: int = 1 << 16) -> AsyncGenerator[bytes, None]:
        self.calls.append(path)
        if self.gate is not None:
            await self.gate.wait()
        outcome = self.files[path.rsplit("/", 1)[-1]]
        if isinstance(outcome, Exception):
            raise outcome
        for start in range(0, len(outcome), 7000):
            await asyncio.sleep(0)
            yield outcome[start : start + 7000]


class FakeSession:
    def __init__(self, api: StreamingApi) -> None:
        self.api = api


def make_cache(tmp_path: Path, files: dict[str, Any], limit: int = 1 << 30) -> FileCache:
    return FileCache(FakeSession(StreamingApi(files)), tmp_path / "files", limit)


async def waiting_at_the_gate(cache: FileCache, ref: FileRef, callers: int) -> None:
    """Until `callers` fetches of `ref` wait on its download, which waits at the API's gate."""
    await until(lambda: cache._held[ref.sha256] == callers and bool(api_of(cache).calls))


def api_of(cache: FileCache) -> StreamingApi:
    api: StreamingApi = cache.session.api
    return api


def leftovers(cache: FileCache) -> list[str]:
    """Temp files in the cache directory."""
    return sorted(p.name for p in cache.directory.glob(".*"))


async def test_fetch_verifies_stores_and_then_hits_the_cache(tmp_path: Path) -> None:
    data = blob(1, 2_500_000)  # several write batches
    ref = ref_of(data)
    cache = make_cache(tmp_path, {ref.sha256: data})
    assert cache.cached(ref.sha256) is None
    progress: list[tuple[int, int]] = []
    path = await cache.fetch(ref, lambda done, total: progress.append((done, total)))
    assert path == cache.directory / f"{ref.sha256}.pdf"
    assert path.read_bytes() == data
    assert progress[-1] == (len(data), len(data))
    assert len(progress) >= 3
    assert [done for done, _ in progress] == sorted(done for done, _ in progress)
    assert cache.cached(ref.sha256) == path
    assert await cache.fetch(ref) == path
    assert api_of(cache).calls == [f"/files/{ref.sha256}"]  # one download only
    assert leftovers(cache) == []


async def test_a_restarted_cache_trusts_the_marker_without_network(tmp_path: Path) -> None:
    data = blob(2, 50_000)
    ref = ref_of(data)
    first = make_cache(tmp_path, {ref.sha256: data})
    await first.fetch(ref)
    again = make_cache(tmp_path, {ref.sha256: ServerUnreachable("http://x", "refused")})
    assert again.cached(ref.sha256) is not None
    assert (await again.fetch(ref)).read_bytes() == data
    assert api_of(again).calls == []


async def test_wrong_hash_is_an_error_and_leaves_nothing(tmp_path: Path) -> None:
    data = blob(3, 40_000)
    ref = ref_of(data, "Tờ trình.pdf")
    cache = make_cache(tmp_path, {ref.sha256: data[:-1] + b"x"})
    with pytest.raises(FileCorrupt) as caught:
        await cache.fetch(ref)
    assert "Tờ trình.pdf" in caught.value.user_message()
    assert caught.value.expected == ref.sha256
    assert list(cache.directory.iterdir()) == []


async def test_a_file_changed_on_disk_is_rehashed_and_downloaded_again(tmp_path: Path) -> None:
    data = blob(4, 30_000)
    ref = ref_of(data)
    cache = make_cache(tmp_path, {ref.sha256: data})
    path = await cache.fetch(ref)
    path.write_bytes(b"\0" * len(data))  # same size, other bytes, new mtime
    assert cache.cached(ref.sha256) is None
    assert (await cache.fetch(ref)).read_bytes() == data
    assert len(api_of(cache).calls) == 2


async def test_a_file_without_marker_is_hashed_once_then_trusted(tmp_path: Path) -> None:
    data = blob(5, 30_000)
    ref = ref_of(data)
    cache = make_cache(tmp_path, {ref.sha256: ServerUnreachable("http://x", "refused")})
    cache.directory.mkdir()
    cache.path(ref.sha256).write_bytes(data)  # e.g. a marker lost in a crash
    assert cache.cached(ref.sha256) is None
    assert await cache.fetch(ref) == cache.path(ref.sha256)
    assert cache.cached(ref.sha256) == cache.path(ref.sha256)
    assert api_of(cache).calls == []


async def test_concurrent_fetches_share_one_download(tmp_path: Path) -> None:
    data = blob(6, 100_000)
    ref = ref_of(data)
    cache = make_cache(tmp_path, {ref.sha256: data})
    api_of(cache).gate = gate = asyncio.Event()
    seen: list[list[int]] = [[], [], []]

    def recorder(into: list[int]) -> Callable[[int, int], None]:
        return lambda done, _total: into.append(done)

    fetches = [asyncio.ensure_future(cache.fetch(ref, recorder(s))) for s in seen]
    await waiting_at_the_gate(cache, ref, callers=3)
    gate.set()
    paths = await asyncio.gather(*fetches)
    assert len(set(paths)) == 1
    assert api_of(cache).calls == [f"/files/{ref.sha256}"]
    assert cache.downloads == 1
    assert all(s and s[-1] == len(data) for s in seen)


async def test_one_caller_giving_up_does_not_cancel_the_shared_download(tmp_path: Path) -> None:
    data = blob(7, 50_000)
    ref = ref_of(data)
    cache = make_cache(tmp_path, {ref.sha256: data})
    api_of(cache).gate = gate = asyncio.Event()
    impatient = asyncio.ensure_future(cache.fetch(ref))
    patient = asyncio.ensure_future(cache.fetch(ref))
    await waiting_at_the_gate(cache, ref, callers=2)
    impatient.cancel()
    gate.set()
    assert (await patient).read_bytes() == data
    assert impatient.cancelled()


async def test_least_recently_used_files_are_evicted(tmp_path: Path) -> None:
    files = {name: blob(10 + i, 10_000) for i, name in enumerate("abcd")}
    refs = {name: ref_of(data) for name, data in files.items()}
    cache = make_cache(tmp_path, {r.sha256: files[n] for n, r in refs.items()}, limit=30_000)
    for name in "abc":
        await cache.fetch(refs[name])
    assert cache.cached(refs["a"].sha256) is not None  # "a" used again: "b" is now the oldest
    await cache.fetch(refs["d"])
    present = {n for n, r in refs.items() if cache.cached(r.sha256) is not None}
    assert present == {"a", "c", "d"}
    assert not (cache.directory / f"{refs['b'].sha256}.ok").exists()  # its marker went too


async def test_the_file_being_returned_is_never_evicted(tmp_path: Path) -> None:
    data = blob(20, 20_000)
    ref = ref_of(data)
    cache = make_cache(tmp_path, {ref.sha256: data}, limit=1_000)  # smaller than the file
    path = await cache.fetch(ref)
    assert path.read_bytes() == data


async def test_error_answers_are_typed(tmp_path: Path) -> None:
    gone, refused, down = (ref_of(blob(30 + i, 10)) for i in range(3))
    cache = make_cache(
        tmp_path,
        {
            gone.sha256: ApiError(Problem(404, title="Not found")),
            refused.sha256: ApiError(Problem(403)),
            down.sha256: ServerUnreachable("http://x", "refused"),
        },
    )
    for ref in (gone, refused):
        with pytest.raises(FileUnavailable) as caught:
            await cache.fetch(ref)
        assert caught.value.status in (403, 404)
        assert "paper.pdf" in caught.value.user_message()
    with pytest.raises(ServerUnreachable):
        await cache.fetch(down)
    assert leftovers(cache) == []


async def test_a_bad_sha256_never_becomes_a_path(tmp_path: Path) -> None:
    cache = make_cache(tmp_path, {})
    evil = FileRef("../../etc/passwd", 1, "x", "application/pdf")
    with pytest.raises(MalformedResponse):
        await cache.fetch(evil)
    assert cache.cached("../../etc/passwd") is None
    assert cache.cached("A" * 64) is None
    assert api_of(cache).calls == []


async def test_no_room_is_disk_full_before_downloading(tmp_path: Path) -> None:
    huge = FileRef("ab" * 32, 1 << 62, "huge.pdf", "application/pdf")
    cache = make_cache(tmp_path, {huge.sha256: b""})
    with pytest.raises(DiskFull) as caught:
        await cache.fetch(huge)
    assert str(cache.directory) in caught.value.user_message()
    assert api_of(cache).calls == []


async def test_an_unusable_directory_is_a_local_file_problem(tmp_path: Path) -> None:
    data = blob(40, 100)
    ref = ref_of(data)
    (tmp_path / "plain-file").write_text("not a directory")
    cache = FileCache(FakeSession(StreamingApi({ref.sha256: data})), tmp_path / "plain-file", 10)
    with pytest.raises(LocalFileProblem) as caught:
        await cache.fetch(ref)
    assert not isinstance(caught.value, DiskFull)
    assert "plain-file" in caught.value.user_message()


def test_no_space_errors_become_disk_full(tmp_path: Path) -> None:
    full = local_error(tmp_path, OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)))
    assert isinstance(full, DiskFull)
    other = local_error(tmp_path, PermissionError(errno.EACCES, "Permission denied"))
    assert type(other) is LocalFileProblem
    assert "Permission denied" in other.user_message()


async def test_close_cancels_downloads_and_removes_temp_files(tmp_path: Path) -> None:
    data = blob(50, 100_000)
    ref = ref_of(data)
    cache = make_cache(tmp_path, {ref.sha256: data})
    api_of(cache).gate = asyncio.Event()  # never opens
    waiting = asyncio.ensure_future(cache.fetch(ref))
    await waiting_at_the_gate(cache, ref, callers=1)
    await cache.close()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert leftovers(cache) == []
    assert cache.cached(ref.sha256) is None


async def test_leftover_temp_files_of_a_crash_are_swept(tmp_path: Path) -> None:
    data = blob(60, 1000)
    ref = ref_of(data)
    cache = make_cache(tmp_path, {ref.sha256: data})
    cache.directory.mkdir()
    (cache.directory / f".{ref.sha256}.dead.part").write_bytes(b"half")
    (cache.directory / f"{'cd' * 32}.ok").write_text("{}")  # marker without its file
    await cache.fetch(ref)
    assert leftovers(cache) == []
    assert sorted(p.suffix for p in cache.directory.iterdir()) == [".ok", ".pdf"]


async def test_the_loop_thread_never_touches_the_disk_for_a_cached_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 11: stat, marker read and touch took ~100 ms on a loaded GUI thread."""
    data = blob(9, 50_000)
    ref = ref_of(data)
    cache = make_cache(tmp_path, {ref.sha256: data})
    touched_from = threads_calling(monkeypatch, os, "utime")
    path = await cache.fetch(ref)  # downloaded
    assert await cache.fetch(ref) == path  # from the cache
    assert await cache.lookup(ref.sha256) == path
    assert await cache.lookup("0" * 64) is None
    assert len(touched_from) == 3
    assert threading.main_thread().ident not in touched_from
