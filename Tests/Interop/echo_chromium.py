"""Interop: headless Chromium (fake camera and microphone) against sfu-server's echo endpoint.

Passes when the echoed video's framesDecoded grows, frames have a width, echoed audio arrives,
and the transport shows an AES-GCM SRTP cipher.

usage: echo_chromium.py BASE_URL (server|client) [SCREENSHOT.png]
"""
import json
import sys
import time

from cdp import Chromium


def main(base, role, shot=None):
    browser = Chromium(port=9223)
    try:
        tab = browser.new_tab()
        tab.navigate(f"{base}/echo")
        tab.evaluate(f"window.startEcho('{role}')")
        t0 = time.time()
        first = None
        stats = {}
        while time.time() - t0 < 15:
            stats = tab.evaluate("window.echoStats()")
            if stats["framesDecoded"] > 0 and first is None:
                first = stats["framesDecoded"]
                t_first = time.time()
            if first is not None and time.time() - t_first > 2:
                break
            time.sleep(0.25)
        if shot:
            tab.screenshot(shot)
        grew = first is not None and stats["framesDecoded"] > first
        stats["grew"] = grew
        print(json.dumps(stats))
        expected_role = "client" if role == "server" else "server"
        ok = (grew and stats["frameWidth"] > 0 and stats["audioPackets"] > 0
              and stats["srtpCipher"] is not None and "GCM" in stats["srtpCipher"]
              and stats["dtlsState"] == "connected"
              and stats["dtlsRole"] == expected_role
              and stats.get("server", {}).get("setupMilliseconds") is not None)
        return 0 if ok else 1
    finally:
        browser.close()


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
