"""Open the remote signing service of an account, with its token from the keyring."""

from __future__ import annotations

import asyncio

import aiohttp

from desktop.signing.remote.account import RemoteAccount, RemoteKind, RemoteTokens
from desktop.signing.remote.csc import CscService
from desktop.signing.remote.errors import RemoteNotSignedIn
from desktop.signing.remote.hash_poll import HashPollService
from desktop.signing.remote.service import RemoteSigningService


async def open_service(
    account: RemoteAccount,
    tokens: RemoteTokens,
    session: aiohttp.ClientSession | None = None,
) -> RemoteSigningService:
    """The adapter for `account.kind`; `RemoteNotSignedIn` when the keyring has no token.

    The keyring is read in a worker thread (D-Bus and Win32 calls block)."""
    token = await asyncio.to_thread(tokens.load, account)
    if not token:
        raise RemoteNotSignedIn(f"no token for {account.user} at {account.service_url}")
    if account.kind is RemoteKind.CSC:
        return CscService(account, token, session)
    return HashPollService(account, token, session)
