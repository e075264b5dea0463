"""Signed-PDF fixtures for the annotation, export and signature tests.

A throw-away CA and signer certificate made with `cryptography`, a generated PDF with real text,
and that PDF signed with pyHanko (PAdES, incremental), so tests exercise the real tools.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pymupdf
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

SIGNER_NAME = "Nguyễn Văn Ký"


@dataclass(frozen=True, slots=True)
class SigningPki:
    """A root CA and a signer certificate (PEM) with the signer's private key."""

    root_pem: bytes
    signer_pem: bytes
    signer_key_pem: bytes

    @property
    def root_der(self) -> bytes:
        """The root in DER, as trust roots are configured."""
        cert = x509.load_pem_x509_certificate(self.root_pem)
        return cert.public_bytes(serialization.Encoding.DER)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "HopDesk Test"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def make_pki() -> SigningPki:
    """Root CA (self-signed) and an end-entity signing certificate issued by it."""
    now = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    root_key = ec.generate_private_key(ec.SECP256R1())
    root = (
        x509.CertificateBuilder()
        .subject_name(_name("HopDesk Test Root"))
        .issuer_name(_name("HopDesk Test Root"))
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False
        )
        .sign(root_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(SIGNER_NAME))
        .issuer_name(root.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=10))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()),
            critical=False,
        )
        .sign(root_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    return SigningPki(
        root_pem=root.public_bytes(pem),
        signer_pem=cert.public_bytes(pem),
        signer_key_pem=key.private_bytes(
            pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
    )


def make_pdf(pages: int = 2) -> bytes:
    """A small PDF with a few lines of real text on each page."""
    doc = pymupdf.open()
    for n in range(pages):
        page = doc.new_page(width=595, height=842)
        for line in range(5):
            page.insert_text(
                (72, 100 + 20 * line), f"Page {n + 1} line {line + 1}: quick brown fox", fontsize=12
            )
    data: bytes = doc.tobytes(garbage=3, deflate=True)
    doc.close()
    return data


def sign_pdf(data: bytes, pki: SigningPki, field: str = "Signature1") -> bytes:
    """Sign `data` with pyHanko (PAdES B-B) as an incremental update; returns the signed bytes."""
    from io import BytesIO

    from pyhanko.keys import load_certs_from_pemder_data, load_private_key_from_pemder_data
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko.sign.fields import SigSeedSubFilter
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    key = load_private_key_from_pemder_data(pki.signer_key_pem, passphrase=None)
    (cert,) = load_certs_from_pemder_data(pki.signer_pem)
    (root,) = load_certs_from_pemder_data(pki.root_pem)
    signer = signers.SimpleSigner(
        signing_cert=cert,
        signing_key=key,
        cert_registry=SimpleCertificateStore.from_certs([root]),
    )
    writer = IncrementalPdfFileWriter(BytesIO(data))
    meta = signers.PdfSignatureMetadata(field_name=field, subfilter=SigSeedSubFilter.PADES)
    out = signers.PdfSigner(meta, signer).sign_pdf(writer)
    return bytes(out.getvalue())


def nss_db_with_root(directory: Path, pki: SigningPki) -> Path | None:
    """An NSS database trusting the test root, for `pdfsig -nssdir` (None without certutil)."""
    certutil = shutil.which("certutil")
    if certutil is None:
        return None
    directory.mkdir(parents=True, exist_ok=True)
    subprocess.run([certutil, "-N", "-d", f"sql:{directory}", "--empty-password"], check=True)
    root_file = directory / "root.pem"
    root_file.write_bytes(pki.root_pem)
    subprocess.run(
        [certutil, "-A", "-d", f"sql:{directory}", "-n", "root", "-t", "CT,C,C", "-i", root_file],
        check=True,
    )
    return directory


@pytest.fixture(scope="session", name="pki")
def pki_fixture() -> SigningPki:
    """One PKI for the whole run (key generation is the slow part)."""
    return make_pki()


@pytest.fixture(scope="session", name="plain_pdf")
def plain_pdf_fixture() -> bytes:
    """An unsigned two-page PDF."""
    return make_pdf()


@pytest.fixture(scope="session", name="signed_pdf")
def signed_pdf_fixture(pki: SigningPki, plain_pdf: bytes) -> bytes:
    """`plain_pdf` signed once with pyHanko."""
    return sign_pdf(plain_pdf, pki)
