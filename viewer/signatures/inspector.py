"""Inspecting a PDF's digital signatures with pyHanko, off the GUI thread.

`inspect_signatures` is the pure part: bytes in, one `SignatureInfo` per signature out (signer,
signing time, integrity, trust against the configured roots, changes after signing per pyHanko's
difference analysis). `SignatureInspector` runs it in a worker process — validation parses and
hashes the whole file and PyMuPDF-style GIL hogging would stall the GUI — and reports through
Qt signals.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
import warnings
from collections.abc import Sequence
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Signal

from viewer.jobs import JobRunner

log = logging.getLogger(__name__)

# pyHanko (0.38) imports cryptography's DSA key classes, which cryptography 51 deprecates with a
# warning on import that every user saw on stderr. HopDesk never makes or trusts DSA keys of its
# own; ignore exactly that warning, raised from pyHanko's modules, and nothing else.
warnings.filterwarnings(
    "ignore",
    message="DSA is deprecated",
    category=UserWarning,
    module=r"pyhanko(_certvalidator)?\.",
)


class SignatureState(enum.StrEnum):
    """The verdict on one signature, most serious first."""

    ERROR = "error"  # could not be checked at all
    BROKEN = "broken"  # signed bytes changed (e.g. a full re-save): the signature no longer fits
    INVALID = "invalid"  # the cryptographic signature itself does not verify
    MODIFIED = "modified"  # intact, but changed afterwards in a way the signer did not allow
    VALID_CHANGED = "valid_changed"  # intact; later revisions only make allowed changes
    VALID = "valid"  # intact, covers the whole file


@dataclass(frozen=True, slots=True)
class SignatureInfo:
    """What the signatures panel shows for one signature (plain data: crosses processes)."""

    field_name: str
    signer: str = ""  # common name of the signing certificate
    signer_subject: str = ""  # the full distinguished name, human friendly
    issuer: str = ""
    signing_time: dt.datetime | None = None  # the signer's claimed time, or the timestamp's
    timestamped: bool = False  # a timestamp token vouches for the time
    intact: bool = False  # the signed byte ranges hash to what was signed
    valid: bool = False  # the cryptographic signature verifies
    trusted: bool = False  # the certificate chains to a configured root
    trust_problem: str = ""  # technical reason when not trusted
    covers_whole_file: bool = False
    modification_level: str = ""  # pyHanko's ModificationLevel name for later changes
    changes_allowed: bool = False  # pyHanko's difference analysis accepts the later changes
    error: str = ""

    @property
    def modified_after_signing(self) -> bool:
        """The document as shown differs from what was signed."""
        return not self.intact or not self.covers_whole_file

    @property
    def state(self) -> SignatureState:
        """The overall verdict (trust is reported separately)."""
        if self.error:
            return SignatureState.ERROR
        if not self.intact:
            return SignatureState.BROKEN
        if not self.valid:
            return SignatureState.INVALID
        if self.covers_whole_file:
            return SignatureState.VALID
        if self.changes_allowed:
            return SignatureState.VALID_CHANGED
        return SignatureState.MODIFIED

    def status_text(self) -> str:
        """One translated sentence about integrity and changes (literal translate() calls, so
        pyside6-lupdate sees every text)."""
        match self.state:
            case SignatureState.ERROR:
                return QCoreApplication.translate("viewer", "The signature could not be checked.")
            case SignatureState.BROKEN:
                return QCoreApplication.translate(
                    "viewer",
                    "The document was modified after signing: the signature no longer fits.",
                )
            case SignatureState.INVALID:
                return QCoreApplication.translate("viewer", "The signature is not valid.")
            case SignatureState.MODIFIED:
                return QCoreApplication.translate(
                    "viewer",
                    "The document was modified after signing in a way that is not allowed.",
                )
            case SignatureState.VALID_CHANGED:
                return QCoreApplication.translate(
                    "viewer",
                    "The signature is valid; later changes (such as other signatures) are allowed.",
                )
            case SignatureState.VALID:
                return QCoreApplication.translate(
                    "viewer", "The signature is valid and the document has not been modified since."
                )

    def trust_text(self) -> str:
        """One translated sentence about the certificate."""
        if self.trusted:
            return QCoreApplication.translate(
                "viewer", "The signer's certificate is issued by a trusted authority."
            )
        return QCoreApplication.translate(
            "viewer", "The signer's certificate is not issued by a trusted authority."
        )


def _load_roots(trust_roots: Sequence[bytes]) -> list[Any]:
    """PEM or DER certificates as asn1crypto certificates."""
    from pyhanko.keys import load_certs_from_pemder_data

    roots: list[Any] = []
    for data in trust_roots:
        roots.extend(load_certs_from_pemder_data(data))
    return roots


def _common_name(name: Any) -> str:
    native = name.native
    cn = native.get("common_name") if isinstance(native, dict) else None
    return str(cn) if cn else str(name.human_friendly)


class SignaturesUnreadableError(Exception):
    """The file has signature fields, but pyHanko cannot read the file (it is damaged)."""


class NotReadableError(Exception):
    """Neither pyHanko nor MuPDF can read the file: it is not a PDF, or beyond repair."""


def _require_unsigned(data: bytes, reason: Exception) -> None:
    """pyHanko could not read the file (`reason`): ask MuPDF, which repairs damaged files,
    whether it has signature fields at all. An unsigned file then has no signatures to check
    (it said "could not check" for every damaged unsigned file); a signed one raises."""
    import pymupdf

    try:
        with pymupdf.open(stream=data, filetype="pdf") as doc:
            flags = doc.get_sigflags()  # -1/0: no signature fields; 1, 3: signed
    except Exception as exc:  # FileDataError and friends: unreadable either way
        raise NotReadableError(f"pyHanko: {reason!r}; MuPDF: {exc!r}") from exc
    if flags > 0:
        raise SignaturesUnreadableError(f"signed, but pyHanko cannot read it: {reason!r}")


def inspect_signatures(
    data: bytes, trust_roots: Sequence[bytes] = (), moment: dt.datetime | None = None
) -> list[SignatureInfo]:
    """Validate every signature of a PDF (pure; slow on big files: call it off the GUI thread).

    Only the configured `trust_roots` (PEM or DER) are trusted — never the OS list — and no
    network fetching is done, so the verdict is the same offline.
    """
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(BytesIO(data), strict=False)
        embedded = reader.embedded_signatures
    except (PdfError, ValueError, KeyError, TypeError) as exc:
        log.info("pyHanko cannot read the file: %r", exc)
        _require_unsigned(data, exc)
        return []
    roots = _load_roots(trust_roots)
    infos: list[SignatureInfo] = []
    for sig in embedded:
        name = sig.field_name or ""
        try:
            context = ValidationContext(trust_roots=roots, allow_fetching=False, moment=moment)
            st = validate_pdf_signature(sig, context)
        except (SignatureValidationError, PdfError, ValueError, KeyError, TypeError) as exc:
            log.info("signature %s could not be validated: %r", name, exc)
            infos.append(SignatureInfo(name, error=str(exc) or type(exc).__name__))
            continue
        cert = st.signing_cert
        ts = st.timestamp_validity
        when = ts.timestamp if ts is not None else st.signer_reported_dt
        level = st.modification_level
        problem = st.trust_problem_indic
        infos.append(
            SignatureInfo(
                field_name=name,
                signer=_common_name(cert.subject),
                signer_subject=str(cert.subject.human_friendly),
                issuer=_common_name(cert.issuer),
                signing_time=when,
                timestamped=ts is not None and ts.intact and ts.valid,
                intact=bool(st.intact),
                valid=bool(st.valid),
                trusted=bool(st.trusted),
                trust_problem=str(getattr(problem, "name", problem or "")),
                covers_whole_file=st.coverage == SignatureCoverageLevel.ENTIRE_FILE,
                modification_level=level.name if level is not None else "",
                changes_allowed=bool(st.docmdp_ok)
                and level is not None
                and level <= ModificationLevel.FORM_FILLING,
            )
        )
    return infos


def inspect_signature_file(
    path: str, trust_roots: Sequence[bytes] = (), moment: dt.datetime | None = None
) -> list[SignatureInfo]:
    """`inspect_signatures` on a file, read in the worker so big files never cross the pipe."""
    with open(path, "rb") as f:
        data = f.read()
    return inspect_signatures(data, trust_roots, moment)


class SignatureInspector(QObject):
    """Validates signatures in a worker process; `inspect` returns at once.

    `finished(request_id, list[SignatureInfo])` or `failed(request_id, message)` follows on the
    GUI thread. Set trust roots (PEM or DER) from configuration with `set_trust_roots`.
    """

    finished = Signal(int, object)
    failed = Signal(int, str)

    def __init__(self, trust_roots: Sequence[bytes] = (), parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._roots = tuple(trust_roots)
        self._jobs = JobRunner(self)
        self._jobs.finished.connect(self.finished)
        self._jobs.failed.connect(
            lambda request, exc: self.failed.emit(request, failure_message(exc))
        )

    def set_trust_roots(self, trust_roots: Sequence[bytes]) -> None:
        """The roots later inspections trust (policy-configured CA certificates)."""
        self._roots = tuple(trust_roots)

    def inspect(self, data: bytes) -> int:
        """Start validating `data`; returns the request id the signals will carry."""
        return self._jobs.submit(inspect_signatures, data, self._roots)

    def inspect_file(self, path: str) -> int:
        """Start validating the file at `path` (read by the worker)."""
        return self._jobs.submit(inspect_signature_file, path, self._roots)

    def busy(self) -> bool:
        """An inspection is under way."""
        return self._jobs.busy()

    def cancel(self, request: int | None = None) -> None:
        """Forget one pending request, or all of them (their results are dropped). Panels that
        share one inspector cancel only their own request."""
        self._jobs.cancel(request)

    def close(self) -> None:
        """Stop the worker process."""
        self._jobs.close()


def failure_message(exc: object) -> str:
    """Why the signatures could not be checked, in one translated sentence."""
    if isinstance(exc, SignaturesUnreadableError):
        return QCoreApplication.translate(
            "viewer", "The file has signatures, but it is damaged: they cannot be checked."
        )
    if isinstance(exc, NotReadableError):
        return QCoreApplication.translate(
            "viewer", "The signatures could not be checked: the file is not a readable PDF."
        )
    if isinstance(exc, OSError):
        return QCoreApplication.translate(
            "viewer", "The signatures could not be checked: the file could not be read."
        )
    if isinstance(exc, BrokenProcessPool):
        return QCoreApplication.translate(
            "viewer", "The signatures could not be checked: the checker stopped unexpectedly."
        )
    return QCoreApplication.translate(
        "viewer", "The signatures could not be checked (%1)."
    ).replace("%1", type(exc).__name__)
