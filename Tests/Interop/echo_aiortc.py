"""Interop: aiortc (an independent Python WebRTC stack) against sfu-server's echo endpoint.

aiortc offers Opus audio and VP8 video made of synthetic frames; the endpoint answers and echoes
each received stream back on a new SSRC. The test passes when aiortc decodes at least 60 echoed
video frames within 5 s and receives echoed audio, with the expected SRTP profile and DTLS role.

usage: echo_aiortc.py BASE_URL (server|client)   -- the endpoint's DTLS role
"""
import asyncio
import fractions
import json
import math
import sys
import time
import urllib.request

import aioice.ice
import av
import numpy
from aiortc import RTCPeerConnection, RTCSessionDescription, MediaStreamTrack, VideoStreamTrack

# aiortc skips 127.0.0.1 when gathering; the test runs in a namespace holding only lo.
aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: ["127.0.0.1"]


class SyntheticVideo(VideoStreamTrack):
    """Moving colour bars, 320x240."""

    def __init__(self):
        super().__init__()
        self.n = 0

    async def recv(self):
        pts, time_base = await self.next_timestamp()
        img = numpy.zeros((240, 320, 3), dtype=numpy.uint8)
        x = (self.n * 4) % 320
        img[:, x:x + 40, 1] = 255
        img[:, :, 2] = (self.n * 3) % 255
        self.n += 1
        frame = av.VideoFrame.from_ndarray(img, format="rgb24")
        frame.pts = pts
        frame.time_base = time_base
        return frame


class SyntheticAudio(MediaStreamTrack):
    """A 440 Hz tone, 20 ms frames at 48 kHz."""

    kind = "audio"

    def __init__(self):
        super().__init__()
        self.samples = 0
        self.start = None

    async def recv(self):
        if self.start is None:
            self.start = time.time()
        wait = self.start + self.samples / 48000 - time.time()
        if wait > 0:
            await asyncio.sleep(wait)
        t = (numpy.arange(960) + self.samples) / 48000
        pcm = (numpy.sin(2 * math.pi * 440 * t) * 8000).astype(numpy.int16).reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(pcm, format="s16", layout="mono")
        frame.sample_rate = 48000
        frame.pts = self.samples
        frame.time_base = fractions.Fraction(1, 48000)
        self.samples += 960
        return frame


async def main(base, role):
    pc = RTCPeerConnection()
    pc.addTrack(SyntheticAudio())
    pc.addTrack(SyntheticVideo())
    counts = {"video": 0, "audio": 0, "width": 0}
    done = asyncio.Event()

    async def consume(track):
        while True:
            try:
                frame = await track.recv()
            except Exception:
                return
            counts[track.kind] += 1
            if track.kind == "video":
                counts["width"] = frame.width

    @pc.on("track")
    def on_track(track):
        asyncio.ensure_future(consume(track))

    offer = await pc.createOffer()
    await pc.setLocalDescription(offer)
    body = json.dumps({"sdp": pc.localDescription.sdp}).encode()
    req = urllib.request.Request(f"{base}/echo/offer?dtls={role}", data=body,
                                 headers={"Content-Type": "application/json"})
    answer = json.loads(urllib.request.urlopen(req, timeout=5).read())
    t0 = time.time()
    await pc.setRemoteDescription(RTCSessionDescription(sdp=answer["sdp"], type="answer"))
    deadline = t0 + 5
    while time.time() < deadline and counts["video"] < 60:
        await asyncio.sleep(0.1)
    elapsed = time.time() - t0

    dtls = pc.getTransceivers()[0].receiver.transport
    profile = None
    srtp = getattr(dtls, "_rx_srtp", None)
    ssl = getattr(dtls, "_ssl", None)
    if ssl is not None:
        try:
            profile = ssl.get_selected_srtp_profile().decode()
        except Exception:
            profile = None
    aiortc_role = getattr(dtls, "_role", None)
    server = json.loads(urllib.request.urlopen(f"{base}/echo/stats?id={answer['id']}", timeout=5).read())
    await pc.close()
    result = {
        "videoFramesDecoded": counts["video"],
        "audioFramesReceived": counts["audio"],
        "frameWidth": counts["width"],
        "seconds": round(elapsed, 2),
        "srtpProfile": profile,
        "aiortcDtlsRole": aiortc_role,
        "server": server,
    }
    print(json.dumps(result))
    ok = (counts["video"] >= 60 and counts["audio"] > 0 and counts["width"] == 320
          and profile is not None and "GCM" in profile
          and aiortc_role == ("client" if role == "server" else "server")
          and server.get("setupMilliseconds") is not None)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1], sys.argv[2])))
