"""Settings in layers (DESIGN §4): defaults < user file < machine policy < command line.

Every layer is a plain mapping of setting name → value; values are checked and converted to the
field's type one by one, so a bad value in one layer is logged and skipped instead of breaking
start-up. A key set by the machine policy is `locked`: Settings shows it greyed out and
`save_user` refuses it.

`save_user` changes the settings at once and writes the user file on a writer thread of its
own, in order: the write (mkdir, a temp file and a rename) took the GUI thread's time on
Settings → OK (issue 11). The thread is not a daemon, so the app's exit waits for the last
write; `flush` waits for it where the file is read back.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import tempfile
import threading
import tomllib
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import tomli_w

from desktop.policy import NoPolicy, PolicySource

log = logging.getLogger(__name__)

LANGUAGES = ("vi", "en")
UPDATE_CHANNELS = ("stable", "lts", "beta")
REMOTE_SIGNING_KINDS = ("", "csc", "hash-poll")  # none, CSC API v1 (MySign), hash-then-poll
# TLS trust is the organisation's decision, never the user's (a user who clicks certificate
# checks off to get past a warning is the attack): only the machine policy may set these.
# The roots a signing certificate must chain to are the organisation's too.
POLICY_ONLY = frozenset({"ca_bundle", "verify_tls", "signing_roots", "signing_root_pins"})


@dataclass(frozen=True, slots=True)
class Settings:
    """The effective settings of this run."""

    server_url: str = ""
    language: str = "vi"
    ca_bundle: str | None = None
    proxy: str | None = None
    verify_tls: bool = True
    media_backend: str = "auto"
    ice_servers: tuple[str, ...] = ()
    camera: str = ""  # device id; "" the system default, "none" no camera (media/devices.py)
    microphone: str = ""
    speaker: str = ""
    update_channel: str = "stable"
    file_cache_bytes: int = 2 * 1024**3  # downloaded papers kept on disk (least used go first)
    signing_roots: tuple[str, ...] = ()  # PEM files of roots trusted besides the pinned ones
    signing_root_pins: tuple[str, ...] = ()  # more SHA-256 pins (NEAC's 2025 roots, …)
    pkcs11_module: str | None = None  # the USB token's driver (vendor DLL); None: look by name
    remote_signing: str = ""  # the remote signing service's API shape (REMOTE_SIGNING_KINDS)
    remote_signing_url: str | None = None  # its base URL
    remote_signing_user: str | None = None  # the account at the service
    remote_signing_credential: str | None = None  # the credential id (None: the first listed)
    remote_signing_timeout: int = 300  # seconds to wait for the approval on the phone


FIELDS: dict[str, str] = {f.name: str(f.type) for f in dataclasses.fields(Settings)}
LAYERS = ("default", "user", "policy", "cli")


class ConfigError(ValueError):
    """A value that does not fit its setting."""


def coerce(key: str, value: object) -> object:
    """Convert a raw value (TOML, registry, command line) to the type of setting `key`."""
    kind = FIELDS.get(key)
    if kind is None:
        raise ConfigError(f"unknown setting {key!r}")
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, int):
            return value != 0
        if isinstance(value, str) and value.strip().lower() in ("1", "true", "yes", "on"):
            return True
        if isinstance(value, str) and value.strip().lower() in ("0", "false", "no", "off"):
            return False
        raise ConfigError(f"{key}: expected true or false, got {value!r}")
    if kind == "int":
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise ConfigError(f"{key}: expected a positive whole number, got {value!r}")
        return value
    if kind == "tuple[str, ...]":
        if isinstance(value, str):
            value = [part for part in value.replace(";", ",").split(",")]
        if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
            return tuple(v.strip() for v in value if v.strip())
        raise ConfigError(f"{key}: expected a list of strings, got {value!r}")
    if value is None and kind == "str | None":
        return None
    if not isinstance(value, str):
        raise ConfigError(f"{key}: expected text, got {value!r}")
    value = value.strip()
    if kind == "str | None":
        return value or None
    if key == "language" and value not in LANGUAGES:
        raise ConfigError(f"language: expected one of {LANGUAGES}, got {value!r}")
    if key == "update_channel" and value not in UPDATE_CHANNELS:
        raise ConfigError(f"update_channel: expected one of {UPDATE_CHANNELS}, got {value!r}")
    if key == "remote_signing" and value not in REMOTE_SIGNING_KINDS:
        raise ConfigError(f"remote_signing: expected one of {REMOTE_SIGNING_KINDS}, got {value!r}")
    return value


def _checked(layer: str, values: Mapping[str, object]) -> dict[str, object]:
    """The valid part of one layer; the rest is logged."""
    good: dict[str, object] = {}
    for key, value in values.items():
        try:
            if key in POLICY_ONLY and layer not in ("default", "policy"):
                raise ConfigError(f"{key} can only be set by the machine policy")
            good[key] = coerce(key, value)
        except ConfigError as exc:
            log.warning("ignoring %s setting: %s", layer, exc)
    return good


def read_user_file(path: Path) -> dict[str, object]:
    """The user's settings file; missing → empty, broken → logged and empty."""
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError) as exc:
        log.error("ignoring unreadable settings file %s: %s", path, exc)
        return {}


class Config:
    """The four layers and the settings they make; `save_user` writes the user layer."""

    def __init__(
        self,
        defaults: Settings | Mapping[str, object] | None = None,
        user_file: Path | None = None,
        policy: PolicySource | None = None,
        cli: Mapping[str, object] | None = None,
    ) -> None:
        if isinstance(defaults, Settings):
            defaults = dataclasses.asdict(defaults)
        self.user_file = user_file
        self._layers: dict[str, dict[str, object]] = {
            "default": _checked("default", {**dataclasses.asdict(Settings()), **(defaults or {})}),
            "user": _checked("user", read_user_file(user_file)) if user_file else {},
            "policy": _checked("policy", (policy or NoPolicy()).read()),
            "cli": _checked("command line", cli or {}),
        }
        self._settings = self._merge()
        self._writer: ThreadPoolExecutor | None = None  # started by the first save
        self._last_write: Future[None] | None = None
        self._writer_lock = threading.Lock()

    def _merge(self) -> Settings:
        merged: dict[str, object] = {}
        for layer in LAYERS:
            merged.update(self._layers[layer])
        return Settings(**merged)  # type: ignore[arg-type]

    @property
    def settings(self) -> Settings:
        """The effective settings."""
        return self._settings

    def source(self, key: str) -> str:
        """Which layer gave `key` its value: "default", "user", "policy" or "cli"."""
        if key not in FIELDS:
            raise KeyError(key)
        return next(layer for layer in reversed(LAYERS) if key in self._layers[layer])

    def locked(self, key: str) -> bool:
        """Whether the machine policy fixes `key` (the UI greys it out)."""
        return key in self._layers["policy"]

    def layer(self, name: str) -> dict[str, object]:
        """A copy of one layer's checked values (for diagnostics)."""
        return dict(self._layers[name])

    def save_user(self, **changes: object) -> Settings:
        """Store changes in the user file (None removes a key); returns the new settings."""
        locked = [key for key in changes if self.locked(key) or key in POLICY_ONLY]
        if locked:
            raise ConfigError(f"only the machine policy sets: {', '.join(sorted(locked))}")
        user = dict(self._layers["user"])
        for key, value in changes.items():
            if value is None:
                user.pop(key, None)
            else:
                user[key] = coerce(key, value)
        if self.user_file is not None:
            self._write_later(self.user_file, user)
        self._layers["user"] = user
        self._settings = self._merge()
        return self._settings

    def flush(self, timeout: float | None = None) -> None:
        """Wait until the user file holds the last `save_user` (raises its write's error)."""
        with self._writer_lock:
            last = self._last_write
        if last is not None:
            last.result(timeout)

    def _write_later(self, path: Path, values: Mapping[str, object]) -> None:
        """Queue the file's new content on the writer thread (one thread: writes keep order)."""
        with self._writer_lock:
            if self._writer is None:
                self._writer = ThreadPoolExecutor(1, thread_name_prefix="hopdesk-settings")
            self._last_write = self._writer.submit(_write_logged, path, dict(values))


def _write_logged(path: Path, values: Mapping[str, object]) -> None:
    """Writer thread: write, and log a failure (the settings of this run still hold)."""
    try:
        _write_toml(path, values)
    except OSError:
        log.exception("cannot write the settings file %s", path)
        raise


def _write_toml(path: Path, values: Mapping[str, object]) -> None:
    """Write atomically: a crash never leaves a half-written settings file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {k: list(v) if isinstance(v, tuple) else v for k, v in values.items()}
    fd, tmp = tempfile.mkstemp(prefix=".settings-", suffix=".toml", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            tomli_w.dump(data, fh)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
