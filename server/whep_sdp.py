"""Two SDP answers that join a WHEP viewer's offer to a Janus Streaming offer.

WHEP (draft-ietf-wish-whep) has the viewer offer and the server answer. Janus' Streaming plugin
up to 1.1.2 (Debian 12's `janus`) only offers to its viewers: taking an offer came with 1.1.3
(janus-gateway PR 3199). Both sides are offerers, so each is given an answer made from the
other's offer, as if the two had talked directly (they then do, peer to peer: the server carries
no media):

- to the viewer: Janus' transport (ICE credentials and candidates, DTLS fingerprint, `setup:
  passive`) and what Janus sends (its payload types, feedback, SSRCs), laid on the viewer's
  m-lines and mids, `sendonly`; an m-line Janus has nothing for is rejected (port 0);
- to Janus: the viewer's transport (`setup: active`, so the viewer is the DTLS client) on Janus'
  m-lines and mids, `recvonly`, with Janus' payload types of the codecs the viewer offered.

Both sides think they are the controlling ICE agent; ICE's role-conflict rule (RFC 8445 §7.3.1.1,
implemented by libnice and aioice) settles it on the first check. No RTP header extensions are
agreed (each side numbered its own): the viewer routes Janus' packets by their SSRCs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SDP_LIMIT = 64 * 1024  # bytes; an offer with every candidate is ~5–10 KB


class SdpError(ValueError):
    """An offer this glue cannot use (not SDP, no m-line, no ICE or DTLS)."""


@dataclass
class Section:
    """The session part or one m-line of an SDP, with its lines."""

    kind: str = ""
    proto: str = ""
    formats: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)

    def values(self, name: str) -> list[str]:
        """The values of the `a=name:` lines."""
        prefix = f"a={name}:"
        return [line[len(prefix) :] for line in self.lines if line.startswith(prefix)]

    def codecs(self) -> dict[str, str]:
        """Payload type → codec (`vp8/90000`), from the `rtpmap`s."""
        found = {}
        for value in self.values("rtpmap"):
            pt, _, codec = value.partition(" ")
            found[pt] = codec.strip().lower()
        return found

    def codec_lines(self, pts: list[str]) -> list[str]:
        """The `rtpmap`, `fmtp` and `rtcp-fb` lines of these payload types."""
        keys = ("a=rtpmap:", "a=fmtp:", "a=rtcp-fb:")
        return [
            line
            for line in self.lines
            for key in keys
            if line.startswith(key) and line[len(key) :].split(" ", 1)[0] in pts
        ]


@dataclass
class Sdp:
    """A parsed offer: the session part and its m-lines."""

    session: Section
    media: list[Section]

    def transport(self, section: Section, name: str) -> str:
        """An ICE or DTLS attribute of an m-line, else of the session."""
        found = section.values(name) or self.session.values(name)
        if not found:
            raise SdpError(f"no a={name}")
        return found[0]

    def fingerprint(self, section: Section) -> str:
        prints = section.values("fingerprint") or self.session.values("fingerprint")
        sha256 = [p for p in prints if p.lower().startswith("sha-256 ")]
        if not sha256:
            raise SdpError("no sha-256 fingerprint")
        return sha256[0]

    def candidates(self) -> list[str]:
        """The candidates of the first m-line that has any (the transport is bundled)."""
        return next((c for s in self.media if (c := s.values("candidate"))), [])


def parse(text: str) -> Sdp:
    """The parts of an SDP (`SdpError` if it is not one)."""
    if len(text) > SDP_LIMIT or not text.startswith("v=0"):
        raise SdpError("not an SDP")
    session = Section()
    media: list[Section] = []
    current = session
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("m="):
            parts = line[2:].split()
            if len(parts) < 4:
                raise SdpError(f"bad m-line {line!r}")
            current = Section(parts[0], parts[2], parts[3:])
            media.append(current)
        elif line:
            current.lines.append(line)
    if not media:
        raise SdpError("no m-line")
    return Sdp(session, media)


def _mid(sdp: Sdp, section: Section, index: int) -> str:
    mids = section.values("mid")
    return mids[0] if mids else str(index)


def answer(offer: Sdp, peer: Sdp, *, sender: bool) -> str:
    """An answer to `offer` speaking for the peer that made `peer`: its transport on `offer`'s
    m-lines. `sender`: the peer sends (its payload types and SSRCs go in, `sendonly`), else it
    receives (the offer's payload types of codecs the peer has, `recvonly`)."""
    used: set[int] = set()
    head = ["v=0", "o=- 1 1 IN IP4 127.0.0.1", "s=-", "t=0 0"]
    body: list[str] = []
    bundle: list[str] = []
    first: Section | None = None
    for index, section in enumerate(offer.media):
        mid = _mid(offer, section, index)
        match = next(
            (i for i, s in enumerate(peer.media) if i not in used and s.kind == section.kind), None
        )
        theirs = peer.media[match] if match is not None else None
        pts: list[str] = []
        if theirs is not None:
            # the payload types are always the sender's (Janus'), of codecs both sides have
            ours, offered = (theirs, section) if sender else (section, theirs)
            wanted = {c for c in offered.codecs().values() if not c.startswith("rtx/")}
            pts = [pt for pt, c in ours.codecs().items() if c in wanted]
        bundle.append(mid)
        if match is None or theirs is None or not pts:
            # Nothing to send or take here: inactive, but kept in the bundle. A rejected m-line
            # (port 0) first in the offer left aiortc bundled on a transport it never used.
            pts = section.formats[:1]
            body += [f"m={section.kind} 9 {section.proto} {pts[0]}", "c=IN IP4 0.0.0.0"]
            body += [f"a=mid:{mid}", "a=inactive", "a=rtcp-mux", *section.codec_lines(pts)]
        else:
            used.add(match)
            first = first or theirs
            body += [f"m={section.kind} 9 UDP/TLS/RTP/SAVPF {' '.join(pts)}", "c=IN IP4 0.0.0.0"]
            body += [f"a=mid:{mid}", "a=sendonly" if sender else "a=recvonly", "a=rtcp-mux"]
            body += (theirs if sender else section).codec_lines(pts)
            if sender:
                keep = ("a=ssrc:", "a=ssrc-group:", "a=msid:")
                body += [line for line in theirs.lines if line.startswith(keep)]
        body += [f"a=candidate:{c}" for c in peer.candidates()] + ["a=end-of-candidates"]
    if first is None:
        raise SdpError("nothing in common")
    head += [
        f"a=group:BUNDLE {' '.join(bundle)}",
        f"a=ice-ufrag:{peer.transport(first, 'ice-ufrag')}",
        f"a=ice-pwd:{peer.transport(first, 'ice-pwd')}",
        f"a=fingerprint:{peer.fingerprint(first)}",
        "a=setup:passive" if sender else "a=setup:active",
    ]
    return "\r\n".join(head + body) + "\r\n"
