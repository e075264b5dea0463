"""Named points where a test may stop the app on purpose, to kill it there.

The crash tests of issue 12 kill a real app process with SIGKILL between two steps that must
survive it (the server gave the số, the agency's signature not yet made or not yet sent). A
sleep or a guess at timing would make them flaky; instead the process, when
`HOPDESK_PAUSE_AT` names the point it reaches, says so on its standard error
("hopdesk: paused at <point>") and waits there until it is killed. Unset (always, outside
those tests) a point costs one environment lookup.
"""

from __future__ import annotations

import asyncio
import os
import sys

ENV = "HOPDESK_PAUSE_AT"


async def reached(point: str) -> None:
    """Return at once, unless `HOPDESK_PAUSE_AT` names `point`: then never (the test kills
    the process here)."""
    if os.environ.get(ENV) != point:
        return
    print(f"hopdesk: paused at {point}", file=sys.stderr, flush=True)
    await asyncio.Event().wait()
