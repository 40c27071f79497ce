"""SFU interop with aiortc participants through the signaling protocol (docs/PROTOCOL.md).

A publishes synthetic VP8 video and Opus audio; B subscribes and must decode at least 40 of A's
video frames and receive audio within 10 s. Prints the time from B's join to its first decoded
frame.

usage: sfu_aiortc.py BASE_URL HOST_PASSWORD
"""
import asyncio
import json
import sys
import time
import urllib.request

import aioice.ice
import websocket
from aiortc import RTCPeerConnection, RTCSessionDescription

from echo_aiortc import SyntheticAudio, SyntheticVideo

aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: ["127.0.0.1"]
BASE, PW = (sys.argv[1], sys.argv[2]) if len(sys.argv) > 2 else (None, None)


def post(path, body, token=None):
    req = urllib.request.Request(BASE + path, data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    return json.loads(urllib.request.urlopen(req, timeout=5).read())


class Signaling:
    def __init__(self, join):
        self.ws = websocket.create_connection(join["wsUrl"], timeout=10)
        self.queue = asyncio.Queue()
        self.seen = {}
        loop = asyncio.get_event_loop()

        def reader():
            while True:
                try:
                    raw = self.ws.recv()
                except Exception:
                    break
                if not raw:
                    break
                loop.call_soon_threadsafe(self.queue.put_nowait, json.loads(raw))

        loop.run_in_executor(None, reader)

    def send(self, obj):
        self.ws.send(json.dumps(obj))

    async def wait(self, type_, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                m = await asyncio.wait_for(self.queue.get(), deadline - time.time())
            except asyncio.TimeoutError:
                break
            self.seen.setdefault(m["type"], []).append(m)
            if m["type"] == type_:
                return m
            if m["type"] == "error":
                print("server error:", m)
        raise RuntimeError(f"no {type_}")


async def publisher(join):
    sig = Signaling(join)
    await sig.wait("joined")
    pc = RTCPeerConnection()
    pc.addTrack(SyntheticAudio())
    pc.addTrack(SyntheticVideo())
    await pc.setLocalDescription(await pc.createOffer())
    sig.send({"type": "publish-offer", "sdp": pc.localDescription.sdp})
    answer = await sig.wait("publish-answer")
    await pc.setRemoteDescription(RTCSessionDescription(sdp=answer["sdp"], type="answer"))
    return pc, sig


async def subscriber(join, counts):
    t0 = time.time()
    sig = Signaling(join)
    await sig.wait("joined")
    pc = RTCPeerConnection()

    async def consume(track):
        while True:
            try:
                frame = await track.recv()
            except Exception:
                return
            counts[track.kind] += 1
            if track.kind == "video" and counts["firstFrameMs"] is None:
                counts["firstFrameMs"] = round((time.time() - t0) * 1000)
                counts["width"] = frame.width

    @pc.on("track")
    def on_track(track):
        asyncio.ensure_future(consume(track))

    async def answer_offers():
        while True:
            offer = await sig.wait("subscribe-offer", timeout=30)
            await pc.setRemoteDescription(RTCSessionDescription(sdp=offer["sdp"], type="offer"))
            await pc.setLocalDescription(await pc.createAnswer())
            sig.send({"type": "subscribe-answer", "sdp": pc.localDescription.sdp})

    task = asyncio.ensure_future(answer_offers())
    return pc, sig, task


async def main():
    host = post("/api/login", {"username": "host", "password": PW})["token"]
    room = post("/api/rooms", {"name": "interop"}, host)["room"]
    a = post(f"/api/rooms/{room}/join", {"name": "A"})
    b = post(f"/api/rooms/{room}/join", {"name": "B"})
    pub_pc, pub_sig = await publisher(a)
    counts = {"video": 0, "audio": 0, "width": 0, "firstFrameMs": None}
    sub_pc, sub_sig, task = await subscriber(b, counts)
    deadline = time.time() + 10
    while time.time() < deadline and counts["video"] < 40:
        await asyncio.sleep(0.1)
    await asyncio.sleep(1.5)
    task.cancel()
    while not sub_sig.queue.empty():
        m = sub_sig.queue.get_nowait()
        sub_sig.seen.setdefault(m["type"], []).append(m)
    a_id = a["participantId"]
    quality = [m for m in sub_sig.seen.get("quality", []) if m["participantId"] == a_id]
    speaker = [m for m in sub_sig.seen.get("active-speaker", []) if m["participantId"] == a_id]
    counts["quality"] = quality[-1] if quality else None
    counts["activeSpeaker"] = bool(speaker)
    await pub_pc.close()
    await sub_pc.close()
    print(json.dumps(counts))
    return 0 if (counts["video"] >= 40 and counts["audio"] > 0 and counts["width"] == 320
                 and counts["quality"] is not None and counts["quality"]["score"] >= 4
                 and counts["activeSpeaker"]) else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
