"""The device test page on a machine without devices (this one, offscreen: Qt lists none), and
its meter and tone arithmetic."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication

from desktop.config import Config
from media.devices import list_devices
from ui.call.device_test import DeviceTestDialog, meter_percent, tone_pcm
from ui.settings_dialog import SettingsDialog


def test_without_devices_the_page_says_so_and_keeps_the_settings(
    qapp: QApplication, vietnamese: None, user_dirs: Path
) -> None:
    assert list_devices("video") == []  # the premise: no camera here
    config = Config(cli={})
    config.save_user(camera="/dev/video0")  # chosen on a day the camera was plugged in
    settings = SettingsDialog(config)
    dialog = settings.test_devices()
    assert isinstance(dialog, DeviceTestDialog)
    assert dialog.windowTitle() == "Kiểm tra thiết bị"
    assert dialog.camera_note.text() == "Không tìm thấy camera nào trên máy tính này."
    assert dialog.mic_note.text() == "Không tìm thấy micrô nào trên máy tính này."
    assert dialog.camera.itemText(0) == "Không có camera"
    dialog.accept()
    assert config.settings.camera == "/dev/video0"  # nothing to pick: left as it was
    settings.close()


def test_the_meter_and_the_tone(qapp: Any) -> None:
    assert meter_percent(-100.0) == 0
    assert meter_percent(-60.0) == 0
    assert meter_percent(-30.0) == 50
    assert meter_percent(0.0) == 100
    pcm = tone_pcm(seconds=0.5)
    assert len(pcm) == 48_000  # 0.5 s of 48 kHz int16 mono
    assert pcm[:2] == b"\x00\x00"  # faded in: no click
