"""Signed open ballots against the real server: a signature made by the voter's key over the
contract's text of this poll and option is kept and published with the certificate's subject;
every forgery is refused with 422 `bad-signature` and counts nothing — a signature over another
poll or option, another person's certificate put in place of the signer's, a signature value
altered, the text carried inside instead of detached, bytes that are no signature at all. The
minutes say how many ballots of an open vote were signed."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Iterator
from pathlib import Path

import pymupdf
import pytest
from asn1crypto import cms, core
from pyhanko.sign.signers import SimpleSigner

from server.ballot_signatures import ballot_text
from tests.fixtures.pki import TestPki, running_pki
from tests.fixtures.server import ServerProcess
from tests.server.poll_helpers import Room, make_room
from tests.server.room_helpers import CHAIR, SECRETARY, open_room

pytestmark = pytest.mark.timeout(180)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestPki]:
    with running_pki(tmp_path_factory.mktemp("pki")) as running:
        yield running


@pytest.fixture
def room(server: ServerProcess) -> Room:
    return make_room(server)


def signer(pki: TestPki, label: str) -> SimpleSigner:
    loaded = SimpleSigner.load_pkcs12_data(pki.pkcs12(label, b"pass"), (), b"pass")
    assert loaded is not None
    return loaded


def sign(who: SimpleSigner, text: bytes, *, detached: bool = True) -> cms.ContentInfo:
    made = asyncio.run(who.async_sign_general_data(text, "sha256", detached=detached))
    return cms.ContentInfo.load(made.dump())


def b64(content: cms.ContentInfo) -> str:
    return base64.b64encode(content.dump(force=True)).decode()


def text_of(room: Room, poll: dict[str, object], option: int) -> bytes:
    options = poll["options"]
    assert isinstance(options, list)
    return ballot_text(
        int(str(poll["id"])), room.meeting_id, str(poll["title"]), option, options[option]
    )


def open_poll(room: Room, title: str) -> dict[str, object]:
    return room.open(room.create(title=title))


def vote(room: Room, poll: dict[str, object], option: int, signature: str) -> tuple[int, str]:
    reply = room.delegates[0].post(
        f"{room.base}/{poll['id']}/vote", {"option": option, "signature": signature}
    )
    slug = str(reply.json().get("type", "")).rsplit("/", 1)[-1] if reply.status != 200 else ""
    return reply.status, slug


def test_a_signature_over_this_ballot_is_kept_and_published(room: Room, pki: TestPki) -> None:
    poll = open_poll(room, "Thông qua dự toán")
    signature = b64(sign(signer(pki, "leader"), text_of(room, poll, 1)))
    assert vote(room, poll, 1, signature) == (200, "")
    closed = room.chair.post(f"{room.base}/{poll['id']}/close").json()
    [ballot] = closed["ballots"]
    assert ballot["option"] == 1
    assert ballot["signed_by"] == pki.cert("leader").subject.human_friendly
    assert base64.b64decode(ballot["signature"]) == base64.b64decode(signature)


def test_forged_and_mismatched_signatures_are_refused(
    room: Room, pki: TestPki, tmp_path: Path
) -> None:
    poll, other = open_poll(room, "Thông qua dự toán"), open_poll(room, "Thông qua kế hoạch")
    leader = signer(pki, "leader")
    forgeries: dict[str, str] = {}
    # the same choice in another poll, another choice in this one
    forgeries["other poll"] = b64(sign(leader, text_of(room, other, 0)))
    forgeries["other option"] = b64(sign(leader, text_of(room, poll, 1)))
    # made with the leader's key, dressed in the clerk's certificate
    dressed = sign(leader, text_of(room, poll, 0))
    clerk = pki.cert("clerk")
    dressed["content"]["certificates"] = cms.CertificateSet(
        [cms.CertificateChoices({"certificate": clerk})]
    )
    dressed["content"]["signer_infos"][0]["sid"] = cms.SignerIdentifier(
        {
            "issuer_and_serial_number": cms.IssuerAndSerialNumber(
                {"issuer": clerk.issuer, "serial_number": clerk.serial_number}
            )
        }
    )
    forgeries["another's certificate"] = b64(dressed)
    # the signature value altered
    altered = sign(leader, text_of(room, poll, 0))
    info = altered["content"]["signer_infos"][0]
    value = bytearray(info["signature"].native)
    value[len(value) // 2] ^= 0x01
    info["signature"] = core.OctetString(bytes(value))
    forgeries["altered value"] = b64(altered)
    # the text inside the signature (not detached)
    forgeries["attached"] = b64(sign(leader, text_of(room, poll, 0), detached=False))
    forgeries["not a signature"] = base64.b64encode(b"HopDesk ballot").decode()
    forgeries["not base64"] = "not base64!"

    refused = {name: vote(room, poll, 0, signature) for name, signature in forgeries.items()}
    assert refused == dict.fromkeys(forgeries, (422, "bad-signature"))
    seen = room.chair.get(f"{room.base}/{poll['id']}").json()
    assert (seen["voted"], seen["i_voted"]) == (0, False)
    # the real one still goes through afterwards
    assert vote(room, poll, 0, b64(sign(leader, text_of(room, poll, 0)))) == (200, "")


def test_the_minutes_say_how_many_ballots_were_signed(server: ServerProcess, pki: TestPki) -> None:
    room = open_room(server)
    poll = room.ok(SECRETARY, "POST", "polls", {"title": "Thông qua dự toán"})
    room.ok(CHAIR, "POST", f"polls/{poll['id']}/open")
    text = ballot_text(poll["id"], room.meeting_id, poll["title"], 0, poll["options"][0])
    signed = {"option": 0, "signature": b64(sign(signer(pki, "leader"), text))}
    room.ok("phogiamdoc", "POST", f"polls/{poll['id']}/vote", signed)
    room.ok("chuyenvien1", "POST", f"polls/{poll['id']}/vote", {"option": 0})
    room.ok(CHAIR, "POST", f"polls/{poll['id']}/close")
    room.ok(CHAIR, "POST", "status", {"status": "ended"})
    minutes = room.ok(SECRETARY, "POST", "minutes")
    pdf = room.as_user[SECRETARY].get(f"/files/{minutes['file_sha256']}").body
    with pymupdf.open(stream=pdf) as doc:
        said = " ".join(page.get_text() for page in doc).replace("\n", " ")
    assert "Thông qua dự toán (biểu quyết công khai): Tán thành 2," in said
    assert "người đã biểu quyết. 1 phiếu có ký số." in said
