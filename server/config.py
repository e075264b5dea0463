"""Server settings, filled by the command line (server/cli.py) or by tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from server.proxies import Network

MiB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Config:
    """Everything `create_app` needs; defaults match docs/contract.md."""

    db_url: str
    data_dir: Path
    access_ttl: int = 900  # seconds
    refresh_ttl: int = 30 * 24 * 3600
    max_body: int = 10 * MiB
    max_upload: int = 200 * MiB
    upload_prefixes: tuple[str, ...] = ("/api/v1/files",)
    login_window: int = 15 * 60  # seconds over which failures are counted
    login_max_failures: int = 5  # per user name
    # Per client address: higher, because a whole office often reaches the server through one
    # NAT address (and every local demo client shares 127.0.0.1).
    login_max_failures_per_address: int = 30
    # Expired tokens are deleted this long after they expire; until then an expired access
    # token still answers `token-expired` (not `unauthorized`).
    token_grace: int = 24 * 3600  # seconds
    event_poll_interval: float = 0.5  # seconds; catches events written by other processes
    # Peers whose X-Forwarded-For is believed (server/proxies.py); none by default.
    trusted_proxies: tuple[Network, ...] = ()

    @property
    def files_dir(self) -> Path:
        """Where the content-addressed file store lives."""
        return self.data_dir / "files"
