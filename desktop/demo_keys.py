"""Signing keys for `hopdesk --demo`, made on this computer at the first demo start.

The demo leader and the demo clerk (agency) each get a PKCS#12 file issued by a throw-away
"HopDesk Demo CA", plus a blue signature image and a red seal. Nothing is committed to the
repository: the keys are generated into the demo's data directory, and the PIN is the demo's
documented one (like its password), since they sign nothing real.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

DEMO_PIN = "123456"  # documented: shown in the demo's sign dialog hint, protects nothing real
LEADER = "leader"
AGENCY = "agency"


@dataclass(frozen=True, slots=True)
class DemoKey:
    """One demo key: its PKCS#12 file and the image its signature shows."""

    key_path: Path
    image_path: Path


def _name(common_name: str) -> object:
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "HopDesk Demo"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _write_keys(directory: Path) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12

    now = dt.datetime.now(dt.UTC)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = _name("HopDesk Demo CA")
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)  # type: ignore[arg-type]
        .issuer_name(ca_name)  # type: ignore[arg-type]
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    names = {LEADER: "Nguyễn Văn Hùng", AGENCY: "Sở Thông tin và Truyền thông tỉnh Hòa Bình"}
    for label, common_name in names.items():
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        usage = x509.KeyUsage(
            digital_signature=True,
            content_commitment=True,
            key_encipherment=False,
            data_encipherment=False,
            key_agreement=False,
            key_cert_sign=False,
            crl_sign=False,
            encipher_only=False,
            decipher_only=False,
        )
        cert = (
            x509.CertificateBuilder()
            .subject_name(_name(common_name))  # type: ignore[arg-type]
            .issuer_name(ca_name)  # type: ignore[arg-type]
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=1825))
            .add_extension(usage, critical=True)
            .sign(ca_key, hashes.SHA256())
        )
        data = pkcs12.serialize_key_and_certificates(
            label.encode(),
            key,
            cert,
            [ca],
            serialization.BestAvailableEncryption(DEMO_PIN.encode()),
        )
        (directory / f"{label}.p12").write_bytes(data)


def _png(draw_seal: bool) -> bytes:
    """A blue scribble (40 × 16 mm) or a red seal ring (36 mm), transparent, 300 dpi."""
    from PIL import Image, ImageDraw

    if draw_seal:
        size = 425  # 36 mm at 300 dpi
        image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
        pen = ImageDraw.Draw(image)
        pen.ellipse((8, 8, size - 8, size - 8), outline=(200, 20, 30, 255), width=14)
        pen.ellipse((70, 70, size - 70, size - 70), outline=(200, 20, 30, 255), width=6)
        pen.regular_polygon((size / 2, size / 2, 60), 5, fill=(200, 20, 30, 255))
    else:
        image = Image.new("RGBA", (472, 189), (0, 0, 0, 0))
        pen = ImageDraw.Draw(image)
        points = [(20 + i * 18, 95 + (40 if i % 2 else -40)) for i in range(25)]
        pen.line(points, fill=(20, 40, 200, 255), width=8)
    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(300, 300))
    return out.getvalue()


def demo_keys(directory: Path) -> dict[str, DemoKey]:
    """The demo's leader and agency keys under `directory`, made on first use."""
    directory.mkdir(parents=True, exist_ok=True)
    if not all((directory / f"{label}.p12").exists() for label in (LEADER, AGENCY)):
        _write_keys(directory)
    images = {LEADER: directory / "chu-ky.png", AGENCY: directory / "con-dau.png"}
    for label, path in images.items():
        if not path.exists():
            path.write_bytes(_png(draw_seal=label == AGENCY))
    return {label: DemoKey(directory / f"{label}.p12", images[label]) for label in images}
