"""Making the OS open `hopdesk://` links with HopDesk, per platform behind one small interface.

The installer registers the scheme machine-wide (packaging comes later: docs/architecture.md,
"Joining by link", lists the keys the MSI writes); `ensure_registered` does it for the current
user at every start, so a HopDesk run from a checkout, a wheel or a per-user copy opens links
too. It is cheap when nothing is to do (one `xdg-mime query`, or two registry reads), runs in a
worker thread (`xdg-mime` is a shell script), and never takes the scheme from another program
that holds it: only a missing registration, or our own that names another command (the app
moved), is written. The OS then starts `hopdesk <link>`, and a running instance takes the link
(desktop/single_instance.py).
"""

from __future__ import annotations

import enum
import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, cast

from desktop.join_link import SCHEME

log = logging.getLogger(__name__)

DESKTOP_FILE = Path(__file__).resolve().parent.parent / "resources" / "desktop" / "hopdesk.desktop"
MIME = f"x-scheme-handler/{SCHEME}"
PROTOCOL_NAME = "URL:HopDesk Protocol"
RESERVED = frozenset(" \t\n\"'\\><~|&;$*?#()`")  # Desktop Entry spec: quote these
XDG_TIMEOUT = 10.0  # seconds for one xdg-mime call (a shell script; ~50 ms here)


class Holder(enum.Enum):
    """Who the OS gives `hopdesk://` links to now, for this user."""

    NOBODY = "nobody"
    US = "us"  # this very command: nothing to do
    OUR_OLD_ENTRY = "our-old-entry"  # a registration of ours naming another command
    OTHER = "other"  # another program (or an installed HopDesk): left alone


class SchemeRegistration(Protocol):
    """Tells the OS that HopDesk opens `hopdesk://` links."""

    def holder(self, command: Sequence[str]) -> Holder:
        """Who holds the scheme now, compared with `command`."""

    def register(self, command: Sequence[str]) -> None:
        """Register `command` (the app's argv before the link) for the current user."""


class Outcome(enum.Enum):
    """What `ensure_registered` did."""

    UNCHANGED = "unchanged"
    REGISTERED = "registered"
    LEFT_TO_OTHER = "left-to-other"


def ensure_registered(registration: SchemeRegistration, command: Sequence[str]) -> Outcome:
    """Register `command` unless it already is, or unless another program holds the scheme."""
    holder = registration.holder(command)
    if holder is Holder.US:
        return Outcome.UNCHANGED
    if holder is Holder.OTHER:
        log.info("hopdesk:// links belong to another program; left as they are")
        return Outcome.LEFT_TO_OTHER
    registration.register(command)
    log.info("hopdesk:// links now open %s", " ".join(command))
    return Outcome.REGISTERED


def launcher() -> list[str] | None:
    """The command that starts this HopDesk: the frozen executable, else the `hopdesk` script
    of this environment; None when there is none (run as `python -m desktop` from a checkout:
    nothing the OS could start without the same working folder)."""
    if getattr(sys, "frozen", False):
        return [sys.executable]
    script = Path(sys.executable).with_name("hopdesk.exe" if sys.platform == "win32" else "hopdesk")
    return [str(script)] if script.is_file() else None


# --- Windows -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RegistryValue:
    """One value under a registry key (`name` "" is the key's default value)."""

    key: str
    name: str
    value: str


def windows_command(command: Sequence[str]) -> str:
    """`"exe" "arg" … "%1"`: the open command Windows runs with the link as `%1`."""
    return " ".join(f'"{part}"' for part in [*command, "%1"])


def windows_values(
    executable: str | Sequence[str], root: str = r"HKLM\Software\Classes"
) -> list[RegistryValue]:
    """The values that make Windows start `executable "<link>"` for a hopdesk:// link: what the
    MSI writes under HKLM (per-machine install), or a user's run under HKCU."""
    command = [executable] if isinstance(executable, str) else list(executable)
    key = rf"{root}\{SCHEME}"
    return [
        RegistryValue(key, "", PROTOCOL_NAME),
        RegistryValue(key, "URL Protocol", ""),
        RegistryValue(rf"{key}\DefaultIcon", "", f'"{command[0]}",0'),
        RegistryValue(rf"{key}\shell\open\command", "", windows_command(command)),
    ]


class RegistryKey(Protocol):
    """An open key of `winreg` (a context manager that closes it)."""

    def __enter__(self) -> RegistryKey: ...

    def __exit__(self, *exc: object) -> None: ...


class WinregModule(Protocol):
    """The part of the standard library's `winreg` used here (a fake in the tests)."""

    HKEY_CURRENT_USER: int
    HKEY_LOCAL_MACHINE: int
    REG_SZ: int

    def CreateKeyEx(self, key: int, sub_key: str) -> RegistryKey: ...

    def OpenKey(self, key: int, sub_key: str) -> RegistryKey: ...

    def SetValueEx(
        self, key: RegistryKey, value_name: str | None, reserved: int, type: int, value: str
    ) -> None: ...

    def QueryValueEx(self, key: RegistryKey, value_name: str | None) -> tuple[object, int]: ...


class WindowsRegistry:
    """HKCU\\Software\\Classes for the current user (the MSI writes the same under HKLM)."""

    def __init__(self, winreg: WinregModule | None = None) -> None:
        """`winreg` is the standard module on Windows; tests give a fake."""
        self._winreg = winreg

    def _module(self) -> WinregModule:
        if self._winreg is not None:
            return self._winreg
        if sys.platform != "win32":
            raise OSError("the Windows registry exists only on Windows")
        import winreg

        return cast("WinregModule", winreg)  # its stub's parameters are positional-only

    def _read(self, root: int, path: str, name: str = "") -> str | None:
        reg = self._module()
        try:
            with reg.OpenKey(root, path) as key:
                value, _kind = reg.QueryValueEx(key, name or None)
        except OSError:  # FileNotFoundError: no such key or value
            return None
        return value if isinstance(value, str) else None

    def holder(self, command: Sequence[str]) -> Holder:
        """Ours when HKCU (or the MSI's HKLM) runs `command`; HKCU's own entry naming another
        command is our old one when it carries our protocol name; HKLM's with another command
        is an installed HopDesk, which keeps the links."""
        reg = self._module()
        classes, wanted = rf"Software\Classes\{SCHEME}", windows_command(command)
        user = self._read(reg.HKEY_CURRENT_USER, rf"{classes}\shell\open\command")
        if user == wanted:
            return Holder.US
        if user is not None:
            mine = self._read(reg.HKEY_CURRENT_USER, classes) == PROTOCOL_NAME
            return Holder.OUR_OLD_ENTRY if mine else Holder.OTHER
        machine = self._read(reg.HKEY_LOCAL_MACHINE, rf"{classes}\shell\open\command")
        if machine is None:
            return Holder.NOBODY
        return Holder.US if machine == wanted else Holder.OTHER

    def register(self, command: Sequence[str]) -> None:
        """Write the values of `windows_values` under HKCU."""
        reg = self._module()
        for item in windows_values(command, r"HKCU\Software\Classes"):
            path = item.key.removeprefix("HKCU\\")
            with reg.CreateKeyEx(reg.HKEY_CURRENT_USER, path) as key:
                reg.SetValueEx(key, item.name or None, 0, reg.REG_SZ, item.value)


# --- Linux and other freedesktop systems ---------------------------------------------------


def desktop_exec(command: Sequence[str]) -> str:
    """The `Exec=` line's value: each argument quoted as the Desktop Entry spec asks, then %u."""
    quoted = []
    for part in command:
        part = part.replace("%", "%%")  # a field code's escape, quoted or not
        if part and not any(c in part for c in RESERVED):
            quoted.append(part)
            continue
        escaped = "".join("\\" + c if c in '"`$\\' else c for c in part)
        # the string escape applies before the quoting: each backslash is written twice
        quoted.append('"' + escaped.replace("\\", "\\\\") + '"')
    return " ".join([*quoted, "%u"])


def applications_folder() -> Path:
    """`$XDG_DATA_HOME/applications` (~/.local/share/applications by default)."""
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "applications"


@dataclass(frozen=True, slots=True)
class FreedesktopEntry:
    """A .desktop file with `MimeType=x-scheme-handler/hopdesk` in the user's applications
    folder, made the default handler through `xdg-mime` (GNOME, KDE and browsers ask it)."""

    applications: Path  # ~/.local/share/applications

    def _entry_exec(self) -> str | None:
        try:
            text = (self.applications / DESKTOP_FILE.name).read_text(encoding="utf-8")
        except OSError:
            return None
        lines = [line for line in text.splitlines() if line.startswith("Exec=")]
        return lines[0].removeprefix("Exec=") if lines else None

    def holder(self, command: Sequence[str]) -> Holder:
        """Whom `xdg-mime` names for the scheme; `hopdesk.desktop` with no file of ours in the
        user's folder is a packaged HopDesk (/usr/share/applications), which keeps the links."""
        xdg_mime = shutil.which("xdg-mime")
        if xdg_mime is None:
            return Holder.OTHER  # nobody to ask: write nothing
        query = subprocess.run(
            [xdg_mime, "query", "default", MIME],
            capture_output=True,
            text=True,
            timeout=XDG_TIMEOUT,
            check=False,
        )
        default = query.stdout.strip()
        if not default:
            return Holder.NOBODY
        if default != DESKTOP_FILE.name:
            return Holder.OTHER
        exec_line = self._entry_exec()
        if exec_line is None:
            return Holder.OTHER
        return Holder.US if exec_line == desktop_exec(command) else Holder.OUR_OLD_ENTRY

    def register(self, command: Sequence[str]) -> None:
        """Install the entry with `Exec=<command> %u` and make it the scheme's default."""
        text = DESKTOP_FILE.read_text(encoding="utf-8")
        text = text.replace("Exec=hopdesk %u", f"Exec={desktop_exec(command)}")
        self.applications.mkdir(parents=True, exist_ok=True)
        target = self.applications / DESKTOP_FILE.name
        partial = target.with_suffix(".partial")
        partial.write_text(text, encoding="utf-8")
        partial.replace(target)  # a browser reading it meanwhile never sees half a file
        xdg_mime = shutil.which("xdg-mime")
        if xdg_mime is not None:
            subprocess.run(
                [xdg_mime, "default", DESKTOP_FILE.name, MIME], check=True, timeout=XDG_TIMEOUT
            )


def for_this_platform(applications: Path | None = None) -> SchemeRegistration:
    """The registration this OS uses."""
    if sys.platform == "win32":
        return WindowsRegistry()
    return FreedesktopEntry(applications or applications_folder())


def register_at_start() -> Outcome | None:
    """In a worker thread at every start: register this HopDesk unless `HOPDESK_REGISTER_SCHEME`
    is 0 (the tests' default) or there is no command to register. Failures are logged only: a
    link not opening is no reason to stop the app."""
    if os.environ.get("HOPDESK_REGISTER_SCHEME", "1") == "0":
        return None
    command = launcher()
    if command is None:
        return None
    try:
        return ensure_registered(for_this_platform(), command)
    except (OSError, subprocess.SubprocessError) as exc:
        log.warning("cannot register hopdesk:// links: %s", exc)
        return None
