"""Loss recovery with real peers: nftables drops 5% of UDP both ways (every datagram on `lo`
passes the input hook once) while a Chromium publisher (browser client, simulcast) sends to a
Chromium subscriber (browser client) and an aiortc subscriber through the SFU.

Reported: per subscriber, frames decoded during the lossy window, freezes, NACKs sent, packets
lost and retransmissions received (Chromium's inbound-rtp), whether an RTCP Sender Report reached
Chromium (remote-outbound-rtp) and the RTT Chromium's publisher computes from the server's
Receiver Reports (remote-inbound-rtp), and the server's loss-recovery counters (/metrics).
Passes when both subscribers keep decoding (Chromium ≥ 60%, aiortc — decoding in Python on a shared 2-core machine — ≥ 40% of the nominal 20 fps), Chromium saw
remote-outbound-rtp, the RTT is plausible (0–500 ms) and the server repaired and retransmitted.

usage: loss_chromium.py BASE_URL HOST_PASSWORD [LOSS_PERCENT]   (root, inside `unshare -n`)
"""
import asyncio
import json
import subprocess
import sys
import time
import urllib.request

from cdp import Chromium
from sfu_aiortc import post, subscriber, BASE, PW

LOSS = int(sys.argv[3]) if len(sys.argv) > 3 else 5
SECONDS = 10
FLAGS = ("--disable-background-timer-throttling", "--disable-renderer-backgrounding",
         "--disable-backgrounding-occluded-windows", "--window-size=1280,720")

INBOUND = """(async () => {
  const m = window.sfu && window.sfu.meeting;
  if (!m || !m.subscriber) return null;
  const r = await m.subscriber.pc.getStats();
  const out = {video: [], remoteOutbound: 0};
  r.forEach((s) => {
    if (s.type === 'inbound-rtp' && s.kind === 'video') out.video.push({
      framesDecoded: s.framesDecoded || 0, freezeCount: s.freezeCount || 0,
      totalFreezesDuration: s.totalFreezesDuration || 0, nackCount: s.nackCount || 0,
      packetsLost: s.packetsLost || 0, packetsReceived: s.packetsReceived || 0,
      retransmittedPacketsReceived: s.retransmittedPacketsReceived || 0, frameWidth: s.frameWidth || 0});
    if (s.type === 'remote-outbound-rtp') out.remoteOutbound += 1;
  });
  return out;
})()"""

OUTBOUND_RTT = """(async () => {
  const m = window.sfu && window.sfu.meeting;
  if (!m || !m.publisher) return null;
  const r = await m.publisher.pc.getStats();
  const rtts = [];
  r.forEach((s) => { if (s.type === 'remote-inbound-rtp' && s.roundTripTime !== undefined) rtts.push(s.roundTripTime); });
  return rtts;
})()"""


def nft(*args):
    subprocess.run(["nft", *args], check=True)


def metrics():
    with urllib.request.urlopen(f"{BASE}/metrics", timeout=5) as r:
        text = r.read().decode()
    out = {"streamSeries": sum(1 for line in text.splitlines() if line.startswith("sfu_stream_rtt_seconds{"))}
    for line in text.splitlines():
        for key in ("sfu_nacks_sent_total", "sfu_nacks_received_total", "sfu_retransmissions_sent_total",
                    "sfu_rtx_repaired_total", "sfu_subscriber_rtt_seconds"):
            if line.startswith(key + " ") or line.startswith(key + "{"):
                out[key] = float(line.split()[-1])
    return out


def wait_for(fn, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            v = fn()
        except RuntimeError:
            v = None
        if v:
            return v
        time.sleep(0.25)
    return None


def total(stats, key):
    return sum(v[key] for v in (stats or {}).get("video", []))


async def main():
    host = post("/api/login", {"username": "host", "password": PW})["token"]
    room = post("/api/rooms", {"name": "loss"}, host)["room"]
    browser = Chromium(port=9226, extra_flags=FLAGS)
    result = {"lossPercent": LOSS}
    try:
        pub = browser.new_tab(isolated=True)
        pub.navigate(f"{BASE}/join/{room}?name=Publisher&autojoin=1&mic=1")
        sub = browser.new_tab(isolated=True)
        sub.navigate(f"{BASE}/join/{room}?name=Viewer&autojoin=1&cam=0&mic=0")
        c = post(f"/api/rooms/{room}/join", {"name": "aiortc"})
        counts = {"video": 0, "audio": 0, "width": 0, "firstFrameMs": None}
        pc, sig, task = await subscriber(c, counts)
        # Both subscribers decode before the loss starts.
        ok = wait_for(lambda: total(sub.evaluate(INBOUND), "framesDecoded") > 20, 20)
        deadline = time.time() + 15
        while time.time() < deadline and counts["video"] < 20:
            await asyncio.sleep(0.2)
        if not ok or counts["video"] < 20:
            print(json.dumps({"error": "no media before loss", "aiortc": counts}))
            return 1
        before = sub.evaluate(INBOUND)
        aiortc_before = counts["video"]
        m0 = metrics()
        nft("add", "table", "inet", "rtcloss")
        nft("add", "chain", "inet", "rtcloss", "c", "{ type filter hook input priority 0; }")
        nft("add", "rule", "inet", "rtcloss", "c", "meta", "l4proto", "udp", "numgen", "random", "mod", "100",
            "lt", str(LOSS), "drop")
        try:
            await asyncio.sleep(SECONDS)
            after = sub.evaluate(INBOUND)
            aiortc_after = counts["video"]
            rtts = pub.evaluate(OUTBOUND_RTT) or []
            m1 = metrics()
        finally:
            nft("delete", "table", "inet", "rtcloss")
        task.cancel()
        await pc.close()
        chromium = {k: total(after, k) - total(before, k) for k in
                    ("framesDecoded", "freezeCount", "totalFreezesDuration", "nackCount", "packetsLost",
                     "packetsReceived", "retransmittedPacketsReceived")}
        chromium["remoteOutboundRtp"] = (after or {}).get("remoteOutbound", 0)
        chromium["frameWidth"] = max((v["frameWidth"] for v in (after or {}).get("video", [])), default=0)
        server = {k: m1.get(k, 0) - m0.get(k, 0) for k in m1 if k not in ("sfu_subscriber_rtt_seconds", "streamSeries")}
        server["subscriberRttSeconds"] = m1.get("sfu_subscriber_rtt_seconds")
        server["perStreamSeries"] = m1.get("streamSeries", 0)
        result.update({"seconds": SECONDS, "chromiumSubscriber": chromium,
                       "aiortcSubscriber": {"framesDecoded": aiortc_after - aiortc_before},
                       "chromiumPublisherRttSeconds": rtts, "server": server})
        print(json.dumps(result))
        # 20 fps fake camera (Chromium) and aiortc's decoded frames: keep ≥ 60% of nominal.
        good = (chromium["framesDecoded"] >= 0.6 * 20 * SECONDS
                and result["aiortcSubscriber"]["framesDecoded"] >= 0.4 * 20 * SECONDS
                and chromium["remoteOutboundRtp"] > 0
                and any(0 < r < 0.5 for r in rtts)
                and server.get("sfu_retransmissions_sent_total", 0) > 0
                and server.get("sfu_nacks_sent_total", 0) > 0
                and server["perStreamSeries"] > 0)
        return 0 if good else 1
    finally:
        browser.close()


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
