"""The Secret Service (GNOME Keyring, KWallet, KeePassXC on Linux) spoken to directly.

Why not through `keyring`: importing keyring's machinery (keyring.core, keyring.backend, jaraco,
importlib_metadata, urllib, email) costs ~80 ms of CPU before the first window, on every start,
to end up at this same D-Bus service through the same library (`secretstorage`, ~20 ms). On
Linux the app asks the Secret Service itself when nothing chose another keyring
(`direct_vault`); Windows and macOS keep keyring's own backend, loaded by name without discovery
(desktop/secrets.py).

secretstorage itself (with jeepney and cryptography) is imported when the keyring is first used,
in the worker thread that reads it (desktop/app.py `read_keyring`), not with this module.

Entries are written with keyring's attributes (`service`, `username`, `application`), so a
sign-in remembered through keyring is found here, and the other way round.
"""

from __future__ import annotations

import os
import sys
from contextlib import closing
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import secretstorage

KEYRING_APPLICATION = "Python keyring library"  # the `application` attribute keyring writes


class VaultError(Exception):
    """The Secret Service refused or failed (locked, prompt dismissed, D-Bus gone)."""


def storage() -> ModuleType:
    """secretstorage, imported on first use (see the module docstring)."""
    import secretstorage
    import secretstorage.exceptions

    return secretstorage


def storage_error() -> type[Exception]:
    """What secretstorage raises when the Secret Service refuses or fails."""
    error: type[Exception] = storage().exceptions.SecretStorageException
    return error


class SecretServiceVault:
    """get/set/delete a password under (service, username), as keyring's backends do."""

    def _collection(self) -> secretstorage.Collection:
        ss = storage()
        try:
            collection = ss.get_default_collection(ss.dbus_init())
            if collection.is_locked():
                collection.unlock()  # may prompt the user
                if collection.is_locked():
                    raise VaultError("the keyring stayed locked")
        except storage_error() as exc:
            raise VaultError(str(exc)) from exc
        return collection

    def get_password(self, service: str, username: str) -> str | None:
        """The secret, or None when there is none."""
        collection = self._collection()
        try:
            with closing(collection.connection):
                for item in collection.search_items({"service": service, "username": username}):
                    if item.is_locked():
                        item.unlock()
                    return item.get_secret().decode("utf-8")
        except storage_error() as exc:
            raise VaultError(str(exc)) from exc
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        """Store or replace the secret."""
        collection = self._collection()
        attributes = {"service": service, "username": username}
        attributes["application"] = KEYRING_APPLICATION
        try:
            with closing(collection.connection):
                label = f"Password for '{username}' on '{service}'"
                collection.create_item(label, attributes, password.encode("utf-8"), replace=True)
        except storage_error() as exc:
            raise VaultError(str(exc)) from exc

    def delete_password(self, service: str, username: str) -> None:
        """Forget the secret (nothing to do when there is none)."""
        collection = self._collection()
        try:
            with closing(collection.connection):
                for item in collection.search_items({"service": service, "username": username}):
                    item.delete()
        except storage_error() as exc:
            raise VaultError(str(exc)) from exc


def keyring_chosen_elsewhere(env: dict[str, str] | None = None) -> bool:
    """Whether keyring's own choice must win: a keyring set for this process
    (`keyring.set_keyring`), PYTHON_KEYRING_BACKEND, or keyring's configuration file."""
    env = dict(os.environ) if env is None else env
    core = sys.modules.get("keyring.core")
    if core is not None and getattr(core, "_keyring_backend", None) is not None:
        return True
    if env.get("PYTHON_KEYRING_BACKEND"):
        return True
    config_home = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return (Path(config_home) / "python_keyring" / "keyringrc.cfg").exists()


def direct_vault(platform: str = sys.platform) -> SecretServiceVault | None:
    """The Secret Service on Linux when nothing else was chosen and it answers on D-Bus; else
    None (keyring decides). Blocking (D-Bus): called off the GUI thread at start-up."""
    if not platform.startswith("linux") or keyring_chosen_elsewhere():
        return None
    ss = storage()
    try:
        with closing(ss.dbus_init()) as connection:
            if not ss.check_service_availability(connection):
                return None
    except (storage_error(), OSError, ValueError):  # no session bus, or a broken one
        return None
    return SecretServiceVault()
