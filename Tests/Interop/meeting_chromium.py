"""Interop: a three-person meeting in headless Chromium against sfu-server's browser client.

One Chromium, three tabs, each in its own browser context (own cookies and storage):
  A — the host: signs in from the page (fetch /api/login, credentials: 'include', which sets the
      HttpOnly session cookie for A's context only), then opens /join/{room}?name=A&autojoin=1
  B, C — guests: /join/{room}?name=B|C&autojoin=1
Checks, in order:
  1. roles: A is host, B and C are guests
  2. media: in every tab window.sfu.stats() shows the two others with framesDecoded and
     audioEnergy growing and frameWidth > 0
  3. chat: a message from B reaches A and C (with B's name); 4,001 characters are refused
     mutes: the host mutes B's microphone (B and the others see it off); B unmutes; B turns
     its camera off (A sees it) and on (A decodes B again)
  4. reconnect (skip with --no-reconnect): B's WebSocket is dropped; B reconnects with the same
     token and media flows again both ways (B decodes A and C; A decodes B)
  5. leave: C leaves; A and B see C gone within 2 s
  6. kick: A kicks B; B ends up 'kicked' and A sees B gone within 2 s
  7. no uncaught JS exception or console error in any tab
A screenshot of A's call view (taken after step 2) goes to --shot (default artifacts/meeting.png).

usage: meeting_chromium.py BASE_URL [--user host] [--password PW] [--shot PATH] [--no-reconnect]
The host login defaults to $SFU_HOST_USER / $SFU_HOST_PASSWORD. Run it with the server inside a
private network namespace (PEERS.md). Prints one JSON summary line; exit 0 when all checks pass.
"""
import argparse
import json
import os
import sys
import time
import urllib.request

from cdp import Chromium

FLAGS = ("--disable-background-timer-throttling", "--disable-renderer-backgrounding",
         "--disable-backgrounding-occluded-windows", "--window-size=1280,720")


def api(base, method, path, body=None, token=None):
    req = urllib.request.Request(base + path, method=method,
                                 data=None if body is None else json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json",
                                          **({"Authorization": f"Bearer {token}"} if token else {})})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read() or b"null")


def wait_for(what, fn, timeout, every=0.25):
    """Polls fn() until it returns a truthy value; raises with the last value on timeout."""
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        try:
            last = fn()
        except RuntimeError as e:
            # A page that is navigating answers "Inspected target navigated or closed": poll again.
            if "navigated or closed" not in str(e) and "context" not in str(e):
                raise
            last = None
        if last:
            return last
        time.sleep(every)
    raise AssertionError(f"timed out ({timeout}s) waiting for {what}; last: {json.dumps(last)[:2000]}")


class Person:
    def __init__(self, name, tab):
        self.name, self.tab = name, tab

    def state(self):
        return self.tab.evaluate("window.sfu && window.sfu.state")

    def stats(self):
        return self.tab.evaluate("window.sfu && window.sfu.stats ? window.sfu.stats() : {}")

    def js(self, expr):
        return self.tab.evaluate(expr)


def remote_ids(person):
    s = person.state() or {}
    return sorted(p["id"] for p in s.get("participants", []))


def media_flowing(person, expect_ids, window=1.5):
    """True when every expected remote participant's video and audio are growing."""
    first = person.stats() or {}
    if not all(i in first for i in expect_ids):
        return False
    time.sleep(window)
    second = person.stats() or {}
    ok = True
    for i in expect_ids:
        a, b = first.get(i, {}), second.get(i, {})
        if not (b.get("framesDecoded", 0) > a.get("framesDecoded", 0) > 0 and b.get("frameWidth", 0) > 0
                and b.get("audioEnergy", 0) > a.get("audioEnergy", 0) > 0):
            ok = False
    return {i: second.get(i) for i in expect_ids} if ok else False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("base")
    ap.add_argument("--user", default=os.environ.get("SFU_HOST_USER", "host"))
    ap.add_argument("--password", default=os.environ.get("SFU_HOST_PASSWORD", ""))
    ap.add_argument("--shot", default="artifacts/meeting.png")
    ap.add_argument("--no-reconnect", action="store_true")
    ap.add_argument("--port", type=int, default=9224)
    args = ap.parse_args()
    base = args.base.rstrip("/")

    login = api(base, "POST", "/api/login", {"username": args.user, "password": args.password})
    room = api(base, "POST", "/api/rooms", {"name": "Interop meeting"}, token=login["token"])["room"]
    summary = {"room": room, "steps": {}}
    browser = Chromium(port=args.port, extra_flags=FLAGS)
    people = {}
    try:
        for name in "ABC":
            tab = browser.new_tab(isolated=True)
            tab.watch_errors()
            people[name] = Person(name, tab)
        A, B, C = people["A"], people["B"], people["C"]

        # The host signs in from its own page, which sets the session cookie in A's context.
        A.tab.navigate(f"{base}/")
        status = A.js(f"""fetch('/api/login', {{method: 'POST', credentials: 'include',
            headers: {{'Content-Type': 'application/json'}},
            body: JSON.stringify({{username: {json.dumps(args.user)}, password: {json.dumps(args.password)}}})}})
            .then(r => r.status)""")
        assert status == 200, f"login from the page: HTTP {status}"
        t0 = time.time()
        for p in (A, B, C):
            p.tab.navigate(f"{base}/join/{room}?name={p.name}&autojoin=1")

        # 1. roles
        ids = {}
        for p in (A, B, C):
            s = wait_for(f"{p.name} joined", lambda p=p: (lambda s: s if s and s.get("status") == "joined" else None)(p.state()), 20)
            ids[p.name] = s["me"]["id"]
            summary["steps"].setdefault("roles", {})[p.name] = s["me"]["role"]
        assert summary["steps"]["roles"] == {"A": "host", "B": "guest", "C": "guest"}, summary["steps"]["roles"]

        # 2. media both ways between all three
        for p in (A, B, C):
            others = [ids[n] for n in "ABC" if n != p.name]
            wait_for(f"{p.name} sees the two others", lambda p=p, o=others: remote_ids(p) == sorted(o), 20)
            summary["steps"].setdefault("media", {})[p.name] = wait_for(
                f"{p.name} decodes video and audio of both others", lambda p=p, o=others: media_flowing(p, o), 40, every=0)
        summary["steps"]["media_seconds"] = round(time.time() - t0, 2)
        # Call start → first frame shown, per remote participant (C joined last: A and B were
        # already publishing, so C's numbers are the "join → first remote frame" figure).
        summary["steps"]["first_frame_ms"] = {p.name: p.state().get("firstFrameMs") for p in (A, B, C)}
        os.makedirs(os.path.dirname(os.path.abspath(args.shot)), exist_ok=True)
        A.tab.screenshot(args.shot)

        # 3. chat from B reaches A and C
        text = "hello from B ✓"
        assert B.js(f"window.sfu.sendChat({json.dumps(text)})") is True, "sendChat refused"
        for p in (A, C):
            wait_for(f"chat at {p.name}", lambda p=p: any(
                m["text"] == text and m["name"] == "B" and m["from"] == ids["B"] for m in p.state()["chat"]), 3)
        long_refused = B.js("window.sfu.sendChat('x'.repeat(4001))") is False
        assert long_refused, "a 4,001-character chat message was not refused client-side"
        summary["steps"]["chat"] = "ok"

        # 3b. mutes: the host mutes B's microphone; B turns its camera off and on again
        A.js(f"window.sfu.mute({json.dumps(ids['B'])}, 'audio')")
        wait_for("B muted by the host", lambda: B.state()["me"]["audioMuted"], 3, every=0.05)
        for p in (A, C):
            wait_for(f"{p.name} sees B's microphone off", lambda p=p: any(
                x["id"] == ids["B"] and x["audioMuted"] for x in p.state()["participants"]), 3, every=0.05)
        assert B.js("window.sfu.setMic(true)") is True
        wait_for("A sees B's microphone on", lambda: any(
            x["id"] == ids["B"] and not x["audioMuted"] for x in A.state()["participants"]), 3, every=0.05)
        assert B.js("window.sfu.setCamera(false)") is True
        wait_for("A sees B's camera off", lambda: any(
            x["id"] == ids["B"] and x["videoMuted"] for x in A.state()["participants"]), 3, every=0.05)
        assert B.js("window.sfu.setCamera(true)") is True
        wait_for("A decodes B's video and audio again", lambda: media_flowing(A, [ids["B"]]), 15, every=0)
        summary["steps"]["mutes"] = "ok"

        # 4. reconnect: drop B's socket; it comes back with the same identity and media resumes
        if not args.no_reconnect:
            t1 = time.time()
            B.js("window.sfu.dropConnection()")
            wait_for("B reconnecting", lambda: B.state()["status"] != "joined" or B.state()["signaling"]["attempt"] > 0, 3, every=0.05)
            wait_for("B joined again", lambda: B.state()["status"] == "joined" and B.state()["signaling"]["open"], 15)
            assert B.state()["me"]["id"] == ids["B"], "B came back with another identity"
            wait_for("B decodes A and C again", lambda: media_flowing(B, [ids["A"], ids["C"]]), 30, every=0)
            wait_for("A decodes B again", lambda: media_flowing(A, [ids["B"]]), 30, every=0)
            summary["steps"]["reconnect_seconds"] = round(time.time() - t1, 2)

        # 5. C leaves: the others see it gone within 2 s
        C.js("window.sfu.leave()")
        t2 = time.time()
        for p in (A, B):
            wait_for(f"{p.name} sees C gone", lambda p=p: ids["C"] not in remote_ids(p), 2, every=0.05)
        summary["steps"]["leave_seconds"] = round(time.time() - t2, 2)
        assert C.state()["status"] == "left"

        # 6. the host kicks B: B is disconnected, A sees B gone
        assert B.js(f"window.sfu.kick({json.dumps(ids['A'])})") is False, "a guest could send kick"
        A.js(f"window.sfu.kick({json.dumps(ids['B'])})")
        t3 = time.time()
        wait_for("B kicked", lambda: B.state()["status"] == "kicked", 3, every=0.05)
        wait_for("A sees B gone", lambda: ids["B"] not in remote_ids(A), 2, every=0.05)
        assert not B.state()["signaling"]["open"], "B's socket is still open after the kick"
        summary["steps"]["kick_seconds"] = round(time.time() - t3, 2)

        # 7. no JS errors anywhere
        problems = {p.name: p.tab.problems() for p in (A, B, C)}
        problems = {k: v for k, v in problems.items() if v}
        summary["problems"] = problems
        assert not problems, f"JS errors: {problems}"
        summary["ok"] = True
        print(json.dumps(summary))
        return 0
    except AssertionError as e:
        summary["ok"] = False
        summary["failure"] = str(e)
        for p in people.values():
            try:
                summary.setdefault("logs", {})[p.name] = p.js("window.sfu && window.sfu.log ? window.sfu.log().slice(-40) : null")
                summary.setdefault("problems", {})[p.name] = p.tab.problems()
            except Exception as ex:  # noqa: BLE001 (diagnostics only)
                summary.setdefault("logs", {})[p.name] = f"unavailable: {ex}"
        print(json.dumps(summary, ensure_ascii=False))
        return 1
    finally:
        browser.close()


if __name__ == "__main__":
    sys.exit(main())
