"""The Cloud Signature Consortium API v1 (CSC v1.0.4.0), the shape of Viettel MySign, on
pyHanko's `CSCSigner`.

- `credentials/list` (§11.4) lists the user's credentials; `credentials/info` (§11.5) gives
  the certificate chain, the key's algorithms and SCAL;
- `credentials/authorize` (§11.6) gives the SAD: with SCAL 2 bound to the hashes about to be
  signed; this is where the service asks the user on the phone, so it may take minutes;
- `signatures/signHash` (§11.9) returns the raw signatures.

Viettel puts this under `{base}/vtss/service/ras`; pyHanko builds `{service_url}/csc/v1/...`.
"""

from __future__ import annotations

import asyncio
import logging

import aiohttp
from asn1crypto import algos
from pydantic import BaseModel, ValidationError
from pyhanko.sign.general import SigningError as PyHankoSigningError
from pyhanko.sign.signers import Signer
from pyhanko.sign.signers.csc_signer import (
    CSCAuthorizationInfo,
    CSCAuthorizationManager,
    CSCCredentialInfo,
    CSCServiceSessionInfo,
    CSCSigner,
    fetch_certs_in_csc_credential,
)

from desktop.signing.remote import http
from desktop.signing.remote.errors import (
    RemoteBadResponse,
    RemoteServiceUnavailable,
    RemoteSignExpired,
    RemoteSigningError,
)
from desktop.signing.remote.poll import Phase
from desktop.signing.remote.service import (
    DEFAULT_DESCRIPTION,
    Progress,
    RemoteSigner,
    RemoteSigningService,
    no_progress,
)

log = logging.getLogger(__name__)


class CredentialList(BaseModel):
    """The answer of `credentials/list` (§11.4); paging is not used by a user's few keys."""

    credentialIDs: list[str]


def _from_pyhanko(exc: PyHankoSigningError, url: str) -> RemoteSigningError:
    """pyHanko wraps aiohttp's failures in its own `SigningError`: type them by the cause."""
    cause = exc.__cause__
    if isinstance(cause, aiohttp.ClientError | TimeoutError | OSError):
        return http.typed_error(cause, url)
    return RemoteBadResponse(f"{url}: {exc}")


class PhoneAuthorization(CSCAuthorizationManager):
    """Gets the SAD from `credentials/authorize` (§11.6) for each batch of hashes.

    The service asks the user to approve (push notification, OTP), so the call may last up to
    the account's approval timeout."""

    def __init__(
        self,
        session_info: CSCServiceSessionInfo,
        credential_info: CSCCredentialInfo,
        http_session: aiohttp.ClientSession,
        timeout: float,
        description: str = DEFAULT_DESCRIPTION,
    ) -> None:
        super().__init__(session_info, credential_info)
        self.http_session = http_session
        self.timeout = timeout
        self.description = description

    async def authorize_signature(self, hash_b64s: list[str]) -> CSCAuthorizationInfo:
        pinned = hash_b64s if self.credential_info.hash_pinning_required else None
        body = self.format_csc_auth_request(
            num_signatures=len(hash_b64s), hash_b64s=pinned, description=self.description
        )
        url = self.csc_session_info.endpoint_url("credentials/authorize")
        try:
            raw = await http.post_json(
                self.http_session, url, body, self.auth_headers, self.timeout
            )
        except RemoteServiceUnavailable as exc:
            if isinstance(exc.__cause__, TimeoutError):  # nobody approved on the phone
                raise RemoteSignExpired(f"{url}: no answer in {self.timeout:.0f} s") from exc
            raise
        if not isinstance(raw, dict):
            raise RemoteBadResponse(f"{url}: not an object")
        try:
            return self.parse_csc_auth_response(raw)
        except PyHankoSigningError as exc:
            raise RemoteBadResponse(f"{url}: {exc}") from exc


class CscSigner(RemoteSigner, CSCSigner):
    """pyHanko's CSC signer with typed errors, an overall timeout and `cancel()`."""

    def __init__(
        self,
        auth_manager: PhoneAuthorization,
        sign_timeout: float,
        progress: Progress = no_progress,
    ) -> None:
        super().__init__(auth_manager.http_session, auth_manager, sign_timeout=int(sign_timeout))
        self.bind_home_loop()
        self.phone_authorization = auth_manager
        self.total_timeout = sign_timeout
        self.progress = progress

    def get_signature_mechanism_for_digest(
        self, digest_algorithm: str | None
    ) -> algos.SignedDigestAlgorithm:
        """The certificate's mechanism, if the credential lists it in `key/algo` (§11.5);
        else plain PKCS#1 v1.5 (rsaEncryption, 1.2.840.113549.1.1.1, the hash named by
        `hashAlgo`, §11.9) when that is all it lists, as Viettel MySign's samples do."""
        supported = self.auth_manager.credential_info.supported_mechanisms
        default = Signer.get_signature_mechanism_for_digest(self, digest_algorithm)
        name = default["algorithm"].native
        if name not in supported and name.endswith("_rsa") and "rsassa_pkcs1v15" in supported:
            return algos.SignedDigestAlgorithm({"algorithm": "rsassa_pkcs1v15"})
        try:
            return super().get_signature_mechanism_for_digest(digest_algorithm)
        except PyHankoSigningError as exc:
            raise RemoteSigningError(f"no usable signature algorithm: {exc}") from exc

    def describe(self, text: str) -> None:
        """The document goes in `credentials/authorize`'s `description` (§11.6), what the
        phone shows when it asks the user to approve; `signatures/signHash` has no such field."""
        super().describe(text)
        self.phone_authorization.description = self.description

    async def remote_sign(self, data: bytes, digest_algorithm: str) -> bytes:
        loop = asyncio.get_running_loop()
        started = loop.time()
        self.progress(0.0, Phase.WAITING)
        try:
            async with asyncio.timeout(self.total_timeout):
                signature = await CSCSigner.async_sign_raw(self, data, digest_algorithm)
            self.progress(loop.time() - started, Phase.DONE)
            return signature
        except TimeoutError as exc:
            raise RemoteSignExpired(f"no signature after {self.total_timeout:.0f} s") from exc
        except PyHankoSigningError as exc:
            raise RemoteBadResponse(str(exc)) from exc

    async def _do_commit(self, batch):  # type: ignore[no-untyped-def]
        # pyHanko logs a failed commit and reports only "no results": keep the typed cause.
        url = self.auth_manager.csc_session_info.endpoint_url("signatures/signHash")
        try:
            await super()._do_commit(batch)
        except PyHankoSigningError as exc:
            raise _from_pyhanko(exc, url) from exc


class CscService(RemoteSigningService):
    """A CSC v1 service for one account."""

    def session_info(self, credential_id: str) -> CSCServiceSessionInfo:
        return CSCServiceSessionInfo(
            service_url=self.account.service_url.rstrip("/"),
            credential_id=credential_id,
            oauth_token=self._token,
        )

    async def credentials(self) -> list[str]:
        url = self.session_info("").endpoint_url("credentials/list")
        raw = await http.post_json(
            self.session, url, {}, self.auth_headers, self.account.request_timeout
        )
        try:
            return CredentialList.model_validate(raw).credentialIDs
        except ValidationError as exc:
            raise RemoteBadResponse(f"{url}: {exc}") from exc

    async def credential_info(self, credential_id: str) -> CSCCredentialInfo:
        """`credentials/info` (§11.5): the certificate chain, algorithms, SCAL."""
        info = self.session_info(credential_id)
        url = info.endpoint_url("credentials/info")
        try:
            return await fetch_certs_in_csc_credential(
                self.session, info, timeout=int(self.account.request_timeout)
            )
        except PyHankoSigningError as exc:
            raise _from_pyhanko(exc, url) from exc
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise RemoteBadResponse(f"{url}: {exc!r}") from exc

    async def signer(
        self, credential_id: str | None = None, progress: Progress = no_progress
    ) -> CscSigner:
        chosen = await self.pick_credential(credential_id)
        credential = await self.credential_info(chosen)
        auth = PhoneAuthorization(
            self.session_info(chosen),
            credential,
            self.session,
            self.account.approval_timeout,
        )
        return CscSigner(auth, self.account.approval_timeout, progress)
