"""The browser client's pages in headless Chromium, one person at a time (no media checks: see
meeting_chromium.py for those). Works against sfu-server or Tests/Interop/fake_sfu.py.

Checks:
  landing  — loads without JS errors; a wrong password shows an error; signing in shows
             "Create meeting"; creating shows the /join/ link; Copy; "Join now" opens the lobby
  lobby    — room name and head count; local preview plays; camera and microphone lists are
             filled; the camera toggle turns the preview off and on; an empty name and a
             65-character name are refused before any request
  missing  — /join/<unknown> says the meeting does not exist and disables Join
  call     — joining alone shows one mirrored tile; the grid lays out 20 tiles in equal 16:9
             tiles that fit the stage; chat panel opens; a chat message comes back with the name
  locked   — the host locks the room; a guest's lobby says it is locked and Join explains why
  ended    — the host ends the meeting; the host's page shows the end screen
Screenshots go to --out (default artifacts/web/).

usage: web_client_chromium.py BASE_URL [--user host] [--password PW] [--out DIR]
"""
import argparse
import json
import os
import sys
import time

from cdp import Chromium
from meeting_chromium import FLAGS, api, wait_for

# Resource errors that the pages cause on purpose (refused API calls show up in the browser log).
EXPECTED_LOG = ("status of 401", "status of 404", "status of 409", "status of 422")


def real_problems(tab):
    return [p for p in tab.problems() if not any(e in p for e in EXPECTED_LOG)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("base")
    ap.add_argument("--user", default=os.environ.get("SFU_HOST_USER", "host"))
    ap.add_argument("--password", default=os.environ.get("SFU_HOST_PASSWORD", ""))
    ap.add_argument("--out", default="artifacts/web")
    ap.add_argument("--port", type=int, default=9225)
    args = ap.parse_args()
    base = args.base.rstrip("/")
    os.makedirs(args.out, exist_ok=True)
    shot = lambda tab, name: tab.screenshot(os.path.join(args.out, f"{name}.png"))  # noqa: E731
    results = {}
    browser = Chromium(port=args.port, extra_flags=FLAGS)
    tabs = []

    def check(name, fn):
        try:
            fn()
            results[name] = "ok"
        except Exception as e:  # noqa: BLE001 (report every check)
            results[name] = f"FAIL: {e}"

    def new_tab():
        t = browser.new_tab(isolated=True)
        t.watch_errors()
        tabs.append(t)
        return t

    host = new_tab()
    state = {}

    def landing():
        host.navigate(f"{base}/")
        assert host.evaluate("document.title") == "swift-rtc meetings"
        assert host.evaluate("!document.querySelector('#login-section').hidden")
        host.evaluate(f"""(() => {{ document.querySelector('#username').value = {json.dumps(args.user)};
            document.querySelector('#password').value = 'wrong-' + Math.random();
            document.querySelector('#login-form').requestSubmit(); }})()""")
        wait_for("login error", lambda: host.evaluate("document.querySelector('#login-error').textContent"), 5)
        host.evaluate(f"""(() => {{ document.querySelector('#password').value = {json.dumps(args.password)};
            document.querySelector('#login-form').requestSubmit(); }})()""")
        wait_for("create section", lambda: host.evaluate("!document.querySelector('#create-section').hidden"), 5)
        host.evaluate("""(() => { document.querySelector('#meeting-name').value = 'Design review';
            document.querySelector('#create-form').requestSubmit(); })()""")
        link = wait_for("meeting link", lambda: host.evaluate("document.querySelector('#meeting-link').value"), 5)
        assert "/join/" in link, link
        state["room"] = link.rstrip("/").split("/join/")[1]
        host.evaluate("document.querySelector('#copy-btn').click()")
        wait_for("copied", lambda: host.evaluate("document.querySelector('#copy-btn').textContent") == "Copied", 3)
        shot(host, "landing")
        host.evaluate("document.querySelector('#join-now').click()")
        wait_for("lobby", lambda: host.evaluate("location.pathname") == f"/join/{state['room']}", 5)
        assert not real_problems(host), real_problems(host)

    def lobby():
        wait_for("lobby ready", lambda: host.evaluate("document.readyState") == "complete", 5)
        title = wait_for("room name", lambda: (lambda t: t if t and t != "Join meeting" else None)(
            host.evaluate("document.querySelector('#room-title').textContent")), 5)
        assert title == "Design review", title
        assert "Nobody" in host.evaluate("document.querySelector('#room-info').textContent")
        wait_for("preview playing", lambda: host.evaluate("document.querySelector('#preview').videoWidth") > 0, 10)
        cams = host.evaluate("document.querySelector('#video-device').options.length")
        mics = host.evaluate("document.querySelector('#audio-device').options.length")
        assert cams >= 1 and mics >= 1, (cams, mics)
        host.evaluate("document.querySelector('#lobby-cam').click()")
        wait_for("preview off", lambda: not host.evaluate("document.querySelector('#preview-off').hidden"), 5)
        host.evaluate("document.querySelector('#lobby-cam').click()")
        wait_for("preview on", lambda: host.evaluate("document.querySelector('#preview-off').hidden"), 5)
        host.evaluate("(() => { const n = document.querySelector('#name'); n.value = '   '; document.querySelector('#join-form').requestSubmit(); })()")
        assert "name" in host.evaluate("document.querySelector('#join-error').textContent")
        host.evaluate("(() => { const n = document.querySelector('#name'); n.value = 'x'.repeat(65); document.querySelector('#join-form').requestSubmit(); })()")
        assert "64" in host.evaluate("document.querySelector('#join-error').textContent")
        assert host.evaluate("location.pathname").startswith("/join/")
        shot(host, "lobby")

    def missing():
        t = new_tab()
        t.navigate(f"{base}/join/no-such-room-42")
        wait_for("not found notice", lambda: "does not exist" in (t.evaluate("document.querySelector('#room-notice').textContent") or ""), 5)
        assert t.evaluate("document.querySelector('#join-btn').disabled")
        shot(t, "missing")
        assert not real_problems(t), real_problems(t)

    def call():
        host.evaluate("(() => { document.querySelector('#name').value = 'Hosta'; document.querySelector('#join-form').requestSubmit(); })()")
        wait_for("joined", lambda: (host.evaluate("window.sfu.state") or {}).get("status") == "joined", 10)
        assert host.evaluate("location.pathname") == f"/room/{state['room']}"
        s = host.evaluate("window.sfu.state")
        assert s["me"]["role"] == "host", s["me"]
        assert host.evaluate("document.querySelectorAll('.tile').length") == 1
        assert host.evaluate("getComputedStyle(document.querySelector('.tile.self video')).transform") != "none"
        assert not host.evaluate("document.querySelector('#host-controls').hidden")
        # Twenty tiles: add 19 stand-in participants to the view (no media).
        host.evaluate("""(() => { const m = window.sfu.meeting;
            for (let i = 1; i < 20; i++) m.onParticipantJoined({participant: {id: 'fake-' + i, name: 'Guest number ' + i, role: 'guest'}}); })()""")
        geo = host.evaluate("""(() => { const st = document.querySelector('#stage').getBoundingClientRect();
            const ts = [...document.querySelectorAll('.tile')].map(t => t.getBoundingClientRect());
            return {n: ts.length, st: [st.left, st.top, st.right, st.bottom],
                    sizes: [...new Set(ts.map(r => Math.round(r.width) + 'x' + Math.round(r.height)))],
                    inside: ts.every(r => r.left >= st.left - 1 && r.top >= st.top - 1 && r.right <= st.right + 1 && r.bottom <= st.bottom + 1),
                    cols: getComputedStyle(document.querySelector('#grid')).gridTemplateColumns.split(' ').length}; })()""")
        assert geo["n"] == 20 and len(geo["sizes"]) == 1 and geo["inside"], geo
        w, h = map(int, geo["sizes"][0].split("x"))
        assert abs(w / h - 16 / 9) < 0.05, geo
        shot(host, "grid20")
        host.evaluate("""(() => { const m = window.sfu.meeting;
            for (let i = 1; i < 20; i++) m.onParticipantLeft({participantId: 'fake-' + i, reason: 'left'}); })()""")
        assert host.evaluate("document.querySelectorAll('.tile').length") == 1
        host.evaluate("document.querySelector('#btn-chat').click()")
        assert not host.evaluate("document.querySelector('#chat').hidden")
        host.evaluate("(() => { const i = document.querySelector('#chat-input'); i.value = 'first <b>message</b>'; i.dispatchEvent(new Event('input')); document.querySelector('#chat-form').requestSubmit(); })()")
        wait_for("chat echo", lambda: host.evaluate("window.sfu.state.chat.length") == 1, 3)
        assert host.evaluate("document.querySelector('#chat-list li .text').textContent") == "first <b>message</b>"
        host.evaluate("(() => { const i = document.querySelector('#chat-input'); i.value = 'y'.repeat(4001); i.dispatchEvent(new Event('input')); })()")
        assert host.evaluate("document.querySelector('#chat-send').disabled")
        assert host.evaluate("document.querySelector('#chat-count').classList.contains('over')")
        host.evaluate("(() => { const i = document.querySelector('#chat-input'); i.value = ''; i.dispatchEvent(new Event('input')); })()")
        host.evaluate("document.querySelector('#btn-mic').click()")
        wait_for("mic off", lambda: host.evaluate("window.sfu.state.me.audioMuted"), 3)
        assert host.evaluate("document.querySelector('.tile.self').classList.contains('mic-off')")
        shot(host, "call")
        assert not real_problems(host), real_problems(host)

    def locked():
        host.evaluate("window.sfu.lock(true)")
        wait_for("locked", lambda: host.evaluate("window.sfu.state.room.locked"), 3)
        assert not host.evaluate("document.querySelector('#lock-pill').hidden")
        g = new_tab()
        g.navigate(f"{base}/join/{state['room']}?name=Guest")
        wait_for("locked notice", lambda: "locked" in (g.evaluate("document.querySelector('#room-notice').textContent") or ""), 5)
        g.evaluate("document.querySelector('#join-form').requestSubmit()")
        wait_for("locked refusal", lambda: "locked" in (g.evaluate("document.querySelector('#join-error').textContent") or ""), 5)
        assert g.evaluate("location.pathname").startswith("/join/")
        shot(g, "locked")
        assert not real_problems(g), real_problems(g)
        host.evaluate("window.sfu.lock(false)")
        wait_for("unlocked", lambda: not host.evaluate("window.sfu.state.room.locked"), 3)

    def ended():
        host.evaluate("window.sfu.end()")
        wait_for("ended", lambda: host.evaluate("window.sfu.state.status") == "ended", 5)
        assert not host.evaluate("document.querySelector('#overlay').hidden")
        shot(host, "ended")
        assert not real_problems(host), real_problems(host)

    try:
        for name, fn in [("landing", landing), ("lobby", lobby), ("missing", missing), ("call", call),
                         ("locked", locked), ("ended", ended)]:
            check(name, fn)
    finally:
        browser.close()
    ok = all(v == "ok" for v in results.values())
    print(json.dumps({"ok": ok, "results": results}))
    passed = sum(v == "ok" for v in results.values())
    print(f"{passed} passed, {len(results) - passed} failed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
