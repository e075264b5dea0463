"""The wait for the phone as a pure state machine: what a transaction status means, given
how long the app has waited (VNPT SmartCA v1.1 `gettraninfo` codes; FPT CA maps onto them).

No I/O: `hash_poll` asks the service and feeds the answers in.
"""

from __future__ import annotations

import enum

from desktop.signing.remote.errors import RemoteBadResponse


class TranStatus(enum.IntEnum):
    """`tranStatus` of VNPT SmartCA v1.1 `credentials/gettraninfo`."""

    DONE = 1  # approved: `documents[0].sig` holds the raw signature
    WAITING = 4000  # the push notification is on the phone
    EXPIRED = 4001  # nobody approved in time (about 5 minutes at the service)
    REJECTED = 4002  # the user refused on the phone


class Phase(enum.StrEnum):
    """Where the request stands, as the progress callback reports it."""

    WAITING = "waiting"
    DONE = "done"
    REJECTED = "rejected"
    EXPIRED = "expired"


def phase(status: object, elapsed: float, limit: float) -> Phase:
    """The phase after the service answered `status`, `elapsed` seconds after submitting.

    Still waiting past our own `limit` counts as expired: the app stops there even if the
    service would wait longer. An unknown status is a `RemoteBadResponse`."""
    if isinstance(status, bool):  # JSON true is not the code 1
        raise RemoteBadResponse(f"unknown tranStatus {status!r}")
    try:
        known = TranStatus(status)  # type: ignore[arg-type]
    except (ValueError, TypeError) as exc:
        raise RemoteBadResponse(f"unknown tranStatus {status!r}") from exc
    if known is TranStatus.DONE:
        return Phase.DONE
    if known is TranStatus.REJECTED:
        return Phase.REJECTED
    if known is TranStatus.EXPIRED or elapsed >= limit:
        return Phase.EXPIRED
    return Phase.WAITING
