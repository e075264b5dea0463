"""TLS trust against the real server: an agency CA set by machine policy is trusted beside the
system roots; without it the connection is refused with a translated explanation."""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication

from desktop.config import Config
from desktop.errors import TlsError
from desktop.policy import TomlPolicy
from tests.fixtures.server import ServerFactory
from tests.integration.conftest import PASSWORD, SessionFactory


def make_agency_pki(directory: Path) -> tuple[Path, Path, Path]:
    """A CA and a server certificate for 127.0.0.1 signed by it: (ca.pem, cert.pem, key.pem)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Sở TT&TT — CA nội bộ")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
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
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    directory.mkdir(parents=True, exist_ok=True)
    paths = directory / "ca.pem", directory / "cert.pem", directory / "key.pem"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return paths


@pytest.fixture
def vietnamese(qapp: QCoreApplication) -> Iterator[None]:
    """The app's translators in Vietnamese; English restored afterwards."""
    from desktop import i18n

    i18n.install(qapp, "vi")
    yield
    i18n.install(qapp, "en")


def policy_file(path: Path, text: str) -> TomlPolicy:
    path.write_text(text, encoding="utf-8")
    return TomlPolicy(path)


async def test_agency_ca_set_by_policy_is_trusted(
    tmp_path: Path, server_factory: ServerFactory, make_session: SessionFactory, vietnamese: None
) -> None:
    ca, cert, key = make_agency_pki(tmp_path / "pki")
    server = server_factory(extra_args=["--tls-cert", str(cert), "--tls-key", str(key)])
    assert server.url.startswith("https://127.0.0.1:")

    # Without the policy: refused, and the user is told why in their language.
    with pytest.raises(TlsError) as caught:
        await make_session(Config()).sign_in(server.url, "giamdoc", PASSWORD, False)
    message = caught.value.user_message()
    assert message.startswith(f"Kết nối bảo mật tới {server.url} không thành công")
    assert caught.value.cause == "unable to get local issuer certificate"
    assert "chính sách máy" in message

    # The same CA in the user's settings file or on the command line changes nothing.
    user_file = tmp_path / "settings.toml"
    user_file.write_text(f'ca_bundle = "{ca}"\n', encoding="utf-8")
    with pytest.raises(TlsError):
        await make_session(Config(user_file=user_file, cli={"ca_bundle": str(ca)})).sign_in(
            server.url, "giamdoc", PASSWORD, False
        )

    # Set by machine policy: trusted (beside the system roots, which stay trusted).
    policy = policy_file(tmp_path / "policy.toml", f'ca_bundle = "{ca}"\n')
    config = Config(policy=policy)
    assert config.locked("ca_bundle")
    user = await make_session(config).sign_in(server.url, "giamdoc", PASSWORD, False)
    assert user.username == "giamdoc"


def test_policy_ca_adds_to_the_system_roots(tmp_path: Path) -> None:
    """The agency CA is trusted in addition to the system's roots, not instead of them."""
    import ssl

    from desktop.api import ssl_context

    ca, _cert, _key = make_agency_pki(tmp_path / "pki")
    system = ssl.create_default_context().cert_store_stats()["x509_ca"]
    policy = policy_file(tmp_path / "policy.toml", f'ca_bundle = "{ca}"\n')
    context = ssl_context(Config(policy=policy).settings)
    assert isinstance(context, ssl.SSLContext)
    assert context.cert_store_stats()["x509_ca"] == system + 1
    assert context.verify_mode == ssl.CERT_REQUIRED


async def test_only_policy_turns_verification_off(
    tmp_path: Path, server_factory: ServerFactory, make_session: SessionFactory
) -> None:
    _ca, cert, key = make_agency_pki(tmp_path / "pki")
    server = server_factory(extra_args=["--tls-cert", str(cert), "--tls-key", str(key)])
    with pytest.raises(TlsError):
        await make_session(Config(cli={"verify_tls": False})).sign_in(
            server.url, "giamdoc", PASSWORD, False
        )
    config = Config(policy=policy_file(tmp_path / "policy.toml", "verify_tls = false\n"))
    user = await make_session(config).sign_in(server.url, "giamdoc", PASSWORD, False)
    assert user.username == "giamdoc"
