"""Settings: policy-locked values greyed out with the policy tooltip; changes saved and applied."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop.config import Config
from desktop.policy import machine_policy
from ui.settings_dialog import SettingsDialog


def test_policy_locked_values_are_greyed_out(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, vietnamese: None
) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text(
        'server_url = "https://vanphong.tinh.gov.vn"\nverify_tls = true\nupdate_channel = "lts"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("HOPDESK_POLICY_FILE", str(policy))
    config = Config(user_file=tmp_path / "settings.toml", policy=machine_policy())
    dialog = SettingsDialog(config)
    qtbot.addWidget(dialog)
    for key in ("server_url", "update_channel"):
        editor = dialog.editors[key]
        assert not editor.isEnabled(), key
        assert editor.toolTip() == "Do chính sách của cơ quan bạn thiết lập"
    assert dialog.server_url.text() == "https://vanphong.tinh.gov.vn"
    for key in ("language", "proxy", "media_backend", "ice_servers"):
        assert dialog.editors[key].isEnabled(), key
        assert dialog.editors[key].toolTip() == ""
    assert dialog.language.currentText() == "Tiếng Việt"


def test_saving_writes_only_unlocked_changes(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text('server_url = "https://locked.gov.vn"\n', encoding="utf-8")
    monkeypatch.setenv("HOPDESK_POLICY_FILE", str(policy))
    user_file = tmp_path / "settings.toml"
    config = Config(user_file=user_file, policy=machine_policy())
    dialog = SettingsDialog(config)
    qtbot.addWidget(dialog)
    dialog.language.setCurrentIndex(dialog.language.findData("en"))
    dialog.proxy.setText("http://proxy.local:3128")
    dialog.accept()
    assert dialog.changes == {"language": "en", "proxy": "http://proxy.local:3128"}
    config.flush()  # written on the settings writer thread
    saved = tomllib.loads(user_file.read_text(encoding="utf-8"))
    assert saved == {"language": "en", "proxy": "http://proxy.local:3128"}
    assert config.settings.server_url == "https://locked.gov.vn"


def test_language_switch_applies_live(qapp: QApplication, qtbot: QtBot, tmp_path: Path) -> None:
    from desktop import i18n

    i18n.install(qapp, "vi")
    config = Config(user_file=tmp_path / "settings.toml")
    dialog = SettingsDialog(config)
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "Cài đặt"
    i18n.install(qapp, "en")
    qapp.processEvents()
    assert dialog.windowTitle() == "Settings"


def test_no_user_switch_for_certificate_checks(qtbot: QtBot, tmp_path: Path) -> None:
    """Trust is the organisation's decision (machine policy), never a user checkbox."""
    dialog = SettingsDialog(Config(user_file=tmp_path / "settings.toml"))
    qtbot.addWidget(dialog)
    assert not {"verify_tls", "ca_bundle"} & set(dialog.editors)
    assert not {"verify_tls", "ca_bundle"} & set(dialog.values())


def test_update_channel_is_a_choice_with_vietnamese_labels(
    qtbot: QtBot, tmp_path: Path, vietnamese: None
) -> None:
    user_file = tmp_path / "settings.toml"
    config = Config(user_file=user_file)
    dialog = SettingsDialog(config)
    qtbot.addWidget(dialog)
    channel = dialog.update_channel
    labels = [channel.itemText(i) for i in range(channel.count())]
    assert labels == ["Ổn định", "Hỗ trợ dài hạn", "Thử nghiệm (dùng trước tính năng mới)"]
    assert channel.currentText() == "Ổn định"
    channel.setCurrentIndex(channel.findText("Hỗ trợ dài hạn"))
    dialog.accept()
    config.flush()
    assert tomllib.loads(user_file.read_text(encoding="utf-8")) == {"update_channel": "lts"}


def test_demo_shows_its_server_address_and_never_saves_it(
    qtbot: QtBot, tmp_path: Path, vietnamese: None
) -> None:
    user_file = tmp_path / "settings.toml"
    config = Config(user_file=user_file)
    dialog = SettingsDialog(config, demo_server="http://127.0.0.1:41234")
    qtbot.addWidget(dialog)
    assert dialog.server_url.text() == "http://127.0.0.1:41234"
    assert not dialog.server_url.isEnabled()
    assert (
        dialog.server_url.toolTip() == "Máy chủ trình diễn do HopDesk khởi chạy trên máy tính này"
    )
    dialog.proxy.setText("http://proxy.local:3128")
    dialog.accept()
    config.flush()
    assert tomllib.loads(user_file.read_text(encoding="utf-8")) == {
        "proxy": "http://proxy.local:3128"
    }
