#!/usr/bin/env python3
"""Capture a real aiortc offer (Opus audio + VP8/H.264 video) with its host candidates.

Writes OUTDIR/aiortc-offer.sdp. Run inside a loopback-only namespace (see capture.sh).
"""
import asyncio
import os
import sys

import aioice.ice
from aiortc import RTCPeerConnection
from aiortc.mediastreams import AudioStreamTrack, VideoStreamTrack

# aioice skips 127.0.0.1 unless told to use it (the namespace has nothing else).
aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: ["127.0.0.1"]


async def capture(out: str) -> None:
    pc = RTCPeerConnection()
    pc.addTrack(AudioStreamTrack())
    pc.addTrack(VideoStreamTrack())
    await pc.setLocalDescription(await pc.createOffer())  # gathers: no trickle in aiortc
    with open(os.path.join(out, "aiortc-offer.sdp"), "w", newline="") as f:
        f.write(pc.localDescription.sdp)
    await pc.close()


if __name__ == "__main__":
    asyncio.run(capture(sys.argv[1] if len(sys.argv) > 1 else "."))
