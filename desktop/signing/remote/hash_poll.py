"""Submit the hash, then poll: the shape of VNPT SmartCA v1.1 ("CSC-styled", 2024) and FPT CA.

Calls (POST, JSON, Bearer token from the vendor's `/auth/token`), relative to the service URL:

- `csc/credentials/list` {} → `content`: [credential ids]
- `csc/credentials/info` {credentialId, certificates: "chain"} →
  `content.cert.certificates`: [base64 DER, the signer's first]
- `csc/signature/signhash` {credentialId, refTranId, description, datas: [{name, hash,
  hashAlgo}]} → `content.tranId`; the user gets a push notification on the phone
- `csc/credentials/gettraninfo` {tranId} → `content.tranStatus` (see `poll.TranStatus`) and,
  once approved, `content.documents[0].sig`: the raw signature (PKCS#1 v1.5) over the hash

Every answer is `{code, message, content}` with code 0 for success. The shapes come from
integrators' code, not a vendor manual (research/signing.md §2), so every field is checked
and anything else is a `RemoteBadResponse`.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
import uuid
from typing import Generic, TypeVar

from asn1crypto import algos, x509
from pydantic import BaseModel, ValidationError
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from desktop.signing.remote import http
from desktop.signing.remote.errors import (
    RemoteBadResponse,
    RemoteCredentialMissing,
    RemoteServiceUnavailable,
    RemoteSignExpired,
    RemoteSigningError,
    RemoteSignRejected,
)
from desktop.signing.remote.poll import Phase, phase
from desktop.signing.remote.service import (
    Progress,
    RemoteSigner,
    RemoteSigningService,
    no_progress,
)

log = logging.getLogger(__name__)
C = TypeVar("C")

MAX_POLL_FAILURES = 3  # status queries in a row that may fail before the wait gives up


class Reply(BaseModel, Generic[C]):
    """The envelope of every answer."""

    code: int
    message: str = ""
    content: C | None = None


class CertChain(BaseModel):
    certificates: list[str]


class CredentialInfo(BaseModel):
    cert: CertChain


class Submitted(BaseModel):
    tranId: str


class SignedDocument(BaseModel):
    sig: str | None = None


class TranInfo(BaseModel):
    tranId: str | None = None
    tranStatus: int
    documents: list[SignedDocument] = []


def _content(raw: object, model: type[C], what: str) -> C:
    """The checked `content` of a successful answer to `what`."""
    try:
        reply = Reply[model].model_validate(raw)  # type: ignore[valid-type]
    except ValidationError as exc:
        raise RemoteBadResponse(f"{what}: {exc}") from exc
    if reply.code != 0:
        raise RemoteSigningError(f"{what}: code {reply.code} {reply.message!r}")
    if reply.content is None:
        raise RemoteBadResponse(f"{what}: no content")
    return reply.content


def _b64(text: str, what: str) -> bytes:
    try:
        decoded = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise RemoteBadResponse(f"{what}: not base64") from exc
    if not decoded:
        raise RemoteBadResponse(f"{what}: empty")
    return decoded


class HashPollService(RemoteSigningService):
    """A hash-then-poll signing service for one account."""

    async def call(self, endpoint: str, body: dict[str, object]) -> object:
        url = f"{self.account.service_url.rstrip('/')}/csc/{endpoint}"
        return await http.post_json(
            self.session, url, body, self.auth_headers, self.account.request_timeout
        )

    async def credentials(self) -> list[str]:
        return _content(await self.call("credentials/list", {}), list[str], "credentials/list")

    async def certificates(self, credential_id: str) -> list[x509.Certificate]:
        """The credential's certificate first, then its chain."""
        body: dict[str, object] = {"credentialId": credential_id, "certificates": "chain"}
        info = _content(
            await self.call("credentials/info", body), CredentialInfo, "credentials/info"
        )
        try:
            certs = [x509.Certificate.load(_b64(c, "certificate")) for c in info.cert.certificates]
            for cert in certs:
                cert.native  # noqa: B018 (parse now: asn1crypto is lazy)
        except ValueError as exc:
            raise RemoteBadResponse(f"credentials/info: bad certificate: {exc}") from exc
        if not certs:
            raise RemoteCredentialMissing(f"no certificate in credential {credential_id}")
        return certs

    async def signer(
        self, credential_id: str | None = None, progress: Progress = no_progress
    ) -> HashPollSigner:
        chosen = await self.pick_credential(credential_id)
        return HashPollSigner(self, chosen, await self.certificates(chosen), progress)


class HashPollSigner(RemoteSigner):
    """A pyHanko signer whose raw signature comes from the phone: `async_sign_raw` submits the
    hash of the signed attributes and polls until approved, rejected or expired."""

    def __init__(
        self,
        service: HashPollService,
        credential_id: str,
        certificates: list[x509.Certificate],
        progress: Progress = no_progress,
    ) -> None:
        registry = SimpleCertificateStore()
        registry.register_multiple(certificates)
        super().__init__(signing_cert=certificates[0], cert_registry=registry)
        self.bind_home_loop()
        self.service = service
        self.credential_id = credential_id
        self.progress = progress

    async def remote_sign(self, data: bytes, digest_algorithm: str) -> bytes:
        digest = _digest(data, digest_algorithm)
        body: dict[str, object] = {
            "credentialId": self.credential_id,
            "refTranId": str(uuid.uuid4()),
            "description": self.description,
            "datas": [
                {
                    "name": self.description,
                    "hash": base64.b64encode(digest).decode("ascii"),
                    "hashAlgo": algos.DigestAlgorithmId(digest_algorithm).dotted,
                }
            ],
        }
        submitted = _content(
            await self.service.call("signature/signhash", body), Submitted, "signhash"
        )
        log.info("remote signing request %s sent; waiting for the phone", submitted.tranId)
        return await self._wait(submitted.tranId)

    async def _status(self, tran_id: str, failures: int) -> TranInfo | None:
        """The transaction's status, or None after a passing outage (mobile networks drop
        calls; the request is still pending at the service). `MAX_POLL_FAILURES` outages in
        a row end the wait with `RemoteServiceUnavailable`."""
        try:
            raw = await self.service.call("credentials/gettraninfo", {"tranId": tran_id})
        except RemoteServiceUnavailable:
            if failures + 1 >= MAX_POLL_FAILURES:
                raise
            return None
        return _content(raw, TranInfo, "gettraninfo")

    async def _wait(self, tran_id: str) -> bytes:
        loop = asyncio.get_running_loop()
        started = loop.time()
        account = self.service.account
        failures = 0
        while True:
            info = await self._status(tran_id, failures)
            if info is None:
                failures += 1
                await asyncio.sleep(account.poll_interval)
                continue
            failures = 0
            elapsed = loop.time() - started
            now = phase(info.tranStatus, elapsed, account.approval_timeout)
            self.progress(elapsed, now)
            if now is Phase.DONE:
                if not info.documents or not info.documents[0].sig:
                    raise RemoteBadResponse(f"gettraninfo {tran_id}: done without a signature")
                return _b64(info.documents[0].sig, "signature")
            if now is Phase.REJECTED:
                raise RemoteSignRejected(f"transaction {tran_id} rejected")
            if now is Phase.EXPIRED:
                raise RemoteSignExpired(f"transaction {tran_id} expired after {elapsed:.0f} s")
            remaining = account.approval_timeout - elapsed
            await asyncio.sleep(max(0.0, min(account.poll_interval, remaining)))


def _digest(data: bytes, digest_algorithm: str) -> bytes:
    from cryptography.hazmat.primitives import hashes

    hasher = hashes.Hash(get_pyca_cryptography_hash(digest_algorithm))
    hasher.update(data)
    return hasher.finalize()
