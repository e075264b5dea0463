"""The typed async client of the office API (contract.md) on aiohttp.

One `aiohttp.ClientSession` per signed-in session. aiohttp itself is imported on first use, in a
worker thread (`load_aiohttp`): its import (about 110 ms, two TLS contexts reading every system
root among it) is the largest piece of a start-up whose first window shows the cached lists and
needs no network. TLS is verified unless the settings say
otherwise; a CA bundle from the settings is trusted in addition to the system roots. Failures
become typed errors (`desktop.errors`) with the URL and the cause; problem documents become
`ApiError` subclasses. A 401 on an authenticated call asks the token provider for a fresh access
token once (the provider makes concurrent refreshes share one round trip) and retries.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import importlib
import json
import logging
import ssl
import threading
import uuid
from collections.abc import AsyncGenerator, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlsplit

from desktop.config import Settings
from desktop.errors import (
    ApiError,
    InvalidCredentials,
    InvalidServerUrl,
    NotAHopDeskServer,
    Problem,
    ServerUnreachable,
    SessionExpired,
    TlsError,
    TooManyAttempts,
)

if TYPE_CHECKING:
    import aiohttp

__all__ = ["ApiClient", "Problem", "Response", "TokenProvider", "normalize_server_url"]

log = logging.getLogger(__name__)

API_PREFIX = "/api/v1"
STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
RETRY_WITH_REFRESH = frozenset({"token-expired", "unauthorized"})
# Seconds of silence on the event stream after which the client pings the server (and gives up
# half as long again later): a server that vanished (a pulled cable) is noticed within a minute.
# aiohttp restarts this timer on every frame received, and the server pings each stream every
# 30 s (server/cli.py WS_PING_INTERVAL), so while the server is alive the client never pings:
# one ping per stream per interval instead of two, which is most of an office server's idle CPU.
EVENT_STREAM_HEARTBEAT = 40.0
# A pooled connection is dropped by the client after this many idle seconds, before the server
# (uvicorn closes idle keep-alive connections after 5 s) would close it under a request in flight.
POOL_IDLE_SECONDS = 4.0

_aiohttp: concurrent.futures.Future[ModuleType] | None = None
_aiohttp_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Seconds a request may take in all, to connect, and between two reads (aiohttp's
    `ClientTimeout`, which cannot be built before aiohttp is imported)."""

    total: float | None = 30
    connect: float | None = 10
    sock_read: float | None = 25


DEFAULT_TIMEOUT = Timeouts()


def start_loading_aiohttp() -> concurrent.futures.Future[ModuleType]:
    """Start importing aiohttp in a worker thread (once per process); its future."""
    global _aiohttp
    with _aiohttp_lock:
        if _aiohttp is None:
            loading: concurrent.futures.Future[ModuleType] = concurrent.futures.Future()

            def load() -> None:
                try:
                    loading.set_result(importlib.import_module("aiohttp"))
                except BaseException as exc:  # told to every request that waits for it
                    loading.set_exception(exc)

            threading.Thread(target=load, name="hopdesk-import-aiohttp", daemon=True).start()
            _aiohttp = loading
        return _aiohttp


async def load_aiohttp() -> ModuleType:
    """aiohttp, imported in a worker thread the first time: the loop turns meanwhile."""
    loading = start_loading_aiohttp()
    return loading.result() if loading.done() else await asyncio.wrap_future(loading)


def loaded_aiohttp() -> ModuleType | None:
    """aiohttp if its import has finished, else None (then no error can be one of its)."""
    loading = _aiohttp
    return loading.result() if loading is not None and loading.done() else None


class TokenProvider(Protocol):
    """Who holds the tokens (the `Session`)."""

    @property
    def access_token(self) -> str | None:
        """The current access token."""

    async def refresh_access(self, stale: str | None) -> str:
        """A fresh access token replacing `stale` (raises `SessionExpired`)."""


@dataclass(frozen=True, slots=True)
class Response:
    """A successful answer: status, headers and the decoded JSON body (None when empty)."""

    status: int
    headers: Mapping[str, str]
    body: object


def normalize_server_url(url: str) -> str:
    """`server.gov.vn` → `https://server.gov.vn`; no trailing slash, no `/api/v1`."""
    text = url.strip()
    if not text:
        raise InvalidServerUrl(url)
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidServerUrl(url)
    try:
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        raise InvalidServerUrl(url) from None
    text = text.rstrip("/")
    if text.endswith(API_PREFIX):
        text = text[: -len(API_PREFIX)]
    return text


def ssl_context(settings: Settings) -> ssl.SSLContext | bool:
    """The TLS policy: system roots (+ the configured bundle), or no checks if turned off.

    System roots alone are `True`: aiohttp's own verifying context, which it built when it was
    imported. Building another one reads every system root again (40-140 ms of the GUI thread
    at the first request of a start-up)."""
    if not settings.verify_tls:
        return False
    if not settings.ca_bundle:
        return True
    context = ssl.create_default_context()
    context.load_verify_locations(cafile=settings.ca_bundle)
    return context


def describe(exc: BaseException) -> str:
    """A short technical cause for a connection failure (no traceback)."""
    aiohttp = loaded_aiohttp()
    if aiohttp is not None and isinstance(exc, aiohttp.ClientConnectorCertificateError):
        cert_error = exc.certificate_error
        return str(getattr(cert_error, "verify_message", "") or cert_error)
    if aiohttp is not None and isinstance(exc, aiohttp.ClientConnectorError):
        os_error = exc.os_error
        return str(os_error.strerror or os_error) if os_error else str(exc)
    if isinstance(exc, TimeoutError | asyncio.TimeoutError):
        return "timed out"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return str(exc.verify_message or exc.reason)
    return str(exc) or type(exc).__name__


def connection_error(url: str, exc: BaseException) -> ServerUnreachable | TlsError:
    """The typed error for a failed connection."""
    aiohttp = loaded_aiohttp()
    if isinstance(exc, ssl.SSLError) or (
        aiohttp is not None
        and isinstance(exc, aiohttp.ClientConnectorCertificateError | aiohttp.ClientSSLError)
    ):
        return TlsError(url, describe(exc))
    return ServerUnreachable(url, describe(exc))


def problem_error(problem: Problem, headers: Mapping[str, str]) -> ApiError:
    """The most specific `ApiError` for a problem document."""
    if problem.slug == "invalid-credentials":
        return InvalidCredentials(problem)
    if problem.status == 429:
        retry = problem.extensions.get("retry_after", headers.get("Retry-After", "60"))
        try:
            seconds = int(float(str(retry)))
        except ValueError:
            seconds = 60
        return TooManyAttempts(problem, seconds)
    return ApiError(problem)


class ApiClient:
    """Calls `/api/v1/...` of one server; paths are given without the prefix."""

    def __init__(
        self,
        base_url: str,
        settings: Settings | None = None,
        token_provider: TokenProvider | None = None,
        timeout: Timeouts = DEFAULT_TIMEOUT,
    ) -> None:
        self.base_url = normalize_server_url(base_url)
        self.settings = settings or Settings()
        self.tokens = token_provider
        self.timeout = timeout
        self._http: aiohttp.ClientSession | None = None
        self._ssl: ssl.SSLContext | bool | None = None

    def url(self, path: str) -> str:
        """The absolute URL of an API path."""
        return f"{self.base_url}{API_PREFIX}{path}"

    def ws_url(self, path: str) -> str:
        """The WebSocket URL of an API path (ws:// or wss:// like the server URL)."""
        url = self.url(path)
        return "ws" + url[4:] if url.startswith("http") else url

    async def http(self) -> aiohttp.ClientSession:
        """The aiohttp session (made on first use, inside the running loop)."""
        if self._http is None or self._http.closed:
            aiohttp = await load_aiohttp()
            connector = aiohttp.TCPConnector(keepalive_timeout=POOL_IDLE_SECONDS)
            timeout = aiohttp.ClientTimeout(
                total=self.timeout.total,
                connect=self.timeout.connect,
                sock_read=self.timeout.sock_read,
            )
            self._http = aiohttp.ClientSession(timeout=timeout, connector=connector)
        return self._http

    @property
    def tls(self) -> ssl.SSLContext | bool:
        """The TLS setting passed to every request."""
        if self._ssl is None:
            try:
                self._ssl = ssl_context(self.settings)
            except (OSError, ssl.SSLError) as exc:
                raise TlsError(
                    self.base_url, f"CA bundle {self.settings.ca_bundle}: {exc}"
                ) from exc
        return self._ssl

    async def close(self) -> None:
        """Close the connection pool."""
        if self._http is not None:
            await self._http.close()
            self._http = None

    # --- requests ----------------------------------------------------------------------------
    async def request(
        self,
        method: str,
        path: str,
        *,
        json_body: object = None,
        params: Mapping[str, str | int] | None = None,
        idempotency_key: str | None = None,
        auth: bool = True,
        data: bytes | None = None,
    ) -> Response:
        """Send one request; 401 → refresh once and retry; errors → typed exceptions. `data`
        is a raw body (a PDF for `POST /files`) sent instead of `json_body`."""
        method = method.upper()
        if idempotency_key is None and method in STATE_CHANGING and not path.startswith("/auth/"):
            idempotency_key = str(uuid.uuid4())
        token = await self._token() if auth else None
        status, headers, body = await self._send(
            method, path, json_body, params, idempotency_key, token, data
        )
        if status == 401 and auth and self.tokens is not None:
            problem = Problem.from_json(status, body)
            if problem.slug in RETRY_WITH_REFRESH:
                token = await self.tokens.refresh_access(token)
                status, headers, body = await self._send(
                    method, path, json_body, params, idempotency_key, token, data
                )
                if status == 401:
                    raise SessionExpired(Problem.from_json(status, body).slug)
        if status >= 400:
            raise problem_error(Problem.from_json(status, body), headers)
        return Response(status, headers, body)

    async def _token(self) -> str | None:
        """The access token to send; a session resumed from the cache has none yet and gets
        its first here, instead of from a 401 first."""
        if self.tokens is None:
            return None
        token = self.tokens.access_token
        return token if token is not None else await self.tokens.refresh_access(None)

    async def _send(
        self,
        method: str,
        path: str,
        json_body: object,
        params: Mapping[str, str | int] | None,
        idempotency_key: str | None,
        token: str | None,
        data: bytes | None = None,
    ) -> tuple[int, Mapping[str, str], object]:
        headers = {"Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/pdf"
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        url = self.url(path)
        aiohttp = await load_aiohttp()
        try:
            try:
                return await self._exchange(method, url, json_body, data, params, headers)
            except aiohttp.ServerDisconnectedError as exc:
                # The server closed an idle pooled connection just as this request went out on
                # it: nothing was answered. Sending once more on a new connection is safe: reads
                # are idempotent and every state-changing request carries its idempotency key,
                # which the server applies once.
                log.info("%s %s: connection dropped (%r), sending again", method, url, exc)
                return await self._exchange(method, url, json_body, data, params, headers)
        except aiohttp.ClientResponseError as exc:
            raise ServerUnreachable(self.base_url, describe(exc)) from exc
        except (aiohttp.ClientError, TimeoutError, ssl.SSLError, OSError) as exc:
            log.info("%s %s failed: %r", method, url, exc)
            raise connection_error(self.base_url, exc) from exc

    async def _exchange(
        self,
        method: str,
        url: str,
        json_body: object,
        data: bytes | None,
        params: Mapping[str, str | int] | None,
        headers: Mapping[str, str],
    ) -> tuple[int, Mapping[str, str], object]:
        http = await self.http()
        async with http.request(
            method,
            url,
            json=json_body if data is None else None,
            data=data,
            params=params,
            headers=headers,
            ssl=self.tls,
            proxy=self.settings.proxy or None,
        ) as resp:
            raw = await resp.read()
            return resp.status, dict(resp.headers), self._decode(resp, raw)

    def _decode(self, resp: aiohttp.ClientResponse, raw: bytes) -> object:
        if not raw or resp.status == 204:
            return None
        kind = resp.content_type
        if kind not in ("application/json", "application/problem+json"):
            raise NotAHopDeskServer(self.base_url, f"HTTP {resp.status}, {kind}")
        try:
            return json.loads(raw)
        except ValueError as exc:
            raise NotAHopDeskServer(self.base_url, f"invalid JSON: {exc}") from exc

    async def get_json(self, path: str, params: Mapping[str, str | int] | None = None) -> object:
        """GET and decode JSON."""
        return (await self.request("GET", path, params=params)).body

    async def post_json(
        self,
        path: str,
        body: object = None,
        *,
        idempotency_key: str | None = None,
        auth: bool = True,
    ) -> object:
        """POST JSON (an Idempotency-Key is always sent outside /auth/)."""
        response = await self.request(
            "POST", path, json_body=body, idempotency_key=idempotency_key, auth=auth
        )
        return response.body

    async def get_bytes(self, path: str) -> bytes:
        """GET a small file's bytes at once (large ones: `stream`)."""
        async with contextlib.aclosing(self.stream(path)) as chunks:
            return b"".join([chunk async for chunk in chunks])

    async def stream(self, path: str, chunk_size: int = 1 << 16) -> AsyncGenerator[bytes, None]:
        """GET a body chunk by chunk (papers, document versions): never whole in memory.

        Wrap in `contextlib.aclosing` to release the connection when stopping early. Only the
        connect and the gaps between chunks are timed, not the whole download (a large file on
        a slow line may take minutes). An error page or 401 is handled before the first chunk.
        """
        token = await self._token()
        aiohttp = await load_aiohttp()
        http = await self.http()
        timeout = aiohttp.ClientTimeout(
            total=None, connect=self.timeout.connect, sock_read=self.timeout.sock_read
        )
        for attempt in range(2):
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            try:
                async with http.get(
                    self.url(path),
                    headers=headers,
                    ssl=self.tls,
                    proxy=self.settings.proxy or None,
                    timeout=timeout,
                ) as resp:
                    if resp.status == 401 and attempt == 0 and self.tokens is not None:
                        token = await self.tokens.refresh_access(token)
                        continue
                    if resp.status >= 400:
                        body = self._decode(resp, await resp.read())
                        raise problem_error(Problem.from_json(resp.status, body), resp.headers)
                    async for chunk in resp.content.iter_chunked(chunk_size):
                        yield chunk
                    return
            except (aiohttp.ClientError, TimeoutError, ssl.SSLError, OSError) as exc:
                raise connection_error(self.base_url, exc) from exc
        raise SessionExpired("unauthorized")

    async def ws_connect(
        self, path: str, params: Mapping[str, str | int] | None = None
    ) -> aiohttp.ClientWebSocketResponse:
        """Open a WebSocket with the current access token (the event stream)."""
        token = await self._token()
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        aiohttp = await load_aiohttp()
        http = await self.http()
        try:
            return await http.ws_connect(
                self.ws_url(path),
                params=params,
                headers=headers,
                ssl=self.tls,
                proxy=self.settings.proxy or None,
                heartbeat=EVENT_STREAM_HEARTBEAT,
            )
        except aiohttp.WSServerHandshakeError as exc:
            raise ServerUnreachable(self.base_url, f"WebSocket refused: HTTP {exc.status}") from exc
        except (aiohttp.ClientError, TimeoutError, ssl.SSLError, OSError) as exc:
            raise connection_error(self.base_url, exc) from exc
