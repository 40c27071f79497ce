// One participant's session in a room: the signaling socket, the publisher and subscriber
// connections, and the room state (who is here, their tracks, mutes, quality, chat).
// The view (call.js) renders it; tests read it through window.sfu.

import { Signaling } from './signaling.js';
import { Publisher, Subscriber } from './media.js';
import { charCount, jwtPayload } from './api.js';

export const CHAT_MAX_CHARS = 4000;

/** A remote (or own) participant as the view sees it. */
class Participant {
  constructor({ id, name, role }) {
    this.id = id;
    this.name = name || 'Guest';
    this.role = role || 'guest';
    this.tracks = new Map();   // trackId → {trackId, kind, muted}
    this.quality = 0;          // 0 = unknown, else 1–5
    this.qualityInfo = null;
    this.media = { audio: null, video: null };   // received MediaStreamTracks
    this.mediaTrackIds = { audio: null, video: null };
  }

  /** True when this participant sends that kind and has not muted it. */
  sending(kind) {
    for (const t of this.tracks.values()) if (t.kind === kind && !t.muted) return true;
    return false;
  }

  snapshot() {
    return {
      id: this.id, name: this.name, role: this.role,
      audioMuted: !this.sending('audio'), videoMuted: !this.sending('video'),
      quality: this.quality,
      tracks: [...this.tracks.values()].map((t) => ({ ...t })),
      receiving: { audio: !!this.media.audio, video: !!this.media.video },
    };
  }
}

/**
 * The session. `view` receives callbacks (all optional): status(s), me(p), room(info),
 * added(p), updated(p), removed(p, reason), chat(msg), toast(text, level), ended(kind, text).
 */
export class Meeting {
  constructor({ room, session, local, view }) {
    this.roomId = room;
    this.session = session;   // {token, wsUrl, iceServers, participantId, role, name}
    this.local = local;       // LocalMedia
    this.view = view || {};
    this.me = new Participant({ id: session.participantId, name: session.name, role: session.role });
    this.room = { id: room, name: '', locked: false };
    this.participants = new Map();
    this.chat = [];
    this.errors = [];
    this.log = [];
    this.status = 'idle';    // idle | connecting | joined | reconnecting | left | kicked | ended | failed
    this.joinedOnce = false;
    this.publisher = null;
    this.subscriber = null;
    this.iceServers = session.iceServers || [];
    this.queue = Promise.resolve();
    this.publisherRecreations = 0;
    this.activeSpeaker = null;
    this.sentPrefs = new Map();     // trackId → JSON of the last set-preferences
    this.joinedAt = 0;            // performance.now() when the call started (socket opening)
    this.firstFrames = new Map(); // participant id → ms from joining to the first frame shown
  }

  // ------------------------------------------------------------------ lifecycle

  start() {
    let url = this.session.wsUrl || defaultWsUrl(this.session.token);
    if (location.protocol === 'https:' && url.startsWith('ws:')) url = `wss:${url.slice(3)}`;
    const exp = jwtPayload(this.session.token).exp;
    this.sig = new Signaling(url, { expiresAt: exp });
    this.sig.addEventListener('open', (e) => {
      this.trace(`socket open${e.detail.reconnected ? ' (reconnected)' : ''}`);
    });
    this.sig.addEventListener('message', (e) => {
      const m = e.detail;
      // The end of the session is handled at once: the server closes the socket right after,
      // and that close must not look like a network failure (no reconnect).
      if (m.type === 'kicked') { this.finish('kicked', 'The host removed you from the meeting.'); return; }
      if (m.type === 'end') { this.finish('ended', 'The host ended the meeting.'); return; }
      this.enqueue(() => this.handle(m), m.type);
    });
    this.sig.addEventListener('disconnected', () => {
      if (this.isOver()) return;
      if (this.status === 'joined') this.view.toast?.('Connection lost. Reconnecting…', 'warn');
      this.setStatus('reconnecting');
    });
    this.sig.addEventListener('fatal', (e) => {
      if (this.isOver()) return;
      const err = e.detail.error || {};
      this.finish('failed', err.message || 'The connection to the meeting was lost.');
    });
    this.setStatus('connecting');
    this.joinedAt = performance.now();
    this.sig.connect();
  }

  isOver() { return ['left', 'kicked', 'ended', 'failed'].includes(this.status); }

  setStatus(s) {
    if (this.status === s) return;
    this.status = s;
    this.trace(`status ${s}`);
    this.view.status?.(s);
  }

  /** Ends the session locally: closes the socket and both connections, stops the devices. */
  finish(status, text) {
    if (this.isOver()) return;
    this.setStatus(status);
    this.sig?.close();
    this.publisher?.close();
    this.subscriber?.close();
    this.publisher = null;
    this.subscriber = null;
    this.local.stop();
    for (const p of this.participants.values()) { p.media = { audio: null, video: null }; }
    this.view.ended?.(status, text);
  }

  leave() {
    if (this.isOver()) return;
    this.sig?.send({ type: 'leave' });
    this.finish('left', 'You left the meeting.');
  }

  // ------------------------------------------------------------------ signaling in

  /** Runs PeerConnection work one step at a time, in the order the messages came. */
  enqueue(fn, what) {
    this.queue = this.queue.then(() => { this.trace(`> ${what}`); return fn(); }).catch((e) => {
      this.trace(`error in ${what}: ${e && e.message}`);
      this.errors.push({ code: 'client', message: `${what}: ${e && e.message}` });
    });
    return this.queue;
  }

  async handle(m) {
    if (this.isOver()) return;
    switch (m.type) {
      case 'joined': return this.onJoined(m);
      case 'publish-answer': return this.onPublishAnswer(m);
      case 'subscribe-offer': return this.onSubscribeOffer(m);
      case 'candidate': return this.onCandidate(m);
      case 'participant-joined': return this.onParticipantJoined(m);
      case 'participant-left': return this.onParticipantLeft(m);
      case 'track-published': return this.onTrackPublished(m);
      case 'track-unpublished': return this.onTrackUnpublished(m);
      case 'track-muted': return this.onTrackMuted(m);
      case 'quality': return this.onQuality(m);
      case 'publisher-layers': return this.publisher?.setActiveLayers(m.rids || [], m.active || []);
      case 'active-speaker': return this.onActiveSpeaker(m);
      case 'chat': return this.onChat(m);
      case 'room-locked': return this.onRoomLocked(m);
      case 'mute': return this.onMutedByHost(m);
      case 'kicked': return this.finish('kicked', 'The host removed you from the meeting.');
      case 'end': return this.finish('ended', 'The host ended the meeting.');
      case 'error': return this.onError(m);
      default: this.trace(`unknown message ${m.type}`);
    }
  }

  async onJoined(m) {
    const reconnect = this.joinedOnce;
    this.joinedOnce = true;
    if (m.participant) {
      this.me.id = m.participant.id;
      this.me.name = m.participant.name ?? this.me.name;
      this.me.role = m.participant.role ?? this.me.role;
    }
    if (m.room) this.room = { ...this.room, ...m.room };
    if (Array.isArray(m.iceServers)) this.iceServers = m.iceServers;
    this.view.me?.(this.me);
    this.view.room?.(this.room);

    // Reconcile the participant list (on a reconnect some may have gone or come meanwhile).
    const seen = new Set();
    for (const raw of m.participants || []) {
      if (!raw || raw.id === this.me.id) continue;
      seen.add(raw.id);
      let p = this.participants.get(raw.id);
      const isNew = !p;
      if (!p) { p = new Participant(raw); this.participants.set(p.id, p); }
      p.name = raw.name ?? p.name;
      p.role = raw.role ?? p.role;
      p.tracks = new Map((raw.tracks || []).map((t) => [t.trackId, trackInfo(t)]));
      if (isNew) this.view.added?.(p); else this.view.updated?.(p);
    }
    for (const p of [...this.participants.values()]) {
      if (!seen.has(p.id)) { this.participants.delete(p.id); this.view.removed?.(p, 'left'); }
    }
    this.setStatus('joined');

    if (!this.publisher) {
      await this.createPublisher();
    } else if (reconnect) {
      this.view.toast?.('Reconnected.', 'info');
      this.sentPrefs.clear();
      this.trace('publisher ICE restart');
      try {
        await this.publisher.offer({ iceRestart: true });
      } catch (e) {
        // The connection cannot restart (e.g. its last answer left it unable to re-offer):
        // start a new one.
        this.trace(`ICE restart failed: ${e.message}; new publisher connection`);
        await this.createPublisher();
      }
    }
    // The server sends a fresh subscribe-offer; the old subscriber connection takes it.
  }

  async createPublisher() {
    this.publisher?.close();
    this.publisher = new Publisher({
      iceServers: this.iceServers,
      send: (msg) => this.sig.send(msg),
      onFailed: () => this.enqueue(() => this.restartPublisherIce(), 'ice-restart'),
      log: (t) => this.trace(t),
    });
    await this.publisher.setTrack('video', this.local.videoEnabled ? this.local.videoTrack : null);
    await this.publisher.setTrack('audio', this.local.audioEnabled ? this.local.audioTrack : null);
    await this.publisher.offer();
  }

  async restartPublisherIce() {
    if (!this.publisher || !this.sig.isOpen() || this.publisher.awaitingAnswer) return;
    this.trace('publisher ICE failed: restart');
    try {
      await this.publisher.offer({ iceRestart: true });
    } catch (e) {
      this.trace(`ICE restart failed: ${e.message}; new publisher connection`);
      await this.createPublisher();
    }
  }

  async onPublishAnswer(m) {
    if (!this.publisher) return;
    try {
      if (await this.publisher.applyAnswer(m.sdp)) {
        this.publisherRecreations = 0;
        this.sendMuteState();
      }
    } catch (e) {
      // E.g. the server started a new transport with a new DTLS fingerprint after a
      // reconnect: start over with a new publisher connection.
      this.trace(`publish-answer failed: ${e.message}`);
      if (this.publisherRecreations++ < 3) await this.createPublisher();
      else this.view.toast?.('Could not send your audio and video.', 'error');
    }
  }

  sendMuteState() {
    this.sig.send({ type: 'mute-self', kind: 'audio', muted: !this.local.audioEnabled });
    this.sig.send({ type: 'mute-self', kind: 'video', muted: !this.local.videoEnabled });
  }

  newSubscriber() {
    this.subscriber?.close();
    this.subscriber = new Subscriber({
      iceServers: this.iceServers,
      send: (msg) => this.sig.send(msg),
      onTracks: () => this.rebind(),
      log: (t) => this.trace(t),
    });
  }

  async onSubscribeOffer(m) {
    if (!this.subscriber) this.newSubscriber();
    try {
      await this.subscriber.applyOffer(m.sdp, m.tracks);
    } catch (e) {
      this.trace(`subscribe-offer failed on the current connection: ${e.message}; new connection`);
      this.newSubscriber();
      await this.subscriber.applyOffer(m.sdp, m.tracks);
    }
    // Tracks listed on the subscriber connection are published by definition.
    for (const t of m.tracks || []) {
      const p = this.participants.get(t.participantId);
      if (p && !p.tracks.has(t.trackId)) p.tracks.set(t.trackId, trackInfo(t));
    }
    this.rebind();
  }

  async onCandidate(m) {
    if (!m.candidate) return;
    const target = m.target === 'subscriber' ? this.subscriber : this.publisher;
    if (target) await target.addCandidate(m);
  }

  onParticipantJoined(m) {
    const raw = m.participant;
    if (!raw || raw.id === this.me.id) return;
    let p = this.participants.get(raw.id);
    if (p) { p.name = raw.name ?? p.name; p.role = raw.role ?? p.role; this.view.updated?.(p); return; }
    p = new Participant(raw);
    for (const t of raw.tracks || []) p.tracks.set(t.trackId, trackInfo(t));
    this.participants.set(p.id, p);
    this.view.added?.(p);
    this.view.toast?.(`${p.name} joined.`, 'info');
  }

  onParticipantLeft(m) {
    const p = this.participants.get(m.participantId);
    if (!p) return;
    this.participants.delete(p.id);
    this.view.removed?.(p, m.reason || 'left');
    const how = m.reason === 'kicked' ? 'was removed by the host' : m.reason === 'timeout' ? 'lost connection' : 'left';
    this.view.toast?.(`${p.name} ${how}.`, 'info');
  }

  onTrackPublished(m) {
    const t = m.track;
    if (!t) return;
    const p = t.participantId === this.me.id ? this.me : this.participants.get(t.participantId);
    if (!p) return;
    p.tracks.set(t.trackId, trackInfo(t));
    this.view.updated?.(p);
  }

  onTrackUnpublished(m) {
    const p = m.participantId === this.me.id ? this.me : this.participants.get(m.participantId);
    if (!p) return;
    p.tracks.delete(m.trackId);
    this.view.updated?.(p);
  }

  onTrackMuted(m) {
    const p = m.participantId === this.me.id ? this.me : this.participants.get(m.participantId);
    if (!p) return;
    if (!m.trackId) { this.view.updated?.(p); return; }   // muted a kind it does not publish
    const t = p.tracks.get(m.trackId) || { trackId: m.trackId, kind: m.kind, muted: false };
    t.muted = !!m.muted;
    if (m.kind) t.kind = m.kind;
    p.tracks.set(t.trackId, t);
    this.view.updated?.(p);
  }

  onQuality(m) {
    const p = m.participantId === this.me.id ? this.me : this.participants.get(m.participantId);
    if (!p) return;
    const score = Math.max(1, Math.min(5, Math.round(Number(m.score) || 1)));
    p.quality = score;
    p.qualityInfo = { score, lossPercent: m.lossPercent, rttMs: m.rttMs, bitrateKbps: m.bitrateKbps };
    this.view.updated?.(p);
  }

  onActiveSpeaker(m) {
    this.activeSpeaker = m.participantId || null;
    this.view.speaker?.(this.activeSpeaker);
  }

  onChat(m) {
    const msg = { from: m.from, name: m.name || 'Guest', text: String(m.text ?? ''), ts: Number(m.ts) || Date.now() };
    msg.mine = msg.from === this.me.id;
    this.chat.push(msg);
    this.view.chat?.(msg);
  }

  onRoomLocked(m) {
    this.room.locked = !!m.locked;
    this.view.room?.(this.room);
    this.view.toast?.(this.room.locked ? 'The meeting is locked: nobody new can join.' : 'The meeting is unlocked.', 'info');
  }

  async onMutedByHost(m) {
    if (m.kind === 'audio') {
      await this.setMic(false, { notify: false });
      this.view.toast?.('The host muted your microphone.', 'warn');
    } else if (m.kind === 'video') {
      await this.setCamera(false, { notify: false });
      this.view.toast?.('The host turned off your camera.', 'warn');
    }
  }

  onError(m) {
    this.errors.push({ code: m.code, message: m.message });
    this.trace(`server error ${m.code}: ${m.message}`);
    // A layer preference for a track that just went away: nothing a person needs to see.
    if (m.code === 'not-found' && /track/i.test(m.message || '')) return;
    const text = {
      'rate-limited': 'You are sending messages too fast.',
      'forbidden': 'Only the host can do that.',
      'too-large': 'That message is too large.',
    }[m.code] || m.message || `Error: ${m.code}`;
    this.view.toast?.(text, 'error');
  }

  /** Attaches received tracks to participants (after every subscriber negotiation). */
  rebind() {
    if (!this.subscriber) return;
    const want = new Map();
    for (const b of this.subscriber.bindings()) {
      const cur = want.get(b.participantId) || {};
      cur[b.kind] = b;
      want.set(b.participantId, cur);
    }
    for (const p of this.participants.values()) {
      const w = want.get(p.id) || {};
      let changed = false;
      for (const kind of ['audio', 'video']) {
        const track = w[kind] ? w[kind].track : null;
        if (p.media[kind] !== track) { p.media[kind] = track; changed = true; }
        p.mediaTrackIds[kind] = w[kind] ? w[kind].trackId : null;
      }
      if (changed) this.view.media?.(p);
    }
  }

  // ------------------------------------------------------------------ actions

  /** Mutes or unmutes the own microphone; tells the others (`mute-self`). */
  async setMic(on, { notify = true } = {}) {
    let track = null;
    try {
      track = await this.local.setAudio(on);
    } catch (e) {
      this.view.toast?.(`Microphone unavailable: ${e.message || e.name}`, 'error');
      return false;
    }
    await this.publisher?.setTrack('audio', track);
    if (notify) this.sig?.send({ type: 'mute-self', kind: 'audio', muted: !on });
    this.view.me?.(this.me);
    return true;
  }

  /** Turns the own camera on or off; tells the others (`mute-self`). */
  async setCamera(on, { notify = true } = {}) {
    let track = null;
    try {
      track = await this.local.setVideo(on);
    } catch (e) {
      this.view.toast?.(`Camera unavailable: ${e.message || e.name}`, 'error');
      return false;
    }
    await this.publisher?.setTrack('video', track);
    if (notify) this.sig?.send({ type: 'mute-self', kind: 'video', muted: !on });
    this.view.me?.(this.me);
    return true;
  }

  async switchDevice(kind, deviceId) {
    const track = await this.local.useDevice(kind, deviceId);
    await this.publisher?.setTrack(kind, track);
    this.view.me?.(this.me);
  }

  /** Sends a chat message; false when empty, too long (over 4,000 characters) or offline. */
  sendChat(text) {
    text = String(text ?? '');
    if (!text.trim()) return false;
    if (charCount(text) > CHAT_MAX_CHARS) {
      this.view.toast?.(`A message can have at most ${CHAT_MAX_CHARS.toLocaleString('en-US')} characters.`, 'error');
      return false;
    }
    const ok = this.sig?.send({ type: 'chat', text }) || false;
    if (!ok) this.view.toast?.('Not connected: the message was not sent.', 'error');
    return ok;
  }

  isHost() { return this.me.role === 'host'; }

  hostSend(msg) {
    if (!this.isHost()) { this.view.toast?.('Only the host can do that.', 'error'); return false; }
    return this.sig?.send(msg) || false;
  }

  mute(participantId, kind) { return this.hostSend({ type: 'mute', participantId, kind }); }
  kick(participantId) { return this.hostSend({ type: 'kick', participantId }); }
  lock(locked) { return this.hostSend({ type: 'lock', locked: !!locked }); }
  end() { return this.hostSend({ type: 'end' }); }

  /** Tells the server how large a participant's video is shown (simulcast layer choice). */
  setPreferences(trackId, prefs) {
    if (!trackId) return;
    const msg = { type: 'set-preferences', trackId, maxWidth: prefs.maxWidth, maxHeight: prefs.maxHeight, maxFps: prefs.maxFps ?? 30, paused: !!prefs.paused };
    const key = JSON.stringify(msg);
    if (this.sentPrefs.get(trackId) === key) return;
    if (this.sig?.send(msg)) this.sentPrefs.set(trackId, key);
  }

  // ------------------------------------------------------------------ inspection

  /** Records when the first video frame of a participant was shown (ms since joining). */
  noteFirstFrame(participantId) {
    if (this.firstFrames.has(participantId)) return;
    this.firstFrames.set(participantId, Math.round(performance.now() - this.joinedAt));
  }

  trace(text) {
    const line = `${(performance.now() / 1000).toFixed(3)} ${text}`;
    this.log.push(line);
    if (this.log.length > 500) this.log.splice(0, this.log.length - 500);
  }

  /** A JSON-able snapshot of the session for tests (window.sfu.state). */
  snapshot() {
    return {
      status: this.status,
      room: { ...this.room },
      me: { id: this.me.id, name: this.me.name, role: this.me.role, quality: this.me.quality,
            audioMuted: !this.local.audioEnabled, videoMuted: !this.local.videoEnabled },
      participants: [...this.participants.values()].map((p) => p.snapshot()),
      chat: this.chat.map((c) => ({ ...c })),
      errors: this.errors.map((e) => ({ ...e })),
      activeSpeaker: this.activeSpeaker,
      firstFrameMs: Object.fromEntries(this.firstFrames),
      signaling: this.sig ? { open: this.sig.isOpen(), rttMs: this.sig.rttMs, attempt: this.sig.attempt } : null,
      publisher: this.publisher ? this.publisher.state : null,
      subscriber: this.subscriber ? this.subscriber.state : null,
    };
  }

  /**
   * Per remote participant: {name, framesDecoded, frameWidth, frameHeight, packetsLost,
   * audioEnergy, audioPackets, videoPackets}, read from the subscriber connection's inbound-rtp.
   */
  async stats() {
    const out = {};
    for (const p of this.participants.values()) {
      out[p.id] = { name: p.name, framesDecoded: 0, frameWidth: 0, frameHeight: 0, packetsLost: 0,
                    audioEnergy: 0, audioPackets: 0, videoPackets: 0, audioPacketsLost: 0 };
    }
    if (!this.subscriber) return out;
    const byMid = new Map();
    const byTrackId = new Map();
    for (const b of this.subscriber.bindings()) {
      byMid.set(b.mid, b);
      byTrackId.set(b.track.id, b);
    }
    const report = await this.subscriber.pc.getStats();
    report.forEach((s) => {
      if (s.type !== 'inbound-rtp') return;
      const b = (s.mid != null && byMid.get(String(s.mid))) || byTrackId.get(s.trackIdentifier);
      if (!b) return;
      const o = out[b.participantId];
      if (!o) return;
      if (s.kind === 'video') {
        o.framesDecoded += s.framesDecoded || 0;
        o.frameWidth = Math.max(o.frameWidth, s.frameWidth || 0);
        o.frameHeight = Math.max(o.frameHeight, s.frameHeight || 0);
        o.packetsLost += s.packetsLost || 0;
        o.videoPackets += s.packetsReceived || 0;
      } else if (s.kind === 'audio') {
        o.audioEnergy += s.totalAudioEnergy || 0;
        o.audioPackets += s.packetsReceived || 0;
        o.audioPacketsLost += s.packetsLost || 0;
      }
    });
    return out;
  }
}

function trackInfo(t) {
  return { trackId: t.trackId, kind: t.kind, muted: !!t.muted };
}

function defaultWsUrl(token) {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${proto}//${location.host}/ws?token=${encodeURIComponent(token)}`;
}
