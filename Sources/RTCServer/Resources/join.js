// /join/{room}: the lobby (room check, name, devices, preview), then the call view.
// /room/{room}: the call view straight away when this tab already joined (a reload).
// Automation: /join/{room}?name=Alice&autojoin=1 joins at once with the default devices
// (&cam=0 / &mic=0 start with the camera / microphone off).

import { roomInfo, joinRoom, joinErrorText, charCount, callSession } from './api.js';
import { LocalMedia, listDevices } from './media.js';
import { CallView } from './call.js';
import { icons } from './icons.js';

const $ = (sel) => document.querySelector(sel);
const params = new URLSearchParams(location.search);

function roomFromLocation() {
  const m = location.pathname.match(/^\/(?:join|room)\/([^/]+)\/?$/);
  if (m) return decodeURIComponent(m[1]);
  return params.get('room') || '';
}

const room = roomFromLocation();
const local = new LocalMedia();
let meterStop = null;
let joining = false;
let call = null;

window.sfu = {
  // Replaced by the call view's API once joined; until then tests can see where we are.
  get state() { return { status: call ? 'connecting' : 'lobby', participants: [], chat: [], errors: [] }; },
  stats: async () => ({}),
};

function showNotice(text, bad = false) {
  const n = $('#room-notice');
  n.textContent = text;
  n.classList.toggle('bad', bad);
  n.hidden = !text;
}

async function checkRoom() {
  if (!room) {
    showNotice('This link has no meeting in it. Ask the host for the meeting link.', true);
    $('#room-info').textContent = '';
    $('#join-btn').disabled = true;
    return;
  }
  try {
    const info = await roomInfo(room);
    $('#room-title').textContent = info.name || 'Meeting';
    const n = Number(info.participants) || 0;
    const cap = Number(info.capacity) || 0;
    $('#room-info').textContent = n === 0 ? 'Nobody is in the meeting yet.'
      : `${n} ${n === 1 ? 'person is' : 'people are'} in the meeting${cap ? ` (up to ${cap})` : ''}.`;
    if (info.locked) showNotice('The host has locked this meeting: you can join only if the host unlocks it.');
    else if (cap && n >= cap) showNotice(`This meeting is full (${cap} people). You can join when someone leaves.`);
    else showNotice('');
    $('#join-btn').disabled = false;
  } catch (e) {
    if (e.code === 'not-found') {
      $('#room-title').textContent = 'Meeting not found';
      $('#room-info').textContent = '';
      showNotice('This meeting does not exist or has already ended. Check the link with the host.', true);
      $('#join-btn').disabled = true;
    } else {
      $('#room-info').textContent = '';
      showNotice(joinErrorText(e), true);
    }
  }
}

// ---------------------------------------------------------------- devices and preview

function renderLobbyMedia() {
  const v = $('#preview');
  const vt = local.videoEnabled ? local.videoTrack : null;
  const cur = v.srcObject && v.srcObject.getVideoTracks()[0];
  if (cur !== vt) v.srcObject = vt ? new MediaStream([vt]) : null;
  $('#preview-off').hidden = !!vt;
  const mic = $('#lobby-mic');
  const cam = $('#lobby-cam');
  mic.setAttribute('aria-pressed', String(local.audioEnabled));
  cam.setAttribute('aria-pressed', String(local.videoEnabled));
  mic.title = local.audioEnabled ? 'Mute microphone' : 'Unmute microphone';
  cam.title = local.videoEnabled ? 'Turn camera off' : 'Turn camera on';
  mic.setAttribute('aria-label', mic.title);
  cam.setAttribute('aria-label', cam.title);
  startMeter();
}

async function fillDevices() {
  for (const [kind, sel, current, fallback] of [
    ['videoinput', '#video-device', local.videoDeviceId, 'Default camera'],
    ['audioinput', '#audio-device', local.audioDeviceId, 'Default microphone'],
  ]) {
    const list = await listDevices(kind);
    const el = $(sel);
    el.replaceChildren();
    if (!list.length) {
      el.append(new Option(kind === 'videoinput' ? 'No camera found' : 'No microphone found', ''));
      el.disabled = true;
      continue;
    }
    el.disabled = false;
    list.forEach((d, i) => el.append(new Option(d.label || `${fallback} ${i + 1}`, d.deviceId)));
    if (current && list.some((d) => d.deviceId === current)) el.value = current;
  }
}

function startMeter() {
  meterStop?.();
  meterStop = null;
  const track = local.audioTrack;
  const bar = $('#meter');
  if (!track || !local.audioEnabled || !window.AudioContext) { bar.style.width = '0'; return; }
  let ctx;
  try { ctx = new AudioContext(); } catch { return; }
  const src = ctx.createMediaStreamSource(new MediaStream([track]));
  const an = ctx.createAnalyser();
  an.fftSize = 512;
  src.connect(an);
  const buf = new Float32Array(an.fftSize);
  let raf = 0;
  const tick = () => {
    an.getFloatTimeDomainData(buf);
    let sum = 0;
    for (const x of buf) sum += x * x;
    const rms = Math.sqrt(sum / buf.length);
    bar.style.width = `${Math.min(100, rms * 400)}%`;
    raf = requestAnimationFrame(tick);
  };
  tick();
  meterStop = () => { cancelAnimationFrame(raf); ctx.close().catch(() => {}); bar.style.width = '0'; };
}

function deviceErrorText(kind, e) {
  const what = kind === 'video' ? 'camera' : 'microphone';
  if (!e) return '';
  if (e.name === 'NotAllowedError') return `Access to the ${what} was refused. Allow it in the browser to be seen or heard.`;
  if (e.name === 'NotFoundError') return `No ${what} was found.`;
  if (e.name === 'NotReadableError') return `The ${what} is in use by another program.`;
  return `The ${what} could not be opened (${e.name || e.message}).`;
}

async function startPreview() {
  if (params.get('cam') === '0') local.videoEnabled = false;
  if (params.get('mic') === '0') local.audioEnabled = false;
  const errors = await local.start();
  $('#device-error').textContent = [deviceErrorText('video', errors.video), deviceErrorText('audio', errors.audio)].filter(Boolean).join(' ');
  renderLobbyMedia();
  await fillDevices();
}

function wireLobby() {
  $('#lobby-mic').innerHTML = `<span class="icon-on">${icons.mic}</span><span class="icon-off">${icons.micOff}</span>`;
  $('#lobby-cam').innerHTML = `<span class="icon-on">${icons.cam}</span><span class="icon-off">${icons.camOff}</span>`;
  $('#lobby-mic').addEventListener('click', async () => {
    try { await local.setAudio(!local.audioEnabled); } catch (e) { $('#device-error').textContent = deviceErrorText('audio', e); }
    renderLobbyMedia();
  });
  $('#lobby-cam').addEventListener('click', async () => {
    try { await local.setVideo(!local.videoEnabled); } catch (e) { $('#device-error').textContent = deviceErrorText('video', e); }
    renderLobbyMedia();
    fillDevices();
  });
  for (const [sel, kind] of [['#video-device', 'video'], ['#audio-device', 'audio']]) {
    $(sel).addEventListener('change', async (e) => {
      try { await local.useDevice(kind, e.target.value); $('#device-error').textContent = ''; } catch (err) { $('#device-error').textContent = deviceErrorText(kind, err); }
      renderLobbyMedia();
    });
  }
  navigator.mediaDevices?.addEventListener?.('devicechange', fillDevices);

  const name = $('#name');
  name.value = params.get('name') || localStorage.getItem('sfu:name') || '';
  const count = () => { $('#name-count').textContent = String(charCount(name.value)); };
  name.addEventListener('input', () => { count(); $('#join-error').textContent = ''; });
  count();
  $('#join-form').addEventListener('submit', (e) => { e.preventDefault(); join(); });
  $('#audio-blocked button').addEventListener('click', () => { $('#audio-blocked').hidden = true; });
}

// ---------------------------------------------------------------- joining

async function join() {
  if (joining) return;
  const name = $('#name').value.trim();
  const err = $('#join-error');
  if (!name) { err.textContent = 'Please enter your name.'; $('#name').focus(); return; }
  if (charCount(name) > 64) { err.textContent = 'Your name can have at most 64 characters.'; $('#name').focus(); return; }
  joining = true;
  $('#join-btn').disabled = true;
  $('#join-btn').textContent = 'Joining…';
  err.textContent = '';
  try {
    const r = await joinRoom(room, name);
    localStorage.setItem('sfu:name', name);
    const session = {
      token: r.token, wsUrl: r.wsUrl, iceServers: r.iceServers || [], participantId: r.participantId,
      role: r.role || 'guest', name,
    };
    callSession.set(room, session);
    // The media options (`codec`, `svc`: see media.js) stay in the address; the rest goes.
    const keep = new URLSearchParams();
    for (const k of ['codec', 'svc']) if (params.get(k)) keep.set(k, params.get(k));
    history.replaceState(null, '', `/room/${encodeURIComponent(room)}${keep.size ? `?${keep}` : ''}`);
    enterCall(session);
  } catch (e) {
    err.textContent = joinErrorText(e);
    if (e.code === 'not-found' || e.code === 'room-locked' || e.code === 'room-full') checkRoom();
    joining = false;
    $('#join-btn').disabled = false;
    $('#join-btn').textContent = 'Join';
  }
}

function enterCall(session) {
  meterStop?.();
  $('#lobby').hidden = true;
  $('#preview').srcObject = null;
  call = new CallView({ room, session, local });
  call.start();
}

async function main() {
  $('#overlay-home').addEventListener('click', () => { location.href = '/'; });
  if (location.pathname.startsWith('/room/')) {
    const session = callSession.get(room);
    if (!session) { location.replace(`/join/${encodeURIComponent(room)}${location.search}`); return; }
    // A reload during the call: rejoin with the same token (the server replaces the old socket).
    await local.start();
    enterCall(session);
    return;
  }
  $('#lobby').hidden = false;
  wireLobby();
  const checked = checkRoom();
  const preview = startPreview();
  if (params.get('autojoin') === '1') {
    await preview;
    await checked;
    join();
  }
}

main();
