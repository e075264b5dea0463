// HopDesk browser guest: joins a meeting's room relay (server/rooms.py) with the one-time token
// in this page's URL and holds a mesh call with everyone in the room. The newcomer offers to
// the people it finds; the others offer to it. Offers and answers carry all candidates (the
// HopDesk app, on aiortc, does not trickle), and trickled candidates are accepted too.
// `window.hopdeskGuest` exposes the state for tests and support.
"use strict";

const WAIT_GATHERING_MS = 5000;
// The token is the URL's fragment (/guest#token): never sent to a server, proxy or log.
const token = decodeURIComponent(location.hash.slice(1));
history.replaceState(null, "", location.pathname); // and not left in the address bar
const peers = new Map(); // peer id -> {pc, display, tile}
let socket = null;
let local = null;
let me = "";
let status = "idle";
let queue = Promise.resolve();
let iceServers = []; // from the server's first message: never a public default

const REFUSED = {
  4401: "Đường dẫn đã được dùng, đã hết hạn hoặc không đúng. Xin người mời gửi đường dẫn mới.",
  4403: "Cuộc họp này không nhận khách mời qua trình duyệt.",
  4404: "Cuộc họp không còn trên máy chủ.",
};

function say(text) {
  document.getElementById("status").textContent = text;
}

function send(message) {
  if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
}

async function openMedia() {
  try {
    return await navigator.mediaDevices.getUserMedia({
      audio: true,
      video: { width: 640, height: 360 },
    });
  } catch (error) {
    console.warn("camera", error);
  }
  try {
    const audio = await navigator.mediaDevices.getUserMedia({ audio: true });
    say("Không mở được camera: bạn tham gia chỉ bằng âm thanh.");
    return audio;
  } catch (error) {
    console.warn("microphone", error);
    say("Không mở được camera và micrô: bạn chỉ xem và nghe.");
    return new MediaStream();
  }
}

function tileFor(id, display) {
  const figure = document.createElement("figure");
  figure.className = "tile";
  const video = document.createElement("video");
  video.autoplay = true;
  video.playsInline = true;
  const caption = document.createElement("figcaption");
  caption.textContent = display || id;
  figure.append(video, caption);
  document.getElementById("tiles").append(figure);
  return figure;
}

function gathered(pc) {
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      if (pc.iceGatheringState === "complete") resolve();
    };
    pc.addEventListener("icegatheringstatechange", done);
    setTimeout(resolve, WAIT_GATHERING_MS); // send what we have
  });
}

function newConnection(id) {
  const link = peers.get(id);
  if (link.pc) link.pc.close();
  const pc = new RTCPeerConnection({ iceServers });
  link.pc = pc;
  const stream = new MediaStream();
  link.tile.querySelector("video").srcObject = stream;
  pc.ontrack = (event) => stream.addTrack(event.track);
  pc.onconnectionstatechange = () => {
    if (pc.connectionState === "failed" && link.pc === pc && me < id) {
      setTimeout(() => enqueue(() => offerTo(id)), 500 + Math.random() * 1000);
    }
  };
  return pc;
}

function addLocal(pc) {
  for (const track of local.getTracks()) pc.addTrack(track, local);
  for (const kind of ["audio", "video"]) {
    if (!local.getTracks().some((t) => t.kind === kind)) {
      pc.addTransceiver(kind, { direction: "recvonly" });
    }
  }
}

function addPeer(id, display) {
  if (!peers.has(id)) peers.set(id, { pc: null, display, tile: tileFor(id, display) });
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
  addLocal(pc);
  await pc.setLocalDescription(await pc.createOffer());
  await gathered(pc);
  send({ type: "offer", peer: id, sdp: pc.localDescription.sdp });
}

async function answer(id, sdp) {
  addPeer(id, "");
  const pc = newConnection(id);
  await pc.setRemoteDescription({ type: "offer", sdp });
  addLocal(pc);
  await pc.setLocalDescription(await pc.createAnswer());
  await gathered(pc);
  send({ type: "answer", peer: id, sdp: pc.localDescription.sdp });
}

async function handle(message) {
  switch (message.type) {
    case "ice":
      iceServers = message.ice_servers;
      break;
    case "presence":
      me = message.you;
      status = "connected";
      say("Đã vào cuộc họp.");
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
      send({ type: "pong" });
      break;
    case "error":
      console.warn("the relay refused a message", message.code, message.detail);
      break;
    default:
      console.warn("unknown message", message.type);
  }
}

function enqueue(work) {
  queue = queue.then(work).catch((error) => console.error(error));
  return queue;
}

async function join() {
  document.getElementById("join").disabled = true;
  status = "connecting";
  say("Đang kết nối…");
  local = await openMedia();
  document.getElementById("self").srcObject = local;
  const scheme = location.protocol === "https:" ? "wss://" : "ws://";
  socket = new WebSocket(scheme + location.host + "/api/v1/guest-room");
  socket.onopen = () => send({ type: "auth", guest_token: token });
  socket.onmessage = (event) => {
    let message;
    try {
      message = JSON.parse(event.data);
    } catch (error) {
      console.warn("unreadable message", error);
      return;
    }
    enqueue(() => handle(message));
  };
  socket.onclose = (event) => {
    status = event.code in REFUSED ? "refused" : "closed";
    say(REFUSED[event.code] || "Đã rời cuộc họp.");
    for (const id of [...peers.keys()]) dropPeer(id);
    document.getElementById("leave").disabled = true;
  };
  for (const id of ["mute", "camera", "leave"]) document.getElementById(id).disabled = false;
}

function leave() {
  send({ type: "leave" });
  if (socket) socket.close(1000);
  if (local) for (const track of local.getTracks()) track.stop();
}

function toggle(kind, button, on, off) {
  const tracks = local ? local.getTracks().filter((t) => t.kind === kind) : [];
  for (const track of tracks) track.enabled = !track.enabled;
  button.textContent = tracks.length && !tracks[0].enabled ? on : off;
}

async function framesDecoded() {
  let total = 0;
  for (const link of peers.values()) {
    if (!link.pc) continue;
    const report = await link.pc.getStats();
    report.forEach((s) => {
      if (s.type === "inbound-rtp" && s.kind === "video") total += s.framesDecoded || 0;
    });
  }
  return total;
}

document.getElementById("join").addEventListener("click", join);
document.getElementById("leave").addEventListener("click", leave);
const muteButton = document.getElementById("mute");
muteButton.addEventListener("click", () => toggle("audio", muteButton, "Bật micrô", "Tắt micrô"));
const cameraButton = document.getElementById("camera");
cameraButton.addEventListener("click", () =>
  toggle("video", cameraButton, "Bật camera", "Tắt camera"),
);

window.hopdeskGuest = {
  join,
  leave,
  framesDecoded,
  status: () => status,
  peers: () => [...peers.keys()],
};
