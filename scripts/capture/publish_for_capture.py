"""Publishes through sfu-server for the fixture captures (see capture_fixtures.sh): Chromium
VP8 simulcast for 22 s, Chromium H.264 simulcast for 10 s, Chromium VP9 and AV1 SVC (L3T3_KEY,
one stream) for 10 s each, aiortc VP8 + Opus for 10 s, one room each.
Writes each publisher's participant id to $TMP/<name>.id (TMP = the server's capture folder,
taken from the environment variable CAPTURE_DIR or the server log)."""
import asyncio
import json
import os
import sys
import time
import urllib.request

from cdp import Chromium
from sfu_aiortc import post, publisher

BASE, PW = sys.argv[1], sys.argv[2]
WANT_TOP = """(() => { const m = window.sfu && window.sfu.meeting; if (!m) return false;
  for (const p of m.participants.values()) if (p.mediaTrackIds && p.mediaTrackIds.video) {
    m.sentPrefs.clear();
    m.setPreferences(p.mediaTrackIds.video, {maxWidth: 1280, maxHeight: 720, maxFps: 30, paused: false});
  }
  return true; })()"""


def room():
    host = post("/api/login", {"username": "host", "password": PW})["token"]
    return post("/api/rooms", {}, host)["room"]


def chromium(name, seconds, query):
    r = room()
    browser = Chromium(port=9227)
    try:
        tab = browser.new_tab(isolated=True)
        tab.navigate(f"{BASE}/join/{r}?name={name}&autojoin=1{query}")
        # A viewer that wants the top layer, so dynacast keeps every layer encoded.
        viewer = browser.new_tab(isolated=True)
        viewer.navigate(f"{BASE}/join/{r}?name=viewer&autojoin=1&cam=0&mic=0")
        pid = None
        deadline = time.time() + 15
        while time.time() < deadline and not pid:
            pid = tab.evaluate("window.sfu && window.sfu.state && window.sfu.state.me ? window.sfu.state.me.id : null")
            time.sleep(0.2)
        end = time.time() + seconds
        while time.time() < end:
            viewer.evaluate(WANT_TOP)
            time.sleep(0.5)
        stats = tab.evaluate("""(async () => { try { const s = await window.sfu.meeting.publisher.pc.getStats();
            const out = []; s.forEach(r => { if (r.type === 'outbound-rtp' && r.kind === 'video')
              out.push({rid: r.rid, width: r.frameWidth, frames: r.framesEncoded, limit: r.qualityLimitationReason}); });
            return out; } catch (e) { return String(e); } })()""")
        print(name, json.dumps(stats))
        return pid
    finally:
        browser.close()


async def aiortc(seconds):
    r = room()
    j = post(f"/api/rooms/{r}/join", {"name": "aiortc"})
    pc, sig = await publisher(j)
    await asyncio.sleep(seconds)
    await pc.close()
    return j["participantId"]


def main():
    out = {}
    out["chromium-vp8-simulcast"] = chromium("chromium-vp8", 22, "")
    out["chromium-h264"] = chromium("chromium-h264", 10, "&codec=h264")
    out["chromium-vp9-svc"] = chromium("chromium-vp9-svc", 10, "&codec=vp9&svc=L3T3_KEY")
    out["chromium-av1-svc"] = chromium("chromium-av1-svc", 10, "&codec=av1&svc=L3T3_KEY")
    out["aiortc-vp8-opus"] = asyncio.run(aiortc(10))
    folder = os.environ["CAPTURE_DIR"]
    for k, v in out.items():
        with open(os.path.join(folder, f"{k}.id"), "w") as f:
            f.write(v or "none")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
