"""Server settings, filled by the command line (server/cli.py) or by tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from server.proxies import Network

MiB = 1024 * 1024


_ICE_SCHEMES = ("stun:", "stuns:", "turn:", "turns:")


def browser_ice_server(text: str) -> dict[str, str | list[str]]:
    """A W3C `RTCIceServer` for the guest page from one `--guest-ice-server` (`ValueError` if
    unusable). A TURN URL carries its credentials in the authority, as the desktop settings do
    (media/config.py): `turn://user:credential@host:port?transport=udp`, percent-encoded."""
    scheme, sep, rest = text.partition("://")
    if not sep:
        if not text.startswith(_ICE_SCHEMES[:2]):
            raise ValueError(f"not a STUN URL (TURN needs turn://user:credential@host): {text!r}")
        return {"urls": [text]}
    userinfo, at, host = rest.rpartition("@")
    username, colon, credential = userinfo.partition(":")
    if scheme not in ("turn", "turns") or not at or not colon or not host:
        raise ValueError(f"expected turn://user:credential@host:port, got {text!r}")
    return {
        "urls": [f"{scheme}:{host}"],
        "username": unquote(username),
        "credential": unquote(credential),
    }


@dataclass(frozen=True, slots=True)
class Backoff:
    """A growing delay: `free` failures cost nothing, then `base` seconds doubling up to `cap`."""

    free: int
    base: float = 1.0
    cap: float = 15 * 60

    def delay(self, failures: int) -> float:
        """Seconds to wait after the last of `failures` failures."""
        if failures < self.free:
            return 0.0
        return min(self.cap, self.base * 2.0 ** min(failures - self.free, 64))


@dataclass(frozen=True, slots=True)
class SignInLimits:
    """How sign-in failures slow the next attempt (server/throttle.py); never a lock-out."""

    window: int = 3600  # seconds: older failures are forgotten
    # The same account from the same address: the brake on one guesser.
    per_account_address: Backoff = Backoff(free=3)
    # Any account from one address: generous, a whole office may share one NAT address (and
    # every local demo client shares 127.0.0.1).
    per_address: Backoff = Backoff(free=50)
    # One account from many addresses, counted in distinct addresses, held only against the
    # addresses that failed on it: a new address (the owner's) is never held back by it.
    per_account: Backoff = Backoff(free=5)


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
    sign_in: SignInLimits = SignInLimits()
    # Expired tokens are deleted this long after they expire; until then an expired access
    # token still answers `token-expired` (not `unauthorized`).
    token_grace: int = 24 * 3600  # seconds
    # A refresh token presented again this soon after its rotation is a lost answer (once).
    refresh_grace: int = 60  # seconds
    idempotency_ttl: int = 7 * 24 * 3600  # seconds a stored answer is kept for a repeat
    purge_interval: float = 3600  # seconds between purges (server/housekeeping.py)
    event_poll_interval: float = 0.5  # seconds; catches events written by other processes
    # Peers whose X-Forwarded-For is believed (server/proxies.py); none by default.
    trusted_proxies: tuple[Network, ...] = ()
    # The event window (contract.md Events): older events are purged; a client asking from
    # before the window is told to resynchronise.
    event_keep_days: int = 30
    event_keep_count: int = 1_000_000
    # Bytes a stream's client may leave unread before it is dropped (1013; it resumes by since).
    event_stream_buffer: int = 1 << 20
    # The room relay (server/rooms.py) pings a quiet peer after this many seconds and drops it
    # after twice as long without a word.
    room_ping_interval: float = 15.0
    # STUN/TURN servers for browser guests (server/guests.py), as `--guest-ice-server` takes
    # them: `stun:host:port` or `turn://user:credential@host:port?transport=udp`.
    guest_ice_servers: tuple[str, ...] = ()
    # The Janus WebSocket whose Streaming mountpoints the server plays over WHEP
    # (server/whep.py); None: no WHEP endpoint.
    whep_janus: str | None = None

    @property
    def files_dir(self) -> Path:
        """Where the content-addressed file store lives."""
        return self.data_dir / "files"
