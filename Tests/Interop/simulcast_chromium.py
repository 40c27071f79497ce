"""Per-subscriber simulcast layer choice with real browsers: a Chromium publisher (browser client,
q/h/f at 320/640/1280 wide) and a Chromium viewer. The viewer's `set-preferences` asks for
180p, then 720p, then 180p again; after each change the frameWidth the viewer decodes must
follow (320 → 1280 → 320) within 1 s (the router switches on a keyframe of the target layer,
which it requests). Dynacast: while the only viewer wants 180p, the publisher is told to stop
encoding the layers nobody receives (its `f` encoding inactive, framesEncoded not growing), and
to resume them when the viewer wants 720p again.

usage: simulcast_chromium.py BASE_URL HOST_PASSWORD
"""
import json
import sys
import time

from cdp import Chromium
from sfu_aiortc import post, BASE, PW

FLAGS = ("--disable-background-timer-throttling", "--disable-renderer-backgrounding",
         "--disable-backgrounding-occluded-windows", "--window-size=1280,720")

WIDTH = """(async () => {
  const m = window.sfu && window.sfu.meeting;
  if (!m || !m.subscriber) return 0;
  const r = await m.subscriber.pc.getStats();
  let w = 0;
  r.forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'video') w = Math.max(w, s.frameWidth || 0); });
  return w;
})()"""

PUBLISHED = """(async () => {
  const m = window.sfu && window.sfu.meeting;
  if (!m || !m.publisher) return [];
  const r = await m.publisher.pc.getStats();
  const out = [];
  r.forEach((s) => { if (s.type === 'outbound-rtp' && s.kind === 'video') out.push([s.rid, s.frameWidth || 0]); });
  return out;
})()"""

ENCODINGS = """(async () => {
  const m = window.sfu && window.sfu.meeting;
  if (!m || !m.publisher) return null;
  const p = m.publisher.video.sender.getParameters();
  const r = await m.publisher.pc.getStats();
  const frames = {};
  r.forEach((s) => { if (s.type === 'outbound-rtp' && s.kind === 'video') frames[s.rid] = s.framesEncoded || 0; });
  return (p.encodings || []).map((e) => [e.rid, e.active, frames[e.rid] || 0]);
})()"""

VIDEO_TRACK = """(() => {
  const m = window.sfu && window.sfu.meeting;
  if (!m) return null;
  for (const p of m.participants.values()) if (p.mediaTrackIds && p.mediaTrackIds.video) return p.mediaTrackIds.video;
  return null;
})()"""


def poll(fn, timeout, every=0.05):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        try:
            last = fn()
        except RuntimeError:
            last = None
        if last:
            return last
        time.sleep(every)
    return None


def main():
    host = post("/api/login", {"username": "host", "password": PW})["token"]
    room = post("/api/rooms", {"name": "simulcast"}, host)["room"]
    browser = Chromium(port=9227, extra_flags=FLAGS)
    result = {"switches": []}
    try:
        pub = browser.new_tab(isolated=True)
        pub.navigate(f"{BASE}/join/{room}?name=Publisher&autojoin=1&mic=0")
        viewer = browser.new_tab(isolated=True)
        viewer.navigate(f"{BASE}/join/{room}?name=Viewer&autojoin=1&cam=0&mic=0")
        track = poll(lambda: viewer.evaluate(VIDEO_TRACK), 20)
        def want_top():
            # The viewer's tile may want less than 720p (its own debounced set-preferences, and
            # dynacast then pauses f): ask for 720p again until Chromium sends its top layer
            # (once its estimate allows: the REMB).
            viewer.evaluate(f"window.sfu.meeting.sentPrefs.clear(), window.sfu.meeting.setPreferences("
                            f"{json.dumps(track)}, {{maxWidth: 1280, maxHeight: 720, maxFps: 30, paused: false}})")
            return any(w >= 1280 for _, w in (pub.evaluate(PUBLISHED) or []))
        top = track and poll(want_top, 30, every=0.5)
        result["publishedLayers"] = pub.evaluate(PUBLISHED)
        if not top or not track:
            print(json.dumps({"error": "publisher did not send 1280 wide, or no video track", **result}))
            return 1
        ok = True
        for height, width in ((180, 320), (720, 1280), (180, 320)):
            viewer.evaluate(f"window.sfu.meeting.setPreferences({json.dumps(track)}, "
                            f"{{maxWidth: {width}, maxHeight: {height}, maxFps: 30, paused: false}})")
            t0 = time.time()
            got = poll(lambda: viewer.evaluate(WIDTH) == width, 5)
            elapsed = round(time.time() - t0, 3)
            result["switches"].append({"maxHeight": height, "frameWidth": viewer.evaluate(WIDTH),
                                       "seconds": elapsed if got else None})
            if not got or elapsed > 1.0:
                ok = False
            # Dynacast: f is paused at the source while only 180p is wanted, active otherwise.
            want_f = width == 1280
            applied = poll(lambda: any(rid == "f" and active == want_f
                                       for rid, active, _ in (pub.evaluate(ENCODINGS) or [])), 3)
            a = pub.evaluate(ENCODINGS) or []
            time.sleep(1.0)
            b = pub.evaluate(ENCODINGS) or []
            grown = {ra: fb - fa for (ra, _, fa), (_, _, fb) in zip(a, b)}
            result["switches"][-1]["dynacast"] = {"encodings": b, "framesEncodedIn1s": grown}
            if not applied or (not want_f and grown.get("f", 0) > 2) or (want_f and grown.get("f", 0) < 5):
                ok = False
        print(json.dumps(result))
        return 0 if ok else 1
    finally:
        browser.close()


if __name__ == "__main__":
    sys.exit(main())
