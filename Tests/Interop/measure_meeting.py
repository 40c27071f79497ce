"""Measures what issue 4 asks for, with the browser client in headless Chromium:
join → first remote frame shown (ms) for a participant joining a room where two others already
publish; server RSS with 3 participants; server CPU while it forwards their media.

usage: measure_meeting.py BASE_URL HOST_PASSWORD SERVER_PID
Prints one JSON object. Times are reported, never asserted (CI machines vary).
"""
import json
import os
import sys
import time

from cdp import Chromium

BASE, PW, PID = sys.argv[1], sys.argv[2], int(sys.argv[3])


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return None


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def main():
    import urllib.request
    req = urllib.request.Request(BASE + "/api/login", data=json.dumps({"username": "host", "password": PW}).encode(),
                                 headers={"Content-Type": "application/json"}, method="POST")
    token = json.loads(urllib.request.urlopen(req).read())["token"]
    req = urllib.request.Request(BASE + "/api/rooms", data=b"{}", method="POST",
                                 headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    room = json.loads(urllib.request.urlopen(req).read())["room"]
    rss_idle = rss_kib(PID)
    browser = Chromium(port=9226)
    try:
        tabs = []
        for name in ("A", "B"):
            t = browser.new_tab(isolated=True)
            t.navigate(f"{BASE}/join/{room}?name={name}&autojoin=1")
            tabs.append(t)
        time.sleep(6)  # A and B publish and see each other
        c = browser.new_tab(isolated=True)
        c.navigate(f"{BASE}/join/{room}?name=C&autojoin=1")
        first = {}
        deadline = time.time() + 15
        while time.time() < deadline:
            first = c.evaluate("window.sfu && window.sfu.state ? window.sfu.state.firstFrameMs || {} : {}") or {}
            if len(first) >= 2:
                break
            time.sleep(0.1)
        time.sleep(3)
        rss3 = rss_kib(PID)
        c0, t0 = cpu_seconds(PID), time.time()
        time.sleep(10)
        c1, t1 = cpu_seconds(PID), time.time()
        with urllib.request.urlopen(BASE + "/metrics") as r:
            metrics = r.read().decode()
        sent = [l for l in metrics.splitlines() if l.startswith(("sfu_udp_packets_sent_total", "sfu_udp_gso"))]
        print(json.dumps({
            "joinToFirstRemoteFrameMs": first,
            "serverRSSKiBIdle": rss_idle,
            "serverRSSKiBWith3Participants": rss3,
            "serverCPUPercentWith3Participants": round((c1 - c0) / (t1 - t0) * 100, 1),
            "metricsPacketsSent": sent,
        }))
        return 0 if len(first) >= 2 else 1
    finally:
        browser.close()


if __name__ == "__main__":
    sys.exit(main())
