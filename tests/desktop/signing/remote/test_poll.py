"""The wait for the phone as a pure state machine (VNPT SmartCA v1.1 tranStatus codes)."""

from __future__ import annotations

import pytest

from desktop.signing.remote.errors import RemoteBadResponse
from desktop.signing.remote.poll import Phase, phase


@pytest.mark.parametrize(
    ("status", "elapsed", "expected"),
    [
        (4000, 0.0, Phase.WAITING),
        (4000, 299.9, Phase.WAITING),
        (4000, 300.0, Phase.EXPIRED),  # our limit, even if the service still waits
        (1, 10.0, Phase.DONE),
        (1, 900.0, Phase.DONE),  # approved is approved, however late we saw it
        (4001, 5.0, Phase.EXPIRED),
        (4002, 5.0, Phase.REJECTED),
    ],
)
def test_status_and_elapsed_give_the_phase(status: int, elapsed: float, expected: Phase) -> None:
    assert phase(status, elapsed, limit=300.0) is expected


@pytest.mark.parametrize("status", [0, 2, 4003, -1, "1", True, None, 1.5])
def test_unknown_status_is_a_bad_response(status: object) -> None:
    with pytest.raises(RemoteBadResponse):
        phase(status, 0.0, limit=300.0)
