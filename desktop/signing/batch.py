"""Signing many documents with one PIN entry and one token session.

Each document gets its own result. A document that cannot be signed (damaged, encrypted, not
prepared) fails alone; the others go on, each from its own bytes, so nothing of one leaks into
another. When the key itself goes away (token removed, signing process dead, PIN locked), the
rest fail at once with that error instead of trying the token again for each. A remote
signing service counts as gone when the user refused or let a request expire on the phone,
cancelled the wait, or the service cannot be reached: the phone is not asked again for each.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from pyhanko.pdf_utils.misc import PdfError

from desktop.signing.errors import (
    PinLocked,
    SigningError,
    SigningProcessFailed,
    TokenUnavailable,
    UnsignableDocument,
)
from desktop.signing.remote.errors import (
    RemoteNotSignedIn,
    RemoteServiceUnavailable,
    RemoteSignCancelled,
    RemoteSignExpired,
    RemoteSignRejected,
)

KEY_GONE: tuple[type[SigningError], ...] = (
    SigningProcessFailed,
    TokenUnavailable,
    PinLocked,
    RemoteSignRejected,
    RemoteSignExpired,
    RemoteSignCancelled,
    RemoteServiceUnavailable,
    RemoteNotSignedIn,
)


@dataclass(frozen=True, slots=True)
class BatchItem:
    name: str
    pdf: bytes


@dataclass(frozen=True, slots=True)
class BatchResult:
    name: str
    signed: bytes | None
    error: SigningError | None

    @property
    def ok(self) -> bool:
        return self.error is None


async def sign_batch(
    items: Sequence[BatchItem],
    sign_one: Callable[[bytes], Awaitable[bytes]],
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> list[BatchResult]:
    """Sign `items` one after the other with `sign_one` (which holds the logged-in signer)."""
    results: list[BatchResult] = []
    gone: SigningError | None = None
    for index, item in enumerate(items):
        if gone is not None:
            results.append(BatchResult(item.name, None, gone))
            progress(index + 1, len(items))
            continue
        try:
            results.append(BatchResult(item.name, await sign_one(item.pdf), None))
        except KEY_GONE as exc:
            gone = exc
            results.append(BatchResult(item.name, None, exc))
        except SigningError as exc:
            results.append(BatchResult(item.name, None, exc))
        except PdfError as exc:
            results.append(BatchResult(item.name, None, UnsignableDocument("damaged", repr(exc))))
        progress(index + 1, len(items))
    return results
