"""The certificate check before signing, against the test PKI's good and bad certificates."""

from __future__ import annotations

import pytest

from desktop.signing.errors import CertificateReason, CertificateRejected
from desktop.signing.trust import DEFAULT_ROOT_PINS, TrustPolicy, check_certificate, fingerprint
from tests.fixtures.pki import TestPki


def _policy(pki: TestPki) -> TrustPolicy:
    return TrustPolicy.from_policy([pki.cert_pem("root")])


async def test_good_certificate_passes_with_revocation_checked(pki: TestPki) -> None:
    result = await check_certificate(pki.cert("leader"), [pki.cert("interm")], _policy(pki))
    assert result.revocation_checked
    assert "leader" in result.subject


@pytest.mark.parametrize(
    ("label", "reason", "when"),
    [
        ("expired", CertificateReason.EXPIRED, "01/01/2021"),
        ("future", CertificateReason.NOT_YET_VALID, "01/01/2090"),
        ("nokeyusage", CertificateReason.NO_SIGNING_USAGE, ""),
        ("stranger", CertificateReason.UNTRUSTED, ""),
        ("revoked", CertificateReason.REVOKED, "01/01/2025"),
    ],
)
async def test_bad_certificates_are_refused_with_the_reason(
    pki: TestPki, label: str, reason: CertificateReason, when: str
) -> None:
    chain = [pki.cert("rogue")] if label == "stranger" else [pki.cert("interm")]
    with pytest.raises(CertificateRejected) as caught:
        await check_certificate(pki.cert(label), chain, _policy(pki))
    assert caught.value.reason is reason
    assert caught.value.when == when
    message = caught.value.user_message()
    assert message
    assert "%1" not in message
    if when:
        assert when in message


async def test_unreachable_revocation_is_reported_not_blocking(pki: TestPki) -> None:
    pki.switch.revocation_down = True
    try:
        result = await check_certificate(pki.cert("leader"), [pki.cert("interm")], _policy(pki))
    finally:
        pki.switch.revocation_down = False
    assert not result.revocation_checked
    offline = await check_certificate(
        pki.cert("leader"), [pki.cert("interm")], _policy(pki), fetch=False
    )
    assert not offline.revocation_checked


async def test_a_root_in_the_chain_is_trusted_only_when_pinned(pki: TestPki) -> None:
    chain = [pki.cert("interm"), pki.cert("root")]
    pinned = TrustPolicy.from_policy(pins=[fingerprint(pki.cert("root")).upper()])
    assert (await check_certificate(pki.cert("leader"), chain, pinned)).revocation_checked
    with pytest.raises(CertificateRejected) as caught:  # the default pins: the Government's
        await check_certificate(pki.cert("leader"), chain, TrustPolicy())
    assert caught.value.reason is CertificateReason.UNTRUSTED


def test_default_pins_are_the_two_vietnamese_roots() -> None:
    assert set(DEFAULT_ROOT_PINS) == {"RootCA chuyên dùng Chính phủ G2", "Vietnam National Root CA"}
    assert all(len(pin) == 64 and int(pin, 16) for pin in DEFAULT_ROOT_PINS.values())
    assert TrustPolicy().pins == frozenset(DEFAULT_ROOT_PINS.values())
