"""Files of the office server (papers, document versions) kept on disk under their SHA-256.

`FileCache.fetch` streams `GET /files/{sha256}` into a temp file beside the cache (never the
whole body in memory), hashing as it writes — both in a worker thread, so the GUI thread only
moves chunks — then checks the SHA-256 and renames the file into place atomically: a file named
`<sha256>.pdf` is always complete and verified. A `<sha256>.ok` marker beside it records the size
and mtime seen at verification; `cached()` trusts a file whose size and mtime still match it (two
stat calls, no hashing), and `fetch` re-hashes one that does not (in a thread) before trusting it
again, so a file damaged on disk is noticed and downloaded afresh. Even those stat calls wait
on a busy disk, so the loop's callers look up (`lookup`) and fetch with all of it in threads.

Several `fetch` calls for one file share one download (single flight). The total size is
bounded: every use sets the file's access time (explicitly, so it works on `noatime` mounts too),
and after each download the least recently used files go first — never one being fetched.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import errno
import hashlib
import json
import logging
import os
import re
import shutil
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING

from desktop.domain import FileRef
from desktop.errors import (
    ApiError,
    DiskFull,
    FileCorrupt,
    FileUnavailable,
    LocalFileProblem,
    MalformedResponse,
)

if TYPE_CHECKING:
    from desktop.session import Session

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
"""`progress(bytes_done, bytes_total)`, called on the loop thread while a file downloads."""

SHA256 = re.compile(r"[0-9a-f]{64}")
WRITE_BATCH = 1 << 20  # bytes handed to the writer thread at a time (bounds memory per download)
SUFFIX = ".pdf"
MARKER = ".ok"
UNAVAILABLE = frozenset({403, 404, 410})
NO_SPACE = frozenset({errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)})


def file_sha256(path: Path) -> str:
    """SHA-256 of a file read in chunks (call it in a thread: it reads the whole file)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(WRITE_BATCH), b""):
            digest.update(chunk)
    return digest.hexdigest()


def local_error(directory: Path, exc: OSError) -> LocalFileProblem:
    """The typed error for a failed write in the cache directory."""
    if exc.errno in NO_SPACE:
        return DiskFull(str(directory), exc.strerror or str(exc))
    return LocalFileProblem(str(directory), exc.strerror or str(exc))


def _write(fh: IO[bytes], digest: hashlib._Hash, data: bytearray) -> None:
    fh.write(data)
    digest.update(data)  # hashlib releases the GIL on large buffers


class FileCache:
    """Verified copies of server files in `directory`, at most about `limit_bytes` in total."""

    def __init__(self, session: Session, directory: Path, limit_bytes: int) -> None:
        self.session = session
        self.directory = Path(directory)
        self.limit_bytes = limit_bytes
        self.downloads = 0  # completed downloads (diagnostics, tests)
        self._lock = threading.Lock()  # `_held` is read by the trimming thread
        self._held: collections.Counter[str] = collections.Counter()
        self._inflight: dict[str, asyncio.Task[Path]] = {}
        self._listeners: dict[str, list[Progress]] = {}
        self._parts: set[Path] = set()
        self._last_touch = 0

    # --- public ------------------------------------------------------------------------------
    def path(self, sha256: str) -> Path:
        """Where the file of `sha256` lives once cached."""
        return self.directory / f"{sha256}{SUFFIX}"

    def cached(self, sha256: str) -> Path | None:
        """The cached, verified file (marked as just used), or None; no hashing, no network."""
        if not SHA256.fullmatch(sha256):
            return None
        path = self.path(sha256)
        stat = self._trusted_stat(sha256)
        if stat is None:
            return None
        self._touch(path, stat.st_mtime_ns)
        return path

    def on_disk(self, sha256: str) -> bool:
        """Whether a verified copy is cached, without marking it used: showing which files are
        on disk must not reorder the LRU, nor write to the disk from the GUI thread."""
        return SHA256.fullmatch(sha256) is not None and self._trusted_stat(sha256) is not None

    async def lookup(self, sha256: str) -> Path | None:
        """`cached` in a worker thread: its two stats, marker read and touch took ~100 ms on
        the GUI thread of a loaded machine (issue 11); the loop's callers use this."""
        return await asyncio.to_thread(self.cached, sha256)

    async def fetch(self, ref: FileRef, progress: Progress | None = None) -> Path:
        """The verified local copy of `ref`, downloading it if needed.

        Raises `FileUnavailable` (404/403), `ServerUnreachable`/`TlsError`, `FileCorrupt`,
        `DiskFull` or `LocalFileProblem`; a failed download leaves nothing behind.
        """
        sha = ref.sha256
        if not SHA256.fullmatch(sha):  # it becomes a file name: never trust it blindly
            raise MalformedResponse("file reference", f"not a SHA-256: {sha!r}")
        with self._lock:
            self._held[sha] += 1
        try:
            path = await self.lookup(sha)
            if path is not None:
                return path
            if progress is not None:
                self._listeners.setdefault(sha, []).append(progress)
            task = self._inflight.get(sha)
            if task is None:
                task = asyncio.get_running_loop().create_task(
                    self._obtain(ref), name=f"file {sha[:12]}"
                )
                self._inflight[sha] = task
                task.add_done_callback(lambda done: self._finished(sha, done))
            # One caller giving up must not cancel the download the others wait for.
            return await asyncio.shield(task)
        finally:
            if progress is not None and progress in self._listeners.get(sha, ()):
                self._listeners[sha].remove(progress)
            with self._lock:
                self._held[sha] -= 1
                if self._held[sha] <= 0:
                    del self._held[sha]

    async def close(self) -> None:
        """Cancel and await the downloads under way (their temp files are removed)."""
        tasks = list(self._inflight.values())
        self._inflight.clear()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    # --- verification --------------------------------------------------------------------------
    def _marker(self, sha256: str) -> Path:
        return self.directory / f"{sha256}{MARKER}"

    def _trusted_stat(self, sha256: str) -> os.stat_result | None:
        """The file's stat when it matches its verification marker, else None."""
        try:
            stat = self.path(sha256).stat()
            marker = json.loads(self._marker(sha256).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(marker, dict):
            return None
        if marker.get("size") != stat.st_size or marker.get("mtime_ns") != stat.st_mtime_ns:
            return None
        return stat

    def _mark_verified(self, sha256: str) -> None:
        """Record size and mtime of a file whose hash was just checked (thread)."""
        stat = self.path(sha256).stat()
        marker = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
        tmp = self.directory / f".{sha256}.{uuid.uuid4().hex}{MARKER}"
        tmp.write_text(json.dumps(marker), encoding="utf-8")
        os.replace(tmp, self._marker(sha256))

    def _check_existing(self, sha256: str) -> bool:
        """Hash a present file without a valid marker (thread): keep it if good, else remove."""
        path = self.path(sha256)
        if not path.exists():
            return False
        actual = file_sha256(path)
        if actual == sha256:
            self._mark_verified(sha256)
            return True
        log.warning("cached file %s is damaged (sha256 %s); downloading it again", path, actual)
        self._remove(sha256)
        return False

    def _remove(self, sha256: str) -> None:
        self.path(sha256).unlink(missing_ok=True)
        self._marker(sha256).unlink(missing_ok=True)

    def _touch(self, path: Path, mtime_ns: int) -> None:
        """Mark a file as just used: its access time is the LRU order (mtime is kept)."""
        with self._lock:  # touched from worker threads: strictly increasing within a run
            now = max(time.time_ns(), self._last_touch + 1)
            self._last_touch = now
        try:
            os.utime(path, ns=(now, mtime_ns))
        except OSError as exc:  # read-only media: the LRU order is only a preference
            log.info("cannot touch %s: %r", path, exc)

    # --- download ----------------------------------------------------------------------------
    def _finished(self, sha256: str, task: asyncio.Task[Path]) -> None:
        if self._inflight.get(sha256) is task:
            del self._inflight[sha256]
        if not task.cancelled():
            task.exception()  # retrieved: every waiter already got it

    async def _obtain(self, ref: FileRef) -> Path:
        sha = ref.sha256
        path = self.path(sha)
        try:
            present = await asyncio.to_thread(self._check_existing, sha)
        except OSError as exc:
            raise local_error(self.directory, exc) from exc
        if not present:
            await self._download(ref)
            self.downloads += 1
        await asyncio.to_thread(lambda: self._touch(path, path.stat().st_mtime_ns))
        try:
            await asyncio.to_thread(self._trim, sha)
        except OSError:
            log.warning("trimming the file cache failed", exc_info=True)
        return path

    async def _download(self, ref: FileRef) -> None:
        sha = ref.sha256
        part = self.directory / f".{sha}.{uuid.uuid4().hex}.part"
        self._parts.add(part)
        digest = hashlib.sha256()
        done = 0
        try:
            await asyncio.to_thread(self._prepare, ref.size)
            fh = await asyncio.to_thread(open, part, "wb")
            try:
                buffer = bytearray()
                async with contextlib.aclosing(self.session.api.stream(f"/files/{sha}")) as body:
                    async for chunk in body:
                        buffer += chunk
                        if len(buffer) >= WRITE_BATCH:
                            data, buffer = buffer, bytearray()
                            await asyncio.to_thread(_write, fh, digest, data)
                            done += len(data)
                            self._report(sha, done, ref.size)
                if buffer:
                    await asyncio.to_thread(_write, fh, digest, buffer)
                    done += len(buffer)
                    self._report(sha, done, ref.size)
            finally:
                await asyncio.to_thread(fh.close)
            actual = digest.hexdigest()
            if actual != sha:
                log.warning("download of %s (%s) has sha256 %s", sha, ref.name, actual)
                raise FileCorrupt(ref.name, sha, actual)
            await asyncio.to_thread(self._install, part, sha)
        except ApiError as exc:
            if exc.status in UNAVAILABLE:
                raise FileUnavailable(exc.problem, ref.name) from exc
            raise
        except OSError as exc:  # only local file operations raise OSError here
            raise local_error(self.directory, exc) from exc
        finally:
            self._parts.discard(part)
            with contextlib.suppress(OSError):
                part.unlink(missing_ok=True)

    def _prepare(self, size: int) -> None:
        """Create the directory and refuse early when the file cannot fit (thread)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        free = shutil.disk_usage(self.directory).free
        if free < size:
            raise DiskFull(str(self.directory), f"{free} bytes free, {size} needed")

    def _install(self, part: Path, sha256: str) -> None:
        """Move a verified temp file into place and mark it (thread)."""
        os.replace(part, self.path(sha256))  # atomic: readers never see a partial file
        self._mark_verified(sha256)

    def _report(self, sha256: str, done: int, total: int) -> None:
        for listener in list(self._listeners.get(sha256, ())):
            try:
                listener(done, max(total, done))
            except Exception:  # a broken progress bar must not break the download
                log.exception("progress callback failed")

    # --- eviction ----------------------------------------------------------------------------
    def _trim(self, keep: str) -> None:
        """Delete least recently used files until the total fits the limit (thread).

        `keep` and every file being fetched stay; so does a file used since the scan began.
        """
        entries: list[tuple[int, int, Path]] = []
        for path in self.directory.glob(f"*{SUFFIX}"):
            with contextlib.suppress(FileNotFoundError):
                stat = path.stat()
                entries.append((stat.st_atime_ns, stat.st_size, path))
        total = sum(size for _, size, _ in entries)
        for atime, size, path in sorted(entries):
            if total <= self.limit_bytes:
                break
            sha = path.name[: -len(SUFFIX)]
            with self._lock:
                if sha == keep or self._held.get(sha):
                    continue
                try:
                    if path.stat().st_atime_ns > atime:
                        continue
                    self._remove(sha)
                except FileNotFoundError:
                    pass
                except OSError as exc:  # e.g. open in another program on Windows
                    log.info("cannot evict %s: %r", path, exc)
                    continue
            total -= size
            log.info("evicted %s from the file cache (%d bytes)", path.name, size)
        self._sweep()

    def _sweep(self) -> None:
        """Remove temp files a crash left behind and markers without a file (thread)."""
        for part in self.directory.glob(".*.part"):
            if part not in self._parts:
                with contextlib.suppress(OSError):
                    part.unlink()
        for marker in self.directory.glob(f"*{MARKER}"):
            if marker.name.startswith("."):
                continue  # a marker being written
            if not marker.with_suffix(SUFFIX).exists():
                with contextlib.suppress(OSError):
                    marker.unlink()
