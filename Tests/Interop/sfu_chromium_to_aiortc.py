"""SFU interop across stacks: a Chromium publisher (the browser client, fake camera, simulcast
q/h/f) and an aiortc subscriber that must decode its video (the highest layer that arrives) and
receive its audio.

usage: sfu_chromium_to_aiortc.py BASE_URL HOST_PASSWORD
"""
import asyncio
import json
import sys
import time

from cdp import Chromium
from sfu_aiortc import post, subscriber, BASE, PW


async def main():
    host = post("/api/login", {"username": "host", "password": PW})["token"]
    room = post("/api/rooms", {"name": "mixed"}, host)["room"]
    browser = Chromium(port=9225)
    try:
        tab = browser.new_tab()
        tab.navigate(f"{BASE}/join/{room}?name=Chromium&autojoin=1")
        deadline = time.time() + 15
        while time.time() < deadline:
            st = tab.evaluate("window.sfu && window.sfu.state ? window.sfu.state.status : null")
            if st == "joined":
                break
            await asyncio.sleep(0.2)
        b = post(f"/api/rooms/{room}/join", {"name": "aiortc"})
        counts = {"video": 0, "audio": 0, "width": 0, "firstFrameMs": None}
        pc, sig, task = await subscriber(b, counts)
        deadline = time.time() + 15
        while time.time() < deadline and counts["video"] < 40:
            await asyncio.sleep(0.1)
        task.cancel()
        await pc.close()
        print(json.dumps(counts))
        return 0 if counts["video"] >= 40 and counts["audio"] > 0 and counts["width"] > 0 else 1
    finally:
        browser.close()


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
