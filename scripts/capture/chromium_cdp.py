"""Headless Chromium driven over the DevTools protocol (websocket-client), for SDP captures.

Usage:
    with Chromium() as browser:
        value = browser.evaluate("(async () => 1 + 1)()")

Starts /usr/lib/chromium/chromium with the flags from shared/PEERS.md on a page served from
http://127.0.0.1 (a secure context, so getUserMedia with the fake devices works and host
candidates are not hidden behind mDNS). Run inside a loopback-only network namespace.
Everything it starts is ended on exit.
"""
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import websocket  # websocket-client

CHROMIUM = os.environ.get("CHROMIUM", "/usr/lib/chromium/chromium")
PORT = int(os.environ.get("CDP_PORT", "9333"))


class BlankPage(BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"<!doctype html><title>sdp capture</title>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Chromium:
    def __enter__(self):
        self.profile = tempfile.mkdtemp(prefix="sdp-capture-")
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), BlankPage)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.proc = subprocess.Popen(
            [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu",
             "--disable-dev-shm-usage", "--use-fake-device-for-media-stream",
             "--use-fake-ui-for-media-stream", "--allow-loopback-in-peer-connection",
             "--autoplay-policy=no-user-gesture-required", "--no-first-run",
             "--disable-background-networking", "--disable-component-update",
             f"--user-data-dir={self.profile}", f"--remote-debugging-port={PORT}",
             "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.ws = None
        self.next_id = 0
        try:
            self._connect()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _connect(self):
        pages = None
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/json") as r:
                    pages = [p for p in json.load(r) if p.get("type") == "page"]
                if pages:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        if not pages:
            raise RuntimeError("no DevTools page")
        self.ws = websocket.create_connection(pages[0]["webSocketDebuggerUrl"],
                                              suppress_origin=True, timeout=60)
        self.call("Page.enable", {})
        self.call("Page.navigate", {"url": f"http://127.0.0.1:{self.httpd.server_address[1]}/"})
        for _ in range(50):
            if str(self.evaluate("document.readyState + ' ' + location.href")).startswith("complete http"):
                return
            time.sleep(0.1)
        raise RuntimeError("page did not load")

    def call(self, method, params):
        self.next_id += 1
        ident = self.next_id
        self.ws.send(json.dumps({"id": ident, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == ident:
                return msg

    def evaluate(self, expression):
        """Evaluates JavaScript (awaiting a promise) and returns its JSON value."""
        msg = self.call("Runtime.evaluate", {
            "expression": expression, "awaitPromise": True, "returnByValue": True})
        result = msg["result"]
        if "exceptionDetails" in result:
            raise RuntimeError(json.dumps(result["exceptionDetails"], indent=1))
        return result["result"].get("value")

    def __exit__(self, *exc):
        if self.ws is not None:
            self.ws.close()
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.httpd.shutdown()
        shutil.rmtree(self.profile, ignore_errors=True)
        return False


# JavaScript helpers shared by the scripts: a page-global `media()` (fake devices, canvas
# fallback) and `gathered(pc)`.
PRELUDE = r"""
window.gathered = (pc) => new Promise((resolve) => {
  if (pc.iceGatheringState === 'complete') return resolve();
  const t = setTimeout(resolve, 5000);
  pc.addEventListener('icegatheringstatechange', () => {
    if (pc.iceGatheringState === 'complete') { clearTimeout(t); resolve(); }
  });
});
window.media = async () => {
  if (navigator.mediaDevices) {
    return navigator.mediaDevices.getUserMedia({audio: true, video: {width: 1280, height: 720}});
  }
  const canvas = document.createElement('canvas');
  canvas.width = 1280; canvas.height = 720;
  const g = canvas.getContext('2d');
  let n = 0;
  setInterval(() => { g.fillStyle = `hsl(${n++ % 360},80%,50%)`; g.fillRect(0, 0, 1280, 720); }, 50);
  const ac = new AudioContext();
  const osc = ac.createOscillator();
  const dst = ac.createMediaStreamDestination();
  osc.connect(dst); osc.start();
  return new MediaStream([...dst.stream.getAudioTracks(), ...canvas.captureStream(20).getVideoTracks()]);
};
window.simulcastPublisher = async () => {
  const stream = await media();
  const pc = new RTCPeerConnection();
  pc.addTransceiver(stream.getAudioTracks()[0], {direction: 'sendrecv', streams: [stream]});
  pc.addTransceiver(stream.getVideoTracks()[0], {
    direction: 'sendonly', streams: [stream],
    sendEncodings: [
      {rid: 'q', scaleResolutionDownBy: 4},
      {rid: 'h', scaleResolutionDownBy: 2},
      {rid: 'f'},
    ]});
  return pc;
};
true
"""
