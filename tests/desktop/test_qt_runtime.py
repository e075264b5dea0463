"""The Qt + asyncio runtime the app lives in must survive a long session.

PySide6 6.12.0 dropped a reference to None on nearly every qasync step and every
processEvents(): on Python 3.11 (None is not immortal before 3.12) the app aborted with
"deallocating None" after ~20k event-loop steps — minutes of real use. pyproject.toml caps
PySide6 below 6.12; this test is what a newer release must pass before the cap is lifted.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

LONG_SESSION = textwrap.dedent(
    """
    import asyncio, sys
    import qasync
    from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication([])

    async def main() -> None:
        before = sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False)
        for _ in range(30_000):  # more steps than the buggy release survived
            await asyncio.sleep(0)
        for _ in range(2_000):
            QCoreApplication.processEvents()
        for _ in range(200):  # nested loops, as modal dialogs and pytest-qt waits use
            loop = QEventLoop()
            QTimer.singleShot(0, loop.quit)
            loop.exec()
        after = sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False)
        print(*(a - b for a, b in zip(after, before)))

    qasync.run(main())
    """
)


def test_none_true_false_keep_their_references_over_a_long_qasync_session() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", LONG_SESSION], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    deltas = [int(x) for x in done.stdout.split()]
    # A handful of references may move between frames; a leak shows as thousands lost.
    assert all(d > -100 for d in deltas), deltas
