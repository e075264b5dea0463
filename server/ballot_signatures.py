"""Signed open ballots: a voter's detached CMS signature over the text of their choice.

The Government's e-Cabinet lets a member sign their vote with their digital certificate; so can
an open (non-secret) HopDesk ballot. What is signed is `ballot_text` (docs/contract.md, Polls;
the client builds the same bytes): the poll, the meeting, the question and the chosen option,
so a signature cannot be moved to another poll or option. The server checks that the signature
is intact and made by the key of the certificate it carries (pyHanko's CMS integrity check) and
keeps it with the ballot, naming the certificate's subject. Whether that certificate is trusted
(chain, validity, revocation) is for whoever relies on the signature, with their own trust
anchors, as for signed PDFs (desktop/signing/trust.py): this reference server holds none.
A secret ballot is never signed: a signature is a link from the person to the choice.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from server.problems import Problem

if TYPE_CHECKING:  # pyHanko loads at the first signed ballot, not at every server start
    from asn1crypto import cms, x509

MAX_SIGNATURE = 64 * 1024  # base64 characters: a CMS with a certificate chain is a few KiB


def ballot_text(poll_id: int, meeting_id: int, title: str, option: int, option_text: str) -> bytes:
    """The exact bytes a voter signs for choosing `option` in a poll (UTF-8, LF line ends)."""
    lines = ("HopDesk ballot", f"poll {poll_id} of meeting {meeting_id}", title)
    return "\n".join((*lines, f"option {option}: {option_text}", "")).encode()


@dataclass(frozen=True, slots=True)
class VerifiedSignature:
    """A signature that matched its text: its DER bytes and who the certificate names."""

    der: bytes
    signer: str


def _refuse(detail: str) -> Problem:
    return Problem(422, "bad-signature", detail=detail)


def _signer_certificate(signed: cms.SignedData, info: cms.SignerInfo) -> x509.Certificate:
    from asn1crypto import x509

    sid = info["sid"]
    for choice in signed["certificates"] or ():
        cert = choice.chosen
        if not isinstance(cert, x509.Certificate):
            continue
        if sid.name == "issuer_and_serial_number":
            wanted = sid.chosen
            if (
                cert.issuer == wanted["issuer"]
                and cert.serial_number == wanted["serial_number"].native
            ):
                return cert
        elif cert.key_identifier == sid.chosen.native:
            return cert
    raise _refuse("The signature does not carry the signer's certificate.")


def verify(signature_b64: str, text: bytes) -> VerifiedSignature:
    """Check a base64 detached CMS signature over `text`; a 422 `bad-signature` otherwise.

    pyHanko is imported here: at module level it was ~0.9 s of CPU on every server start
    (the demo's included, which the desktop waits for) for a check few requests make."""
    from asn1crypto import cms
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko.sign.validation.generic_cms import validate_sig_integrity

    try:
        der = base64.b64decode(signature_b64, validate=True)
        content = cms.ContentInfo.load(der)
        signed = content["content"]
        if content["content_type"].native != "signed_data" or len(signed["signer_infos"]) != 1:
            raise _refuse("Expected a CMS SignedData with one signer.")
        if signed["encap_content_info"]["content"].native is not None:
            raise _refuse("The signature must be detached (it must not carry the text).")
        info = signed["signer_infos"][0]
        if not info["signed_attrs"]:
            raise _refuse("The signature has no signed attributes.")
        cert = _signer_certificate(signed, info)
        digest = hashlib.new(info["digest_algorithm"]["algorithm"].native, text).digest()
        intact, valid = validate_sig_integrity(info, cert, "data", digest)
    except (  # what asn1crypto and pyHanko raise for bytes that are not such a signature
        binascii.Error,
        ValueError,
        TypeError,
        KeyError,
        IndexError,
        AttributeError,
        NotImplementedError,
        SignatureValidationError,
    ) as exc:
        raise _refuse(f"The signature could not be read: {exc}") from None
    if not (intact and valid):
        raise _refuse("The signature does not match this poll and option.")
    return VerifiedSignature(der, cert.subject.human_friendly)
