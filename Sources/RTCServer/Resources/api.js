// HTTP API of sfu-server (docs/PROTOCOL.md, "HTTP"): every error body is {code, message}.

/** An HTTP API failure with the server's error code (or "network"). */
export class APIError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

const HOST_KEY = 'sfu:host';

/** The host login kept for this tab: {token, expiresAt} or null when absent or expired. */
export function hostLogin() {
  try {
    const v = JSON.parse(sessionStorage.getItem(HOST_KEY) || 'null');
    if (!v || !v.token) return null;
    if (v.expiresAt && v.expiresAt * 1000 < Date.now()) { sessionStorage.removeItem(HOST_KEY); return null; }
    return v;
  } catch { return null; }
}

export function forgetHostLogin() { sessionStorage.removeItem(HOST_KEY); }

async function request(method, path, body, { auth = true } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const host = auth ? hostLogin() : null;
  if (host) headers.Authorization = `Bearer ${host.token}`;
  let r;
  try {
    r = await fetch(path, {
      method, headers, credentials: 'include',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new APIError(0, 'network', 'The server cannot be reached. Check your connection and try again.');
  }
  let data = null;
  const text = await r.text();
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (!r.ok) {
    const code = (data && data.code) || `http-${r.status}`;
    const message = (data && data.message) || `${r.status} ${r.statusText}`;
    throw new APIError(r.status, code, message);
  }
  return data;
}

/** POST /api/login → {token, expiresAt}; the server also sets the HttpOnly sfu_session cookie. */
export async function login(username, password) {
  const r = await request('POST', '/api/login', { username, password }, { auth: false });
  sessionStorage.setItem(HOST_KEY, JSON.stringify({ token: r.token, expiresAt: r.expiresAt, username }));
  return r;
}

/** POST /api/rooms (host) → {room, joinUrl}. */
export function createRoom(name) {
  return request('POST', '/api/rooms', name ? { name } : {});
}

/** GET /api/rooms/{room} → {room, name, locked, participants, capacity}. */
export function roomInfo(room) {
  return request('GET', `/api/rooms/${encodeURIComponent(room)}`, undefined, { auth: false });
}

/** POST /api/rooms/{room}/join {name} → {token, wsUrl, iceServers, participantId, role}. */
export function joinRoom(room, name) {
  return request('POST', `/api/rooms/${encodeURIComponent(room)}/join`, { name });
}

/** A person-readable sentence for an API error when joining. */
export function joinErrorText(e) {
  switch (e.code) {
    case 'not-found': return 'This meeting does not exist or has already ended.';
    case 'room-locked': return 'The host has locked this meeting. Ask the host to unlock it, then try again.';
    case 'room-full': return 'This meeting is full. Try again when someone leaves.';
    case 'bad-request': return e.message || 'Please enter a name of 1 to 64 characters.';
    case 'unauthorized': return 'Your session has expired. Sign in again.';
    case 'rate-limited': return 'Too many attempts. Wait a moment and try again.';
    default: return e.message || 'Something went wrong.';
  }
}

/** The number of user-perceived characters (code points) in a string. */
export function charCount(s) { return [...s].length; }

/** Decodes a JWT's payload (no verification: only to read exp for reconnect deadlines). */
export function jwtPayload(token) {
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(atob(part + '='.repeat((4 - part.length % 4) % 4)));
  } catch { return {}; }
}

/** The call session kept per room in this tab: what /room/{room} needs to (re)connect. */
export const callSession = {
  key: (room) => `sfu:call:${room}`,
  get(room) {
    try { return JSON.parse(sessionStorage.getItem(this.key(room)) || 'null'); } catch { return null; }
  },
  set(room, v) { sessionStorage.setItem(this.key(room), JSON.stringify(v)); },
  clear(room) { sessionStorage.removeItem(this.key(room)); },
};
