// HopDesk browser guest: joins an online meeting with the one-time token in this page's URL,
// on the server's room relay (relay.js) or on a Janus VideoRoom through the server (janus.js);
// the server's first messages say which. `window.hopdeskGuest` exposes the state for tests and
// support.
import { janusCall } from "./janus.js";
import { relayCall } from "./relay.js";

const WAIT_GATHERING_MS = 5000;
// The token is the URL's fragment (/guest#token): never sent to a server, proxy or log.
const token = decodeURIComponent(location.hash.slice(1));
history.replaceState(null, "", location.pathname); // and not left in the address bar
let socket = null;
let local = null;
let call = null; // relayCall or janusCall, once the server has said which
let status = "idle";
let queue = Promise.resolve();
let iceServers = []; // from the server's first message: never a public default
let refusal = ""; // why Janus would not let us in, kept for when the socket closes

const REFUSED = {
  4401: "Đường dẫn đã được dùng, đã hết hạn hoặc không đúng. Xin người mời gửi đường dẫn mới.",
  4403: "Cuộc họp này không nhận khách mời qua trình duyệt.",
  4404: "Cuộc họp không còn trên máy chủ.",
  4502: "Không kết nối được máy chủ truyền hình của cuộc họp. Xin thử lại sau.",
};
// Janus' answer to a join with a wrong or missing room PIN (433, or 429 "Missing mandatory
// element (pin)"). The server writes the PIN in, so only the meeting's organiser can fix it.
const PIN_REFUSED =
  "Phòng truyền hình của cuộc họp không nhận mã PIN đã cấu hình; xin báo người tổ chức cuộc họp." +
  " (The meeting's video room did not accept its PIN; please tell the meeting's organiser.)";

function say(text) {
  document.getElementById("status").textContent = text;
}

function send(message) {
  if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
}

function enqueue(work) {
  queue = queue.then(work).catch((error) => console.error(error));
  return queue;
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

function tile(display) {
  const figure = document.createElement("figure");
  figure.className = "tile";
  const video = document.createElement("video");
  video.autoplay = true;
  video.playsInline = true;
  const caption = document.createElement("figcaption");
  caption.textContent = display;
  figure.append(video, caption);
  document.getElementById("tiles").append(figure);
  return figure;
}

function show(figure, pc) {
  const stream = new MediaStream();
  figure.querySelector("video").srcObject = stream;
  pc.ontrack = (event) => stream.addTrack(event.track);
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

function addLocal(pc) {
  for (const track of local.getTracks()) pc.addTrack(track, local);
  for (const kind of ["audio", "video"]) {
    if (!local.getTracks().some((t) => t.kind === kind)) {
      pc.addTransceiver(kind, { direction: "recvonly" });
    }
  }
}

// What a call (relay.js, janus.js) may use of the page.
const context = {
  send,
  enqueue,
  tile,
  show,
  gathered,
  addLocal,
  local: () => local,
  iceServers: () => iceServers,
  connected: () => {
    status = "connected";
    say("Đã vào cuộc họp.");
  },
};

function receive(message) {
  if (message.type === "ice" && !call) {
    iceServers = message.ice_servers;
  } else if (message.type === "janus" && !call) {
    call = janusCall(context);
    call.start().catch((error) => {
      console.error(error);
      const pin = (error.code === 433 || error.code === 429) && /pin/i.test(error.message);
      refusal = pin ? PIN_REFUSED : "Không vào được cuộc họp: " + error.message;
      say(refusal);
      socket.close(1000);
    });
  } else {
    if (!call) call = relayCall(context);
    call.receive(message);
  }
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
    receive(message);
  };
  socket.onclose = (event) => {
    const reason = REFUSED[event.code] || refusal;
    status = reason ? "refused" : "closed";
    say(reason || "Đã rời cuộc họp.");
    if (call) call.close();
    document.getElementById("leave").disabled = true;
  };
  for (const id of ["mute", "camera", "leave"]) document.getElementById(id).disabled = false;
}

function leave() {
  if (call) call.leave();
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
  for (const pc of call ? call.connections() : []) {
    const report = await pc.getStats();
    report.forEach((s) => {
      if (s.type === "inbound-rtp" && s.kind === "video") total += s.framesDecoded || 0;
    });
  }
  return total;
}

document.getElementById("join").addEventListener("click", join);
document.getElementById("leave").addEventListener("click", leave);
document.getElementById("page").addEventListener("click", () => {
  if (call && call.turnPage) call.turnPage(); // a Janus grid page (janus.js)
});
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
  message: () => document.getElementById("status").textContent,
  peers: () => (call ? call.peers() : []),
  feeds: () => (call && call.feedStats ? call.feedStats() : {}),
};
