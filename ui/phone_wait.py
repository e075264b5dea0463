"""The wait for the approval on the phone (remote signing): what to do, the document of the
batch and the time left, and a Cancel button that stops the wait at once (the document is not
signed; the rest of a batch is not asked for).

The services report at their own pace (the hash-then-poll one at each status query, the CSC one
only when the request is sent and answered), so the time left counts down every second from
the last report."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from desktop.signing.remote.poll import Phase


class PhoneWaitDialog(QDialog):
    """Shown while the remote signing service waits for the user's approval on the phone."""

    # A report, from whichever thread the signer runs on: pyHanko signs on a worker thread of
    # its own (desktop/signing/worker.py), and a widget may only be touched on the GUI thread.
    # Plain values (seconds, the phase's name) only: PySide6 must not carry Python objects
    # across threads (viewer/render/workers.py).
    _reported_from = Signal(float, str)

    def __init__(
        self, total: int, timeout: float, cancel: Callable[[], None], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Waiting for approval on the phone"))
        self.setWindowModality(Qt.WindowModality.NonModal)
        self.total = total
        self.timeout = timeout
        self.finished_count = 0
        self.cancelled = False
        self.text = QLabel(self)
        self.text.setWordWrap(True)
        self.remaining = QLabel(self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.cancel_button = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setText(self.tr("Cancel signing"))
        self._cancel = cancel
        buttons.rejected.connect(self.cancel_wait)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(self.remaining)
        layout.addWidget(buttons)
        self._reported = (0.0, time.monotonic())  # (elapsed said by the service, when)
        self._ticker = QTimer(self)
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self._tick)
        self._reported_from.connect(self._show_report)  # queued when emitted elsewhere
        self.document(0)
        self.progress(0.0, Phase.WAITING)

    def document(self, done: int) -> None:
        """`done` documents of the batch are finished; the next one is being asked for."""
        self.finished_count = done
        self._reported = (0.0, time.monotonic())
        self.text.setText(
            self.tr(
                "Open the signing app on your phone and approve the request (document %1 of %2)."
            )
            .replace("%1", str(min(done + 1, self.total)))
            .replace("%2", str(self.total))
        )

    def progress(self, elapsed: float, phase: Phase) -> None:
        """The service's report, on any thread: seconds since the request was sent, and where
        it stands (shown on the GUI thread)."""
        self._reported_from.emit(elapsed, phase.value)

    @Slot(float, str)
    def _show_report(self, elapsed: float, said: str) -> None:
        phase = Phase(said)
        self._reported = (elapsed, time.monotonic())
        if phase is Phase.WAITING:
            self._show_left(elapsed)
            if not self._ticker.isActive():
                self._ticker.start()
        elif phase is Phase.DONE:
            self._ticker.stop()
            self.remaining.setText(self.tr("Approved. Signing the document…"))

    def _tick(self) -> None:
        said, at = self._reported
        self._show_left(said + time.monotonic() - at)

    def _show_left(self, elapsed: float) -> None:
        left = max(0, int(self.timeout - elapsed))
        text = self.tr("Time left: %1:%2").replace("%1", str(left // 60))
        self.remaining.setText(text.replace("%2", f"{left % 60:02d}"))

    def cancel_wait(self) -> None:
        """Stop waiting: the pending request fails as cancelled."""
        self.cancelled = True
        self._ticker.stop()
        self.remaining.setText(self.tr("Cancelling…"))
        self._cancel()

    def reject(self) -> None:
        """Esc or the window's close button cancel too (the window stays until `finish`)."""
        if not self.cancelled:
            self.cancel_wait()

    def finish(self) -> None:
        """The signing is over (signed, failed or cancelled): close the window."""
        self.cancelled = True
        self._ticker.stop()
        self.hide()
