"""SVC with real browsers: a Chromium publisher sends one VP9 stream, then one AV1 stream, with
three spatial and three temporal layers (`?svc=L3T3_KEY`), and a Chromium viewer decodes it.
The router forwards each viewer only the layers it wants: the VP9 payload descriptor (SID/TID)
or the AV1 dependency descriptor says which layers a packet belongs to. The viewer's
`set-preferences` asks for 180p, 720p, then 180p again; the frameWidth it decodes must follow
(320 → 1280 → 320) within 1 s each; with maxFps 8 it must decode about a quarter of the frames
(TID 0 only), with no decode errors throughout.

usage: svc_chromium.py BASE_URL HOST_PASSWORD [vp9|av1 ...]
"""
import json
import sys
import time

from cdp import Chromium
from sfu_aiortc import post, BASE, PW
from simulcast_chromium import FLAGS, VIDEO_TRACK, poll

INBOUND = """(async () => {
  const m = window.sfu && window.sfu.meeting;
  if (!m || !m.subscriber) return null;
  const r = await m.subscriber.pc.getStats();
  let o = null;
  r.forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'video' && (!o || (s.packetsReceived || 0) > o.packets))
    o = {packets: s.packetsReceived || 0, decoded: s.framesDecoded || 0, dropped: s.framesDropped || 0,
         width: s.frameWidth || 0, fps: s.framesPerSecond || 0, decoder: s.decoderImplementation || '',
         keyframes: s.keyFramesDecoded || 0, pli: s.pliCount || 0, freezes: s.freezeCount || 0}; });
  return o;
})()"""

OUTBOUND = """(async () => {
  const m = window.sfu && window.sfu.meeting;
  if (!m || !m.publisher) return null;
  const r = await m.publisher.pc.getStats();
  let o = null;
  r.forEach((s) => { if (s.type === 'outbound-rtp' && s.kind === 'video')
    o = {mode: s.scalabilityMode, width: s.frameWidth || 0, frames: s.framesEncoded || 0, encoder: s.encoderImplementation}; });
  return o;
})()"""


def prefs(viewer, track, width, height, fps=30):
    viewer.evaluate(f"window.sfu.meeting.sentPrefs.clear(), window.sfu.meeting.setPreferences({json.dumps(track)}, "
                    f"{{maxWidth: {width}, maxHeight: {height}, maxFps: {fps}, paused: false}})")


def run_codec(browser, codec):
    host = post("/api/login", {"username": "host", "password": PW})["token"]
    room = post("/api/rooms", {"name": f"svc-{codec}"}, host)["room"]
    out = {"codec": codec, "switches": []}
    pub = browser.new_tab(isolated=True)
    pub.navigate(f"{BASE}/join/{room}?name=Publisher&autojoin=1&mic=0&codec={codec}&svc=L3T3_KEY")
    viewer = browser.new_tab(isolated=True)
    viewer.navigate(f"{BASE}/join/{room}?name=Viewer&autojoin=1&cam=0&mic=0")
    track = poll(lambda: viewer.evaluate(VIDEO_TRACK), 20)
    if not track:
        out["error"] = "no video track"
        return out, False

    def top():
        prefs(viewer, track, 1280, 720)
        s = viewer.evaluate(INBOUND)
        return s and s["width"] >= 1280
    ok = bool(poll(top, 30, every=0.5))
    out["publisher"] = pub.evaluate(OUTBOUND)
    out["start"] = viewer.evaluate(INBOUND)
    if not ok or not out["publisher"] or out["publisher"]["mode"] != "L3T3_KEY":
        out["error"] = "viewer never decoded 1280 wide from an L3T3_KEY publisher"
        return out, False
    for height, width in ((180, 320), (720, 1280), (180, 320)):
        prefs(viewer, track, width, height)
        t0 = time.time()
        got = poll(lambda: (viewer.evaluate(INBOUND) or {}).get("width") == width, 5)
        elapsed = round(time.time() - t0, 3)
        out["switches"].append({"maxHeight": height, "seconds": elapsed if got else None, "stats": viewer.evaluate(INBOUND)})
        if not got or elapsed > 1.0:
            ok = False
    # Temporal: maxFps 8 of ~30 fps → TID 0 only (a quarter of the frames).
    prefs(viewer, track, 1280, 720, 30)
    poll(lambda: (viewer.evaluate(INBOUND) or {}).get("width") == 1280, 5)
    time.sleep(1.0)
    a = viewer.evaluate(INBOUND)
    time.sleep(2.0)
    b = viewer.evaluate(INBOUND)
    full = (b["decoded"] - a["decoded"]) / 2.0
    prefs(viewer, track, 1280, 720, 8)
    time.sleep(1.0)
    a = viewer.evaluate(INBOUND)
    time.sleep(2.0)
    b = viewer.evaluate(INBOUND)
    low = (b["decoded"] - a["decoded"]) / 2.0
    out["temporal"] = {"fpsAll": full, "fpsAt8": low}
    if not (full > 12 and 0.15 * full <= low <= 0.4 * full):
        ok = False
    end = viewer.evaluate(INBOUND)
    out["end"] = end
    if end["decoded"] == 0 or end["width"] != 1280:
        ok = False
    for t in (viewer, pub):
        t.navigate("about:blank")
    return out, ok


def main():
    codecs = sys.argv[3:] or ["vp9", "av1"]
    browser = Chromium(port=9228, extra_flags=FLAGS)
    ok = True
    results = []
    try:
        for c in codecs:
            r, good = run_codec(browser, c)
            results.append(r)
            ok = ok and good
    finally:
        browser.close()
    print(json.dumps(results))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
