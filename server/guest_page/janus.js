// A Janus VideoRoom for the guest page. The page never reaches Janus itself: the server passes
// Janus' own messages to and from the meeting's room (server/guest_janus.py), so this is a plain
// Janus client. It publishes the camera and microphone on one connection and receives each other
// publisher ("feed") on a connection of its own, where Janus offers and the page answers with
// `start`. Offers and answers carry all candidates.
//
// A browser cannot decode 60 videos: like the app, the page shows at most VIDEO_TILES tiles (a
// grid page; "next page" turns it) and Janus sends the video only of those. The others are
// paused with a subscriber `configure` (`send: false` on their video mids) and resumed on the
// same connection, never unsubscribed: a new subscription costs an ICE and DTLS handshake each
// time a page turns. Audio is never paused: everyone who speaks is heard. Whoever Janus says is
// talking takes a tile on the page shown (the last one), so the speaker is always seen.

const KEEPALIVE_MS = 25000; // Janus ends a session after 60 s without a word
const NO_SUCH_FEED = 428; // subscribing before the publisher's connection is up
const FEED_RETRIES = 20;
const PLUGIN = "janus.plugin.videoroom";
export const VIDEO_TILES = 9;

export function janusCall(ctx) {
  const waiting = new Map(); // transaction -> {resolve, reject}
  const feeds = new Map(); // feed id -> {handle, pc, tile, videoMids, started, sending}
  let page = 0;
  let speaker = null; // the feed Janus last said is talking
  let counter = 0;
  let session = 0;
  let keepalive = 0;
  let publisher = null; // our publishing connection

  function request(message) {
    const transaction = String(++counter);
    return new Promise((resolve, reject) => {
      waiting.set(transaction, { resolve, reject });
      ctx.send({ ...message, transaction, session_id: session || undefined });
    });
  }

  function plugin(handle, body, jsep) {
    return request({ janus: "message", handle_id: handle, body, jsep });
  }

  async function attach() {
    return (await request({ janus: "attach", plugin: PLUGIN })).data.id;
  }

  async function start() {
    session = (await request({ janus: "create" })).data.id;
    keepalive = setInterval(() => request({ janus: "keepalive" }), KEEPALIVE_MS);
    const handle = await attach();
    const joined = await plugin(handle, { request: "join", ptype: "publisher" });
    ctx.connected();
    const local = ctx.local();
    if (local.getTracks().length) {
      publisher = new RTCPeerConnection({ iceServers: ctx.iceServers() });
      for (const track of local.getTracks()) {
        publisher.addTransceiver(track, { direction: "sendonly", streams: [local] });
      }
      await publisher.setLocalDescription(await publisher.createOffer());
      await ctx.gathered(publisher);
      const offer = { type: "offer", sdp: publisher.localDescription.sdp };
      const reply = await plugin(handle, { request: "publish" }, offer);
      await publisher.setRemoteDescription(reply.jsep);
    }
    for (const feed of joined.plugindata.data.publishers || []) {
      ctx.enqueue(() => subscribe(feed));
    }
  }

  async function subscribe(feed) {
    if (feeds.has(feed.id)) return;
    const tile = ctx.tile(feed.display || String(feed.id));
    tile.hidden = true; // until arrange() gives it a place
    const link = { handle: 0, pc: null, tile, videoMids: [], started: false, sending: true };
    feeds.set(feed.id, link);
    link.handle = await attach();
    const body = { request: "join", ptype: "subscriber", streams: [{ feed: feed.id }] };
    let offer;
    for (let attempt = 1; ; attempt++) {
      try {
        const reply = await plugin(link.handle, body);
        offer = reply.jsep;
        const streams = reply.plugindata.data.streams || [];
        link.videoMids = streams.filter((s) => s.type === "video").map((s) => s.mid);
        break;
      } catch (error) {
        if (error.code !== NO_SUCH_FEED || attempt >= FEED_RETRIES) throw error;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
    if (feeds.get(feed.id) !== link) return; // it left meanwhile
    link.pc = new RTCPeerConnection({ iceServers: ctx.iceServers() });
    ctx.show(link.tile, link.pc);
    await link.pc.setRemoteDescription(offer);
    await link.pc.setLocalDescription(await link.pc.createAnswer());
    await ctx.gathered(link.pc);
    const answer = { type: "answer", sdp: link.pc.localDescription.sdp };
    await plugin(link.handle, { request: "start" }, answer);
    link.started = true;
    arrange();
  }

  // The feeds on the page shown, in join order, with the speaker on its last tile when the
  // page does not hold them already.
  function shownFeeds() {
    const order = [...feeds.keys()];
    const pages = Math.max(1, Math.ceil(order.length / VIDEO_TILES));
    page = Math.min(page, pages - 1);
    const shown = order.slice(page * VIDEO_TILES, (page + 1) * VIDEO_TILES);
    if (speaker !== null && feeds.has(speaker) && !shown.includes(speaker)) {
      if (shown.length >= VIDEO_TILES) shown.pop();
      shown.push(speaker);
    }
    return new Set(shown);
  }

  // Tiles shown or hidden, and Janus told to send or hold each feed's video to match.
  function arrange() {
    const shown = shownFeeds();
    for (const [id, link] of feeds) {
      const on = shown.has(id);
      link.tile.hidden = !on;
      if (!link.started || link.sending === on || !link.videoMids.length) continue;
      link.sending = on;
      const streams = link.videoMids.map((mid) => ({ mid, send: on }));
      plugin(link.handle, { request: "configure", streams }).catch((error) =>
        console.warn("configure", id, error),
      );
    }
  }

  function turnPage() {
    page = (page + 1) * VIDEO_TILES < feeds.size ? page + 1 : 0;
    arrange();
  }

  // Per feed: video frames decoded, audio packets received, and whether its tile is shown.
  async function feedStats() {
    const out = {};
    for (const [id, link] of feeds) {
      const entry = { video: 0, audio: 0, shown: !link.tile.hidden };
      const report = link.pc ? await link.pc.getStats() : new Map();
      report.forEach((s) => {
        if (s.type !== "inbound-rtp") return;
        if (s.kind === "video") entry.video += s.framesDecoded || 0;
        else entry.audio += s.packetsReceived || 0;
      });
      out[id] = entry;
    }
    return out;
  }

  function dropFeed(id) {
    const link = feeds.get(id);
    if (!link) return;
    feeds.delete(id);
    if (link.pc) link.pc.close();
    link.tile.remove();
    if (link.handle) request({ janus: "detach", handle_id: link.handle }).catch(() => {});
    arrange(); // a hidden feed may take its place
  }

  function event(message) {
    const data = message.plugindata ? message.plugindata.data : null;
    if (!data) return;
    for (const feed of data.publishers || []) ctx.enqueue(() => subscribe(feed));
    for (const gone of [data.unpublished, data.leaving]) {
      if (gone !== undefined && gone !== "ok") dropFeed(gone);
    }
    if (data.videoroom === "talking" && feeds.has(data.id) && speaker !== data.id) {
      speaker = data.id;
      arrange();
    }
  }

  // Janus' answers resolve their requests at once, never behind the page's queue of work
  // (which may be waiting for one of them).
  function receive(message) {
    if (message.janus === "ack") return; // the answer itself follows
    const pending = waiting.get(message.transaction);
    if (pending) {
      waiting.delete(message.transaction);
      const data = message.plugindata ? message.plugindata.data : {};
      if (message.janus === "error" || data.error_code) {
        const error = new Error(message.error ? message.error.reason : data.error);
        error.code = message.error ? message.error.code : data.error_code;
        pending.reject(error);
      } else {
        pending.resolve(message);
      }
      return;
    }
    if (message.janus === "event") event(message);
  }

  function close() {
    clearInterval(keepalive);
    for (const id of [...feeds.keys()]) dropFeed(id);
    if (publisher) publisher.close();
    for (const pending of waiting.values()) pending.reject(new Error("left"));
    waiting.clear();
  }

  return {
    start,
    receive,
    leave: () => session && ctx.send({ janus: "destroy", session_id: session, transaction: "bye" }),
    close,
    connections: () => [publisher, ...[...feeds.values()].map((link) => link.pc)].filter(Boolean),
    peers: () => [...feeds.keys()],
    feedStats,
    turnPage,
  };
}
