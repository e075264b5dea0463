"""The refresh token lives only in the OS keyring (Windows Credential Manager, Secret Service).

When no real keyring exists (the `fail` or `null` backend, or a chainer with nothing behind
it), `available` is False and `why_unavailable` says why in the user's language: HopDesk then
simply does not remember the user. There is never a plaintext fallback.

The calls are synchronous (D-Bus, Win32); `Session` runs them in a worker thread.

On Linux the Secret Service is asked directly (desktop/secret_service.py) unless keyring was
told to use another backend; keyring itself is imported only when it chooses (Windows, macOS,
no Secret Service, an override), so a Linux start does without its ~80 ms of imports.
"""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QCoreApplication

from desktop.errors import SecretsUnavailable
from desktop.secret_service import SecretServiceVault, VaultError, direct_vault

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

log = logging.getLogger(__name__)
BACKEND_KEY = "keyring_backend"  # the local cache's key for the backend found at an earlier start


class Vault(Protocol):
    """What SecretStore needs of a keyring backend (keyring's, or the direct Secret Service)."""

    def get_password(self, service: str, username: str) -> str | None: ...

    def set_password(self, service: str, username: str, password: str) -> None: ...

    def delete_password(self, service: str, username: str) -> None: ...


def vault_errors() -> tuple[type[Exception], ...]:
    """What a backend raises when it refuses: keyring's errors only once keyring is loaded
    (a direct Secret Service never loads it)."""
    errors = sys.modules.get("keyring.errors")
    if errors is None:
        return (VaultError,)
    return (VaultError, errors.KeyringError)


def backend_problem(backend: Vault) -> str | None:
    """Why `backend` cannot keep secrets (translated), or None when it can."""
    if isinstance(backend, SecretServiceVault):  # found answering when chosen
        return None
    from keyring.backends import chainer, fail

    if isinstance(backend, fail.Keyring):
        return QCoreApplication.translate("secrets", "no system keyring was found on this computer")
    try:
        from keyring.backends import null

        if isinstance(backend, null.Keyring):
            return QCoreApplication.translate("secrets", "the system keyring has been turned off")
    except ImportError:  # pragma: no cover - every supported keyring has it
        pass
    if isinstance(backend, chainer.ChainerBackend) and not backend.backends:
        return QCoreApplication.translate("secrets", "no system keyring was found on this computer")
    return None


def backend_name(backend: Vault) -> str:
    """The importable name of a backend's class, as keyring's own configuration spells it."""
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def remembered_backend(name: str) -> KeyringBackend | None:
    """The backend `name` found at an earlier start, if it still works and nothing overrides it.

    Why: keyring's discovery imports and probes every backend it knows (the macOS one looks for
    its framework with ldconfig and a compiler even on Linux), 150-300 ms of every start; the
    answer only changes when the desktop does. A backend chosen for this process already
    (`keyring.set_keyring`), in PYTHON_KEYRING_BACKEND or in keyring's config file wins, as it
    would in discovery; a backend that no longer works (its `priority` raises) is not used.
    The app remembers only a backend that keeps secrets (`SecretStore.available`).
    """
    from keyring import core

    if getattr(core, "_keyring_backend", None) is not None:  # set for this process already
        return None
    if not name.startswith("keyring.backends."):  # only the OS keyrings keyring ships
        return None
    configured = core.load_env() or core.load_config()
    if configured is not None:
        return configured
    try:
        backend = core.load_keyring(name)  # asks the class's `priority`: raises when unusable
    except Exception as exc:  # gone or broken since: discover again
        log.info("remembered keyring backend %s unusable: %r", name, exc)
        return None
    # "No keyring" is never taken from the past: one installed since must be found.
    return backend if backend_problem(backend) is None else None


class SecretStore:
    """Refresh tokens per (server, user) in the keyring under `service`."""

    def __init__(self, service: str = "HopDesk", backend: Vault | None = None) -> None:
        self.service = service
        self._backend: Vault | None = backend
        # (server, user) -> token read ahead by `prefetch`, handed out once
        self._prefetched: tuple[tuple[str, str], str | None] | None = None

    @property
    def backend(self) -> Vault:
        """The keyring backend in use (the process-wide one unless one was given or chosen)."""
        if self._backend is not None:
            return self._backend
        import keyring

        return keyring.get_keyring()

    def choose_backend(self, remembered: str | None) -> str:
        """Settle the backend (on Linux the Secret Service directly, see
        desktop/secret_service.py; else the `remembered` one when it still works, see
        `remembered_backend`; else keyring's discovery); its name, to remember for next time.
        Blocking (imports, D-Bus): call it off the GUI thread, as the app's start-up does."""
        if self._backend is None:
            self._backend = direct_vault()
        if self._backend is None and remembered:
            self._backend = remembered_backend(remembered)
        return backend_name(self.backend)

    @property
    def available(self) -> bool:
        """Whether secrets can be kept at all."""
        return backend_problem(self.backend) is None

    @property
    def why_unavailable(self) -> str:
        """A translated reason when not `available`, else ""."""
        return backend_problem(self.backend) or ""

    @staticmethod
    def account(server: str, user: str) -> str:
        """The keyring user name: one entry per user and server."""
        return f"{user}@{server.rstrip('/')}"

    def save_refresh_token(self, server: str, user: str, token: str) -> None:
        """Store (or replace) the refresh token; raises `SecretsUnavailable`."""
        problem = backend_problem(self.backend)
        if problem:
            raise SecretsUnavailable(problem)
        try:
            self.backend.set_password(self.service, self.account(server, user), token)
        except vault_errors() as exc:
            log.error("keyring refused to store the refresh token: %r", exc)
            raise SecretsUnavailable(
                QCoreApplication.translate(
                    "secrets", "the system keyring refused to store the sign-in (%1)"
                ).replace("%1", str(exc))
            ) from exc

    def prefetch(self, server: str, user: str) -> None:
        """Read the token now (at start-up, in a worker thread, while the GUI thread imports
        the UI), so the next `load_refresh_token` of that account needs no keyring round trip
        (over D-Bus several, with a key exchange)."""
        self._prefetched = ((server, user), self._read(server, user))

    def load_refresh_token(self, server: str, user: str) -> str | None:
        """The stored refresh token, or None (also when the keyring cannot be read)."""
        prefetched, self._prefetched = self._prefetched, None
        if prefetched is not None and prefetched[0] == (server, user):
            return prefetched[1]
        return self._read(server, user)

    def _read(self, server: str, user: str) -> str | None:
        if not self.available:
            return None
        try:
            return self.backend.get_password(self.service, self.account(server, user))
        except vault_errors() as exc:
            log.warning("cannot read the refresh token from the keyring: %r", exc)
            return None

    def delete(self, server: str, user: str) -> None:
        """Forget the refresh token (nothing to do when there is none)."""
        if not self.available:
            return
        try:
            self.backend.delete_password(self.service, self.account(server, user))
        except vault_errors() as exc:
            errors = sys.modules.get("keyring.errors")
            if errors is not None and isinstance(exc, errors.PasswordDeleteError):
                return  # already gone
            log.warning("cannot delete the refresh token from the keyring: %r", exc)
