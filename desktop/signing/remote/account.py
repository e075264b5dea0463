"""Which remote signing service the user signs with, and its OAuth token in the OS keyring.

The token is what the vendor's OAuth2 sign-in gives (CSC v1.0.4.0 §8.3 `oauth2/token`; VNPT
SmartCA's `/auth/token`); it is kept only in the keyring through `desktop.secrets`, never in
a file or in the settings.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from desktop.secrets import SecretStore

KEYRING_SERVICE = "HopDesk remote signing"


class RemoteKind(enum.StrEnum):
    """The two API shapes the app speaks."""

    CSC = "csc"  # Cloud Signature Consortium API v1 (Viettel MySign)
    HASH_POLL = "hash-poll"  # submit the hash, poll the transaction (VNPT SmartCA, FPT CA)


@dataclass(frozen=True, slots=True)
class RemoteAccount:
    """A user's account at a remote signing service (from policy or settings).

    `approval_timeout` bounds the wait for the phone (the services expire a request after about
    5 minutes); `poll_interval` is the pause between status queries (integrations use 2-10 s);
    `request_timeout` bounds each HTTP call."""

    kind: RemoteKind
    service_url: str
    user: str
    credential_id: str | None = None
    approval_timeout: float = 300.0
    poll_interval: float = 3.0
    request_timeout: float = 30.0

    @classmethod
    def configured(
        cls,
        kind: str,
        service_url: str | None,
        user: str | None,
        credential_id: str | None = None,
        approval_timeout: float = 300.0,
    ) -> RemoteAccount | None:
        """The account the settings or the policy describe, or None when they set none (no
        kind, or no service URL)."""
        if not kind or not service_url:
            return None
        return cls(
            RemoteKind(kind),
            service_url,
            user or "",
            credential_id or None,
            approval_timeout=float(approval_timeout),
        )


class RemoteTokens:
    """OAuth tokens of remote signing services, one per (service, user), in the keyring.

    Synchronous like `SecretStore` (D-Bus, Win32): call it from a worker thread."""

    def __init__(self, store: SecretStore | None = None) -> None:
        # A keyring service of its own: these tokens never mix with the HopDesk sign-in.
        self._store = store or SecretStore(service=KEYRING_SERVICE)

    def save(self, account: RemoteAccount, token: str) -> None:
        """Store the token; raises `SecretsUnavailable` when there is no keyring."""
        self._store.save_refresh_token(account.service_url, account.user, token)

    def load(self, account: RemoteAccount) -> str | None:
        """The stored token, or None."""
        return self._store.load_refresh_token(account.service_url, account.user)

    def delete(self, account: RemoteAccount) -> None:
        """Forget the token (after the service refused it, or on sign-out)."""
        self._store.delete(account.service_url, account.user)
