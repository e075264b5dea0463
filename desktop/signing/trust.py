"""The check of the signer's certificate before signing: validity period, key usage, chain to a
trusted root, revocation where it can be reached.

Trusted roots: the Government's specialised root (RootCA chuyên dùng Chính phủ G2, Ban Cơ yếu)
and the Vietnam National Root CA (NEAC) are pinned by their SHA-256 fingerprints. Their
certificates are not shipped; a root certificate met in the signer's chain (tokens carry it) or
given by policy is a trust anchor when its fingerprint is pinned. Policy adds roots (as PEM) and
pins without a new release: NEAC created new roots in 2025.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from asn1crypto import pem, x509
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.errors import (
    ExpiredError,
    InsufficientRevinfoError,
    NotYetValidError,
    PathBuildingError,
    PathValidationError,
    RevokedError,
)
from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend

from desktop.signing.errors import CertificateReason, CertificateRejected

# name -> SHA-256 of the DER certificate (checked 2026-11, research/signing.md §5)
DEFAULT_ROOT_PINS: dict[str, str] = {
    "RootCA chuyên dùng Chính phủ G2": (
        "f04ba4b459a7c9a1b971ad9b1cb833e695a80c79aea63b174b66a70edfe2fdb8"
    ),
    "Vietnam National Root CA": "bac8bf609ab420a8ee1780d74f4de5c7f7184959d2a7375b0a75e4c29f0908e7",
}
SIGNING_USAGES = {"digital_signature", "non_repudiation"}
FETCH_TIMEOUT = 20  # seconds per OCSP/CRL request


def fingerprint(cert: x509.Certificate) -> str:
    return hashlib.sha256(cert.dump()).hexdigest()


def load_pem_certificates(data: bytes) -> list[x509.Certificate]:
    """Every certificate in a PEM bundle (or one DER certificate)."""
    if not pem.detect(data):
        return [x509.Certificate.load(data)]
    return [x509.Certificate.load(der) for _, _, der in pem.unarmor(data, multiple=True)]


@dataclass(frozen=True, slots=True)
class TrustPolicy:
    """Roots given by policy (trusted as they are) and pinned fingerprints (a root met
    anywhere is trusted when its fingerprint is pinned)."""

    roots: tuple[x509.Certificate, ...] = ()
    pins: frozenset[str] = field(default_factory=lambda: frozenset(DEFAULT_ROOT_PINS.values()))

    @classmethod
    def from_policy(cls, root_pems: Iterable[bytes] = (), pins: Iterable[str] = ()) -> TrustPolicy:
        roots = tuple(c for blob in root_pems for c in load_pem_certificates(blob))
        extra = {p.lower().replace(":", "") for p in pins}
        return cls(roots, frozenset(DEFAULT_ROOT_PINS.values()) | extra)

    def anchors(self, seen: Iterable[x509.Certificate]) -> list[x509.Certificate]:
        """The policy's roots, and the self-signed certificates seen whose pin matches."""
        anchors = list(self.roots)
        for cert in seen:
            if cert.self_signed != "no" and fingerprint(cert) in self.pins:
                anchors.append(cert)
        return anchors


@dataclass(frozen=True, slots=True)
class CertificateCheck:
    """A certificate that may sign; `revocation_checked` is False when no OCSP/CRL answer
    could be had (offline), which the UI may mention but does not block."""

    subject: str
    revocation_checked: bool


def _date(moment: dt.datetime) -> str:
    return moment.strftime("%d/%m/%Y")


async def check_certificate(
    cert: x509.Certificate,
    chain: Iterable[x509.Certificate],
    policy: TrustPolicy,
    *,
    at: dt.datetime | None = None,
    fetch: bool = True,
) -> CertificateCheck:
    """Raise `CertificateRejected` with the first reason this certificate may not sign now."""
    at = at or dt.datetime.now(dt.UTC)
    chain = list(chain)
    if at < cert.not_valid_before:
        raise CertificateRejected(CertificateReason.NOT_YET_VALID, _date(cert.not_valid_before))
    if at > cert.not_valid_after:
        raise CertificateRejected(CertificateReason.EXPIRED, _date(cert.not_valid_after))
    usages = cert.key_usage_value.native if cert.key_usage_value is not None else None
    if usages is not None and not SIGNING_USAGES & set(usages):
        raise CertificateRejected(CertificateReason.NO_SIGNING_USAGE, detail=str(usages))
    anchors = policy.anchors(chain)
    if not anchors:
        raise CertificateRejected(CertificateReason.UNTRUSTED, detail="no trusted root")
    if not fetch:
        await _validate(cert, chain, anchors, at, fetch, "soft-fail")
        return CertificateCheck(cert.subject.human_friendly, revocation_checked=False)
    try:
        await _validate(cert, chain, anchors, at, fetch, "hard-fail")
        return CertificateCheck(cert.subject.human_friendly, revocation_checked=True)
    except InsufficientRevinfoError:
        # OCSP and CRL out of reach (offline): still check the chain, say it was not checked
        await _validate(cert, chain, anchors, at, fetch, "soft-fail")
        return CertificateCheck(cert.subject.human_friendly, revocation_checked=False)


async def _validate(
    cert: x509.Certificate,
    chain: list[x509.Certificate],
    anchors: list[x509.Certificate],
    at: dt.datetime,
    fetch: bool,
    mode: str,
) -> None:
    backend = AIOHttpFetcherBackend(per_request_timeout=FETCH_TIMEOUT)
    context = ValidationContext(
        trust_roots=anchors,
        allow_fetching=fetch,
        revocation_mode=mode,
        moment=at,
        fetcher_backend=backend,
    )
    validator = CertificateValidator(cert, intermediate_certs=chain, validation_context=context)
    try:
        await validator.async_validate_usage(set())
    except InsufficientRevinfoError:
        raise
    except RevokedError as exc:
        raise CertificateRejected(
            CertificateReason.REVOKED, _date(exc.revocation_dt), exc.failure_msg
        ) from exc
    except ExpiredError as exc:  # an expired issuer
        raise CertificateRejected(CertificateReason.EXPIRED, _date(exc.expired_dt)) from exc
    except NotYetValidError as exc:
        raise CertificateRejected(CertificateReason.NOT_YET_VALID, _date(exc.valid_from)) from exc
    except (PathBuildingError, PathValidationError) as exc:
        raise CertificateRejected(CertificateReason.UNTRUSTED, detail=str(exc)) from exc
    finally:
        await backend.close()
