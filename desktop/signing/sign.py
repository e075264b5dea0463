"""PAdES signatures on a prepared draft: the leader's, the agency's at issuance, attachments';
and at a place the server laid out (a meeting's minutes).

Every signature is an incremental update (earlier signatures stay valid) with the PAdES
subfilter (ETSI.CAdES.detached). The agency's step fills the number and date fields through
pyHanko (form filling, which the leader's signature permits) and then signs the agency field
prepared with the draft. The key is any pyHanko `Signer`: a PKCS#12 file, the token behind the
signing process, or a remote signing service.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import enum
import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.form_tools import (
    TextFieldContent,
    annot_width_height,
    find_existing_empty_field,
    get_single_field_annot,
)
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.layout import BoxConstraints
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import SigFieldSpec, SigSeedSubFilter
from pyhanko.sign.signers import PdfSignatureMetadata, PdfSigner, Signer
from pyhanko.sign.timestamps.aiohttp_client import HTTPTimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError
from pyhanko.stamp import BaseStampStyle
from pyhanko_certvalidator import ValidationContext

from desktop.signing import appearance, layout
from desktop.signing.errors import TimestampUnavailable, UnsignableDocument

Progress = Callable[[str], None]


class PadesLevel(enum.StrEnum):
    """ETSI EN 319 142-1 baseline levels."""

    B_B = "B-B"  # the signature alone
    B_T = "B-T"  # with a timestamp from a trusted server
    B_LT = "B-LT"  # and the validation data (chain, OCSP/CRL) embedded


@dataclass(frozen=True, slots=True)
class LevelOptions:
    """The level and what it needs: a timestamp server for B-T and B-LT (real Vietnamese
    servers answer in 2 s to over 2 minutes: 180 s per try, 3 tries), validation data
    sources (a `ValidationContext` that may fetch) for B-LT."""

    level: PadesLevel = PadesLevel.B_B
    tsa_url: str | None = None
    tsa_timeout: float = 180.0
    tsa_attempts: int = 3
    validation: ValidationContext | None = field(default=None, compare=False)


class RetryingTimeStamper(HTTPTimeStamper):
    """RFC 3161 over HTTP, with retries and a progress report per attempt."""

    def __init__(self, url: str, timeout: float, attempts: int, progress: Progress) -> None:
        super().__init__(url, timeout=timeout)
        self.attempts = max(1, attempts)
        self.progress = progress

    async def async_request_tsa_response(self, req):  # type: ignore[no-untyped-def]
        error: Exception | None = None
        for attempt in range(1, self.attempts + 1):
            self.progress(f"timestamp:{attempt}/{self.attempts}")
            try:
                return await super().async_request_tsa_response(req)
            except TimestampRequestError as exc:
                error = exc
                if attempt < self.attempts:
                    await asyncio.sleep(min(2.0 * attempt, 10.0))
        raise TimestampUnavailable(f"{self.url}: {error!r}") from error


def open_for_signing(pdf: bytes, expected_sha256: str | None = None) -> IncrementalPdfFileWriter:
    """An incremental writer on the file; encrypted or damaged files are refused clearly, and
    so is a file whose SHA-256 is not the one the signer was shown (changed since assigned)."""
    if expected_sha256 is not None and hashlib.sha256(pdf).hexdigest() != expected_sha256.lower():
        raise UnsignableDocument("changed", f"expected {expected_sha256}")
    if not pdf.lstrip()[:5].startswith(b"%PDF"):
        raise UnsignableDocument("damaged", "no PDF header")
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        if writer.prev.encrypted:
            raise UnsignableDocument("encrypted")
        writer.root["/Pages"]
        writer.find_page_for_modification(0)
    except UnsignableDocument:
        raise
    except (PdfError, KeyError, ValueError, IndexError, TypeError) as exc:
        raise UnsignableDocument("damaged", repr(exc)) from exc
    return writer


def signed_fields(pdf: bytes) -> set[str]:
    """Names of the signature fields that hold a signature."""
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    return {sig.field_name for sig in reader.embedded_signatures}


async def _sign(
    writer: IncrementalPdfFileWriter,
    signer: Signer,
    field_name: str,
    style: BaseStampStyle,
    options: LevelOptions,
    progress: Progress,
    text_params: dict[str, str] | None = None,
    new_field: SigFieldSpec | None = None,
) -> bytes:
    timestamper = None
    if options.level is not PadesLevel.B_B:
        if not options.tsa_url:
            raise TimestampUnavailable("no timestamp server configured")
        timestamper = RetryingTimeStamper(
            options.tsa_url, options.tsa_timeout, options.tsa_attempts, progress
        )
    lt = options.level is PadesLevel.B_LT
    meta = PdfSignatureMetadata(
        field_name=field_name,
        subfilter=SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        embed_validation_info=lt,
        validation_context=options.validation if lt else None,
    )
    pdf_signer = PdfSigner(
        meta, signer, timestamper=timestamper, stamp_style=style, new_field_spec=new_field
    )
    progress("signing")
    out = io.BytesIO()
    await pdf_signer.async_sign_pdf(writer, output=out, appearance_text_params=text_params)
    progress("signed")
    return out.getvalue()


def _ignore(_: str) -> None:
    return None


async def sign_leader(
    pdf: bytes,
    signer: Signer,
    signature: appearance.StampImage,
    options: LevelOptions = LevelOptions(),
    progress: Progress = _ignore,
    place: layout.Box | None = None,
    expected_sha256: str | None = None,
) -> bytes:
    """The leader's signature into the prepared field: the signature image only (II.7.d);
    `place` moves it (and the agency's seal with it) where the leader clicked;
    `expected_sha256` is the hash of the file the leader read (refused if it changed)."""
    writer = open_for_signing(pdf, expected_sha256)
    if _field(writer, layout.LEADER_FIELD) is None:
        raise UnsignableDocument("not-prepared")
    if place is not None:
        layout.move_signature_fields(writer, place)
    return await _sign(
        writer,
        signer,
        layout.LEADER_FIELD,
        appearance.signature_style(signature),
        options,
        progress,
    )


async def sign_in_place(
    pdf: bytes,
    signer: Signer,
    signature: appearance.StampImage,
    page: int,
    box: tuple[float, ...],
    options: LevelOptions = LevelOptions(),
    progress: Progress = _ignore,
    expected_sha256: str | None = None,
) -> bytes:
    """A signature in a new field at the box the server laid out (a meeting's minutes: the
    secretary's over THƯ KÝ, then the chair's over CHỦ TRÌ), the signature image only; an
    incremental update, so the signatures made before stay valid. The field is named by its
    rank (`chu_ky_1`, `chu_ky_2`, …): unique whoever signed before."""
    writer = open_for_signing(pdf, expected_sha256)
    pages = int(writer.root["/Pages"]["/Count"])
    if not 0 <= page < pages or len(box) != 4:
        raise UnsignableDocument("damaged", f"no box {box} on page {page} of {pages}")
    name = f"chu_ky_{len(signed_fields(pdf)) + 1}"
    spec = SigFieldSpec(name, on_page=page, box=box)  # type: ignore[arg-type]
    return await _sign(
        writer,
        signer,
        name,
        appearance.signature_style(signature),
        options,
        progress,
        new_field=spec,
    )


async def issue(
    pdf: bytes,
    signer: Signer,
    seal: appearance.StampImage,
    number_text: str,
    date_text: str,
    options: LevelOptions = LevelOptions(),
    progress: Progress = _ignore,
    expected_sha256: str | None = None,
) -> bytes:
    """Issuance: number and date filled into their fields, then the seal as the agency's
    signature (II.8.a), in one incremental update; only after the leader's signature
    (Art. 32.2.d)."""
    writer = open_for_signing(pdf, expected_sha256)
    if layout.LEADER_FIELD not in signed_fields(pdf):
        raise UnsignableDocument("leader-unsigned")
    fill_text_field(writer, layout.NUMBER_FIELD, number_text, italic=False)
    fill_text_field(writer, layout.DATE_FIELD, date_text, italic=True)
    return await _sign(
        writer, signer, layout.AGENCY_FIELD, appearance.seal_style(seal), options, progress
    )


async def sign_attachment(
    pdf: bytes,
    signer: Signer,
    reference: str,
    at: dt.datetime,
    options: LevelOptions = LevelOptions(),
    progress: Progress = _ignore,
) -> bytes:
    """The agency's signature on an attachment in a separate file: top right of page 1, the
    text "số và ký hiệu văn bản; thời gian ký", no image (II.8.b)."""
    writer = open_for_signing(pdf)
    page = writer.find_page_for_modification(0)[0].get_object()
    media_box = page.get("/MediaBox") or [0, 0, 595, 842]
    x1, y1 = float(media_box[2]), float(media_box[3])
    margin = 20 * appearance.MM
    top = y1 - 10 * appearance.MM
    box = (x1 - margin - 260, top - 20, x1 - margin, top)
    spec = SigFieldSpec("chu_ky_dinh_kem", on_page=0, box=box)  # type: ignore[arg-type]
    text = appearance.attachment_text(reference, at)
    return await _sign(
        writer,
        signer,
        spec.sig_field_name,
        appearance.attachment_style(),
        options,
        progress,
        {"text": text},
        spec,
    )


def _field(writer: IncrementalPdfFileWriter, name: str) -> generic.DictionaryObject | None:
    try:
        fields = writer.root["/AcroForm"]["/Fields"]
    except KeyError:
        return None
    for ref in fields:
        obj = ref.get_object()
        if obj.get("/T") == name:
            return obj
    return None


class _OpaqueTextContent(TextFieldContent):
    """A filled field painted on white: it covers the draft's placeholder ("Số:   /QĐ-UBND",
    "ngày ... tháng ... năm") so the filled line reads once."""

    def render(self) -> bytes:
        assert self.box is not None
        white = b"q 1 g 0 0 %g %g re f Q " % (self.box.width, self.box.height)
        return white + super().render()


def fill_text_field(
    writer: IncrementalPdfFileWriter, name: str, value: str, *, italic: bool
) -> None:
    """Fill a prepared text field through pyHanko (value and appearance on the one field
    object, made read-only): classed FORM_FILLING by pyHanko's difference analysis."""
    try:
        ref = find_existing_empty_field(writer, name, field_type="/Tx")
    except PdfError as exc:
        raise UnsignableDocument("not-prepared", str(exc)) from exc
    field_obj = ref.get_object()
    assert isinstance(field_obj, generic.DictionaryObject)
    annot = get_single_field_annot(field_obj)
    width, height = annot_width_height(annot)
    style = appearance.text_style(italic=italic)
    # Centre the line vertically in its box: the text box lays out from the bottom.
    style = replace(style, leading=None)
    content = _OpaqueTextContent(
        writer=writer,
        text_content=value,
        text_style=style,
        box=BoxConstraints(width=width, height=height),
    )
    content.apply_appearance(annot)
    writer.update_container(annot)
    field_obj["/V"] = generic.TextStringObject(value)
    field_obj["/Ff"] = generic.NumberObject(int(field_obj.get("/Ff", 0)) | 1)
    field_obj.pop("/DA", None)
    writer.mark_update(ref)
