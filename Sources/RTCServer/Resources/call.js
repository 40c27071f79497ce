// The call view: an adaptive grid of up to 20 tiles, the control bar, chat, host controls,
// toasts and the end screens. It renders a Meeting (meeting.js) and exposes window.sfu.

import { Meeting, CHAT_MAX_CHARS } from './meeting.js';
import { icons } from './icons.js';
import { charCount, callSession } from './api.js';

const $ = (sel, root = document) => root.querySelector(sel);

/** Picks the column count that makes 16:9 tiles largest in a W×H box with gap g. */
export function bestLayout(n, W, H, gap = 10) {
  let best = { cols: 1, rows: 1, w: 0, h: 0 };
  const count = Math.max(1, n);
  for (let cols = 1; cols <= count; cols++) {
    const rows = Math.ceil(count / cols);
    const cw = (W - gap * (cols - 1)) / cols;
    const ch = (H - gap * (rows - 1)) / rows;
    let w = cw;
    let h = (w * 9) / 16;
    if (h > ch) { h = ch; w = (h * 16) / 9; }
    if (w > best.w) best = { cols, rows, w: Math.floor(w), h: Math.floor(h) };
  }
  return best;
}

function initials(name) {
  const words = String(name || '?').trim().split(/\s+/).filter(Boolean);
  const lettered = words.filter((w) => /^\p{L}/u.test(w));
  const parts = lettered.length ? lettered : words;
  const s = parts.length > 1 ? parts[0][0] + parts[parts.length - 1][0] : (parts[0] || '?').slice(0, 2);
  return [...s].slice(0, 2).join('').toUpperCase();
}

function colorFor(id) {
  let h = 0;
  for (const c of String(id)) h = (h * 31 + c.codePointAt(0)) >>> 0;
  return `hsl(${h % 360} 45% 42%)`;
}

function timeOf(ts) {
  const d = new Date(ts);
  return d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

export class CallView {
  /**
   * @param {{room: string, session: object, local: import('./media.js').LocalMedia}} o
   */
  constructor({ room, session, local }) {
    this.root = $('#call');
    this.grid = $('#grid', this.root);
    this.tiles = new Map();   // participant id (or "self") → tile parts
    this.unread = 0;
    this.meeting = new Meeting({ room, session, local, view: this });
    this.local = local;
    this.roomId = room;
    this.bind();
  }

  start() {
    this.root.hidden = false;
    document.title = 'Meeting — swift-rtc';
    this.addSelfTile();
    this.layout();
    this.meeting.start();
    this.exposeApi();
  }

  // ---------------------------------------------------------------- DOM wiring

  bind() {
    const m = () => this.meeting;
    this.micBtn = $('#btn-mic', this.root);
    this.camBtn = $('#btn-cam', this.root);
    this.chatBtn = $('#btn-chat', this.root);
    this.micBtn.innerHTML = `<span class="icon-on">${icons.mic}</span><span class="icon-off">${icons.micOff}</span>`;
    this.camBtn.innerHTML = `<span class="icon-on">${icons.cam}</span><span class="icon-off">${icons.camOff}</span>`;
    this.chatBtn.innerHTML = `${icons.chat}<span class="badge" hidden>0</span>`;
    this.micBtn.addEventListener('click', () => m().setMic(!this.local.audioEnabled));
    this.camBtn.addEventListener('click', () => m().setCamera(!this.local.videoEnabled));
    this.chatBtn.addEventListener('click', () => this.toggleChat());
    $('#btn-leave', this.root).addEventListener('click', () => m().leave());
    $('#btn-chat-close', this.root).addEventListener('click', () => this.toggleChat(false));
    this.lockBtn = $('#btn-lock', this.root);
    this.lockBtn.addEventListener('click', () => m().lock(!m().room.locked));
    $('#btn-end', this.root).addEventListener('click', async () => {
      if (await this.confirm('End the meeting for everyone?', 'End meeting')) m().end();
    });

    const form = $('#chat-form', this.root);
    const input = $('#chat-input', this.root);
    const count = $('#chat-count', this.root);
    const send = $('#chat-send', this.root);
    const update = () => {
      const n = charCount(input.value);
      count.textContent = `${n.toLocaleString('en-US')} / ${CHAT_MAX_CHARS.toLocaleString('en-US')}`;
      count.classList.toggle('over', n > CHAT_MAX_CHARS);
      send.disabled = n > CHAT_MAX_CHARS || !input.value.trim();
    };
    input.addEventListener('input', update);
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); form.requestSubmit(); }
    });
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      if (m().sendChat(input.value)) { input.value = ''; update(); }
    });
    update();

    this.resizeObserver = new ResizeObserver(() => this.layout());
    this.resizeObserver.observe($('#stage', this.root));
    document.addEventListener('visibilitychange', () => this.sendPreferences());
    document.addEventListener('click', () => this.resumeAudio(), { capture: true });
  }

  exposeApi() {
    const m = this.meeting;
    window.sfu = {
      get state() { return m.snapshot(); },
      stats: () => m.stats(),
      sendChat: (text) => m.sendChat(text),
      kick: (id) => m.kick(id),
      mute: (id, kind) => m.mute(id, kind),
      leave: () => m.leave(),
      lock: (locked = true) => m.lock(locked),
      end: () => m.end(),
      setMic: (on) => m.setMic(!!on),
      setCamera: (on) => m.setCamera(!!on),
      dropConnection: () => m.sig && m.sig.drop(),
      log: () => m.log.slice(),
      meeting: m,
    };
  }

  // ---------------------------------------------------------------- tiles

  makeTile(id, name, self) {
    const el = document.createElement('div');
    el.className = `tile no-video${self ? ' self' : ''}`;
    el.dataset.participant = id;
    el.innerHTML = `
      <video autoplay playsinline muted></video>
      <div class="avatar"><div class="initials"></div></div>
      <div class="quality" data-score="0" title="Connection quality"><i></i><i></i><i></i><i></i><i></i></div>
      <div class="label">
        <span class="ind mic" title="Microphone off">${icons.micOff}</span>
        <span class="ind cam" title="Camera off">${icons.camOff}</span>
        <span class="name"></span><span class="role"></span>
      </div>`;
    const t = {
      el, video: $('video', el), name: $('.name', el), role: $('.role', el), quality: $('.quality', el),
      initials: $('.initials', el), audio: null, videoTrack: null, audioTrack: null, menu: null,
    };
    t.initials.style.setProperty('--avatar', colorFor(id));
    this.setTileName(t, name, self);
    this.grid.append(el);
    return t;
  }

  setTileName(t, name, self) {
    t.name.textContent = self ? `${name} (you)` : name;
    t.initials.textContent = initials(name);
    t.el.setAttribute('aria-label', self ? `${name} (you)` : name);
  }

  addSelfTile() {
    const t = this.makeTile('self', this.meeting.me.name, true);
    this.tiles.set('self', t);
    this.renderSelf();
  }

  renderSelf() {
    const t = this.tiles.get('self');
    if (!t) return;
    const me = this.meeting.me;
    this.setTileName(t, me.name, true);
    t.role.textContent = me.role === 'host' ? 'Host' : '';
    const vt = this.local.videoEnabled ? this.local.videoTrack : null;
    if (t.videoTrack !== vt) {
      t.videoTrack = vt;
      t.video.srcObject = vt ? new MediaStream([vt]) : null;
    }
    t.el.classList.toggle('no-video', !vt);
    t.el.classList.toggle('cam-off', !this.local.videoEnabled);
    t.el.classList.toggle('mic-off', !this.local.audioEnabled);
    t.quality.dataset.score = String(me.quality || 0);
    this.micBtn.setAttribute('aria-pressed', String(this.local.audioEnabled));
    this.micBtn.title = this.local.audioEnabled ? 'Mute microphone' : 'Unmute microphone';
    this.micBtn.setAttribute('aria-label', this.micBtn.title);
    this.camBtn.setAttribute('aria-pressed', String(this.local.videoEnabled));
    this.camBtn.title = this.local.videoEnabled ? 'Turn camera off' : 'Turn camera on';
    this.camBtn.setAttribute('aria-label', this.camBtn.title);
  }

  renderParticipant(p) {
    let t = this.tiles.get(p.id);
    if (!t) {
      t = this.makeTile(p.id, p.name, false);
      this.tiles.set(p.id, t);
      this.layout();
    }
    this.setTileName(t, p.name, false);
    t.role.textContent = p.role === 'host' ? 'Host' : '';
    t.el.classList.toggle('mic-off', !p.sending('audio'));
    t.el.classList.toggle('cam-off', !p.sending('video'));
    t.quality.dataset.score = String(p.quality || 0);
    if (p.qualityInfo) {
      const q = p.qualityInfo;
      const parts = [`Quality ${q.score}/5`];
      if (q.lossPercent != null) parts.push(`loss ${Number(q.lossPercent).toFixed(1)}%`);
      if (q.rttMs != null) parts.push(`rtt ${Math.round(q.rttMs)} ms`);
      if (q.bitrateKbps != null) parts.push(`${Math.round(q.bitrateKbps)} kbps`);
      t.quality.title = parts.join(' · ');
    }
    this.renderHostMenu(p, t);
    this.renderVideoState(p, t);
  }

  renderHostMenu(p, t) {
    const host = this.meeting.isHost();
    if (!host) { t.menu?.remove(); t.menu = null; return; }
    if (!t.menu) {
      t.menu = document.createElement('div');
      t.menu.className = 'host-menu';
      t.menu.innerHTML = `
        <button type="button" class="mute-audio">${icons.micOff}</button>
        <button type="button" class="mute-video">${icons.camOff}</button>
        <button type="button" class="kick">${icons.remove}</button>`;
      $('.mute-audio', t.menu).addEventListener('click', () => this.meeting.mute(p.id, 'audio'));
      $('.mute-video', t.menu).addEventListener('click', () => this.meeting.mute(p.id, 'video'));
      $('.kick', t.menu).addEventListener('click', async () => {
        if (await this.confirm(`Remove ${p.name} from the meeting?`, 'Remove')) this.meeting.kick(p.id);
      });
      t.el.append(t.menu);
    }
    $('.mute-audio', t.menu).disabled = !p.sending('audio');
    $('.mute-video', t.menu).disabled = !p.sending('video');
    for (const [sel, label] of [['.mute-audio', `Mute ${p.name}`], ['.mute-video', `Turn off ${p.name}'s camera`],
      ['.kick', `Remove ${p.name} from the meeting`]]) {
      $(sel, t.menu).setAttribute('aria-label', label);
      $(sel, t.menu).title = label;
    }
  }

  renderVideoState(p, t) {
    const vt = p.media.video;
    const hasVideo = !!vt && !vt.muted && p.sending('video');
    t.el.classList.toggle('no-video', !hasVideo);
  }

  renderMedia(p) {
    const t = this.tiles.get(p.id);
    if (!t) return;
    const vt = p.media.video;
    if (t.videoTrack !== vt) {
      t.videoTrack = vt;
      t.video.srcObject = vt ? new MediaStream([vt]) : null;
      if (vt) {
        // A receiving track is "muted" while no frames arrive (server paused it, or it has not
        // started): show the avatar then.
        const refresh = () => { if (t.videoTrack === vt) this.renderVideoState(p, t); };
        vt.addEventListener('mute', refresh);
        vt.addEventListener('unmute', refresh);
        t.video.play().catch(() => {});
        // Join → first remote frame shown (DESIGN.md target: ≤ 300 ms on loopback).
        t.video.requestVideoFrameCallback?.(() => this.meeting.noteFirstFrame(p.id));
      }
    }
    const at = p.media.audio;
    if (t.audioTrack !== at) {
      t.audioTrack = at;
      if (!t.audio) {
        t.audio = document.createElement('audio');
        t.audio.autoplay = true;
        t.audio.dataset.participant = p.id;
        $('#audio-sink').append(t.audio);
      }
      t.audio.srcObject = at ? new MediaStream([at]) : null;
      if (at) this.playAudio(t.audio);
    }
    this.renderVideoState(p, t);
    this.sendPreferences();
  }

  playAudio(el) {
    el.play().then(() => { $('#audio-blocked').hidden = true; }).catch(() => {
      // Autoplay refused (no user gesture yet, e.g. after a page reload): ask for a click.
      $('#audio-blocked').hidden = false;
    });
  }

  resumeAudio() {
    for (const t of this.tiles.values()) if (t.audio && t.audio.srcObject && t.audio.paused) this.playAudio(t.audio);
  }

  removeTile(id) {
    const t = this.tiles.get(id);
    if (!t) return;
    t.video.srcObject = null;
    if (t.audio) { t.audio.srcObject = null; t.audio.remove(); }
    t.el.remove();
    this.tiles.delete(id);
    this.layout();
  }

  layout() {
    // The grid box is the stage less its padding (absolutely positioned with insets).
    const W = this.grid.clientWidth;
    const H = this.grid.clientHeight;
    const n = this.tiles.size;
    if (W <= 0 || H <= 0) return;
    const L = bestLayout(n, W, H, 10);
    this.grid.style.setProperty('--cols', String(L.cols));
    this.grid.style.setProperty('--tile-w', `${L.w}px`);
    this.grid.style.setProperty('--tile-h', `${L.h}px`);
    this.grid.dataset.count = String(n);
    $('#count-pill', this.root).textContent = `${n} ${n === 1 ? 'person' : 'people'}`;
    this.tileSize = L;
    this.sendPreferences();
  }

  /** Asks the server for a layer that fits the tile (debounced; only changes are sent). */
  sendPreferences() {
    clearTimeout(this.prefTimer);
    this.prefTimer = setTimeout(() => {
      if (!this.tileSize || this.meeting.status !== 'joined') return;
      const dpr = Math.min(window.devicePixelRatio || 1, 2);
      const maxWidth = Math.round(this.tileSize.w * dpr);
      const maxHeight = Math.round(this.tileSize.h * dpr);
      for (const p of this.meeting.participants.values()) {
        const trackId = p.mediaTrackIds.video;
        // A hidden tab receives no video at all (audio continues).
        if (trackId) this.meeting.setPreferences(trackId, { maxWidth, maxHeight, maxFps: 30, paused: document.hidden });
      }
    }, 300);
  }

  // ---------------------------------------------------------------- meeting callbacks

  status(s) {
    const banner = $('#banner', this.root);
    if (s === 'reconnecting') { banner.textContent = 'Connection lost — reconnecting…'; banner.hidden = false; }
    else if (s === 'connecting') { banner.textContent = 'Connecting…'; banner.hidden = false; }
    else banner.hidden = true;
    this.root.dataset.status = s;
    if (s === 'joined') this.sendPreferences();
  }

  me() {
    this.renderSelf();
    const host = this.meeting.isHost();
    $('#host-pill', this.root).hidden = !host;
    $('#host-controls', this.root).hidden = !host;
    for (const p of this.meeting.participants.values()) this.renderParticipant(p);
  }

  room(r) {
    $('#room-title-text', this.root).textContent = r.name || `Meeting ${r.id}`;
    $('#lock-pill', this.root).hidden = !r.locked;
    this.lockBtn.innerHTML = `${r.locked ? icons.unlock : icons.lock}<span>${r.locked ? 'Unlock' : 'Lock'}</span>`;
    this.lockBtn.title = r.locked ? 'Unlock the meeting' : 'Lock the meeting: nobody new can join';
  }

  added(p) { this.renderParticipant(p); this.renderMedia(p); }
  updated(p) {
    if (p === this.meeting.me) { this.renderSelf(); return; }
    this.renderParticipant(p);
  }
  removed(p) { this.removeTile(p.id); }
  media(p) { this.renderMedia(p); }

  speaker(id) {
    for (const [key, t] of this.tiles) {
      const pid = key === 'self' ? this.meeting.me.id : key;
      t.el.classList.toggle('speaking', !!id && pid === id);
    }
  }

  chat(msg) {
    const list = $('#chat-list', this.root);
    $('#chat-empty', this.root)?.remove();
    const li = document.createElement('li');
    if (msg.mine) li.className = 'mine';
    const meta = document.createElement('div');
    meta.className = 'meta';
    const who = document.createElement('b');
    who.textContent = msg.mine ? `${msg.name} (you)` : msg.name;
    const when = document.createElement('time');
    when.dateTime = new Date(msg.ts).toISOString();
    when.textContent = timeOf(msg.ts);
    meta.append(who, when);
    const text = document.createElement('div');
    text.className = 'text';
    text.textContent = msg.text;
    li.append(meta, text);
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    list.append(li);
    if (atBottom || msg.mine) list.scrollTop = list.scrollHeight;
    if ($('#chat', this.root).hidden && !msg.mine) {
      this.unread += 1;
      const b = $('.badge', this.chatBtn);
      b.textContent = String(Math.min(this.unread, 99));
      b.hidden = false;
      this.toast(`${msg.name}: ${msg.text.length > 80 ? `${msg.text.slice(0, 80)}…` : msg.text}`, 'info chat-toast');
    }
  }

  toggleChat(show) {
    const panel = $('#chat', this.root);
    const open = show ?? panel.hidden;
    panel.hidden = !open;
    this.chatBtn.setAttribute('aria-pressed', String(open));
    if (open) {
      for (const el of document.querySelectorAll('.chat-toast')) el.remove();
      this.unread = 0;
      $('.badge', this.chatBtn).hidden = true;
      $('#chat-input', this.root).focus();
      const list = $('#chat-list', this.root);
      list.scrollTop = list.scrollHeight;
    }
    this.layout();
  }

  toast(text, level = 'info') {
    const box = $('#toasts');
    const el = document.createElement('div');
    el.className = `toast ${level}`;
    el.setAttribute('role', level.startsWith('error') ? 'alert' : 'status');
    el.textContent = text;
    box.append(el);
    while (box.children.length > 4) box.firstElementChild.remove();
    setTimeout(() => el.remove(), level.startsWith('error') ? 6000 : 4000);
  }

  ended(kind, text) {
    callSession.clear(this.roomId);
    for (const t of this.tiles.values()) {
      t.video.srcObject = null;
      if (t.audio) t.audio.srcObject = null;
    }
    const o = $('#overlay');
    $('#overlay-title').textContent = {
      left: 'You left the meeting', kicked: 'You were removed', ended: 'The meeting has ended', failed: 'Disconnected',
    }[kind] || 'Call ended';
    $('#overlay-text').textContent = text || '';
    $('#overlay-rejoin').hidden = kind === 'ended' || kind === 'kicked';
    $('#overlay-rejoin').onclick = () => { location.href = `/join/${encodeURIComponent(this.roomId)}`; };
    $('#overlay-home').onclick = () => { location.href = '/'; };
    o.hidden = false;
    document.title = 'Call ended — swift-rtc';
  }

  /** A non-blocking confirmation dialog (window.confirm would block automation). */
  confirm(question, okLabel) {
    const d = $('#confirm');
    $('#confirm-text', d).textContent = question;
    $('#confirm-ok', d).textContent = okLabel;
    return new Promise((resolve) => {
      d.onclose = () => resolve(d.returnValue === 'ok');
      d.returnValue = '';
      d.showModal();
    });
  }
}
