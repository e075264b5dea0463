"""desktop/url_scheme.py: hopdesk:// links opened by HopDesk (Linux entry; Windows values)."""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from desktop.url_scheme import DESKTOP_FILE, MIME, FreedesktopEntry, windows_values


def _entry(path: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(path, encoding="utf-8")
    return parser["Desktop Entry"]


def test_the_desktop_file_declares_the_scheme() -> None:
    entry = _entry(DESKTOP_FILE)
    assert MIME + ";" in entry["MimeType"]
    assert entry["Exec"].endswith(" %u")  # the link is handed as one argument
    assert entry["Type"] == "Application"


def test_windows_values_are_what_the_installer_writes() -> None:
    values = {
        (v.key, v.name): v.value for v in windows_values(r"C:\Program Files\HopDesk\HopDesk.exe")
    }
    root = r"HKLM\Software\Classes\hopdesk"
    assert values[(root, "")] == "URL:HopDesk Protocol"
    assert values[(root, "URL Protocol")] == ""
    assert values[(root + r"\shell\open\command", "")] == (
        r'"C:\Program Files\HopDesk\HopDesk.exe" "%1"'
    )


@pytest.mark.skipif(shutil.which("xdg-mime") is None, reason="xdg-utils not installed")
def test_the_linux_entry_becomes_the_default_handler(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_DIRS", str(tmp_path / "none"))
    applications = tmp_path / "share" / "applications"
    FreedesktopEntry(applications).register("/opt/hopdesk/bin/hopdesk")
    assert _entry(applications / DESKTOP_FILE.name)["Exec"] == "/opt/hopdesk/bin/hopdesk %u"
    query = subprocess.run(
        ["xdg-mime", "query", "default", MIME],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ},
    )
    assert query.stdout.strip() == DESKTOP_FILE.name
