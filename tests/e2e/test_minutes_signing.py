"""The minutes of a meeting signed for real: the server makes the minutes PDF after the meeting,
the secretary signs it (PKCS#12, PAdES, pyHanko) in the field the server placed over THƯ KÝ and
sends it back, then the chair over CHỦ TRÌ; the file the server ends with carries both signatures,
valid and trusted in pyHanko and in poppler's pdfsig, the secretary's followed by nothing but the
chair's signature, and the meeting is `minutes_approved`. Once with pyHanko straight against the
routes, once through the desktop's own signing (the inbox's document, `sign_many`, the signed file
kept and sent through `SignedUploads` and the outbox)."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.diff_analysis import ModificationLevel

from desktop.files import FileCache
from desktop.inbox import ApprovalInbox
from desktop.outbox import Outbox
from desktop.sign_flow import sign_many
from desktop.signed_uploads import SignedUploads
from desktop.signing import appearance, keys
from desktop.store import LocalStore
from tests.desktop.signing.conftest import nss_db as nss_db  # the pdfsig trust store
from tests.desktop.signing.conftest import pdfsig_report, pyhanko_check
from tests.fixtures.drafts import signature_png
from tests.fixtures.pki import TestPki, running_pki
from tests.fixtures.server import ServerProcess
from tests.integration.conftest import PASSWORD as SIGN_IN_PASSWORD
from tests.integration.conftest import SessionFactory
from tests.server.room_helpers import CHAIR, SECRETARY, open_room
from tests.server.test_minutes import run_meeting
from tests.server.wf_helpers import uploaded

PASSWORD = b"minutes-test"


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestPki]:
    with running_pki(tmp_path_factory.mktemp("pki")) as running:
        yield running


def signed(
    pdf: bytes, place: dict[str, Any], field: str, label: str, pki: TestPki, tmp: Path
) -> bytes:
    """`pdf` signed by `label`'s PKCS#12 key in a new field at the server's `place`."""
    path = tmp / f"{label}.p12"
    path.write_bytes(pki.pkcs12(label, PASSWORD))
    signer = signers.SimpleSigner.load_pkcs12(str(path), passphrase=PASSWORD)
    assert signer is not None
    spec = fields.SigFieldSpec(field, on_page=place["page"], box=tuple(place["box"]))
    meta = signers.PdfSignatureMetadata(field_name=field, subfilter=fields.SigSeedSubFilter.PADES)
    out = signers.PdfSigner(meta, signer=signer, new_field_spec=spec).sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(pdf))
    )
    return out.getvalue()


def test_the_minutes_validate_with_the_secretarys_and_the_chairs_signatures(
    server: ServerProcess, pki: TestPki, nss_db: Path, tmp_path: Path
) -> None:
    room = open_room(server)
    run_meeting(room)
    minutes = room.ok(SECRETARY, "POST", "minutes")
    secretary, chair = room.as_user[SECRETARY], room.as_user[CHAIR]
    base = secretary.get(f"/files/{minutes['file_sha256']}").body

    first = signed(base, minutes["secretary"], "ThuKy", "clerk", pki, tmp_path)
    body = {"file_sha256": uploaded(secretary, first), "base_sha256": minutes["file_sha256"]}
    waiting = room.ok(SECRETARY, "POST", "minutes/sign", body)
    assert waiting["next_signer"] == "chair"
    to_sign = chair.get(f"/files/{waiting['signing_sha256']}").body
    assert to_sign == first

    second = signed(to_sign, waiting["chair"], "ChuTri", "leader", pki, tmp_path)
    body = {"file_sha256": uploaded(chair, second), "base_sha256": waiting["signing_sha256"]}
    done = room.ok(CHAIR, "POST", "minutes/sign", body)
    assert done["status"] == "signed"
    final = room.as_user["chuyenvien1"].get(f"/files/{done['file_sha256']}").body
    assert final == second

    results = {c.field: c.status for c in pyhanko_check(final, pki)}
    assert set(results) == {"ThuKy", "ChuTri"}
    for status in results.values():
        assert (status.intact, status.valid, status.trusted) == (True, True, True)
    level = results["ThuKy"].modification_level
    assert level is not None
    assert level <= ModificationLevel.FORM_FILLING
    report = pdfsig_report(final, nss_db, tmp_path)
    assert report.count("Signature is Valid") == 2, report
    meeting = room.as_user["chuyenvien1"].get(f"/meetings/{room.meeting_id}").json()
    assert meeting["status"] == "minutes_approved"


def assert_two_valid_signatures(final: bytes, pki: TestPki, nss_db: Path, tmp: Path) -> None:
    """Both signatures intact, valid and trusted in pyHanko, the first one changed by nothing
    more than the second signature's form filling, and valid in poppler's pdfsig."""
    results = {c.field: c.status for c in pyhanko_check(final, pki)}
    assert set(results) == {"chu_ky_1", "chu_ky_2"}
    for status in results.values():
        assert (status.intact, status.valid, status.trusted) == (True, True, True)
    level = results["chu_ky_1"].modification_level
    assert level is not None
    assert level <= ModificationLevel.FORM_FILLING
    report = pdfsig_report(final, nss_db, tmp)
    assert report.count("Signature is Valid") == 2, report


async def sign_as(
    username: str,
    label: str,
    document_id: int,
    make_session: SessionFactory,
    store: LocalStore,
    server: ServerProcess,
    pki: TestPki,
    tmp: Path,
) -> str:
    """`username` signs the minutes as the app does from the inbox with `label`'s PKCS#12 key:
    the document as the inbox shows it (its "sign" button and the place the server gives),
    signed by `sign_many` off the loop, kept and sent by `SignedUploads`. The sha256 sent."""
    session = make_session()
    await session.sign_in(server.url, username, SIGN_IN_PASSWORD, False)
    outbox = Outbox(store, session.api)
    inbox = ApprovalInbox(session, outbox=outbox)
    files = FileCache(session, tmp / username / "files", 1 << 30)
    uploads = SignedUploads(store, session.api, outbox, session.scope, tmp / username / "signed")
    try:
        document = await inbox.document(document_id)
        assert "sign" in inbox.allowed(document)
        assert document.signature_place is not None
        p12 = tmp / f"{label}.p12"
        p12.write_bytes(pki.pkcs12(label, b"pin"))
        signer = keys.load_pkcs12(p12, "pin")
        stamp = appearance.StampImage.from_png(signature_png())
        [outcome] = await sign_many([document], signer, stamp, files, uploads)
        assert outcome.error is None, outcome.error
        assert outcome.sha256 is not None
        assert uploads.records() == {}  # sent and confirmed
        return outcome.sha256
    finally:
        await files.close()
        await inbox.close()


async def test_the_secretary_then_the_chair_sign_the_minutes_from_the_desktop(
    server: ServerProcess,
    make_session: SessionFactory,
    store: LocalStore,
    pki: TestPki,
    nss_db: Path,
    tmp_path: Path,
) -> None:
    room = open_room(server)
    run_meeting(room)
    minutes = room.ok(SECRETARY, "POST", "minutes")
    document_id = minutes["document_id"]
    args = (document_id, make_session, store, server, pki, tmp_path)

    first = await sign_as(SECRETARY, "clerk", *args)
    waiting = room.ok(CHAIR, "GET", "minutes")
    assert (waiting["next_signer"], waiting["signing_sha256"]) == ("chair", first)

    second = await sign_as(CHAIR, "leader", *args)
    done = room.ok("chuyenvien1", "GET", "minutes")
    assert (done["status"], done["next_signer"], done["file_sha256"]) == ("signed", None, second)
    final = room.as_user["chuyenvien1"].get(f"/files/{second}").body
    # pyHanko's synchronous validation runs its own loop: off this one
    await asyncio.to_thread(assert_two_valid_signatures, final, pki, nss_db, tmp_path)
    meeting = room.as_user["chuyenvien1"].get(f"/meetings/{room.meeting_id}").json()
    assert meeting["status"] == "minutes_approved"
