// Local devices and the two PeerConnections of a participant (docs/PROTOCOL.md): the publisher
// (this client offers, sendonly audio + simulcast video) and the subscriber (the server offers
// every other participant's tracks, this client answers).

/** Simulcast layers q/h/f (quarter, half, full resolution). */
export const SIMULCAST_ENCODINGS = () => [
  { rid: 'q', scaleResolutionDownBy: 4, maxBitrate: 150_000 },
  { rid: 'h', scaleResolutionDownBy: 2, maxBitrate: 500_000 },
  { rid: 'f', maxBitrate: 1_500_000 },
];

const VIDEO_CONSTRAINTS = { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30, max: 30 } };
const AUDIO_CONSTRAINTS = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };

/**
 * The camera and microphone: which device, whether each is on. The camera is released when
 * turned off (its light goes out); the microphone track is kept and disabled, so unmuting is
 * instant.
 */
export class LocalMedia extends EventTarget {
  constructor() {
    super();
    this.audioTrack = null;
    this.videoTrack = null;
    this.audioDeviceId = localStorage.getItem('sfu:audioDevice') || '';
    this.videoDeviceId = localStorage.getItem('sfu:videoDevice') || '';
    this.audioEnabled = true;
    this.videoEnabled = true;
    this.lastError = null;
  }

  /** A stream of the current tracks (for previews). */
  previewStream() {
    const s = new MediaStream();
    if (this.videoTrack) s.addTrack(this.videoTrack);
    return s;
  }

  async acquire(kind) {
    const constraints = kind === 'video'
      ? { video: { ...VIDEO_CONSTRAINTS, ...(this.videoDeviceId ? { deviceId: { exact: this.videoDeviceId } } : {}) } }
      : { audio: { ...AUDIO_CONSTRAINTS, ...(this.audioDeviceId ? { deviceId: { exact: this.audioDeviceId } } : {}) } };
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia(constraints);
    } catch (e) {
      if (e && e.name === 'OverconstrainedError') {
        // The remembered device is gone: fall back to the default one.
        if (kind === 'video') this.videoDeviceId = ''; else this.audioDeviceId = '';
        stream = await navigator.mediaDevices.getUserMedia(kind === 'video' ? { video: VIDEO_CONSTRAINTS } : { audio: AUDIO_CONSTRAINTS });
      } else {
        throw e;
      }
    }
    const track = kind === 'video' ? stream.getVideoTracks()[0] : stream.getAudioTracks()[0];
    const id = track.getSettings().deviceId;
    if (kind === 'video') this.videoDeviceId = id || this.videoDeviceId; else this.audioDeviceId = id || this.audioDeviceId;
    track.addEventListener('ended', () => this.emit('ended', { kind, track }));
    return track;
  }

  /** Opens what is enabled; returns the errors by kind (a missing camera is not fatal). */
  async start() {
    const errors = {};
    for (const kind of ['audio', 'video']) {
      const on = kind === 'audio' ? true : this.videoEnabled; // the mic is opened even when muted
      if (!on || this.track(kind)) continue;
      try {
        this.setTrack(kind, await this.acquire(kind));
      } catch (e) {
        errors[kind] = e;
        if (kind === 'audio') this.audioEnabled = false; else this.videoEnabled = false;
      }
    }
    if (this.audioTrack) this.audioTrack.enabled = this.audioEnabled;
    this.lastError = errors.video || errors.audio || null;
    this.emit('change');
    return errors;
  }

  track(kind) { return kind === 'video' ? this.videoTrack : this.audioTrack; }

  setTrack(kind, track) {
    const old = this.track(kind);
    if (old && old !== track) old.stop();
    if (kind === 'video') this.videoTrack = track; else this.audioTrack = track;
  }

  /** Turns the camera on (opens it) or off (releases it). Returns the track to send (or null). */
  async setVideo(on) {
    if (on && !this.videoTrack) this.setTrack('video', await this.acquire('video'));
    if (!on && this.videoTrack) this.setTrack('video', null);
    this.videoEnabled = on;
    this.emit('change');
    return on ? this.videoTrack : null;
  }

  /** Mutes or unmutes the microphone. Returns the track to send (or null). */
  async setAudio(on) {
    if (on && !this.audioTrack) this.setTrack('audio', await this.acquire('audio'));
    if (this.audioTrack) this.audioTrack.enabled = on;
    this.audioEnabled = on;
    this.emit('change');
    return on ? this.audioTrack : null;
  }

  /** Switches to another device; returns the new track when that kind is on. */
  async useDevice(kind, deviceId) {
    if (kind === 'video') this.videoDeviceId = deviceId; else this.audioDeviceId = deviceId;
    localStorage.setItem(kind === 'video' ? 'sfu:videoDevice' : 'sfu:audioDevice', deviceId);
    const on = kind === 'video' ? this.videoEnabled : true;
    if (!on) return null;
    const track = await this.acquire(kind);
    if (kind === 'audio') track.enabled = this.audioEnabled;
    this.setTrack(kind, track);
    this.emit('change');
    return kind === 'audio' && !this.audioEnabled ? null : track;
  }

  stop() {
    this.setTrack('audio', null);
    this.setTrack('video', null);
  }

  emit(type, detail) { this.dispatchEvent(new CustomEvent(type, { detail })); }
}

/** Lists the devices of a kind ("audioinput" | "videoinput"). Labels need a granted permission. */
export async function listDevices(kind) {
  try {
    const all = await navigator.mediaDevices.enumerateDevices();
    return all.filter((d) => d.kind === kind && d.deviceId);
  } catch { return []; }
}

function pcConfig(iceServers) {
  return { iceServers: iceServers || [], bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' };
}

/**
 * The publisher connection: sendonly simulcast video and sendonly audio. Tracks are swapped with
 * replaceTrack (mute, camera off, device change) without renegotiation.
 */
export class Publisher {
  /** @param {{iceServers: object[], send: (msg: object) => boolean, onFailed: () => void}} o */
  constructor({ iceServers, send, onFailed, log }) {
    this.send = send;
    this.onFailed = onFailed;
    this.log = log || (() => {});
    this.pc = new RTCPeerConnection(pcConfig(iceServers));
    this.stream = new MediaStream();
    // `?svc=L3T3_KEY` (with `?codec=vp9` or `av1`) sends one SVC stream instead of simulcast:
    // the server forwards each viewer the spatial and temporal layers it wants.
    const query = new URLSearchParams(location.search);
    const svc = query.get('svc');
    const encodings = svc && /^L[1-3]T[1-3](_KEY)?$/.test(svc) ? [{ scalabilityMode: svc, maxBitrate: 2_000_000 }] : SIMULCAST_ENCODINGS();
    this.video = this.pc.addTransceiver('video', { direction: 'sendonly', streams: [this.stream], sendEncodings: encodings });
    this.audio = this.pc.addTransceiver('audio', { direction: 'sendonly', streams: [this.stream] });
    // `?codec=h264` (or vp8, vp9, av1) offers only that video codec (plus RTX), e.g. to capture
    // an H.264 publisher; by default the server picks from everything the browser offers.
    const codec = query.get('codec');
    if (codec && this.video.setCodecPreferences && RTCRtpSender.getCapabilities) {
      const all = RTCRtpSender.getCapabilities('video').codecs;
      const wanted = all.filter((c) => c.mimeType.toLowerCase() === `video/${codec.toLowerCase()}`);
      if (wanted.length) this.video.setCodecPreferences([...wanted, ...all.filter((c) => c.mimeType === 'video/rtx')]);
    }
    this.awaitingAnswer = false;
    this.pc.onicecandidate = (e) => {
      if (e.candidate && e.candidate.candidate) {
        this.send({ type: 'candidate', candidate: e.candidate.candidate, sdpMid: e.candidate.sdpMid, target: 'publisher' });
      }
    };
    this.pc.oniceconnectionstatechange = () => {
      this.log(`publisher ice ${this.pc.iceConnectionState}`);
      if (this.pc.iceConnectionState === 'failed') this.onFailed();
    };
  }

  get state() { return this.pc.connectionState; }

  /**
   * Dynacast (`publisher-layers`): stops encoding the simulcast layers nobody receives and
   * resumes them when someone wants them again.
   */
  async setActiveLayers(rids, active) {
    const sender = this.video.sender;
    const p = sender.getParameters();
    if (!p.encodings || !p.encodings.length) return false;
    let changed = false;
    for (const e of p.encodings) {
      const i = rids.indexOf(e.rid);
      if (i >= 0 && e.active !== !!active[i]) { e.active = !!active[i]; changed = true; }
    }
    if (changed) {
      await sender.setParameters(p);
      this.log(`layers ${rids.filter((_, i) => active[i]).join(',')} active`);
    }
    return changed;
  }

  async setTrack(kind, track) {
    const tx = kind === 'video' ? this.video : this.audio;
    await tx.sender.replaceTrack(track || null);
  }

  /** Creates and sends a `publish-offer` (an ICE restart after a reconnect or an ICE failure). */
  async offer({ iceRestart = false } = {}) {
    const offer = await this.pc.createOffer(iceRestart ? { iceRestart: true } : {});
    await this.pc.setLocalDescription(offer);
    this.awaitingAnswer = true;
    return this.send({ type: 'publish-offer', sdp: this.pc.localDescription.sdp });
  }

  async applyAnswer(sdp) {
    if (this.pc.signalingState !== 'have-local-offer') {
      this.log(`publish-answer ignored in state ${this.pc.signalingState}`);
      return false;
    }
    await this.pc.setRemoteDescription({ type: 'answer', sdp });
    this.awaitingAnswer = false;
    return true;
  }

  async addCandidate(c) {
    if (!this.pc.remoteDescription) return;
    await this.pc.addIceCandidate({ candidate: c.candidate, sdpMid: c.sdpMid ?? '0' });
  }

  close() { try { this.pc.close(); } catch { /* closed */ } }
}

/**
 * The subscriber connection: the server offers one m-section per forwarded track; `tracks`
 * tells which participant and kind each mid carries.
 */
export class Subscriber {
  constructor({ iceServers, send, onTracks, log }) {
    this.send = send;
    this.onTracks = onTracks;
    this.log = log || (() => {});
    this.tracks = new Map();       // mid → {trackId, participantId, kind, mid}
    this.pendingCandidates = [];
    this.pc = new RTCPeerConnection(pcConfig(iceServers));
    this.pc.ontrack = () => this.onTracks();
    this.pc.onicecandidate = (e) => {
      if (e.candidate && e.candidate.candidate) {
        this.send({ type: 'candidate', candidate: e.candidate.candidate, sdpMid: e.candidate.sdpMid, target: 'subscriber' });
      }
    };
    this.pc.oniceconnectionstatechange = () => this.log(`subscriber ice ${this.pc.iceConnectionState}`);
  }

  get state() { return this.pc.connectionState; }

  /** Applies a `subscribe-offer` and sends the `subscribe-answer`. */
  async applyOffer(sdp, tracks) {
    this.tracks = new Map((tracks || []).map((t) => [String(t.mid), t]));
    await this.pc.setRemoteDescription({ type: 'offer', sdp });
    const answer = await this.pc.createAnswer();
    await this.pc.setLocalDescription(answer);
    this.send({ type: 'subscribe-answer', sdp: this.pc.localDescription.sdp });
    for (const c of this.pendingCandidates.splice(0)) await this.addCandidate(c);
    this.onTracks();
  }

  async addCandidate(c) {
    if (!this.pc.remoteDescription) { this.pendingCandidates.push(c); return; }
    await this.pc.addIceCandidate({ candidate: c.candidate, sdpMid: c.sdpMid ?? '0' });
  }

  /** The live received tracks: [{mid, trackId, participantId, kind, track}]. */
  bindings() {
    const out = [];
    for (const t of this.pc.getTransceivers()) {
      if (t.stopped || t.mid == null) continue;
      const info = this.tracks.get(String(t.mid));
      if (!info) continue;
      const dir = t.currentDirection || t.direction;
      if (dir !== 'recvonly' && dir !== 'sendrecv') continue;
      const track = t.receiver.track;
      if (!track || track.readyState === 'ended' || track.kind !== info.kind) continue;
      out.push({ ...info, mid: String(t.mid), track });
    }
    return out;
  }

  close() { try { this.pc.close(); } catch { /* closed */ } }
}
