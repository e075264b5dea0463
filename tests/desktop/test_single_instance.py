"""desktop/single_instance.py: a second launch hands its link to the running instance."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QDir
from pytestqt.qtbot import QtBot

from desktop.single_instance import MAX_MESSAGE, SingleInstance, hand_over, instance_name

ROOT = Path(__file__).resolve().parents[2]
LINK = "hopdesk://join?server=https://office.gov.vn&meeting=42"


@pytest.fixture
def name(tmp_path: Path) -> str:
    return instance_name(tmp_path / "data")


def test_the_name_depends_on_the_data_folder(tmp_path: Path) -> None:
    assert instance_name(tmp_path / "a") != instance_name(tmp_path / "b")
    assert instance_name(tmp_path / "a") == instance_name(tmp_path / "x" / ".." / "a")


def test_only_one_instance_listens(qtbot: QtBot, name: str) -> None:
    first, second = SingleInstance(name), SingleInstance(name)
    try:
        assert first.listen()
        assert not second.listen()  # someone answers: this launch is the second
    finally:
        first.close()
    assert second.listen()  # the first one ended: the name is free again
    second.close()


def test_nobody_to_hand_over_to(name: str) -> None:
    assert not hand_over(name, LINK)


def test_a_socket_left_by_a_crash_is_taken_over(qtbot: QtBot, name: str) -> None:
    if sys.platform == "win32":
        pytest.skip("named pipes leave no file behind")
    path = os.path.join(QDir.tempPath(), name)
    stale = socket.socket(socket.AF_UNIX)
    stale.bind(path)  # bound, never listening: what a killed instance leaves
    stale.close()
    assert os.path.exists(path)
    instance = SingleInstance(name)
    try:
        assert instance.listen()
    finally:
        instance.close()


def test_oversized_or_empty_messages(qtbot: QtBot, name: str) -> None:
    instance = SingleInstance(name)
    assert instance.listen()
    links: list[str] = []
    instance.link_received.connect(links.append)
    try:
        with qtbot.waitSignal(instance.activation_requested, timeout=5000):
            assert hand_over(name, None)  # launched again without a link: show the window
        with qtbot.waitSignal(instance.link_received, timeout=5000):
            assert hand_over(name, "x" * (MAX_MESSAGE * 3))  # cut, never unbounded
        assert len(links[0]) < MAX_MESSAGE
        with qtbot.waitSignal(instance.link_received, timeout=5000):
            assert hand_over(name, "a\nb")  # one line: a newline cannot smuggle a second link
        assert links[1] == "a b"
    finally:
        instance.close()


def test_hopdesk_with_a_link_hands_it_to_the_running_instance(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real command line: `hopdesk hopdesk://join?…` while HopDesk runs for that user."""
    env = {
        **os.environ,
        "XDG_DATA_HOME": str(tmp_path / "share"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHONPATH": str(ROOT),
    }
    for key in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        monkeypatch.setenv(key, env[key])
    from desktop.paths import default_paths

    instance = SingleInstance(instance_name(default_paths().data_dir))
    assert instance.listen()
    try:
        with qtbot.waitSignal(instance.link_received, timeout=20000) as got:
            second = subprocess.Popen(
                [sys.executable, "-m", "desktop", LINK],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        out, err = second.communicate(timeout=20)
    finally:
        instance.close()
    assert got.args == [LINK]
    assert second.returncode == 0, err
    assert "already running" in out
