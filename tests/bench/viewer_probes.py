"""Helpers of the viewer benchmark (`tests/bench/viewer.py`): the documents it reads, raw
PyMuPDF references measured in the same run, and GUI-thread probes (stalls, waiting for a step).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtCore import SignalInstance

PARTS = ("open", "fling", "scroll", "heavy", "memory", "search", "print")


def make_pdfs(folder: Path, heavy_page: bool = True) -> tuple[Path, Path, Path]:
    """The 500-page text PDF, the 50-page scan and (`heavy_page`: it takes a minute to write
    on a loaded machine) a page whose vector content takes the engine a second or more."""
    import pymupdf

    from tests.viewer.conftest import make_scan_pdf, make_text_pdf

    text = folder / "text500.pdf"
    if not text.exists():
        text.write_bytes(make_text_pdf(500, marker_page=450))
    scan = folder / "scan50.pdf"
    if not scan.exists():
        scan.write_bytes(make_scan_pdf(50))
    heavy = folder / "heavy.pdf"
    if not heavy_page or heavy.exists():
        return text, scan, heavy
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_text((72, 72), "heavy", fontsize=12)
    ops = []
    for i in range(400_000):
        x, y = (i * 7) % 595, (i * 13) % 842
        ops.append(f"{x} {y} m {x + 3} {y + 40} l {x + 40} {y + 3} l h f")
    doc.update_stream(page.get_contents()[0], "\n".join(ops).encode())
    doc.save(heavy)
    return text, scan, heavy


def raw_first_page(path: Path) -> float:
    """Raw PyMuPDF: open + render page 0 at 96 dpi, in this process (ms)."""
    import pymupdf

    t = time.perf_counter()
    doc = pymupdf.open(path)
    doc[0].get_pixmap(matrix=pymupdf.Matrix(96 / 72, 96 / 72), alpha=False)
    ms = (time.perf_counter() - t) * 1000
    doc.close()
    return ms


def raw_pages_per_second(path: Path, zoom: float) -> float:
    import pymupdf

    doc = pymupdf.open(path)
    t = time.perf_counter()
    for page in doc:
        page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), alpha=False)
    seconds = time.perf_counter() - t
    n = doc.page_count
    doc.close()
    return n / seconds


def raw_longest_page_ms(path: Path, zoom: float, pages: int = 5) -> float:
    """Raw PyMuPDF: the longest render of the first `pages` pages, in this process (ms)."""
    import pymupdf

    longest = 0.0
    with pymupdf.open(path) as doc:
        for page in list(doc)[:pages]:
            t = time.perf_counter()
            page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), alpha=False)
            longest = max(longest, (time.perf_counter() - t) * 1000)
    return longest


def rss_mb(pid: int) -> float:
    import psutil

    return float(psutil.Process(pid).memory_info().rss) / 2**20


class Stalls:
    """A timer on the GUI thread (every `interval_ms`); the longest gap between ticks is the
    longest stall."""

    def __init__(self, interval_ms: int = 1) -> None:
        from PySide6.QtCore import QElapsedTimer, QTimer

        self.clock = QElapsedTimer()
        self.timer = QTimer()
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._tick)
        self.gaps: list[float] = []

    def _tick(self) -> None:
        self.gaps.append(self.clock.nsecsElapsed() / 1e6)
        self.clock.restart()

    def __enter__(self) -> Stalls:
        self.gaps.clear()
        self.clock.start()
        self.timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.timer.stop()

    @property
    def longest(self) -> float:
        return max(self.gaps[2:] or [0.0])


def wait_for(
    condition: Callable[[], bool],
    timeout: float = 60.0,
    signal: SignalInstance | None = None,
) -> float:
    """Run the event loop until `condition` holds; returns the seconds waited.

    Polled every millisecond, or with `signal` checked when it fires (and every 20 ms): a
    1 ms poll on the GUI thread is ~1,000 wake-ups a second that, on a loaded machine, take
    the CPU from the niced render workers whose work the step waits for."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    t = time.perf_counter()

    def check(*_args: object) -> None:
        if condition():
            loop.quit()

    poll = QTimer()
    poll.setInterval(1 if signal is None else 20)
    poll.timeout.connect(check)
    if signal is not None:
        signal.connect(check)
    QTimer.singleShot(int(timeout * 1000), loop.quit)
    poll.start()
    if not condition():
        loop.exec()
    poll.stop()
    if signal is not None:
        signal.disconnect(check)
    if not condition():
        raise TimeoutError("benchmark step timed out")
    return time.perf_counter() - t


def parts_asked(argv: list[str]) -> set[str]:
    """The parts asked for with `--only a,b` (all of them without it)."""
    if "--only" not in argv:
        return set(PARTS)
    parts = set(argv[argv.index("--only") + 1].split(","))
    unknown = parts - set(PARTS)
    if unknown:
        raise SystemExit(f"unknown parts {sorted(unknown)}; choose from {', '.join(PARTS)}")
    return parts
