"""Signaling protocol tests against a running sfu-server (docs/PROTOCOL.md), including bad input.

Every refusal must be a clear `error` message or HTTP status, and the room and its other
participants must carry on. The server must run with --jwt-secret SECRET --host-password PW
--capacity 3.

usage: signaling_test.py BASE_URL SECRET PW
"""
import base64
import hashlib
import hmac
import json
import sys
import time
import urllib.error
import urllib.request

import websocket

BASE, SECRET, PW = sys.argv[1], sys.argv[2], sys.argv[3]
WS = BASE.replace("http", "ws", 1)
passed = 0
failed = 0


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print(f"ok   {name}")
    else:
        failed += 1
        print(f"FAIL {name} {detail}")


def http(method, path, body=None, token=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(BASE + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status, json.loads(r.read() or b"{}"), r.headers
    except urllib.error.HTTPError as e:
        raw = e.read()
        try:
            return e.code, json.loads(raw), e.headers
        except Exception:
            return e.code, {"raw": raw.decode(errors="replace")}, e.headers


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def forge(claims, secret=SECRET):
    header = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = b64(json.dumps(claims).encode())
    sig = hmac.new(secret.encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{b64(sig)}"


class Client:
    def __init__(self, token):
        self.ws = websocket.create_connection(f"{WS}/ws?token={token}", timeout=5)
        self.inbox = []

    def send(self, obj):
        self.ws.send(obj if isinstance(obj, str) else json.dumps(obj))

    def wait(self, type_, timeout=3, pred=lambda m: True):
        deadline = time.time() + timeout
        for i, m in enumerate(self.inbox):
            if m.get("type") == type_ and pred(m):
                return self.inbox.pop(i)
        while time.time() < deadline:
            self.ws.settimeout(max(0.05, deadline - time.time()))
            try:
                raw = self.ws.recv()
            except websocket.WebSocketTimeoutException:
                break
            except Exception:
                return None
            if not raw:
                return None
            m = json.loads(raw)
            if m.get("type") == type_ and pred(m):
                return m
            self.inbox.append(m)
        return None

    def alive(self):
        self.send({"type": "ping", "ts": 7})
        return self.wait("pong") is not None

    def closed(self, timeout=3):
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                self.ws.settimeout(0.5)
                raw = self.ws.recv()
                if raw == "" or raw is None:
                    return True
                self.inbox.append(json.loads(raw))
            except websocket.WebSocketTimeoutException:
                continue
            except Exception:
                return True
        return False


def join(room, name, token=None):
    st, body, _ = http("POST", f"/api/rooms/{room}/join", {"name": name}, token)
    return st, body


# --- HTTP API ---
st, body, _ = http("POST", "/api/login", {"username": "host", "password": "wrong"})
check("login with a wrong password is 401 unauthorized", st == 401 and body.get("code") == "unauthorized", body)
st, body, headers = http("POST", "/api/login", {"username": "host", "password": PW})
host = body.get("token")
check("host login gives a token and an HttpOnly cookie",
      st == 200 and host and "HttpOnly" in (headers.get("Set-Cookie") or ""), headers.get("Set-Cookie"))
st, body, _ = http("POST", "/api/rooms", {})
check("creating a room without login is 401", st == 401 and body.get("code") == "unauthorized", body)
st, body, _ = http("POST", "/api/rooms", {"name": "Standup"}, host)
room = body.get("room")
check("host creates a room with a join link", st == 201 and room and body["joinUrl"].endswith(f"/join/{room}"), body)
st, body, _ = http("GET", f"/api/rooms/{room}")
check("room info", st == 200 and body.get("name") == "Standup" and body.get("capacity") == 3, body)
st, body, _ = http("GET", "/api/rooms/nope")
check("unknown room is 404 not-found", st == 404 and body.get("code") == "not-found", body)
st, body = join(room, "x" * 65)
check("a name over 64 characters is 422", st == 422 and body.get("code") == "bad-request", body)
st, body = join(room, "   ")
check("an empty name is 422", st == 422, body)
req = urllib.request.Request(BASE + f"/api/rooms/{room}/join", data=b"{not json", method="POST",
                             headers={"Content-Type": "application/json"})
try:
    urllib.request.urlopen(req, timeout=5)
    check("malformed JSON body is 400", False)
except urllib.error.HTTPError as e:
    check("malformed JSON body is 400", e.code == 400 and json.loads(e.read()).get("code") == "bad-request")

st, hj = join(room, "Hosty", host)
check("the host joins as host", st == 200 and hj.get("role") == "host", hj)
st, aj = join(room, "Ada")
check("a guest joins with only a name", st == 200 and aj.get("role") == "guest" and aj["wsUrl"].startswith("ws"), aj)

# --- WebSocket ---
H = Client(hj["token"])
m = H.wait("joined")
check("host socket gets joined", m and m["participant"]["role"] == "host" and m["room"]["id"] == room, m)
A = Client(aj["token"])
m = A.wait("joined")
check("guest gets joined listing the host", m and [p["name"] for p in m["participants"]] == ["Hosty"], m)
m = H.wait("participant-joined")
check("host sees participant-joined", m and m["participant"]["name"] == "Ada", m)

A.send("{not json")
m = A.wait("error")
check("non-JSON message gets error bad-request", m and m["code"] == "bad-request", m)
A.send({"type": "frobnicate"})
m = A.wait("error")
check("unknown message type gets error bad-request", m and m["code"] == "bad-request", m)
A.send({"type": "chat", "text": "x" * 70000})
m = A.wait("error")
check("a message over 64 KiB gets error too-large", m and m["code"] == "too-large", m)
A.send({"type": "chat", "text": "y" * 4001})
m = A.wait("error")
check("chat over 4,000 characters gets error too-large", m and m["code"] == "too-large", m)
A.send({"type": "publish-offer", "sdp": "this is not sdp"})
m = A.wait("error")
check("SDP that does not parse gets error bad-sdp", m and m["code"] == "bad-sdp", m)
A.send({"type": "kick", "participantId": hj["participantId"]})
m = A.wait("error")
check("a guest attempting kick gets forbidden", m and m["code"] == "forbidden", m)
for t in ({"type": "lock", "locked": True}, {"type": "end"}, {"type": "mute", "participantId": hj["participantId"], "kind": "audio"}):
    A.send(t)
    m = A.wait("error")
    check(f"a guest attempting {t['type']} gets forbidden", m and m["code"] == "forbidden", m)
check("after bad input the guest's socket stays open", A.alive())

A.send({"type": "chat", "text": "hello"})
m = H.wait("chat")
check("chat reaches the other participant", m and m["text"] == "hello" and m["name"] == "Ada", m)
for i in range(8):
    A.send({"type": "chat", "text": f"spam {i}"})
m = A.wait("error")
check("more than 5 chats per second gets rate-limited", m and m["code"] == "rate-limited", m)

# Tokens
for label, tok in [
    ("an expired token", forge({"sub": "p-x", "exp": int(time.time()) - 10, "room": room, "name": "X", "role": "guest"})),
    ("a token signed with another secret", forge({"sub": "p-x", "exp": int(time.time()) + 600, "room": room, "name": "X", "role": "guest"}, "other")),
    ("a token for another room", forge({"sub": "p-x", "exp": int(time.time()) + 600, "room": "otherroom", "name": "X", "role": "guest"})),
    ("a host login token (no room)", host),
]:
    c = Client(tok)
    m = c.wait("error")
    check(f"{label} is refused on /ws", m and m["code"] in ("unauthorized", "not-found"), m)
    check(f"... and its socket is closed", c.closed())

# Capacity 3: one more fits, then full
st, bj = join(room, "Bo")
B = Client(bj["token"])
check("third participant joins", B.wait("joined") is not None)
st, body = join(room, "Cy")
check("joining a full room is 409 room-full", st == 409 and body.get("code") == "room-full", body)

H.send({"type": "lock", "locked": True})
check("everyone sees room-locked", A.wait("room-locked") is not None and B.wait("room-locked") is not None)
B.send({"type": "leave"})
m = A.wait("participant-left", timeout=2)
check("a participant that leaves is gone for the others within 2 s", m and m["participantId"] == bj["participantId"] and m["reason"] == "left", m)
st, body = join(room, "Dee")
check("joining a locked room is 409 room-locked", st == 409 and body.get("code") == "room-locked", body)
H.send({"type": "lock", "locked": False})
H.wait("room-locked")

H.send({"type": "kick", "participantId": aj["participantId"]})
m = A.wait("kicked")
check("the kicked participant is told", m is not None, m)
check("... and disconnected", A.closed())
m = H.wait("participant-left", pred=lambda m: m["participantId"] == aj["participantId"])
check("others see the kick", m and m["reason"] == "kicked", m)
A2 = Client(aj["token"])
m = A2.wait("error")
check("a kicked participant cannot rejoin with its token", m and m["code"] == "forbidden", m)

st, body, _ = http("GET", "/health")
check("health counts rooms and participants", st == 200 and body == {"status": "ok", "activeRooms": 1, "activeParticipants": 1}, body)

st, ej = join(room, "Eve")
E = Client(ej["token"])
E.wait("joined")
H.send({"type": "end"})
check("end reaches every participant", E.wait("end") is not None and H.wait("end") is not None)
check("... and closes their sockets", E.closed())
st, body, _ = http("GET", f"/api/rooms/{room}")
check("an ended room is gone", st == 404, body)

print(f"signaling: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
