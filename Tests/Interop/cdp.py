"""Minimal Chromium DevTools-protocol driver for interop tests (headless, fake devices)."""
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request

import websocket

CHROMIUM = "/usr/lib/chromium/chromium"


class Chromium:
    def __init__(self, port=9222, extra_flags=()):
        self.port = port
        self.profile = tempfile.mkdtemp(prefix="rtc-chromium-")
        flags = [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
            "--allow-loopback-in-peer-connection", "--autoplay-policy=no-user-gesture-required",
            "--no-first-run", "--disable-background-networking", "--disable-component-update",
            f"--user-data-dir={self.profile}", f"--remote-debugging-port={port}",
            *extra_flags, "about:blank",
        ]
        # With --disable-dev-shm-usage Chromium keeps its shared memory as files in TMPDIR
        # (org.chromium.Chromium.*): inside the profile, they go with it in close().
        tmp = os.path.join(self.profile, "tmp")
        os.makedirs(tmp, exist_ok=True)
        self.proc = subprocess.Popen([CHROMIUM, *flags], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, env=dict(os.environ, TMPDIR=tmp))
        deadline = time.time() + 20
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/json/version", timeout=1)
                break
            except Exception:
                if time.time() > deadline:
                    self.close()
                    raise RuntimeError("chromium did not start")
                time.sleep(0.2)

    def new_tab(self, isolated=False):
        """A new tab; isolated=True puts it in its own browser context (own cookies and
        storage, like a separate profile), so several participants can share one browser."""
        if not isolated:
            req = urllib.request.Request(f"http://127.0.0.1:{self.port}/json/new?about:blank",
                                         method="PUT")
            info = json.loads(urllib.request.urlopen(req, timeout=5).read())
            return Tab(info["webSocketDebuggerUrl"])
        browser = self.browser()
        ctx = browser.call("Target.createBrowserContext", disposeOnDetach=False)["browserContextId"]
        target = browser.call("Target.createTarget", url="about:blank", browserContextId=ctx)["targetId"]
        deadline = time.time() + 5
        while time.time() < deadline:
            targets = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{self.port}/json/list", timeout=5).read())
            for t in targets:
                if t.get("id") == target and t.get("webSocketDebuggerUrl"):
                    return Tab(t["webSocketDebuggerUrl"])
            time.sleep(0.1)
        raise RuntimeError("new target did not appear")

    def browser(self):
        """The browser-level DevTools session (Target.* methods)."""
        if getattr(self, "_browser", None) is None:
            info = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{self.port}/json/version", timeout=5).read())
            self._browser = Tab(info["webSocketDebuggerUrl"])
        return self._browser

    def close(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.profile, ignore_errors=True)


class Tab:
    # Events kept for problems(): uncaught exceptions, console.error, browser log errors.
    KEPT_EVENTS = {"Runtime.exceptionThrown", "Runtime.consoleAPICalled", "Log.entryAdded"}

    def __init__(self, ws_url):
        self.ws = websocket.create_connection(ws_url, suppress_origin=True, timeout=60)
        self.next_id = 0
        self.events = []

    def _keep(self, msg):
        if msg.get("method") in self.KEPT_EVENTS and len(self.events) < 1000:
            self.events.append(msg)

    def watch_errors(self):
        """Starts collecting JS exceptions and console/log errors (read them with problems())."""
        self.call("Runtime.enable")
        self.call("Log.enable")

    def problems(self, drain_seconds=0.2):
        """Uncaught exceptions and error-level console/log entries seen so far, as strings."""
        self.ws.settimeout(drain_seconds)
        try:
            while True:
                self._keep(json.loads(self.ws.recv()))
        except websocket.WebSocketTimeoutException:
            pass
        finally:
            self.ws.settimeout(60)
        out = []
        for e in self.events:
            p = e.get("params", {})
            if e["method"] == "Runtime.exceptionThrown":
                d = p.get("exceptionDetails", {})
                exc = d.get("exception", {})
                out.append(f"exception: {exc.get('description') or d.get('text')} at {d.get('url', '')}:{d.get('lineNumber')}")
            elif e["method"] == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                out.append("console.error: " + " ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", [])))
            elif e["method"] == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
                en = p["entry"]
                out.append(f"log: {en.get('text')} {en.get('url', '')}")
        return out

    def call(self, method, **params):
        self.next_id += 1
        my_id = self.next_id
        self.ws.send(json.dumps({"id": my_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if "id" not in msg:
                self._keep(msg)
            if msg.get("id") == my_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})

    def navigate(self, url):
        self.call("Page.enable")
        self.call("Page.navigate", url=url)
        deadline = time.time() + 10
        while time.time() < deadline:
            if self.evaluate("document.readyState") == "complete":
                return
            time.sleep(0.1)
        raise RuntimeError("page did not load")

    def evaluate(self, expression, timeout=30):
        r = self.call("Runtime.evaluate", expression=expression, awaitPromise=True,
                      returnByValue=True, timeout=timeout * 1000)
        if "exceptionDetails" in r:
            raise RuntimeError(f"JS exception: {r['exceptionDetails']}")
        return r["result"].get("value")

    def screenshot(self, path):
        import base64
        data = self.call("Page.captureScreenshot", format="png")["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))
