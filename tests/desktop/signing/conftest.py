"""Shared pieces of the signing tests: the test PKI with its services, a PKCS#12 signer,
a SoftHSM2 token, an NSS database for pdfsig, and checks with pyHanko and pdfsig."""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.signers import SimpleSigner
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import PdfSignatureStatus
from pyhanko_certvalidator import ValidationContext

from tests.fixtures.pki import TestPki, running_pki
from tests.fixtures.softhsm import SoftToken, soft_token

P12_PASSWORD = b"p12-pass"


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestPki]:
    with running_pki(tmp_path_factory.mktemp("pki")) as running:
        yield running


@pytest.fixture(scope="session")
def p12_signer(pki: TestPki, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """A signer from the PKCS#12 file of `label` (the key, its certificate and the chain)."""
    made: dict[str, SimpleSigner] = {}

    def make(label: str) -> SimpleSigner:
        if label not in made:
            path = tmp_path_factory.mktemp("p12") / f"{label}.p12"
            path.write_bytes(pki.pkcs12(label, P12_PASSWORD))
            signer = SimpleSigner.load_pkcs12(str(path), passphrase=P12_PASSWORD)
            assert signer is not None
            made[label] = signer
        return made[label]

    return make


@pytest.fixture
def token(pki: TestPki, tmp_path: Path) -> Iterator[SoftToken]:
    """A fresh SoftHSM2 token holding the leader's key and certificate."""
    with soft_token(tmp_path / "hsm", pki.key_pem("leader"), pki.cert("leader").dump()) as made:
        yield made


@pytest.fixture(scope="session")
def nss_db(pki: TestPki, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An NSS database trusting the test root, for `pdfsig -nssdir`."""
    return make_nss_db(pki, tmp_path_factory.mktemp("nss"))


def make_nss_db(pki: TestPki, db: Path) -> Path:
    """An NSS database in `db` trusting the test PKI's root (for tests whose PKI is not the
    session's)."""
    if shutil.which("certutil") is None or shutil.which("pdfsig") is None:
        pytest.fail("pdfsig (poppler-utils) and certutil (libnss3-tools) are needed")
    db.mkdir(parents=True, exist_ok=True)
    subprocess.run(["certutil", "-N", "-d", f"sql:{db}", "--empty-password"], check=True)
    root = db / "root.pem"
    root.write_bytes(pki.cert_pem("root"))
    subprocess.run(
        [
            "certutil",
            "-A",
            "-d",
            f"sql:{db}",
            "-n",
            "hopdesk-test-root",
            "-t",
            "CT,C,C",
            "-i",
            str(root),
        ],
        check=True,
    )
    return db


@dataclass(frozen=True)
class Checked:
    field: str
    status: PdfSignatureStatus


def pyhanko_check(pdf: bytes, pki: TestPki) -> list[Checked]:
    """Every signature validated by pyHanko with the test root trusted."""
    reader = PdfFileReader(io.BytesIO(pdf))
    results = []
    for sig in reader.embedded_signatures:
        context = ValidationContext(
            trust_roots=[pki.cert("root")], other_certs=[pki.cert("interm")], allow_fetching=True
        )
        results.append(Checked(sig.field_name, validate_pdf_signature(sig, context)))
    return results


def pdfsig_report(pdf: bytes, nss_db: Path, tmp_path: Path) -> str:
    path = tmp_path / "checked.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(
        ["pdfsig", "-nssdir", f"sql:{nss_db}", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.stdout + done.stderr
