"""The signed-in session: tokens, the API client, silent sign-in and sign-out.

The access token lives in memory only; the refresh token lives in the OS keyring only, and only
when the user ticked "remember me". The server rotates the refresh token on every refresh, so
the keyring entry is replaced each time. Concurrent 401s share one refresh (a lock, and a
check that the token is still the stale one). A refresh the server refuses ends the session:
`signed_out` carries the reason, and the UI shows the sign-in dialog.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import msgspec
from PySide6.QtCore import QCoreApplication, QObject, Signal

from desktop.api import ApiClient, normalize_server_url
from desktop.config import Config
from desktop.domain import FailedSignIns, TokenPair, User
from desktop.errors import (
    ApiError,
    HopDeskError,
    MalformedResponse,
    NotAHopDeskServer,
    NotSignedIn,
    SecretsUnavailable,
    SessionExpired,
)
from desktop.secrets import SecretStore

if TYPE_CHECKING:
    from desktop.store import LocalStore

log = logging.getLogger(__name__)

ACCOUNT_KEY = "session.account"  # `account_record` of the remembered account (no secret)


class Session(QObject):
    """One user on one server at a time."""

    signed_in = Signal(object)  # User
    signed_out = Signal(str)  # translated reason ("" when the user chose to sign out)
    # Translated warning: someone typed wrong passwords for this account since its last sign-in.
    sign_in_warning = Signal(str)

    def __init__(
        self,
        config: Config,
        secrets: SecretStore,
        store: LocalStore | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.config = config
        self.secrets = secrets
        self.store = store
        self.user: User | None = None
        self.server_url: str | None = None
        self._api: ApiClient | None = None
        self._access: str | None = None
        self._refresh: str | None = None
        self._remember = False
        self._refresh_lock = asyncio.Lock()
        # Set by the app: settles the keyring in a worker thread (desktop/app.py `read_keyring`),
        # started by the first use of `secrets`, which waits for it. A start from the cache
        # shows its window first: the keyring's imports and D-Bus round trips compete with
        # nothing there.
        self.settle_keyring: Callable[[], Awaitable[None]] | None = None
        self._keyring: asyncio.Future[None] | None = None

    # --- public surface ------------------------------------------------------------------------
    @property
    def api(self) -> ApiClient:
        """The API client of the current session."""
        if self._api is None:
            raise NotSignedIn()
        return self._api

    @property
    def access_token(self) -> str | None:
        """The current access token (for `ApiClient`)."""
        return self._access

    @property
    def scope(self) -> str:
        """`user@server`: whose cached lists, outbox and event position these are."""
        if self.user is None or not self.server_url:
            raise NotSignedIn()
        return SecretStore.account(self.server_url, self.user.username)

    @property
    def remembered(self) -> bool:
        """Whether this session's refresh token is kept in the keyring."""
        return self._remember

    async def sign_in(self, server_url: str, username: str, password: str, remember: bool) -> User:
        """Sign in with a password; with `remember`, keep the refresh token in the keyring."""
        url = normalize_server_url(server_url)
        await self._drop_client()  # a new sign-in replaces whatever session there was
        self._access = self._refresh = None
        self.user, self.server_url, self._remember = None, None, False
        api = ApiClient(url, self.config.settings, self)
        try:
            body = await api.post_json(
                "/auth/login",
                {"username": username, "password": password, "device": _device_name()},
                auth=False,
            )
            pair = TokenPair.from_json(body)
        except ApiError as exc:
            await api.close()
            if exc.status in (404, 405):  # the address is not a HopDesk API
                raise NotAHopDeskServer(url, f"HTTP {exc.status}") from exc
            raise
        except BaseException:
            await api.close()
            raise
        self._api, self.server_url = api, url
        self._take(pair)
        await self._keyring_settled()
        self._remember = remember and self.secrets.available
        if self._remember:
            try:
                await asyncio.to_thread(
                    self.secrets.save_refresh_token, url, pair.user.username, pair.refresh_token
                )
                await self._store_set(ACCOUNT_KEY, account_record(url, pair.user))
            except SecretsUnavailable:
                log.warning("could not remember the sign-in", exc_info=True)
                self._remember = False
        else:
            await self._forget(url, pair.user.username)
        log.info("signed in as %s on %s (remember=%s)", pair.user.username, url, self._remember)
        if pair.failed_sign_ins_since_last is not None:
            self.sign_in_warning.emit(failed_sign_ins_text(pair.failed_sign_ins_since_last))
        self.signed_in.emit(pair.user)
        return pair.user

    async def resume(self) -> User | None:
        """Silent sign-in with the remembered refresh token; None when there is none.

        A refused token forgets the account and emits `signed_out` with the reason; a network
        failure raises (`ServerUnreachable`, `TlsError`) and keeps the token for next time.
        """
        account = self._remembered_account()
        await self._keyring_settled()
        if account is None or not self.secrets.available:
            return None
        server, username = str(account["server"]), str(account["username"])
        token = await asyncio.to_thread(self.secrets.load_refresh_token, server, username)
        if not token:
            return None
        await self._drop_client()
        self._api, self.server_url = ApiClient(server, self.config.settings, self), server
        self._access, self._refresh, self._remember, self.user = None, token, True, None
        try:
            await self.refresh_access(None)
        except SessionExpired:
            return None  # refresh_access has already emitted signed_out
        except HopDeskError:  # offline: keep the keyring entry for the next try
            await self._drop_client()
            self._refresh, self._remember, self.server_url = None, False, None
            raise
        assert self.user is not None
        self.signed_in.emit(self.user)
        return self.user

    async def resume_cached(self) -> User | None:
        """Silent sign-in without the server: the remembered user as the last session saw
        them, so the window opens at once with the cached lists while the first request
        reads the refresh token from the keyring and then fetches an access token
        (`refresh_access`). None when there is no remembered account or no profile kept with it
        (an older version's): `resume` then asks the server first.

        A token the keyring no longer has, or the server refuses, ends the session like any
        refused refresh (`signed_out`, then the sign-in dialog); offline, the window stays
        with the cache.
        """
        account = self._remembered_account()
        if account is None:
            return None
        server, username = str(account["server"]), str(account["username"])
        try:
            user = User.from_json(account.get("user"))
        except MalformedResponse:
            return None
        if user.username != username:
            return None
        await self._drop_client()
        self._api, self.server_url = ApiClient(server, self.config.settings, self), server
        self._access, self._refresh, self._remember, self.user = None, None, True, user
        log.info("resumed as %s on %s from the cache", username, server)
        self.signed_in.emit(user)
        return user

    def _remembered_account(self) -> dict[str, object] | None:
        """The remembered account, unless the machine's policy now names another server."""
        account = self._store_get(ACCOUNT_KEY)
        if not isinstance(account, dict):
            return None
        server = str(account.get("server", ""))
        if self.config.locked("server_url"):
            required = normalize_server_url(self.config.settings.server_url or server)
            if required != server:  # policy moved this computer to another server
                log.info("remembered server %s is not the policy's %s", server, required)
                return None
        return account

    async def sign_out(self) -> None:
        """Revoke the refresh token on the server, forget it locally, emit `signed_out("")`."""
        api, refresh = self._api, self._refresh
        if api is not None and not refresh and self._remember:  # resumed from the cache
            refresh = await self._keyring_token()
        if api is not None and refresh:
            try:
                await api.post_json("/auth/logout", {"refresh_token": refresh}, auth=False)
            except HopDeskError as exc:  # offline: the token still expires on the server
                log.warning("could not revoke the session on the server: %r", exc)
        await self._end("")

    async def close(self) -> None:
        """Release the connection pool (at quit; keeps the remembered sign-in)."""
        await self._drop_client()

    # --- token handling --------------------------------------------------------------------
    async def refresh_access(self, stale: str | None) -> str:
        """A fresh access token; concurrent callers share one refresh round trip."""
        async with self._refresh_lock:
            if self._access is not None and self._access != stale:
                return self._access  # someone refreshed while we waited
            api, refresh = self._api, self._refresh
            if api is not None and not refresh and self._remember:  # resumed from the cache
                refresh = self._refresh = await self._remembered_token()
            if api is None or not refresh:
                raise SessionExpired("no refresh token")
            try:
                body = await api.post_json("/auth/refresh", {"refresh_token": refresh}, auth=False)
            except ApiError as exc:
                if exc.status != 401:  # 429, 5xx...: the session may still be good later
                    raise
                log.warning("refresh refused: %r", exc)
                await self._end(
                    QCoreApplication.translate(
                        "session",
                        "Your session has ended (signed out elsewhere or expired). "
                        "Please sign in again.",
                    )
                )
                raise SessionExpired(exc.problem.slug) from exc
            pair = TokenPair.from_json(body)
            previous = self.user
            self._take(pair)
            if self._remember and self.server_url:
                try:
                    await asyncio.to_thread(
                        self.secrets.save_refresh_token,
                        self.server_url,
                        pair.user.username,
                        pair.refresh_token,
                    )
                except SecretsUnavailable:
                    log.warning("could not store the rotated refresh token", exc_info=True)
                if pair.user != previous:  # a first profile, a new title or role: kept for the
                    self._store_later(  # next start, written by the store's thread
                        ACCOUNT_KEY, account_record(self.server_url, pair.user)
                    )
            assert self._access is not None
            return self._access

    async def _remembered_token(self) -> str | None:
        """The refresh token of a session resumed from the cache, read from the keyring; the
        session ends (`signed_out`) when the keyring no longer has it."""
        token = await self._keyring_token()
        if not token:
            log.warning("the remembered sign-in is gone from the keyring")
            await self._end(
                QCoreApplication.translate(
                    "session", "Your saved sign-in is no longer available. Please sign in again."
                )
            )
        return token

    async def _keyring_token(self) -> str | None:
        """This session's refresh token as the keyring has it (None if it has none)."""
        await self._keyring_settled()
        server, user = self.server_url, self.user
        if not server or user is None or not self.secrets.available:
            return None
        return await asyncio.to_thread(self.secrets.load_refresh_token, server, user.username)

    async def _keyring_settled(self) -> None:
        """Settle the keyring backend (`settle_keyring`) the first time; later at once."""
        if self._keyring is None and self.settle_keyring is not None:
            self._keyring = asyncio.ensure_future(self.settle_keyring())
        ready = self._keyring
        if ready is not None and not ready.done():
            with contextlib.suppress(Exception):  # a keyring that failed says so when used
                await asyncio.shield(ready)

    def _take(self, pair: TokenPair) -> None:
        self._access, self._refresh, self.user = pair.access_token, pair.refresh_token, pair.user

    async def _end(self, reason: str) -> None:
        """Forget everything about the session and announce it."""
        url, user = self.server_url, self.user
        if url and user:
            await self._forget(url, user.username)
        elif url and self._remember:
            account = self._store_get(ACCOUNT_KEY)
            if isinstance(account, dict):
                await self._forget(url, str(account.get("username", "")))
        self._access = self._refresh = None
        self.user = None
        self._remember = False
        await self._drop_client()
        self.signed_out.emit(reason)

    async def _forget(self, server: str, username: str) -> None:
        await self._keyring_settled()
        await asyncio.to_thread(self.secrets.delete, server, username)
        account = self._store_get(ACCOUNT_KEY)
        if isinstance(account, dict) and account.get("server") == server:
            await self._store_set(ACCOUNT_KEY, None)

    async def _drop_client(self) -> None:
        api, self._api = self._api, None
        if api is not None:
            await api.close()

    def _store_get(self, key: str) -> object:
        return self.store.get(key) if self.store is not None else None

    def _store_later(self, key: str, value: object) -> None:
        if self.store is not None:
            self.store.set_later(key, value)

    async def _store_set(self, key: str, value: object) -> None:
        """Written by the store's writer thread (another process's lock is waited out there,
        not on the GUI thread); kept when this returns."""
        if self.store is not None:
            await self.store.run(functools.partial(self.store.set, key, value))


def account_record(server: str, user: User) -> dict[str, object]:
    """What is remembered of an account besides its token (which only the keyring holds): the
    server, the username and the user's profile, so a start shows the window without asking."""
    return {"server": server, "username": user.username, "user": msgspec.to_builtins(user)}


def failed_sign_ins_text(failed: FailedSignIns) -> str:
    """What to tell the owner after others (or they) typed wrong passwords for the account."""
    text = QCoreApplication.translate(
        "session",
        "Wrong passwords typed for your account since your last sign-in: %1; the last one at "
        "%2 from %3. If it was not you, tell your IT administrator.",
    )
    when = failed.last_at.astimezone().strftime("%H:%M %d/%m/%Y")
    address = failed.last_address or "?"
    return text.replace("%3", address).replace("%2", when).replace("%1", str(failed.count))


def _device_name() -> str:
    """A name for this computer in the server's session list."""
    import platform

    return f"HopDesk on {platform.node() or 'unknown'}"
