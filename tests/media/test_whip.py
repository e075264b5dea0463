"""The WHIP/WHEP adapter against broken or hostile endpoints (a tiny aiohttp server standing in
for a faulty third-party server; the real one is in tests/media/netns/test_whip.py), and the
RFC 8288 `Link` parsing of ICE servers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import aiohttp
import pytest
from aiohttp import web

from media.config import IceServer, WhipBackend
from media.signaling import Answer, Offer
from media.signaling.whip import (
    WHEP_PEER,
    WHIP_PEER,
    WhipBadAnswer,
    WhipError,
    WhipRefused,
    WhipSignaling,
    parse_ice_links,
)

ANSWER = (
    "v=0\r\no=- 1 1 IN IP4 127.0.0.2\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n"
    "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=recvonly\r\n"
    "a=rtpmap:111 opus/48000/2\r\na=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuv\r\n"
    "a=fingerprint:sha-256 " + ":".join(["AB"] * 32) + "\r\na=setup:passive\r\n"
)
OFFER = Offer(WHIP_PEER, "v=0\r\n")

Handler = Callable[[web.Request], web.StreamResponse]


@pytest.fixture
async def endpoint(unused_tcp_port: int) -> AsyncIterator[tuple[str, dict[str, Handler]]]:
    """A server whose handler per HTTP method each test sets."""
    handlers: dict[str, Handler] = {}

    async def dispatch(request: web.Request) -> web.StreamResponse:
        return handlers[request.method](request)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", dispatch)
    runner = web.AppRunner(app)
    await runner.setup()
    port = unused_tcp_port
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield f"http://127.0.0.1:{port}/whip/ep", handlers
    await runner.cleanup()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def _sdp(body: str, **headers: str) -> web.Response:
    return web.Response(status=201, text=body, content_type="application/sdp", headers=headers)


@pytest.mark.parametrize(
    ("response", "error"),
    [
        (lambda: web.Response(status=401), WhipRefused),
        (lambda: web.Response(status=403), WhipRefused),
        (lambda: web.Response(status=404), WhipRefused),
        (lambda: web.Response(status=409), WhipRefused),
        (lambda: web.Response(status=415), WhipRefused),
        (lambda: web.Response(status=500), WhipError),
        (lambda: web.Response(status=503), WhipError),
        (lambda: web.Response(status=200, text=ANSWER, content_type="application/sdp"), WhipError),
        (lambda: _sdp(ANSWER), WhipBadAnswer),  # no Location
        (lambda: _sdp("<html>hello</html>", Location="/r/1"), WhipBadAnswer),
        (lambda: _sdp("v=0\r\nthis is no sdp\r\n", Location="/r/1"), WhipBadAnswer),
        (
            lambda: _sdp("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\n", Location="/r/1"),
            WhipBadAnswer,
        ),
        (lambda: _sdp(ANSWER + "a=x:" + "y" * 70000 + "\r\n", Location="/r/1"), WhipBadAnswer),
        (
            lambda: web.Response(
                status=201, text=ANSWER, content_type="text/html", headers={"Location": "/r"}
            ),
            WhipBadAnswer,
        ),
    ],
)
async def test_every_bad_reply_is_a_typed_error(
    endpoint: tuple[str, dict[str, Handler]],
    http: aiohttp.ClientSession,
    response: Callable[[], web.Response],
    error: type[Exception],
) -> None:
    url, handlers = endpoint
    handlers["POST"] = lambda _request: response()
    with pytest.raises(error) as raised:
        await WhipSignaling(http, WhipBackend(url, "t")).send(OFFER)
    if error is WhipError:
        assert not isinstance(raised.value, WhipRefused)  # worth a retry


async def test_a_good_answer_is_posted_with_the_token_and_deleted_on_leave(
    endpoint: tuple[str, dict[str, Handler]], http: aiohttp.ClientSession
) -> None:
    url, handlers = endpoint
    requests: list[tuple[str, str, str]] = []

    def record(request: web.Request, reply: web.Response) -> web.Response:
        requests.append((request.method, request.path, request.headers.get("Authorization", "")))
        return reply

    handlers["POST"] = lambda r: record(
        r,
        _sdp(
            ANSWER,
            Location="../resource/1",  # relative to the endpoint's URL
            Link='<turn:127.0.0.2:3478?transport=udp>; rel="ice-server"; '
            'username="u"; credential="p"; credential-type="password"',
        ),
    )
    handlers["DELETE"] = lambda r: record(r, web.Response(status=200))
    signaling = WhipSignaling(http, WhipBackend(url, "tok"), playback=True)
    presence = await signaling.join()
    assert [p.peer for p in presence.peers] == [WHEP_PEER]
    assert presence.publish_to == ""
    await signaling.send(Offer(WHEP_PEER, "v=0\r\n"))
    stream = signaling.incoming()
    assert await anext(stream) == Answer(WHEP_PEER, ANSWER)
    assert signaling.session_url == url.rsplit("/", 2)[0] + "/resource/1"
    assert signaling.link_ice_servers == (
        IceServer(("turn:127.0.0.2:3478?transport=udp",), "u", "p"),
    )
    await signaling.leave()
    await signaling.leave()  # idempotent
    assert requests == [
        ("POST", "/whip/ep", "Bearer tok"),
        ("DELETE", "/resource/1", "Bearer tok"),
    ]
    with pytest.raises(StopAsyncIteration):  # leaving ends the stream
        await anext(stream)


def test_link_headers_give_ice_servers_and_skip_the_rest() -> None:
    values = [
        '<stun:stun.example.net>; rel="ice-server", <https://x/y>; rel="next"',
        '<turns:t.example.net:443?transport=tcp>; rel="ice-server"; username="a b"; '
        'credential="c,d;e"; credential-type="password"',
        '<turn:no-credentials.example.net>; rel="ice-server"',  # unusable: skipped
        "<http://not-an-ice-server>; rel=ice-server",
        "garbage",
    ]
    assert parse_ice_links(values) == (
        IceServer(("stun:stun.example.net",)),
        IceServer(("turns:t.example.net:443?transport=tcp",), "a b", "c,d;e"),
    )
