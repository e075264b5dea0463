"""The minutes of a meeting signed for real: the server makes the minutes PDF after the meeting,
the secretary signs it (PKCS#12, PAdES, pyHanko) in the field the server placed over THƯ KÝ and
sends it back, then the chair over CHỦ TRÌ; the file the server ends with carries both signatures,
valid and trusted in pyHanko and in poppler's pdfsig, the secretary's followed by nothing but the
chair's signature, and the meeting is `minutes_approved`."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.diff_analysis import ModificationLevel

from tests.desktop.signing.conftest import nss_db as nss_db  # the pdfsig trust store
from tests.desktop.signing.conftest import pdfsig_report, pyhanko_check
from tests.fixtures.pki import TestPki, running_pki
from tests.fixtures.server import ServerProcess
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
