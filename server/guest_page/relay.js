// The room relay (server/rooms.py) for the guest page: a mesh call with everyone in the room.
// The newcomer offers to the people it finds; the others offer to it. Offers and answers carry
// all candidates (the HopDesk app, on aiortc, does not trickle), and trickled candidates are
// accepted too.

export function relayCall(ctx) {
  const peers = new Map(); // peer id -> {pc, display, tile}
  let me = "";
  let queue = Promise.resolve(); // one thing at a time, in order

  function enqueue(work) {
    queue = queue.then(work).catch((error) => console.error(error));
  }

  function newConnection(id) {
    const link = peers.get(id);
    if (link.pc) link.pc.close();
    const pc = new RTCPeerConnection({ iceServers: ctx.iceServers() });
    link.pc = pc;
    ctx.show(link.tile, pc);
    pc.onconnectionstatechange = () => {
      if (pc.connectionState === "failed" && link.pc === pc && me < id) {
        setTimeout(() => enqueue(() => offerTo(id)), 500 + Math.random() * 1000);
      }
    };
    return pc;
  }

  function addPeer(id, display) {
    if (!peers.has(id)) peers.set(id, { pc: null, display, tile: ctx.tile(display || id) });
  }

  function dropPeer(id) {
    const link = peers.get(id);
    if (!link) return;
    if (link.pc) link.pc.close();
    link.tile.remove();
    peers.delete(id);
  }

  async function offerTo(id) {
    if (!peers.has(id)) return;
    const pc = newConnection(id);
    ctx.addLocal(pc);
    await pc.setLocalDescription(await pc.createOffer());
    await ctx.gathered(pc);
    ctx.send({ type: "offer", peer: id, sdp: pc.localDescription.sdp });
  }

  async function answer(id, sdp) {
    addPeer(id, "");
    const pc = newConnection(id);
    await pc.setRemoteDescription({ type: "offer", sdp });
    ctx.addLocal(pc);
    await pc.setLocalDescription(await pc.createAnswer());
    await ctx.gathered(pc);
    ctx.send({ type: "answer", peer: id, sdp: pc.localDescription.sdp });
  }

  async function handle(message) {
    switch (message.type) {
      case "presence":
        me = message.you;
        ctx.connected();
        for (const p of message.peers) {
          addPeer(p.peer, p.display);
          await offerTo(p.peer);
        }
        break;
      case "join":
        addPeer(message.peer, message.display);
        break;
      case "leave":
        dropPeer(message.peer);
        break;
      case "offer":
        await answer(message.peer, message.sdp);
        break;
      case "answer": {
        const link = peers.get(message.peer);
        if (link && link.pc && link.pc.signalingState === "have-local-offer") {
          await link.pc.setRemoteDescription({ type: "answer", sdp: message.sdp });
        }
        break;
      }
      case "candidate": {
        const link = peers.get(message.peer);
        if (link && link.pc && message.candidate) {
          await link.pc.addIceCandidate({
            candidate: message.candidate,
            sdpMid: message.sdp_mid,
            sdpMLineIndex: message.sdp_mline_index,
          });
        }
        break;
      }
      case "ping":
        ctx.send({ type: "pong" });
        break;
      case "error":
        console.warn("the relay refused a message", message.code, message.detail);
        break;
      default:
        console.warn("unknown message", message.type);
    }
  }

  return {
    receive: (message) => enqueue(() => handle(message)),
    leave: () => ctx.send({ type: "leave" }),
    close: () => [...peers.keys()].forEach(dropPeer),
    connections: () => [...peers.values()].map((link) => link.pc).filter(Boolean),
    peers: () => [...peers.keys()],
  };
}
