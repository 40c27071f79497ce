"""A stand-in for sfu-server that speaks docs/PROTOCOL.md, for testing the browser client before
(and independently of) the Swift server. Not a reference: a small Python SFU built on aiohttp
(HTTP, WebSocket, static files) and aiortc (PeerConnections; media is relayed through aiortc's
a small fan-out, i.e. decoded and re-encoded, and without simulcast: the `a=simulcast`/`a=rid` lines of
a publish offer are removed so the browser sends one layer).

It serves Sources/RTCServer/Resources exactly as sfu-server is expected to:
  /                 index.html          /join/{room}, /room/{room}   join.html
  /echo             echo.html           /static/{file}               Resources/{file}

usage: fake_sfu.py [--http 127.0.0.1:8080] [--host-user host] [--host-password pw]
Run it in a private network namespace with the browser (see PEERS.md): it binds 127.0.0.1 only.
"""
import argparse
import asyncio
import base64
import json
import logging
import mimetypes
import os
import secrets
import time

import aioice.ice
from aiohttp import WSMsgType, web
from aiortc import MediaStreamTrack, RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.rtcconfiguration import RTCBundlePolicy
from aiortc.mediastreams import MediaStreamError

aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: ["127.0.0.1"]

RESOURCES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Sources", "RTCServer", "Resources")
log = logging.getLogger("fake-sfu")


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Tokens:
    """JWT-shaped tokens (not signed: the fake keeps them in a table)."""

    def __init__(self):
        self.table = {}

    def issue(self, claims):
        claims = dict(claims, exp=int(time.time()) + 3600)
        tok = ".".join([b64u(b'{"alg":"HS256","typ":"JWT"}'), b64u(json.dumps(claims).encode()),
                        b64u(secrets.token_bytes(16))])
        self.table[tok] = claims
        return tok, claims["exp"]

    def check(self, tok):
        c = self.table.get(tok or "")
        if c and c["exp"] > time.time():
            return c
        return None


def error(status, code, message):
    return web.json_response({"code": code, "message": message}, status=status)


def strip_simulcast(sdp):
    return "\r\n".join(l for l in sdp.split("\r\n")
                       if not l.startswith("a=simulcast:") and not l.startswith("a=rid:"))


class SinkTrack(MediaStreamTrack):
    """One subscriber's copy of a published track (fed by a Fanout)."""

    def __init__(self, kind):
        super().__init__()
        self.kind = kind
        self.queue = asyncio.Queue(maxsize=50)

    async def recv(self):
        frame = await self.queue.get()
        if frame is None:
            raise MediaStreamError
        return frame


class Fanout:
    """Reads a published (decoded) track once and hands every frame to each subscriber's copy."""

    def __init__(self, track):
        self.track = track
        self.sinks = set()
        self.task = asyncio.ensure_future(self.run())

    def subscribe(self):
        sink = SinkTrack(self.track.kind)
        self.sinks.add(sink)
        return sink

    async def run(self):
        while True:
            try:
                frame = await self.track.recv()
            except MediaStreamError:
                break
            for sink in list(self.sinks):
                if sink.readyState != "live":
                    self.sinks.discard(sink)
                    continue
                if sink.queue.full():
                    sink.queue.get_nowait()
                sink.queue.put_nowait(frame)
        for sink in self.sinks:
            sink.queue.put_nowait(None)

    def stop(self):
        self.task.cancel()


class Participant:
    def __init__(self, pid, name, role):
        self.id, self.name, self.role = pid, name, role
        self.ws = None
        self.pub = None          # publisher RTCPeerConnection (the browser offers)
        self.sub = None          # subscriber RTCPeerConnection (we offer)
        self.published = {}      # trackId → (kind, remote aiortc track)
        self.sub_senders = {}    # trackId → transceiver on self.sub
        self.sub_busy = False
        self.sub_dirty = False
        self.chat_times = []
        self.gone_task = None
        self.muted = {}          # kind → bool

    def public(self):
        return {"id": self.id, "name": self.name, "role": self.role}

    async def send(self, msg):
        if self.ws is not None and not self.ws.closed:
            try:
                await self.ws.send_str(json.dumps(msg))
            except Exception:  # noqa: BLE001 (a closing socket)
                pass


class Room:
    def __init__(self, rid, name, capacity):
        self.id, self.name, self.capacity = rid, name, capacity
        self.locked = False
        self.participants = {}


class FakeSFU:
    def __init__(self, user, password, capacity):
        self.user, self.password, self.capacity = user, password, capacity
        self.tokens = Tokens()
        self.rooms = {}
        self.seq = 0

    # ------------------------------------------------------------------ HTTP

    def host_claims(self, request):
        auth = request.headers.get("Authorization", "")
        tok = auth[7:] if auth.startswith("Bearer ") else request.cookies.get("sfu_session")
        c = self.tokens.check(tok)
        return c if c and c.get("role") == "host" else None

    async def login(self, request):
        try:
            body = await request.json()
        except Exception:  # noqa: BLE001
            return error(400, "bad-request", "expected JSON")
        if body.get("username") != self.user or body.get("password") != self.password:
            return error(401, "unauthorized", "wrong username or password")
        tok, exp = self.tokens.issue({"sub": "host", "role": "host"})
        r = web.json_response({"token": tok, "expiresAt": exp})
        r.set_cookie("sfu_session", tok, httponly=True, path="/", samesite="Lax")
        return r

    async def create_room(self, request):
        if not self.host_claims(request):
            return error(401, "unauthorized", "sign in as the host first")
        try:
            body = await request.json()
        except Exception:  # noqa: BLE001
            body = {}
        rid = secrets.token_hex(3)
        self.rooms[rid] = Room(rid, body.get("name") or "Meeting", self.capacity)
        return web.json_response({"room": rid, "joinUrl": f"{request.scheme}://{request.host}/join/{rid}"}, status=201)

    async def room_info(self, request):
        room = self.rooms.get(request.match_info["room"])
        if not room:
            return error(404, "not-found", "no such room")
        return web.json_response({"room": room.id, "name": room.name, "locked": room.locked,
                                  "participants": len(room.participants), "capacity": room.capacity})

    async def join(self, request):
        room = self.rooms.get(request.match_info["room"])
        if not room:
            return error(404, "not-found", "no such room")
        try:
            body = await request.json()
        except Exception:  # noqa: BLE001
            return error(400, "bad-request", "expected JSON")
        name = str(body.get("name") or "").strip()
        if not name or len(name) > 64:
            return error(422, "bad-request", "a name has 1 to 64 characters")
        host = self.host_claims(request) is not None
        if room.locked and not host:
            return error(409, "room-locked", "the room is locked")
        if len(room.participants) >= room.capacity:
            return error(409, "room-full", "the room is full")
        self.seq += 1
        pid = f"p-{self.seq}{secrets.token_hex(2)}"
        role = "host" if host else "guest"
        tok, _ = self.tokens.issue({"sub": pid, "room": room.id, "name": name, "role": role})
        ws = f"ws://{request.host}/ws?token={tok}"
        return web.json_response({"token": tok, "wsUrl": ws, "iceServers": [], "participantId": pid, "role": role})

    async def debug(self, request):
        """Outbound RTP counts per subscriber connection (for debugging the fake itself)."""
        out = {}
        for room in self.rooms.values():
            for p in room.participants.values():
                if p.sub:
                    st = await p.sub.getStats()
                    out[p.name] = {tid: {"mid": tr.mid, "kind": tr.kind, "dir": tr.direction, "cur": tr.currentDirection, "started": tr.sender._RTCRtpSender__started, "transport": id(tr.sender.transport),
                                         "track": type(tr.sender.track).__name__ if tr.sender.track else None}
                                   for tid, tr in p.sub_senders.items()}
                    out[p.name]["outbound"] = [{"id": s.id, "ssrc": s.ssrc, "kind": s.kind, "packets": s.packetsSent}
                                               for s in st.values() if s.type == "outbound-rtp"]
        return web.json_response(out)

    async def health(self, request):
        n = sum(1 for r in self.rooms.values() for p in r.participants.values() if p.ws is not None)
        return web.json_response({"status": "ok", "activeRooms": len(self.rooms), "activeParticipants": n})

    # ------------------------------------------------------------------ WebSocket

    async def websocket(self, request):
        claims = self.tokens.check(request.query.get("token"))
        room = self.rooms.get(claims["room"]) if claims and claims.get("room") else None
        ws = web.WebSocketResponse(max_msg_size=64 * 1024, heartbeat=None)
        await ws.prepare(request)
        if not claims or not room:
            await ws.send_str(json.dumps({"type": "error", "code": "unauthorized" if not claims else "not-found",
                                          "message": "bad token or room gone"}))
            await ws.close()
            return ws
        p = room.participants.get(claims["sub"])
        new = p is None
        if new:
            p = Participant(claims["sub"], claims["name"], claims["role"])
            room.participants[p.id] = p
        else:
            if p.gone_task:
                p.gone_task.cancel()
                p.gone_task = None
            if p.ws is not None and not p.ws.closed:
                old = p.ws
                p.ws = None
                await old.close()
        p.ws = ws
        await p.send({"type": "joined", "participant": p.public(),
                      "participants": [dict(o.public(), tracks=self.tracks_of(o)) for o in room.participants.values() if o is not p],
                      "iceServers": [], "room": {"id": room.id, "name": room.name, "locked": room.locked}})
        if new:
            for o in list(room.participants.values()):
                if o is not p:
                    await o.send({"type": "participant-joined", "participant": p.public()})
        # A fresh subscriber connection on every (re)connect.
        await self.reset_subscriber(room, p)
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                try:
                    m = json.loads(msg.data)
                    assert isinstance(m, dict) and isinstance(m.get("type"), str)
                except Exception:  # noqa: BLE001
                    await p.send({"type": "error", "code": "bad-request", "message": "not JSON"})
                    continue
                try:
                    done = await self.on_message(room, p, m)
                except Exception as e:  # noqa: BLE001
                    log.exception("message %s", m.get("type"))
                    await p.send({"type": "error", "code": "internal", "message": str(e)})
                    done = False
                if done:
                    break
        finally:
            if p.ws is ws:
                p.ws = None
                if p.id in room.participants:
                    p.gone_task = asyncio.ensure_future(self.timeout(room, p))
        return ws

    def tracks_of(self, p):
        return [{"trackId": t, "participantId": p.id, "kind": k, "muted": p.muted.get(k, False)}
                for t, (k, _) in p.published.items()]

    async def timeout(self, room, p):
        await asyncio.sleep(10)
        await self.remove(room, p, "timeout")

    async def remove(self, room, p, reason):
        if room.participants.pop(p.id, None) is None:
            return
        for pc in (p.pub, p.sub):
            if pc:
                await pc.close()
        for o in list(room.participants.values()):
            await o.send({"type": "participant-left", "participantId": p.id, "reason": reason})
            for tid in list(p.published):
                if tid in o.sub_senders:
                    tr = o.sub_senders.pop(tid)
                    tr.direction = "inactive"
                    tr.sender.replaceTrack(None)
            await self.renegotiate(room, o)

    async def on_message(self, room, p, m):
        t = m["type"]
        host = p.role == "host"
        if t == "ping":
            await p.send({"type": "pong", "ts": m.get("ts")})
        elif t == "publish-offer":
            await self.publish(room, p, m["sdp"])
        elif t == "subscribe-answer":
            await p.sub.setRemoteDescription(RTCSessionDescription(m["sdp"], "answer"))
            p.sub_busy = False
            if p.sub_dirty:
                await self.renegotiate(room, p)
        elif t == "candidate":
            pass  # candidates are in the SDP; the browser's are not needed
        elif t == "set-preferences":
            pass
        elif t == "mute-self":
            await self.set_muted(room, p, m.get("kind"), bool(m.get("muted")))
        elif t == "chat":
            text = str(m.get("text", ""))
            now = time.time()
            p.chat_times = [x for x in p.chat_times if now - x < 1] + [now]
            if len(text) > 4000:
                await p.send({"type": "error", "code": "too-large", "message": "chat text over 4000 characters"})
            elif len(p.chat_times) > 5:
                await p.send({"type": "error", "code": "rate-limited", "message": "5 messages per second"})
            else:
                for o in list(room.participants.values()):
                    await o.send({"type": "chat", "from": p.id, "name": p.name, "text": text, "ts": int(now * 1000)})
        elif t in ("mute", "kick", "lock", "end") and not host:
            await p.send({"type": "error", "code": "forbidden", "message": f"only the host can {t}"})
        elif t == "mute":
            o = room.participants.get(m.get("participantId"))
            if o:
                await o.send({"type": "mute", "kind": m.get("kind")})
                await self.set_muted(room, o, m.get("kind"), True)
        elif t == "kick":
            o = room.participants.get(m.get("participantId"))
            if o:
                await o.send({"type": "kicked", "reason": "removed by the host"})
                if o.ws is not None:
                    await o.ws.close()
                await self.remove(room, o, "kicked")
        elif t == "lock":
            room.locked = bool(m.get("locked"))
            for o in list(room.participants.values()):
                await o.send({"type": "room-locked", "locked": room.locked})
        elif t == "end":
            for o in list(room.participants.values()):
                await o.send({"type": "end", "reason": "ended by the host"})
                if o.ws is not None and o is not p:
                    await o.ws.close()
                for pc in (o.pub, o.sub):
                    if pc:
                        await pc.close()
            room.participants.clear()
            self.rooms.pop(room.id, None)
            return True
        elif t == "leave":
            await self.remove(room, p, "left")
            return True
        else:
            await p.send({"type": "error", "code": "bad-request", "message": f"unknown message type {t}"})
        return False

    async def set_muted(self, room, p, kind, muted):
        p.muted[kind] = muted
        for tid, (k, _) in p.published.items():
            if k == kind:
                for o in list(room.participants.values()):
                    await o.send({"type": "track-muted", "trackId": tid, "participantId": p.id, "kind": k, "muted": muted})

    # ------------------------------------------------------------------ media

    async def publish(self, room, p, sdp):
        # aiortc has no ICE restart: every publish offer gets a new connection.
        old = p.pub
        for tid in list(p.published):
            await self.unpublish(room, p, tid)
        pc = RTCPeerConnection()
        p.pub = pc

        @pc.on("track")
        def on_track(track):
            self.seq += 1
            tid = f"t-{self.seq}"
            p.published[tid] = (track.kind, Fanout(track))
            asyncio.ensure_future(self.announce(room, p, tid, track.kind))

        if old:
            await old.close()
        await pc.setRemoteDescription(RTCSessionDescription(strip_simulcast(sdp), "offer"))
        await pc.setLocalDescription(await pc.createAnswer())
        await p.send({"type": "publish-answer", "sdp": pc.localDescription.sdp})

    async def announce(self, room, p, tid, kind):
        for o in list(room.participants.values()):
            await o.send({"type": "track-published", "track": {"trackId": tid, "participantId": p.id, "kind": kind}})
        for o in list(room.participants.values()):
            if o is not p:
                await self.renegotiate(room, o)

    async def unpublish(self, room, p, tid):
        kind_fan = p.published.pop(tid, None)
        if kind_fan:
            kind_fan[1].stop()
        for o in list(room.participants.values()):
            await o.send({"type": "track-unpublished", "trackId": tid, "participantId": p.id})
            tr = o.sub_senders.pop(tid, None)
            if tr:
                tr.direction = "inactive"
                tr.sender.replaceTrack(None)

    async def reset_subscriber(self, room, p):
        if p.sub:
            await p.sub.close()
        p.sub = RTCPeerConnection(RTCConfiguration(bundlePolicy=RTCBundlePolicy.MAX_BUNDLE))
        p.sub_senders = {}
        p.sub_busy = False
        await self.renegotiate(room, p)

    async def renegotiate(self, room, p):
        """Sends a subscribe-offer with every other participant's tracks (one at a time)."""
        if p.sub is None or p.ws is None:
            return
        if p.sub_busy:
            p.sub_dirty = True
            return
        p.sub_dirty = False
        for o in list(room.participants.values()):
            if o is p:
                continue
            for tid, (kind, track) in o.published.items():
                if tid not in p.sub_senders:
                    p.sub_senders[tid] = p.sub.addTransceiver(track.subscribe(), direction="sendonly")
        if not p.sub.getTransceivers():
            return
        p.sub_busy = True
        await p.sub.setLocalDescription(await p.sub.createOffer())
        tracks = []
        for tid, tr in p.sub_senders.items():
            owner = next((o for o in room.participants.values() if tid in o.published), None)
            if owner:
                tracks.append({"trackId": tid, "participantId": owner.id, "kind": owner.published[tid][0], "mid": tr.mid})
        await p.send({"type": "subscribe-offer", "sdp": p.sub.localDescription.sdp, "tracks": tracks})

    async def quality_loop(self):
        while True:
            await asyncio.sleep(2)
            for room in list(self.rooms.values()):
                for p in list(room.participants.values()):
                    score = 5 if p.pub and p.pub.connectionState == "connected" else 2
                    for o in list(room.participants.values()):
                        await o.send({"type": "quality", "participantId": p.id, "score": score,
                                      "lossPercent": 0.0, "rttMs": 1, "bitrateKbps": 300})


def static(name, ctype=None):
    async def handler(request):
        return web.FileResponse(os.path.join(RESOURCES, name), headers={"Cache-Control": "no-store"})
    return handler


async def asset(request):
    name = request.match_info["file"]
    path = os.path.join(RESOURCES, name)
    if "/" in name or name.startswith(".") or not os.path.isfile(path):
        return error(404, "not-found", "no such file")
    ctype = {".js": "text/javascript", ".css": "text/css", ".html": "text/html", ".svg": "image/svg+xml"}.get(
        os.path.splitext(name)[1], mimetypes.guess_type(name)[0] or "application/octet-stream")
    return web.FileResponse(path, headers={"Content-Type": f"{ctype}; charset=utf-8", "Cache-Control": "no-store"})


def make_app(args):
    sfu = FakeSFU(args.host_user, args.host_password, args.capacity)
    app = web.Application()
    app.router.add_get("/", static("index.html"))
    app.router.add_get("/echo", static("echo.html"))
    app.router.add_get("/join/{room}", static("join.html"))
    app.router.add_get("/room/{room}", static("join.html"))
    app.router.add_get("/static/{file}", asset)
    app.router.add_post("/api/login", sfu.login)
    app.router.add_post("/api/rooms", sfu.create_room)
    app.router.add_get("/api/rooms/{room}", sfu.room_info)
    app.router.add_post("/api/rooms/{room}/join", sfu.join)
    app.router.add_get("/health", sfu.health)
    app.router.add_get("/debug/fake", sfu.debug)
    app.router.add_get("/ws", sfu.websocket)

    async def start_bg(app):
        app["q"] = asyncio.ensure_future(sfu.quality_loop())

    async def stop_bg(app):
        app["q"].cancel()

    app.on_startup.append(start_bg)
    app.on_cleanup.append(stop_bg)
    return app


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--http", default="127.0.0.1:8080")
    ap.add_argument("--host-user", default="host")
    ap.add_argument("--host-password", default="pw")
    ap.add_argument("--capacity", type=int, default=20)
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO if os.environ.get("FAKE_SFU_DEBUG") is None else logging.DEBUG)
    host, port = args.http.rsplit(":", 1)
    web.run_app(make_app(args), host=host, port=int(port), print=lambda *_: print(f"fake-sfu on http://{args.http}", flush=True))


if __name__ == "__main__":
    main()
