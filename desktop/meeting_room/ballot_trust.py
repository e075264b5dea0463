"""Whether a published signed ballot can be relied on here: checked again by the app.

The server keeps a ballot's signature only when it is intact over the ballot's text and made by
the key of the certificate it carries (server/ballot_signatures.py), but it holds no trust
anchors: any certificate, a self-made one naming anybody included, passes there. So the app
checks each published signature again, over the contract's text it builds itself
(`ballot_text`), and the certificate against the roots it trusts for signing documents
(desktop/signing/trust.py: validity, key usage, chain; no revocation fetch, so a list of 200
ballots does not ask an OCSP responder 200 times). All of it runs on the signing worker's loop,
off the GUI thread.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
from typing import TYPE_CHECKING

from desktop.errors import HopDeskError
from desktop.meeting_room.polls import ballot_text
from desktop.signing.worker import off_the_loop

if TYPE_CHECKING:
    from asn1crypto import cms, x509

    from desktop.meeting_room.polls import Ballot, Poll
    from desktop.signing.trust import TrustPolicy

log = logging.getLogger(__name__)


def _signed(ballot: Ballot, text: bytes) -> tuple[x509.Certificate, list[x509.Certificate]] | None:
    """The signer's certificate and the others carried, when the signature is intact over
    `text` and made by that certificate's key; None otherwise."""
    from asn1crypto import cms
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko.sign.validation.generic_cms import validate_sig_integrity

    try:
        assert ballot.signature is not None
        signed = cms.ContentInfo.load(base64.b64decode(ballot.signature))["content"]
        info = signed["signer_infos"][0]
        carried = [c.chosen for c in signed["certificates"] or () if c.name == "certificate"]
        cert = next(c for c in carried if _is_signer(info["sid"], c))
        digest = hashlib.new(info["digest_algorithm"]["algorithm"].native, text).digest()
        intact, valid = validate_sig_integrity(info, cert, "data", digest)
    except (
        binascii.Error,
        ValueError,
        TypeError,
        KeyError,
        IndexError,
        StopIteration,
        SignatureValidationError,
    ) as exc:
        log.info("ballot of user %s: signature not readable: %r", ballot.user.id, exc)
        return None
    return (cert, carried) if intact and valid else None


def _is_signer(sid: cms.SignerIdentifier, cert: x509.Certificate) -> bool:
    if sid.name == "issuer_and_serial_number":
        wanted = sid.chosen
        return bool(
            cert.issuer == wanted["issuer"] and cert.serial_number == wanted["serial_number"].native
        )
    return bool(cert.key_identifier == sid.chosen.native)


async def _check(poll: Poll, policy: TrustPolicy) -> dict[int, bool]:
    from desktop.signing.trust import check_certificate

    found: dict[int, bool] = {}
    for ballot in poll.ballots or ():
        if not ballot.signature or ballot.option >= len(poll.options):
            continue
        signed = _signed(ballot, ballot_text(poll, ballot.option))
        trusted = False
        if signed is not None:
            cert, carried = signed
            try:
                await check_certificate(cert, carried, policy, fetch=False)
                trusted = True
            except HopDeskError as exc:
                log.info("ballot of user %s: certificate not trusted: %r", ballot.user.id, exc)
        found[ballot.user.id] = trusted
    return found


async def trusted_ballots(poll: Poll, policy: TrustPolicy) -> dict[int, bool]:
    """For each signed ballot of `poll`, by voter id: whether its signature is intact over
    that voter's choice and its certificate chains to a root of `policy`."""
    return await off_the_loop(lambda: _check(poll, policy))
