"""desktop/url_scheme.py: hopdesk:// links opened by HopDesk (the Linux entry through the real
xdg-mime in a temporary XDG home; the Windows writer through a fake `winreg` that keeps the
registry in a dict, since Windows is not available here)."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop.url_scheme import (
    DESKTOP_FILE,
    MIME,
    FreedesktopEntry,
    Holder,
    Outcome,
    WindowsRegistry,
    desktop_exec,
    ensure_registered,
    windows_values,
)

ROOT = Path(__file__).resolve().parents[2]
LINK = "hopdesk://join?server=https://office.gov.vn&meeting=42"

COMMAND = ["/opt/hopdesk/bin/hopdesk"]


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


@pytest.fixture
def xdg_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private XDG data and config home: `xdg-mime` reads and writes only there."""
    if shutil.which("xdg-mime") is None:
        pytest.fail("xdg-mime missing: scripts/install --test installs xdg-utils")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_DIRS", str(tmp_path / "none"))
    monkeypatch.delenv("XDG_CURRENT_DESKTOP", raising=False)  # the generic xdg-mime path
    return tmp_path / "share" / "applications"


def _default_handler() -> str:
    query = subprocess.run(
        ["xdg-mime", "query", "default", MIME], capture_output=True, text=True, check=True
    )
    return query.stdout.strip()


def test_the_linux_entry_becomes_the_default_handler(xdg_home: Path) -> None:
    entry = FreedesktopEntry(xdg_home)
    assert entry.holder(COMMAND) is Holder.NOBODY
    assert ensure_registered(entry, COMMAND) is Outcome.REGISTERED
    assert _entry(xdg_home / DESKTOP_FILE.name)["Exec"] == "/opt/hopdesk/bin/hopdesk %u"
    assert _default_handler() == DESKTOP_FILE.name
    assert ensure_registered(entry, COMMAND) is Outcome.UNCHANGED  # the next start: one query
    moved = ["/home/u/hopdesk venv/bin/hopdesk"]
    assert ensure_registered(entry, moved) is Outcome.REGISTERED  # our entry, out of date
    assert _entry(xdg_home / DESKTOP_FILE.name)["Exec"] == '"/home/u/hopdesk venv/bin/hopdesk" %u'


def test_another_programs_handler_is_left_alone(xdg_home: Path) -> None:
    xdg_home.mkdir(parents=True)
    (xdg_home / "other.desktop").write_text(
        f"[Desktop Entry]\nType=Application\nName=Other\nExec=other %u\nMimeType={MIME};\n",
        encoding="utf-8",
    )
    subprocess.run(["xdg-mime", "default", "other.desktop", MIME], check=True)
    entry = FreedesktopEntry(xdg_home)
    assert ensure_registered(entry, COMMAND) is Outcome.LEFT_TO_OTHER
    assert _default_handler() == "other.desktop"
    assert not (xdg_home / DESKTOP_FILE.name).exists()


@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="xvfb-run not installed")
def test_xdg_open_of_a_link_reaches_the_running_instance(
    qtbot: QtBot, xdg_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole way a click in a browser takes: xdg-open asks xdg-mime for the scheme's
    handler, runs our entry's Exec (`python -m desktop <link>`), and that launch hands the link
    to the instance listening for this user (xdg-open wants a display: Xvfb)."""
    from desktop.paths import default_paths
    from desktop.single_instance import SingleInstance, instance_name

    for name in ("CACHE", "STATE"):
        monkeypatch.setenv(f"XDG_{name}_HOME", str(tmp_path / name.lower()))
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    ensure_registered(FreedesktopEntry(xdg_home), [sys.executable, "-m", "desktop"])
    instance = SingleInstance(instance_name(default_paths().data_dir))
    assert instance.listen()
    links: list[str] = []
    instance.link_received.connect(links.append)
    opener = subprocess.Popen(["xvfb-run", "-a", "xdg-open", LINK], stdout=subprocess.PIPE)
    try:
        qtbot.waitUntil(lambda: bool(links), timeout=60000)
        assert opener.wait(timeout=60) == 0
    finally:
        instance.close()
        opener.communicate(timeout=60)
    assert links == [LINK]


def test_exec_lines_quote_as_the_desktop_entry_spec_asks() -> None:
    assert desktop_exec(["/usr/bin/python3", "-m", "desktop"]) == "/usr/bin/python3 -m desktop %u"
    assert desktop_exec(["/a b/hop%d"]) == '"/a b/hop%%d" %u'
    assert desktop_exec(['/a"b']) == '"/a\\\\"b" %u'  # \" in the quoting, \\ in the string


class FakeKey:
    """An open key of the fake registry: its path, closed at the end of a `with`."""

    def __init__(self, registry: FakeWinreg, path: tuple[int, str]) -> None:
        self.registry, self.path = registry, path

    def __enter__(self) -> FakeKey:
        return self

    def __exit__(self, *exc: object) -> None:
        self.registry.calls.append(("CloseKey", self.path))


class FakeWinreg:
    """The part of `winreg` the writer uses, over a dict; every call recorded."""

    HKEY_CURRENT_USER = 0x80000001
    HKEY_LOCAL_MACHINE = 0x80000002
    REG_SZ = 1

    def __init__(self) -> None:
        self.values: dict[tuple[int, str], dict[str, str]] = {}
        self.calls: list[tuple[object, ...]] = []

    def CreateKeyEx(self, key: int, sub_key: str) -> FakeKey:
        self.calls.append(("CreateKeyEx", key, sub_key))
        self.values.setdefault((key, sub_key.lower()), {})
        return FakeKey(self, (key, sub_key.lower()))

    def OpenKey(self, key: int, sub_key: str) -> FakeKey:
        self.calls.append(("OpenKey", key, sub_key))
        if (key, sub_key.lower()) not in self.values:
            raise FileNotFoundError(2, "The system cannot find the file specified")
        return FakeKey(self, (key, sub_key.lower()))

    def SetValueEx(
        self, key: FakeKey, value_name: str | None, reserved: int, type: int, value: str
    ) -> None:
        assert reserved == 0
        assert type == self.REG_SZ
        self.calls.append(("SetValueEx", key.path, value_name, value))
        self.values[key.path][value_name or ""] = value

    def QueryValueEx(self, key: FakeKey, value_name: str | None) -> tuple[object, int]:
        self.calls.append(("QueryValueEx", key.path, value_name))
        try:
            return self.values[key.path][value_name or ""], self.REG_SZ
        except KeyError:
            raise FileNotFoundError(2, "The system cannot find the file specified") from None


EXE = [r"C:\Users\an\AppData\Local\HopDesk\HopDesk.exe"]


def test_the_windows_writer_sets_the_per_user_protocol_keys() -> None:
    reg = FakeWinreg()
    registry = WindowsRegistry(reg)
    assert ensure_registered(registry, EXE) is Outcome.REGISTERED
    user = reg.HKEY_CURRENT_USER
    classes = r"software\classes\hopdesk"
    assert reg.values[(user, classes)] == {"": "URL:HopDesk Protocol", "URL Protocol": ""}
    assert reg.values[(user, classes + r"\shell\open\command")] == {
        "": r'"C:\Users\an\AppData\Local\HopDesk\HopDesk.exe" "%1"'
    }
    assert reg.values[(user, classes + r"\defaulticon")] == {"": f'"{EXE[0]}",0'}
    assert not any(key == reg.HKEY_LOCAL_MACHINE for key, _ in reg.values)  # HKCU only
    sets = [c for c in reg.calls if c[0] == "SetValueEx"]
    assert len(sets) == 4
    assert sets[1][2] == "URL Protocol"
    assert sets[0][2] is None
    reg.calls.clear()
    assert ensure_registered(registry, EXE) is Outcome.UNCHANGED  # the next start reads only
    assert {c[0] for c in reg.calls} <= {"OpenKey", "QueryValueEx", "CloseKey"}


def test_the_windows_writer_keeps_other_handlers_and_replaces_its_own_old_one() -> None:
    reg = FakeWinreg()
    with reg.CreateKeyEx(reg.HKEY_CURRENT_USER, r"Software\Classes\hopdesk") as key:
        reg.SetValueEx(key, None, 0, reg.REG_SZ, "URL:Some Other Tool")
    path = r"Software\Classes\hopdesk\shell\open\command"
    with reg.CreateKeyEx(reg.HKEY_CURRENT_USER, path) as key:
        reg.SetValueEx(key, None, 0, reg.REG_SZ, '"C:\\Other\\other.exe" "%1"')
    registry = WindowsRegistry(reg)
    assert ensure_registered(registry, EXE) is Outcome.LEFT_TO_OTHER
    with reg.CreateKeyEx(reg.HKEY_CURRENT_USER, r"Software\Classes\hopdesk") as key:
        reg.SetValueEx(key, None, 0, reg.REG_SZ, "URL:HopDesk Protocol")  # ours, moved since
    assert registry.holder(EXE) is Holder.OUR_OLD_ENTRY
    assert ensure_registered(registry, EXE) is Outcome.REGISTERED
    assert registry.holder(EXE) is Holder.US


def test_the_msi_machine_wide_registration_is_not_shadowed() -> None:
    reg = FakeWinreg()
    installed = [r"C:\Program Files\HopDesk\HopDesk.exe"]
    for item in windows_values(installed):  # what the MSI writes under HKLM
        with reg.CreateKeyEx(reg.HKEY_LOCAL_MACHINE, item.key.removeprefix("HKLM\\")) as key:
            reg.SetValueEx(key, item.name or None, 0, reg.REG_SZ, item.value)
    assert ensure_registered(WindowsRegistry(reg), installed) is Outcome.UNCHANGED
    assert ensure_registered(WindowsRegistry(reg), EXE) is Outcome.LEFT_TO_OTHER
    assert not any(key == reg.HKEY_CURRENT_USER for key, _ in reg.values)
