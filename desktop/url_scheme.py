"""Making the OS open `hopdesk://` links with HopDesk, per platform behind one small interface.

The installer registers the scheme (packaging comes later: docs/architecture.md, "Joining by
link", lists the keys the MSI writes); `SchemeRegistration.register` does the same for the
current user when HopDesk runs from a checkout or a wheel. The OS then starts
`hopdesk <link>`, and a running instance takes the link (desktop/single_instance.py).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from desktop.join_link import SCHEME

DESKTOP_FILE = Path(__file__).resolve().parent.parent / "resources" / "desktop" / "hopdesk.desktop"
MIME = f"x-scheme-handler/{SCHEME}"


class SchemeRegistration(Protocol):
    """Tells the OS that HopDesk opens `hopdesk://` links."""

    def register(self, command: str) -> None:
        """Register `command` (the app's executable) for the current user."""


@dataclass(frozen=True, slots=True)
class RegistryValue:
    """One value under a registry key (`name` "" is the key's default value)."""

    key: str
    name: str
    value: str


def windows_values(executable: str, root: str = r"HKLM\Software\Classes") -> list[RegistryValue]:
    """The values that make Windows start `executable "<link>"` for a hopdesk:// link: what the
    MSI writes under HKLM (per-machine install), or a user's run under HKCU."""
    key = rf"{root}\{SCHEME}"
    return [
        RegistryValue(key, "", "URL:HopDesk Protocol"),
        RegistryValue(key, "URL Protocol", ""),
        RegistryValue(rf"{key}\DefaultIcon", "", f'"{executable}",0'),
        RegistryValue(rf"{key}\shell\open\command", "", f'"{executable}" "%1"'),
    ]


class WindowsRegistry:
    """HKCU\\Software\\Classes for the current user (the MSI writes the same under HKLM)."""

    def register(self, command: str) -> None:
        """Write the values of `windows_values` under HKCU."""
        if sys.platform != "win32":
            raise OSError("the Windows registry exists only on Windows")
        import winreg

        for item in windows_values(command, r"HKCU\Software\Classes"):
            path = item.key.removeprefix("HKCU\\")
            with winreg.CreateKeyEx(winreg.HKEY_CURRENT_USER, path) as key:
                winreg.SetValueEx(key, item.name or None, 0, winreg.REG_SZ, item.value)


@dataclass(frozen=True, slots=True)
class FreedesktopEntry:
    """A .desktop file with `MimeType=x-scheme-handler/hopdesk` in the user's applications
    folder, made the default handler through `xdg-mime` (GNOME, KDE and browsers ask it)."""

    applications: Path  # ~/.local/share/applications

    def register(self, command: str) -> None:
        """Install the entry with `Exec=<command> %u` and make it the scheme's default."""
        text = DESKTOP_FILE.read_text(encoding="utf-8")
        text = text.replace("Exec=hopdesk %u", f"Exec={command} %u")
        self.applications.mkdir(parents=True, exist_ok=True)
        (self.applications / DESKTOP_FILE.name).write_text(text, encoding="utf-8")
        xdg_mime = shutil.which("xdg-mime")
        if xdg_mime is not None:
            subprocess.run([xdg_mime, "default", DESKTOP_FILE.name, MIME], check=True, timeout=10)


def for_this_platform(applications: Path) -> SchemeRegistration:
    """The registration this OS uses."""
    if sys.platform == "win32":
        return WindowsRegistry()
    return FreedesktopEntry(applications)
