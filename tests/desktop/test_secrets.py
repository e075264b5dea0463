"""SecretStore: round-trips on a memory keyring and the real Secret Service; no fallback."""

from __future__ import annotations

from pathlib import Path

import pytest
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail, null

from desktop.errors import SecretsUnavailable
from desktop.secret_service import SecretServiceVault
from desktop.secrets import SecretStore
from tests.fixtures.keyring import MemoryKeyring

SERVER = "https://office.example"


def round_trip(store: SecretStore) -> None:
    assert store.available
    assert store.why_unavailable == ""
    assert store.load_refresh_token(SERVER, "giamdoc") is None
    store.save_refresh_token(SERVER, "giamdoc", "token-1")
    store.save_refresh_token(SERVER, "giamdoc", "token-2")  # rotation replaces it
    store.save_refresh_token(SERVER, "vanthu", "other")
    assert store.load_refresh_token(SERVER, "giamdoc") == "token-2"
    assert store.load_refresh_token(SERVER + "/", "giamdoc") == "token-2"
    store.delete(SERVER, "giamdoc")
    store.delete(SERVER, "giamdoc")  # twice is fine
    assert store.load_refresh_token(SERVER, "giamdoc") is None
    assert store.load_refresh_token(SERVER, "vanthu") == "other"
    store.delete(SERVER, "vanthu")


def test_memory_keyring_round_trip(memory_keyring: MemoryKeyring) -> None:
    round_trip(SecretStore(service="HopDesk-test"))
    assert memory_keyring.secrets == {}


def test_secret_service_round_trip(secret_service_keyring: KeyringBackend) -> None:
    round_trip(SecretStore(service="HopDesk-test"))


def test_the_direct_secret_service_round_trip_and_keyrings_entries(
    secret_service_keyring: KeyringBackend,
) -> None:
    """desktop/secret_service.py on the real Secret Service; what keyring's backend wrote (an
    earlier version's remembered sign-in) is read, and what it writes keyring reads."""
    round_trip(SecretStore(service="HopDesk-test", backend=SecretServiceVault()))
    direct = SecretStore(service="HopDesk-test", backend=SecretServiceVault())
    through_keyring = SecretStore(service="HopDesk-test")
    through_keyring.save_refresh_token(SERVER, "giamdoc", "from-keyring")
    assert direct.load_refresh_token(SERVER, "giamdoc") == "from-keyring"
    direct.save_refresh_token(SERVER, "giamdoc", "rotated")
    assert through_keyring.load_refresh_token(SERVER, "giamdoc") == "rotated"
    direct.delete(SERVER, "giamdoc")
    assert through_keyring.load_refresh_token(SERVER, "giamdoc") is None


class EmptyChainer(chainer.ChainerBackend):
    backends = ()


@pytest.mark.parametrize("backend", [fail.Keyring(), null.Keyring(), EmptyChainer()], ids=str)
def test_no_real_keyring_means_unavailable_and_no_fallback(backend: KeyringBackend) -> None:
    store = SecretStore(backend=backend)
    assert not store.available
    assert store.why_unavailable
    with pytest.raises(SecretsUnavailable) as caught:
        store.save_refresh_token(SERVER, "giamdoc", "secret")
    assert store.why_unavailable in caught.value.user_message()
    assert store.load_refresh_token(SERVER, "giamdoc") is None
    store.delete(SERVER, "giamdoc")


class CountingKeyring(MemoryKeyring):
    """A memory keyring that counts its reads (each is D-Bus round trips on Linux)."""

    def __init__(self) -> None:
        super().__init__()
        self.reads = 0

    def get_password(self, service: str, username: str) -> str | None:
        self.reads += 1
        return super().get_password(service, username)


def test_a_prefetched_token_is_handed_out_once_without_reading_the_keyring_again() -> None:
    backend = CountingKeyring()
    store = SecretStore(backend=backend)
    store.save_refresh_token("https://office.example", "giamdoc", "token-1")
    store.prefetch("https://office.example", "giamdoc")  # start-up, in a worker thread
    assert backend.reads == 1
    assert store.load_refresh_token("https://office.example", "giamdoc") == "token-1"
    assert backend.reads == 1
    # Handed out once: a later load reads the keyring again (the token may have rotated).
    store.save_refresh_token("https://office.example", "giamdoc", "token-2")
    assert store.load_refresh_token("https://office.example", "giamdoc") == "token-2"
    assert backend.reads == 2
    # Another account is never answered from the prefetch.
    store.prefetch("https://office.example", "giamdoc")
    assert store.load_refresh_token("https://office.example", "other") is None
    assert store.load_refresh_token("https://office.example", "giamdoc") == "token-2"
    assert backend.reads == 5


CHOOSE = """
import sys
from desktop.secrets import SecretStore
name = SecretStore().choose_backend(sys.argv[1])
print(name, "keyring.backends.macOS" in sys.modules, "keyring.core" in sys.modules)
"""
SECRET_SERVICE = "keyring.backends.SecretService.Keyring"
DIRECT = "desktop.secret_service.SecretServiceVault"
NO_BUS = "unix:path=/nonexistent"


def choose_in_new_process(remembered: str, **env: str) -> tuple[str, bool]:
    """`choose_backend(remembered)` in a fresh process (keyring's choice is process-wide):
    the backend's name, and whether keyring's discovery ran (it imports every backend)."""
    name, discovered, _ = choose_and_list(remembered, **env)
    return name, discovered


def choose_and_list(remembered: str, **env: str) -> tuple[str, bool, bool]:
    """`choose_in_new_process`, and whether keyring was imported at all."""
    import os
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-c", CHOOSE, remembered],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    name, discovered, imported = out.stdout.split()
    return name, discovered == "True", imported == "True"


def test_on_linux_the_secret_service_is_asked_without_keyring(
    secret_service_keyring: KeyringBackend,
) -> None:
    """keyring's machinery (~80 ms of imports at every start) is not loaded at all."""
    assert choose_and_list(SECRET_SERVICE) == (DIRECT, False, False)
    assert choose_and_list("") == (DIRECT, False, False)


def test_the_remembered_backend_is_used_without_discovery(
    secret_service_keyring: KeyringBackend, tmp_path: Path
) -> None:
    """Where keyring decides (here: its configuration file names a backend, as an
    administrator may), the backend found at the last start is loaded by name."""
    config = tmp_path / "python_keyring" / "keyringrc.cfg"
    config.parent.mkdir()
    config.write_text("[backend]\n")  # present, naming no backend: keyring discovers
    env = {"XDG_CONFIG_HOME": str(tmp_path)}
    assert choose_in_new_process(SECRET_SERVICE, **env) == (SECRET_SERVICE, False)


def test_an_unusable_remembered_backend_means_discovery_again() -> None:
    # No D-Bus session: the Secret Service backend's `priority` raises.
    name, discovered = choose_in_new_process(SECRET_SERVICE, DBUS_SESSION_BUS_ADDRESS=NO_BUS)
    assert discovered
    assert name != SECRET_SERVICE


def test_no_keyring_is_never_remembered(secret_service_keyring: KeyringBackend) -> None:
    """A keyring found since the last start (here: the Secret Service) is found."""
    assert choose_in_new_process("keyring.backends.fail.Keyring") == (DIRECT, False)


def test_the_environment_wins_over_the_remembered_backend(
    secret_service_keyring: KeyringBackend,
) -> None:
    name, _ = choose_in_new_process(
        SECRET_SERVICE, PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring"
    )
    assert name == "keyring.backends.null.Keyring"


def test_a_keyring_set_for_the_process_wins(memory_keyring: MemoryKeyring) -> None:
    store = SecretStore()
    assert store.choose_backend(SECRET_SERVICE).endswith("MemoryKeyring")
    assert store.available
