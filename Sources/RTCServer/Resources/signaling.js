// The signaling WebSocket (docs/PROTOCOL.md, "WebSocket"): one JSON object per text frame.
// Reconnects with backoff using the same token; the server replaces the old socket with the new
// one, so a dropped connection is recovered without a new identity.

const PING_EVERY_MS = 10_000;
const PONG_TIMEOUT_MS = 25_000;
const BACKOFF_MS = [250, 500, 1000, 2000, 4000, 8000];
const GIVE_UP_MS = 120_000;       // consecutive failure to reconnect before giving up
const FATAL_CODES = new Set(['unauthorized', 'not-found', 'forbidden']);

export class Signaling extends EventTarget {
  /**
   * @param {string} url the wsUrl from the join response (with ?token=…)
   * @param {{expiresAt?: number}} opts expiresAt (seconds since epoch): stop reconnecting after it
   */
  constructor(url, { expiresAt } = {}) {
    super();
    this.url = url;
    this.expiresAt = expiresAt || 0;
    this.ws = null;
    this.attempt = 0;
    this.closed = false;          // closed on purpose (leave, kicked, end): never reconnect
    this.everOpened = false;
    this.downSince = 0;
    this.lastFatal = null;
    this.timer = null;
    this.pingTimer = null;
    this.lastPong = 0;
    this.rttMs = null;
    this.onOnline = () => { if (!this.closed && !this.isOpen()) this.reconnectNow(); };
    window.addEventListener('online', this.onOnline);
  }

  isOpen() { return this.ws && this.ws.readyState === WebSocket.OPEN; }

  connect() {
    if (this.closed) return;
    clearTimeout(this.timer);
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.onopen = () => {
      if (ws !== this.ws) return;
      const reconnected = this.everOpened;
      this.everOpened = true;
      this.attempt = 0;
      this.downSince = 0;
      this.lastFatal = null;
      this.lastPong = Date.now();
      this.startPing();
      this.emit('open', { reconnected });
    };
    ws.onmessage = (ev) => {
      if (ws !== this.ws) return;
      let msg;
      try { msg = JSON.parse(ev.data); } catch { return; }
      if (!msg || typeof msg.type !== 'string') return;
      if (msg.type === 'pong') {
        this.lastPong = Date.now();
        if (typeof msg.ts === 'number') this.rttMs = Date.now() - msg.ts;
        return;
      }
      // An error right before the server closes the socket tells why (bad or expired token,
      // room gone): then reconnecting is pointless.
      if (msg.type === 'error' && FATAL_CODES.has(msg.code)) { this.lastFatal = msg; this.lastFatalAt = Date.now(); }
      this.emit('message', msg);
    };
    ws.onclose = (ev) => {
      if (ws !== this.ws) return;
      this.stopPing();
      this.ws = null;
      if (this.closed) return;
      if (!this.downSince) this.downSince = Date.now();
      const tooLong = Date.now() - this.downSince > GIVE_UP_MS;
      if (this.lastFatal && Date.now() - this.lastFatalAt > 3000) this.lastFatal = null;
      if (this.lastFatal || tooLong) {
        this.closed = true;
        const error = this.lastFatal || { code: 'network', message: 'The connection to the server was lost.' };
        this.emit('fatal', { error, code: ev.code, reason: ev.reason });
        return;
      }
      if (this.expiresAt && Date.now() / 1000 > this.expiresAt) {
        this.closed = true;
        this.emit('fatal', { error: { code: 'unauthorized', message: 'Your session has expired.' } });
        return;
      }
      this.emit('disconnected', { code: ev.code, reason: ev.reason, attempt: this.attempt });
      const base = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)];
      this.attempt += 1;
      this.timer = setTimeout(() => this.connect(), base + Math.random() * base * 0.3);
    };
    ws.onerror = () => {};
  }

  reconnectNow() {
    if (this.closed) return;
    clearTimeout(this.timer);
    if (this.ws) {
      // Drop the current socket (it may be half-open); onclose schedules nothing because we
      // detach it first.
      const old = this.ws;
      this.ws = null;
      this.stopPing();
      try { old.close(); } catch { /* already closed */ }
    }
    this.emit('disconnected', { code: 0, reason: 'reconnect', attempt: this.attempt });
    this.connect();
  }

  startPing() {
    this.stopPing();
    this.pingTimer = setInterval(() => {
      if (!this.isOpen()) return;
      if (Date.now() - this.lastPong > PONG_TIMEOUT_MS) { this.reconnectNow(); return; }
      this.send({ type: 'ping', ts: Date.now() });
    }, PING_EVERY_MS);
  }

  stopPing() { clearInterval(this.pingTimer); this.pingTimer = null; }

  /** Sends one message; false when the socket is not open (the caller resyncs on reconnect). */
  send(msg) {
    if (!this.isOpen()) return false;
    this.ws.send(JSON.stringify(msg));
    return true;
  }

  /** Closes for good (leave, kicked, end). */
  close() {
    this.closed = true;
    clearTimeout(this.timer);
    this.stopPing();
    window.removeEventListener('online', this.onOnline);
    if (this.ws) {
      const ws = this.ws;
      this.ws = null;
      try { ws.close(1000, 'bye'); } catch { /* ignore */ }
    }
  }

  /** Test hook: drops the socket as a network failure would; reconnect follows. */
  drop() {
    if (this.ws) {
      try { this.ws.close(4000, 'test drop'); } catch { /* ignore */ }
    }
  }

  emit(type, detail) { this.dispatchEvent(new CustomEvent(type, { detail })); }
}
