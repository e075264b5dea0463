"""A browser guest in a crowded Janus meeting decodes video only for the tiles it shows (one
grid page of VIDEO_TILES), hears everyone, and the speaker takes a tile (server/guest_page/
janus.js): headless Chromium on the guest page, cheap publishers, Debian's Janus."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.fixtures.chromium import ChromiumProcess
from tests.fixtures.janus import ROOM, JanusProcess
from tests.fixtures.server import ServerProcess
from tests.media.netns.engines import WAIT
from tests.media.netns.guest_page import janus_meeting_server, until_page
from tests.media.netns.publishers import GatedTone, PreEncoded, Publishers
from tests.media.netns.test_guest_janus import guest_link

TILES = 9  # VIDEO_TILES in server/guest_page/janus.js
CROWD = 12
MORE = 10  # frames each shown feed decodes while the hidden ones are watched (10 fps each)

Stats = dict[str, dict[str, Any]]  # feed id → {video, audio, shown}, from the page


@pytest.fixture
def server(
    tmp_path_factory: pytest.TempPathFactory, janus: JanusProcess
) -> Iterator[ServerProcess]:
    media: dict[str, object] = {"kind": "janus", "url": janus.url, "room": ROOM}
    proc = janus_meeting_server(tmp_path_factory.mktemp("server"), media)
    yield proc
    proc.stop()


async def feeds(browser: ChromiumProcess, http: aiohttp.ClientSession) -> Stats:
    return dict(await browser.evaluate(http, "window.hopdeskGuest.feeds()") or {})


async def page_until(
    browser: ChromiumProcess, http: aiohttp.ClientSession, check: Any, what: str
) -> Stats:
    """Poll the page's per-feed figures until `check(stats)` holds."""
    deadline = time.monotonic() + WAIT
    while not check(stats := await feeds(browser, http)):
        assert time.monotonic() < deadline, f"timed out waiting for {what}: {stats}"
        await asyncio.sleep(0.2)
    return stats


def shown(stats: Stats) -> set[str]:
    return {feed for feed, entry in stats.items() if entry["shown"]}


async def only_shown_decode(
    browser: ChromiumProcess, http: aiohttp.ClientSession, base: Stats
) -> Stats:
    """Every shown feed decodes MORE frames while no hidden feed decodes one, and every feed's
    audio keeps arriving."""
    on = shown(base)
    now = await page_until(
        browser,
        http,
        lambda s: all(s[f]["video"] >= base[f]["video"] + MORE for f in on),
        "the shown feeds' frames",
    )
    hidden = set(base) - on
    assert {f: now[f]["video"] - base[f]["video"] for f in hidden} == dict.fromkeys(hidden, 0)
    assert all(now[f]["audio"] > base[f]["audio"] for f in base)  # everyone is heard
    return now


async def test_the_guest_decodes_video_only_for_its_tiles_and_the_speaker_takes_one(
    janus: JanusProcess, server: ServerProcess, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    crowd = Publishers(http, janus.url, ROOM)
    voices = [GatedTone() for _ in range(CROWD)]
    browser = ChromiumProcess(tmp_path / "chromium", server.url + guest_link(server))
    try:
        await crowd.open()
        for n, voice in enumerate(voices):
            await crowd.add(f"Điểm cầu {n}", 500 + n, audio=voice, video=PreEncoded())
        browser.start()
        await until_page(browser, http, "window.hopdeskGuest ? 1 : 0", 0, "the guest page")
        await browser.evaluate(http, "window.hopdeskGuest.join()")
        settled = await page_until(
            browser,
            http,
            lambda s: len(s) == CROWD and all(s[f]["video"] > 0 for f in shown(s)),
            "the whole crowd, the shown ones decoding",
        )
        assert len(shown(settled)) == TILES
        # frames in flight when the hidden ones were paused have arrived by now
        settled = await only_shown_decode(browser, http, settled)
        await only_shown_decode(browser, http, settled)

        speaker = sorted(set(settled) - shown(settled))[-1]
        voices[crowd.feeds.index(int(speaker))].speak = True
        moved = await page_until(
            browser, http, lambda s: speaker in shown(s), "the speaker on a tile"
        )
        assert len(shown(moved)) == TILES
        moved = await page_until(
            browser,
            http,
            lambda s: s[speaker]["video"] >= settled[speaker]["video"] + MORE,
            "the speaker's video",
        )
        await only_shown_decode(browser, http, moved)
    finally:
        browser.stop()
        await crowd.close()
