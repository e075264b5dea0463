"""Machine policy (DESIGN §4): settings an administrator fixes for every user of a computer.

Linux reads `/etc/hopdesk/policy.toml` (`HOPDESK_POLICY_FILE` overrides the path, for tests);
Windows reads the values under `HKLM\\Software\\Policies\\HopDesk` written by the MSI or Group
Policy. The registry is reached through an injectable reader so the mapping is tested anywhere;
`winreg` is imported only when that reader runs on Windows.
"""

from __future__ import annotations

import logging
import os
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

log = logging.getLogger(__name__)

LINUX_POLICY_FILE = Path("/etc/hopdesk/policy.toml")
POLICY_FILE_ENV = "HOPDESK_POLICY_FILE"
REGISTRY_KEY = r"Software\Policies\HopDesk"

# Registry value names as the ADMX templates spell them → setting names.
REGISTRY_NAMES = {
    "ServerUrl": "server_url",
    "Language": "language",
    "CaBundle": "ca_bundle",
    "Proxy": "proxy",
    "VerifyTls": "verify_tls",
    "MediaBackend": "media_backend",
    "IceServers": "ice_servers",
    "UpdateChannel": "update_channel",
    "FileCacheMegabytes": "file_cache_bytes",  # a REG_DWORD cannot hold large byte counts
    "Pkcs11Module": "pkcs11_module",  # the token vendor's DLL (eTPKCS11.dll, …)
    "RemoteSigning": "remote_signing",
    "RemoteSigningUrl": "remote_signing_url",
    "RemoteSigningUser": "remote_signing_user",
    "RemoteSigningCredential": "remote_signing_credential",
    "RemoteSigningTimeout": "remote_signing_timeout",
}

RegistryReader = Callable[[], dict[str, object]]


class PolicySource(Protocol):
    """Anything that yields the machine policy as setting name → raw value."""

    def read(self) -> dict[str, object]:
        """The policy values (empty when there is no policy)."""


class NoPolicy:
    """No machine policy at all."""

    def read(self) -> dict[str, object]:
        return {}


class TomlPolicy:
    """A TOML policy file; a missing file is no policy, a broken one is logged and ignored."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def read(self) -> dict[str, object]:
        try:
            with open(self.path, "rb") as fh:
                data = tomllib.load(fh)
        except FileNotFoundError:
            return {}
        except (OSError, tomllib.TOMLDecodeError) as exc:
            log.error("ignoring unreadable machine policy %s: %s", self.path, exc)
            return {}
        # A [hopdesk] table is accepted as well as top-level keys.
        table = data.get("hopdesk", data)
        return dict(table) if isinstance(table, dict) else {}


def read_hklm_policy() -> dict[str, object]:
    """Every value under HKLM\\Software\\Policies\\HopDesk (Windows only)."""
    import winreg  # type: ignore[import-not-found,unused-ignore]

    values: dict[str, object] = {}
    try:
        key = winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, REGISTRY_KEY)  # type: ignore[attr-defined,unused-ignore]
    except OSError:
        return values
    with key:
        index = 0
        while True:
            try:
                name, value, _kind = winreg.EnumValue(key, index)  # type: ignore[attr-defined,unused-ignore]
            except OSError:
                break
            values[name] = value
            index += 1
    return values


class WindowsRegistryPolicy:
    """Policy from the registry; `reader` returns the raw values (injected in tests)."""

    def __init__(self, reader: RegistryReader | None = None) -> None:
        self.reader = reader or read_hklm_policy

    def read(self) -> dict[str, object]:
        try:
            raw = self.reader()
        except OSError as exc:
            log.error("cannot read the machine policy from the registry: %s", exc)
            return {}
        policy: dict[str, object] = {}
        for name, value in raw.items():
            key = REGISTRY_NAMES.get(name, name)
            if key == "verify_tls" and isinstance(value, int):
                value = bool(value)  # REG_DWORD 0/1
            elif key == "ice_servers" and isinstance(value, str):
                value = [part.strip() for part in value.split(";") if part.strip()]
            elif name == "FileCacheMegabytes" and isinstance(value, int):
                value = value * 1024 * 1024
            policy[key] = value
        return policy


def machine_policy() -> PolicySource:
    """The policy source of this platform."""
    override = os.environ.get(POLICY_FILE_ENV)
    if override:
        return TomlPolicy(Path(override))
    if sys.platform == "win32":
        return WindowsRegistryPolicy()
    return TomlPolicy(LINUX_POLICY_FILE)
