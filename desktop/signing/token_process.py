"""PKCS#11 tokens driven from a separate signing process.

Vendor drivers crash, and some exist only as 32-bit DLLs, so the app never loads one: a child
process (`serve`, started by `TokenClient`) loads the module, logs in and signs in one token
session, and answers small typed requests over a pipe. A crash there is an EOF on the pipe,
turned into `SigningProcessFailed` for the caller; the next request starts a fresh process.
The Windows packaging can ship a 32-bit build of the same child.

The child does the PKCS#11 work with pyHanko's own `PKCS11Signer` (mechanism selection, the
raw-RSA path for tokens without hash-and-sign mechanisms); the app side is `TokenSigner`, a
pyHanko `Signer` whose raw signature comes from the child, so `PdfSigner` and the batch treat it
like any other key. Only the PIN crosses the pipe, once, for the login; it is never retried.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING

from asn1crypto import x509
from pyhanko.sign.signers.pdf_cms import Signer
from pyhanko_certvalidator.registry import SimpleCertificateStore

if TYPE_CHECKING:
    from multiprocessing.process import BaseProcess

# -- the protocol ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ListTokens:
    module: str


@dataclass(frozen=True, slots=True)
class ListCertificates:
    """The certificates on the tokens present (public objects: no PIN needed)."""

    module: str


@dataclass(frozen=True, slots=True)
class Login:
    module: str
    token_label: str | None
    pin: str = field(repr=False)
    key_label: str | None = None
    use_raw_mechanism: bool = False


@dataclass(frozen=True, slots=True)
class SignRaw:
    data: bytes
    digest_algorithm: str


@dataclass(frozen=True, slots=True)
class Logout:
    pass


Request = ListTokens | ListCertificates | Login | SignRaw | Logout


@dataclass(frozen=True, slots=True)
class TokenInfo:
    label: str
    manufacturer: str
    model: str
    serial: str


@dataclass(frozen=True, slots=True)
class TokenCertificate:
    """A certificate on a token, and the labels to log in and pick its key with."""

    token_label: str
    label: str
    subject: str
    certificate: bytes = field(repr=False)


@dataclass(frozen=True, slots=True)
class LoggedIn:
    """The signing certificate and the others on the token (DER)."""

    certificate: bytes
    others: tuple[bytes, ...]


@dataclass(frozen=True, slots=True)
class Failure:
    """`kind`: wrong-pin, pin-locked, no-token, token-removed, no-module, not-logged-in, error.
    `tries`: low / final / locked / unknown, from the token's flags, for a wrong PIN."""

    kind: str
    detail: str = ""
    tries: str = "unknown"


Response = tuple[TokenInfo, ...] | tuple[TokenCertificate, ...] | LoggedIn | bytes | None | Failure


# -- the child -------------------------------------------------------------------------------


def _pin_tries(token: object) -> str:
    from pkcs11 import TokenFlag

    flags = getattr(token, "flags", 0)
    if flags & TokenFlag.USER_PIN_LOCKED:
        return "locked"
    if flags & TokenFlag.USER_PIN_FINAL_TRY:
        return "final"
    if flags & TokenFlag.USER_PIN_COUNT_LOW:
        return "low"
    return "unknown"


def _certificates(lib: object) -> tuple[TokenCertificate, ...]:
    """The signing certificates on the tokens present (not the CA certificates they carry),
    read in a session without login."""
    from pkcs11 import Attribute, ObjectClass, TokenFlag

    found = []
    for slot in lib.get_slots(token_present=True):  # type: ignore[attr-defined]
        token = slot.get_token()
        if not token.flags & TokenFlag.TOKEN_INITIALIZED:  # SoftHSM2's spare slot
            continue
        with token.open() as session:
            for obj in session.get_objects({Attribute.CLASS: ObjectClass.CERTIFICATE}):
                der = bytes(obj[Attribute.VALUE])
                cert = x509.Certificate.load(der)
                if cert.ca:  # the CA certificates a token carries for the chain
                    continue
                subject = cert.subject.human_friendly
                found.append(TokenCertificate(token.label, obj[Attribute.LABEL], subject, der))
    return tuple(found)


class _Child:
    """State of the signing process: one library, one session, one signer."""

    def __init__(self) -> None:
        self.session: object | None = None
        self.signer: Signer | None = None

    def handle(self, request: Request) -> Response:
        import pkcs11
        from pkcs11 import exceptions as p11

        try:
            if isinstance(request, ListTokens):
                lib = pkcs11.lib(request.module)
                return tuple(
                    TokenInfo(
                        t.label,
                        t.manufacturer_id,
                        t.model,
                        t.serial.decode(errors="replace")
                        if isinstance(t.serial, bytes)
                        else str(t.serial),
                    )
                    for t in (s.get_token() for s in lib.get_slots(token_present=True))
                )
            if isinstance(request, ListCertificates):
                return _certificates(pkcs11.lib(request.module))
            if isinstance(request, Login):
                return self._login(request)
            if isinstance(request, SignRaw):
                if self.signer is None:
                    return Failure("not-logged-in")
                return asyncio.run(
                    self.signer.async_sign_raw(request.data, request.digest_algorithm)
                )
            self._logout()
            return None
        except (
            p11.TokenNotPresent,
            p11.DeviceRemoved,
            p11.SessionHandleInvalid,
            p11.SessionClosed,
            p11.TokenNotRecognised,
            p11.ObjectHandleInvalid,  # the key vanished under an open session (SoftHSM2)
            p11.DeviceError,
        ) as exc:
            self._logout()
            return Failure("token-removed", repr(exc))
        except (OSError, RuntimeError, p11.PKCS11Error, ValueError) as exc:
            return Failure("error", repr(exc))

    def _login(self, request: Login) -> Response:
        import pkcs11
        from pkcs11 import exceptions as p11
        from pyhanko.sign.pkcs11 import PKCS11Signer

        self._logout()
        try:
            lib = pkcs11.lib(request.module)
        except (OSError, RuntimeError, p11.PKCS11Error) as exc:
            return Failure("no-module", repr(exc))
        try:
            token = lib.get_token(token_label=request.token_label)
        except (p11.NoSuchToken, p11.MultipleTokensReturned) as exc:
            return Failure("no-token", repr(exc))
        try:
            session = token.open(user_pin=request.pin)
        except p11.PinIncorrect as exc:
            return Failure(
                "wrong-pin", repr(exc), _pin_tries(lib.get_token(token_label=request.token_label))
            )
        except p11.PinLocked as exc:
            return Failure("pin-locked", repr(exc), "locked")
        signer = PKCS11Signer(
            session,
            key_label=request.key_label,
            cert_label=request.key_label,
            other_certs_to_pull=None,  # the whole chain the token carries, for the trust check
            use_raw_mechanism=request.use_raw_mechanism,
        )
        asyncio.run(signer.ensure_objects_loaded())
        cert = signer.signing_cert
        assert cert is not None
        others = tuple(c.dump() for c in signer.cert_registry if c.dump() != cert.dump())
        self.session, self.signer = session, signer
        return LoggedIn(cert.dump(), others)

    def _logout(self) -> None:
        session, self.session, self.signer = self.session, None, None
        if session is not None:
            # the token may be gone: nothing more to release then
            with contextlib.suppress(Exception):
                session.close()  # type: ignore[attr-defined]


def serve(conn: Connection) -> None:
    """The signing process: answer requests until the pipe closes."""
    child = _Child()
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            break
        conn.send(child.handle(request))
    child._logout()


# -- the app side ----------------------------------------------------------------------------


class TokenClient:
    """The app's handle on the signing process. Calls are async (the pipe is read in a worker
    thread) and serialised; a dead process raises `SigningProcessFailed` once, and the next
    call starts a new one (log in again then)."""

    def __init__(self, timeout: float = 120.0) -> None:
        self.timeout = timeout
        self._lock = threading.Lock()
        self._process: BaseProcess | None = None
        self._conn: Connection | None = None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def _start(self) -> Connection:
        context = multiprocessing.get_context("spawn")
        ours, theirs = context.Pipe()
        process = context.Process(target=serve, args=(theirs,), name="hopdesk-signing", daemon=True)
        process.start()
        theirs.close()
        self._process, self._conn = process, ours
        return ours

    def _call(self, request: Request) -> Response:
        from desktop.signing.errors import SigningProcessFailed

        with self._lock:
            conn = self._conn if self._conn is not None else self._start()
            try:
                conn.send(request)
                if not conn.poll(self.timeout):
                    self._stop()
                    raise SigningProcessFailed(f"no answer in {self.timeout} s")
                return conn.recv()
            except (EOFError, OSError, BrokenPipeError) as exc:
                code = self._process.exitcode if self._process is not None else None
                self._stop()
                raise SigningProcessFailed(f"signing process ended ({code}): {exc!r}") from exc

    async def call(self, request: Request) -> Response:
        response = await asyncio.to_thread(self._call, request)
        if isinstance(response, Failure):
            raise _error_for(response)
        return response

    async def list_tokens(self, module: str) -> tuple[TokenInfo, ...]:
        response = await self.call(ListTokens(module))
        assert isinstance(response, tuple)
        return tuple(t for t in response if isinstance(t, TokenInfo))

    async def list_certificates(self, module: str) -> tuple[TokenCertificate, ...]:
        """The certificates on the tokens present, to choose which key signs."""
        response = await self.call(ListCertificates(module))
        assert isinstance(response, tuple)
        return tuple(c for c in response if isinstance(c, TokenCertificate))

    async def login(
        self,
        module: str,
        token_label: str | None,
        pin: str,
        key_label: str | None = None,
        *,
        use_raw_mechanism: bool = False,
    ) -> TokenSigner:
        """Open the one token session the signatures share; a wrong PIN raises `WrongPin`
        with the tries left, and is not retried."""
        response = await self.call(Login(module, token_label, pin, key_label, use_raw_mechanism))
        assert isinstance(response, LoggedIn)
        return TokenSigner(
            self,
            x509.Certificate.load(response.certificate),
            [x509.Certificate.load(c) for c in response.others],
        )

    async def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        response = await self.call(SignRaw(data, digest_algorithm))
        assert isinstance(response, bytes)
        return response

    def _stop(self) -> None:
        conn, process = self._conn, self._process
        self._conn = self._process = None
        if conn is not None:
            conn.close()
        if process is not None:
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
                process.join(timeout=5)

    def close(self) -> None:
        """End the signing process (the session closes with it)."""
        with self._lock:
            self._stop()

    async def aclose(self) -> None:
        """`close` in a worker thread, for the loop's callers: the child logs out of the token
        and unloads its driver before it exits (~1 s seen on the GUI thread, issue 11), and a
        call under way holds the lock until it ends."""
        await asyncio.to_thread(self.close)


def _error_for(failure: Failure) -> Exception:
    from desktop.signing import errors

    if failure.kind == "wrong-pin":
        if failure.tries == "locked":
            return errors.PinLocked(failure.detail)
        return errors.WrongPin(errors.PinTries(failure.tries), failure.detail)
    if failure.kind == "pin-locked":
        return errors.PinLocked(failure.detail)
    if failure.kind in ("no-token", "token-removed", "no-module", "not-logged-in"):
        return errors.TokenUnavailable(f"{failure.kind}: {failure.detail}")
    return errors.SigningError(failure.detail)


class TokenSigner(Signer):
    """A pyHanko `Signer` whose key is on the token behind `TokenClient`."""

    def __init__(
        self,
        client: TokenClient,
        certificate: x509.Certificate,
        others: Iterable[x509.Certificate],
    ) -> None:
        super().__init__(
            signing_cert=certificate, cert_registry=SimpleCertificateStore.from_certs(others)
        )
        self.client = client
        self._size = certificate.public_key.byte_size

    async def async_sign_raw(
        self, data: bytes, digest_algorithm: str, dry_run: bool = False
    ) -> bytes:
        if dry_run:
            return bytes(self._size * 2 if self._size < 100 else self._size)
        return await self.client.sign_raw(data, digest_algorithm)
