"""Kiểm tra thiết bị: choose the camera, microphone and speaker, and try them before a meeting —
a camera preview, a live microphone level meter and a test tone on the speaker.

Devices are opened off the GUI thread (FFmpeg blocks while it opens one) by tasks this dialog
owns; a device that is missing or busy is said in a sentence where its preview would be. Saving
writes the choice to the user settings (`camera`, `microphone`, `speaker`), which the next call
uses (desktop/call_service.py).
"""

from __future__ import annotations

import asyncio
import math
from array import array

from PySide6.QtCore import QBuffer, QByteArray, QEvent, QIODevice, QTimer
from PySide6.QtGui import QCloseEvent, QShowEvent
from PySide6.QtMultimedia import QAudio, QAudioFormat, QAudioSink, QMediaDevices
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.config import Config
from media.devices import NONE, CaptureDevice, list_devices, open_device
from media.errors import MediaError
from media.speaker import SILENCE_DB, AudioMeter, measure
from media.video import RemoteVideo
from ui.call.tile import VideoTile
from ui.tasks import TaskOwner

METER_FLOOR_DB = -60.0  # the meter's empty end
TONE_SECONDS = 1.0
TONE_RATE = 48_000


def meter_percent(level_db: float) -> int:
    """A dBFS level on a 0–100 meter: -60 dBFS and below empty, 0 dBFS full."""
    if level_db <= METER_FLOOR_DB:
        return 0
    return min(100, round((level_db - METER_FLOOR_DB) * 100 / -METER_FLOOR_DB))


def tone_pcm(frequency: float = 440.0, seconds: float = TONE_SECONDS) -> bytes:
    """A sine tone as 48 kHz mono int16, faded in and out so it does not click."""
    count = int(TONE_RATE * seconds)
    fade = TONE_RATE // 50
    return array(
        "h",
        (
            int(
                0.3
                * 32767
                * min(1.0, n / fade, (count - n) / fade)
                * math.sin(2 * math.pi * frequency * n / TONE_RATE)
            )
            for n in range(count)
        ),
    ).tobytes()


class DeviceTestDialog(QDialog):
    """Pick and try the camera, microphone and speaker; Save keeps the choice."""

    def __init__(self, config: Config, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.config = config
        self.tasks = TaskOwner(self)
        self.camera = QComboBox(self)
        self.microphone = QComboBox(self)
        self.speaker = QComboBox(self)
        self.preview = VideoTile("preview", "", self)
        self.preview.setMinimumSize(320, 180)
        self.preview.pinnable = False
        self.preview.setToolTip("")
        self.camera_note = QLabel(self)
        self.camera_note.setWordWrap(True)
        self.level = QProgressBar(self)
        self.level.setRange(0, 100)
        self.level.setTextVisible(False)
        self.mic_note = QLabel(self)
        self.mic_note.setWordWrap(True)
        self.play = QPushButton(self)
        self.play.clicked.connect(self.play_tone)
        self.speaker_note = QLabel(self)
        self.save_button = QPushButton(self)
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.accept)
        self.cancel_button = QPushButton(self)
        self.cancel_button.clicked.connect(self.reject)

        self.labels = [QLabel(self) for _ in range(3)]
        form = QFormLayout()
        form.addRow(self.labels[0], self.camera)
        form.addRow(self.preview)
        form.addRow(self.camera_note)
        form.addRow(self.labels[1], self.microphone)
        form.addRow(self.level)
        form.addRow(self.mic_note)
        form.addRow(self.labels[2], self.speaker)
        speaker_row = QHBoxLayout()
        speaker_row.addWidget(self.play)
        speaker_row.addWidget(self.speaker_note, 1)
        form.addRow(speaker_row)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)
        column = QVBoxLayout(self)
        column.addLayout(form)
        column.addLayout(buttons)

        self._video: RemoteVideo | None = None
        self._meter = AudioMeter()
        self._camera_task: asyncio.Task[None] | None = None
        self._mic_task: asyncio.Task[None] | None = None
        self._sink: QAudioSink | None = None
        self._tone = QBuffer(self)
        self._meter_timer = QTimer(self)
        self._meter_timer.setInterval(100)
        self._meter_timer.timeout.connect(self._show_level)
        self._fill()
        self.retranslate()
        self.camera.currentIndexChanged.connect(self._camera_chosen)
        self.microphone.currentIndexChanged.connect(self._mic_chosen)

    # --- the lists --------------------------------------------------------------------------

    def _fill(self) -> None:
        settings = self.config.settings
        for combo, devices, wanted in (
            (self.camera, list_devices("video"), settings.camera),
            (self.microphone, list_devices("audio"), settings.microphone),
        ):
            for device in devices:
                combo.addItem(device.name, device)
            combo.addItem("", None)  # "none", named in retranslate()
            index = next((i for i, d in enumerate(devices) if d.id == wanted), 0)
            combo.setCurrentIndex(combo.count() - 1 if wanted == NONE else index)
        outputs = QMediaDevices.audioOutputs()
        for output in outputs:
            self.speaker.addItem(output.description(), bytes(output.id().data()).decode())
        found = self.speaker.findData(settings.speaker)
        self.speaker.setCurrentIndex(max(0, found))
        self.play.setEnabled(bool(outputs))

    def start(self) -> None:
        """Start the camera preview and the level meter (after the dialog is shown)."""
        self._camera_chosen()
        self._mic_chosen()
        self._meter_timer.start()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._camera_task is None and self._mic_task is None:
            self.start()

    # --- camera ----------------------------------------------------------------------------

    def _camera_chosen(self) -> None:
        if self._camera_task is not None:
            self._camera_task.cancel()
        device = self.camera.currentData()
        self.preview.set_sink(None)
        if self.camera.count() <= 1:
            self.camera_note.setText(self.tr("No camera was found on this computer."))
        else:
            self.camera_note.setText("" if device else self.tr("No camera will be used."))
        if isinstance(device, CaptureDevice):
            self._camera_task = self.tasks.run(self._run_camera(device))

    async def _run_camera(self, device: CaptureDevice) -> None:
        try:
            track = await asyncio.to_thread(open_device, device)
        except MediaError:
            self.camera_note.setText(self._unavailable(device))
            return
        video = self._video = RemoteVideo("preview")
        self.preview.set_sink(video.sink)
        try:
            await video.run(track)
        finally:
            track.stop()

    # --- microphone ------------------------------------------------------------------------

    def _mic_chosen(self) -> None:
        if self._mic_task is not None:
            self._mic_task.cancel()
        self._meter = AudioMeter()
        device = self.microphone.currentData()
        if self.microphone.count() <= 1:
            self.mic_note.setText(self.tr("No microphone was found on this computer."))
        elif device:
            self.mic_note.setText(self.tr("Speak: the bar moves with your voice."))
        else:
            self.mic_note.setText(self.tr("No microphone will be used."))
        if isinstance(device, CaptureDevice):
            self._mic_task = self.tasks.run(self._run_microphone(device))

    async def _run_microphone(self, device: CaptureDevice) -> None:
        try:
            track = await asyncio.to_thread(open_device, device)
        except MediaError:
            self.mic_note.setText(self._unavailable(device))
            return
        try:
            await measure(track, self._meter)
        finally:
            track.stop()

    def _show_level(self) -> None:
        level = self._meter.level if self._meter.last_at is not None else SILENCE_DB
        self.level.setValue(meter_percent(level))

    # --- speaker ---------------------------------------------------------------------------

    def play_tone(self) -> None:
        """One second of 440 Hz on the chosen speaker."""
        wanted = self.speaker.currentData()
        output = next(
            (o for o in QMediaDevices.audioOutputs() if bytes(o.id().data()).decode() == wanted),
            QMediaDevices.defaultAudioOutput(),
        )
        fmt = QAudioFormat()
        fmt.setSampleRate(TONE_RATE)
        fmt.setChannelCount(1)
        fmt.setSampleFormat(QAudioFormat.SampleFormat.Int16)
        if self._sink is not None:
            self._sink.stop()
        self._tone.close()
        self._tone.setData(QByteArray(tone_pcm()))
        self._tone.open(QIODevice.OpenModeFlag.ReadOnly)
        self._sink = QAudioSink(output, fmt, self)
        self._sink.stateChanged.connect(self._tone_state)
        self._sink.start(self._tone)
        self.speaker_note.setText(self.tr("Playing a test tone: can you hear it?"))

    def _tone_state(self, state: QAudio.State) -> None:
        if state == QAudio.State.IdleState and self._sink is not None:
            self._sink.stop()
            self.speaker_note.setText(self.tr("Done. If you heard nothing, pick another speaker."))
        elif (
            state == QAudio.State.StoppedState
            and self._sink is not None
            and self._sink.error() != QAudio.Error.NoError
        ):
            self.speaker_note.setText(self.tr("This speaker cannot play sound."))

    # --- saving and closing ----------------------------------------------------------------

    def choice(self) -> dict[str, str]:
        """The settings values of what is chosen now."""
        settings = self.config.settings
        return {
            "camera": self._chosen(self.camera, settings.camera),
            "microphone": self._chosen(self.microphone, settings.microphone),
            "speaker": str(self.speaker.currentData() or settings.speaker),
        }

    @staticmethod
    def _chosen(combo: QComboBox, current: str) -> str:
        """A device's id, `NONE` when "none" was picked among devices, and the setting as it was
        when there was nothing to pick (a camera plugged in later is then still used)."""
        if combo.count() <= 1:
            return current
        device = combo.currentData()
        return device.id if isinstance(device, CaptureDevice) else NONE

    def accept(self) -> None:
        """Save the chosen devices into the user settings."""
        current = self.config.settings
        changes = {k: v for k, v in self.choice().items() if getattr(current, k) != v}
        if changes:
            self.config.save_user(**changes)
        self._stop()
        super().accept()

    def reject(self) -> None:
        self._stop()
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        self._stop()
        super().closeEvent(event)

    def _stop(self) -> None:
        self._meter_timer.stop()
        self.tasks.cancel_all()
        if self._sink is not None:
            self._sink.stop()

    def _unavailable(self, device: CaptureDevice) -> str:
        return self.tr("{name} is missing or in use by another program.").format(name=device.name)

    # --- texts -----------------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        """Every text in the current language."""
        self.setWindowTitle(self.tr("Test devices"))
        for label, text in zip(
            self.labels,
            (self.tr("Camera:"), self.tr("Microphone:"), self.tr("Speaker:")),
            strict=True,
        ):
            label.setText(text)
        self.camera.setItemText(self.camera.count() - 1, self.tr("No camera"))
        self.microphone.setItemText(self.microphone.count() - 1, self.tr("No microphone"))
        if not self.play.isEnabled():
            self.speaker_note.setText(self.tr("No speaker was found on this computer."))
        self.play.setText(self.tr("Play a test tone"))
        self.preview.name = self.tr("Preview")
        self.save_button.setText(self.tr("Save"))
        self.cancel_button.setText(self.tr("Cancel"))
