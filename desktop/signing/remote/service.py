"""The one interface of remote signing: a service that lists the user's credentials and gives
a pyHanko `Signer` for one of them, which the signing flow uses like a token.

Each adapter (`csc.CscService`, `hash_poll.HashPollService`) owns its aiohttp session and
closes it in `aclose`; a signer's `cancel()` stops the wait for the phone at once.
"""

from __future__ import annotations

import abc
import asyncio
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import TypeVar

import aiohttp
from cryptography.exceptions import InvalidSignature
from pyhanko.sign.signers import Signer
from pyhanko_certvalidator.sig_validate import (
    DefaultSignatureValidator,
    SignatureValidationContext,
)

from desktop.signing.remote.account import RemoteAccount
from desktop.signing.remote.errors import (
    RemoteBadResponse,
    RemoteCredentialMissing,
    RemoteSignCancelled,
)
from desktop.signing.remote.poll import Phase

T = TypeVar("T")
Progress = Callable[[float, Phase], None]
"""Called with (seconds since the request was sent, where it stands)."""


def no_progress(_elapsed: float, _phase: Phase) -> None:
    """The default progress callback."""


def check_raw_signature(
    signer: Signer, data: bytes, signature: bytes, digest_algorithm: str
) -> bytes:
    """`signature` if it verifies over `data` with the signer's certificate, else
    `RemoteBadResponse`: a service's garbage never ends up in a PDF as a broken signature."""
    assert signer.signing_cert is not None
    mechanism = signer.get_signature_mechanism_for_digest(digest_algorithm)
    try:
        DefaultSignatureValidator().validate_signature(
            signature,
            data,
            signer.signing_cert.public_key,
            mechanism,
            # plain rsaEncryption names no hash: the one signed with is the context's
            SignatureValidationContext(contextual_md_algorithm=digest_algorithm),
        )
    except (InvalidSignature, ValueError, TypeError) as exc:
        raise RemoteBadResponse(f"the signature does not verify: {exc!r}") from exc
    return signature


class Cancellation:
    """Lets the user stop a signer's wait: `run` races work against `cancel()`.

    `cancel()` may come from another thread than the one running the wait (the GUI's, while
    the signature is made on a worker loop): the event is then set on the waiting loop."""

    def __init__(self) -> None:
        self._event = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None

    def cancel(self) -> None:
        """Stop the current and every later `run` with `RemoteSignCancelled`."""
        loop = self._loop
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if loop is not None and loop is not running and not loop.is_closed():
            loop.call_soon_threadsafe(self._event.set)
        else:
            self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    async def run(self, work: Awaitable[T]) -> T:
        """`work`'s result, or `RemoteSignCancelled` as soon as `cancel()` is called."""
        self._loop = asyncio.get_running_loop()
        if self._event.is_set():
            if asyncio.iscoroutine(work):
                work.close()
            raise RemoteSignCancelled("cancelled by the user")
        task = asyncio.ensure_future(work)
        stop = asyncio.ensure_future(self._event.wait())
        try:
            await asyncio.wait({task, stop}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for pending in (task, stop):
                if not pending.done():
                    pending.cancel()
            await asyncio.gather(task, stop, return_exceptions=True)
        if task.done() and not task.cancelled():
            return task.result()
        raise RemoteSignCancelled("cancelled by the user")


# Room for the raw signature while pyHanko sizes the signature container (RSA-4096 = 512 B).
RAW_SIGNATURE_ESTIMATE = 512

DEFAULT_DESCRIPTION = "HopDesk"
# CSC v1.0.4.0 §11.6 bounds `description` to 500 characters; the phone shows a line or two.
MAX_DESCRIPTION = 500


def description_for(text: str) -> str:
    """What the phone shows for one signing request: `text` (a document's trích yếu) on one
    line, cut to what the services accept; HopDesk when there is nothing to say."""
    line = " ".join(text.split())
    if len(line) > MAX_DESCRIPTION:
        line = line[: MAX_DESCRIPTION - 1] + "…"
    return line or DEFAULT_DESCRIPTION


class RemoteSigner(Signer):
    """What both adapters' pyHanko signers share: `cancel()` stops the wait for the phone at
    once, and the service's raw signature is checked before it goes into the PDF."""

    _cancellation: Cancellation | None = None
    description: str = DEFAULT_DESCRIPTION
    """What the phone shows with the next request: in a batch, the document being signed (a
    leader approving ten requests on the phone must see which is which)."""
    home_loop: asyncio.AbstractEventLoop | None = None
    """The loop the signer was made on, whose aiohttp session it uses: pyHanko may run the
    signature on a worker loop (`desktop.signing.worker`), and the calls to the service are
    then made back on this one."""

    def bind_home_loop(self) -> None:
        """Remember the running loop (if any) as the one the service is called from."""
        try:
            self.home_loop = asyncio.get_running_loop()
        except RuntimeError:
            self.home_loop = None

    def describe(self, text: str) -> None:
        """Name the document the next requests sign (see `description_for`)."""
        self.description = description_for(text)

    @property
    def cancellation(self) -> Cancellation:
        if self._cancellation is None:
            self._cancellation = Cancellation()
        return self._cancellation

    def cancel(self) -> None:
        """Stop waiting for the service; the pending `async_sign_raw` raises at once."""
        self.cancellation.cancel()

    @abc.abstractmethod
    async def remote_sign(self, data: bytes, digest_algorithm: str) -> bytes:
        """The raw signature over `data` from the service (after the user approved)."""

    async def async_sign_raw(
        self, data: bytes, digest_algorithm: str, dry_run: bool = False
    ) -> bytes:
        if dry_run:
            return bytes(RAW_SIGNATURE_ESTIMATE)
        work = self.cancellation.run(self.remote_sign(data, digest_algorithm))
        home = self.home_loop
        if home is not None and home is not asyncio.get_running_loop() and home.is_running():
            signature = await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(work, home))
        else:
            signature = await work
        return check_raw_signature(self, data, signature, digest_algorithm)


class RemoteSigningService(abc.ABC):
    """A remote signing service for one account, holding the OAuth token in memory only."""

    def __init__(
        self, account: RemoteAccount, token: str, session: aiohttp.ClientSession | None = None
    ) -> None:
        self.account = account
        self._token = token
        self._session = session
        self._owns_session = session is None

    @property
    def session(self) -> aiohttp.ClientSession:
        """The HTTP session (made on first use, inside the running loop)."""
        if self._session is None:
            self._session = aiohttp.ClientSession()
        return self._session

    @property
    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._token}"}

    async def aclose(self) -> None:
        """Close the session this service made."""
        if self._owns_session and self._session is not None:
            await self._session.close()
            self._session = None

    async def __aenter__(self) -> RemoteSigningService:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    @abc.abstractmethod
    async def credentials(self) -> list[str]:
        """The ids of the user's signing credentials at the service."""

    @abc.abstractmethod
    async def signer(
        self, credential_id: str | None = None, progress: Progress = no_progress
    ) -> RemoteSigner:
        """A pyHanko signer for `credential_id` (by default the account's, else the first one
        the service lists), with its certificate and chain fetched; `progress` hears how
        the wait for the phone goes."""

    async def pick_credential(self, credential_id: str | None) -> str:
        """The credential to sign with: the one asked for, the account's, or the first listed."""
        chosen = credential_id or self.account.credential_id
        if chosen:
            return chosen
        listed = await self.credentials()
        if not listed:
            raise RemoteCredentialMissing(f"no credential for {self.account.user}")
        return listed[0]
