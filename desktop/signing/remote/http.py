"""JSON over HTTPS to a remote signing service, with every failure turned into a typed error.

Both API shapes are POST with a JSON body and a Bearer token (CSC v1.0.4.0 §10.1; VNPT
SmartCA v1.1 and FPT CA follow the same convention).
"""

from __future__ import annotations

import json
import logging

import aiohttp

from desktop.signing.remote.errors import (
    RemoteBadResponse,
    RemoteNotSignedIn,
    RemoteServiceUnavailable,
    RemoteSigningError,
)

log = logging.getLogger(__name__)


def typed_error(exc: BaseException, url: str) -> RemoteSigningError:
    """The typed error for a low-level failure talking to `url`."""
    if isinstance(exc, RemoteSigningError):
        return exc
    if isinstance(exc, aiohttp.ClientResponseError):
        if exc.status in (401, 403):
            return RemoteNotSignedIn(f"{url}: HTTP {exc.status}")
        if exc.status >= 500:
            return RemoteServiceUnavailable(f"{url}: HTTP {exc.status}")
        return RemoteSigningError(f"{url}: HTTP {exc.status} {exc.message}")
    if isinstance(exc, aiohttp.ClientConnectionError | TimeoutError | OSError):
        return RemoteServiceUnavailable(f"{url}: {exc!r}")
    if isinstance(exc, aiohttp.ContentTypeError | json.JSONDecodeError | ValueError):
        return RemoteBadResponse(f"{url}: {exc!r}")
    return RemoteSigningError(f"{url}: {exc!r}")


async def post_json(
    session: aiohttp.ClientSession,
    url: str,
    body: dict[str, object],
    headers: dict[str, str],
    seconds: float,
) -> object:
    """POST `body` and return the decoded JSON answer; raises only `RemoteSigningError`s."""
    try:
        async with session.post(
            url,
            json=body,
            headers=headers,
            raise_for_status=True,
            timeout=aiohttp.ClientTimeout(total=seconds),
        ) as response:
            return await response.json(content_type=None)
    except (TimeoutError, aiohttp.ClientError, OSError, ValueError) as exc:
        error = typed_error(exc, url)
        log.warning("remote signing call failed: %s", error)
        raise error from exc
