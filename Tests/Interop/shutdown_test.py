"""Graceful shutdown: on SIGTERM every participant gets `end` and the server exits.

usage: shutdown_test.py BASE_URL HOST_PASSWORD SERVER_PID
"""
import json
import os
import signal
import sys
import time
import urllib.request

import websocket

BASE, PW, PID = sys.argv[1], sys.argv[2], int(sys.argv[3])


def post(path, body, token=None):
    req = urllib.request.Request(BASE + path, data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    return json.loads(urllib.request.urlopen(req, timeout=5).read())


host = post("/api/login", {"username": "host", "password": PW})["token"]
room = post("/api/rooms", {}, host)["room"]
j = post(f"/api/rooms/{room}/join", {"name": "Zed"})
ws = websocket.create_connection(j["wsUrl"], timeout=5)
assert json.loads(ws.recv())["type"] == "joined"
os.kill(PID, signal.SIGTERM)
got_end = False
deadline = time.time() + 5
while time.time() < deadline:
    try:
        raw = ws.recv()
    except Exception:
        break
    if not raw:
        break
    if json.loads(raw).get("type") == "end":
        got_end = True
# Reading on answers the server's close frame, as a browser does.
exited = False
for _ in range(100):
    try:
        os.kill(PID, 0)
    except ProcessLookupError:
        exited = True
        break
    # A zombie until the shell reaps it counts as exited.
    with open(f"/proc/{PID}/stat") as f:
        if f.read().rsplit(")", 1)[1].split()[0] == "Z":
            exited = True
            break
    time.sleep(0.1)
print(json.dumps({"end": got_end, "exited": exited}))
sys.exit(0 if got_end and exited else 1)
