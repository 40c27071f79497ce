#!/usr/bin/env python3
"""Lets aiortc judge the SFU's answer: aiortc offers Opus + VP8/H.264, the Swift test
SDPInteropDump answers it, and aiortc must accept the answer (setRemoteDescription) with
the expected codecs and directions. Run inside a loopback-only namespace (check_negotiation.sh).

Usage: check_aiortc_negotiation.py PACKAGE_ROOT WORKDIR
"""
import asyncio
import os
import subprocess
import sys

import aioice.ice
from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import AudioStreamTrack, VideoStreamTrack

aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: ["127.0.0.1"]


async def check(root: str, work: str) -> int:
    pc = RTCPeerConnection()
    pc.addTrack(AudioStreamTrack())
    pc.addTrack(VideoStreamTrack())
    await pc.setLocalDescription(await pc.createOffer())
    with open(os.path.join(work, "remote-offer.sdp"), "w", newline="") as f:
        f.write(pc.localDescription.sdp)
    env = dict(os.environ, SDP_INTEROP_DIR=work)
    subprocess.run(["swift", "test", "--skip-build", "--filter", "SDPInteropDump"],
                   cwd=root, env=env, check=True, stdout=subprocess.DEVNULL)
    answer = open(os.path.join(work, "sfu-answer.sdp"), newline="").read()
    # Accepting the answer starts ICE towards 127.0.0.1:40000, where nobody listens: only the
    # acceptance is checked, then everything is closed.
    await pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))
    result = [(t.kind, t.currentDirection, [c.mimeType for c in t._codecs]) for t in pc.getTransceivers()]
    print(pc.signalingState, result)
    await pc.close()
    ok = (pc.signalingState in ("stable", "closed")
          and [r[1] for r in result] == ["sendonly", "sendonly"]
          and result[0][2] == ["audio/opus"] and result[1][2][0] == "video/VP8")
    print("OK" if ok else "UNEXPECTED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(check(sys.argv[1], sys.argv[2])))
