#!/usr/bin/env python3
"""Capture real session descriptions from headless Chromium (DevTools protocol).

Writes, into the output folder:
  chromium-offer-simulcast.sdp   offer: audio + video with three simulcast rids q/h/f
  chromium-answer.sdp            a second RTCPeerConnection's answer to that offer

Run it inside a private network namespace that holds only loopback (see capture.sh):
  unshare -n sh -c 'ip link set lo up; python3 capture_chromium_sdp.py OUTDIR'
Every process it starts is ended before it returns.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import websocket  # websocket-client

CHROMIUM = os.environ.get("CHROMIUM", "/usr/lib/chromium/chromium")
PORT = 9333

JS = r"""
(async () => {
  const waitGathering = (pc) => new Promise((resolve) => {
    if (pc.iceGatheringState === 'complete') return resolve();
    const t = setTimeout(resolve, 5000);
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState === 'complete') { clearTimeout(t); resolve(); }
    });
  });
  // Fake devices (--use-fake-device-for-media-stream); a canvas track and a WebAudio
  // oscillator only where navigator.mediaDevices is absent (not a secure context).
  let stream;
  if (navigator.mediaDevices) {
    stream = await navigator.mediaDevices.getUserMedia({
      audio: true, video: {width: 1280, height: 720}});
  } else {
    const canvas = document.createElement('canvas');
    canvas.width = 1280; canvas.height = 720;
    const g = canvas.getContext('2d');
    let n = 0;
    setInterval(() => { g.fillStyle = `hsl(${n++ % 360},80%,50%)`; g.fillRect(0, 0, 1280, 720); }, 50);
    const ac = new AudioContext();
    const osc = ac.createOscillator();
    const dst = ac.createMediaStreamDestination();
    osc.connect(dst); osc.start();
    stream = new MediaStream([...dst.stream.getAudioTracks(), ...canvas.captureStream(20).getVideoTracks()]);
  }
  const pc = new RTCPeerConnection();
  pc.addTransceiver(stream.getAudioTracks()[0], {direction: 'sendrecv', streams: [stream]});
  pc.addTransceiver(stream.getVideoTracks()[0], {
    direction: 'sendonly', streams: [stream],
    sendEncodings: [
      {rid: 'q', scaleResolutionDownBy: 4},
      {rid: 'h', scaleResolutionDownBy: 2},
      {rid: 'f'},
    ]});
  await pc.setLocalDescription(await pc.createOffer());
  await waitGathering(pc);
  const offer = pc.localDescription.sdp;

  const pc2 = new RTCPeerConnection();
  await pc2.setRemoteDescription({type: 'offer', sdp: offer});
  await pc2.setLocalDescription(await pc2.createAnswer());
  await waitGathering(pc2);
  const answer = pc2.localDescription.sdp;
  pc.close(); pc2.close();
  stream.getTracks().forEach(t => t.stop());
  return {offer, answer, ua: navigator.userAgent};
})()
"""


class BlankPage(BaseHTTPRequestHandler):
    """Serves an empty page: http://127.0.0.1 is a secure context, about:blank is not, and
    without getUserMedia permission Chromium hides host candidates behind mDNS."""

    def do_GET(self):
        body = b"<!doctype html><title>sdp capture</title>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def cdp(ws, ident, method, params):
    ws.send(json.dumps({"id": ident, "method": method, "params": params}))
    while True:
        msg = json.loads(ws.recv())
        if msg.get("id") == ident:
            return msg


def main() -> int:
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    profile = tempfile.mkdtemp(prefix="sdp-capture-")
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), BlankPage)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    page_url = f"http://127.0.0.1:{httpd.server_address[1]}/"
    proc = subprocess.Popen(
        [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu",
         "--disable-dev-shm-usage", "--use-fake-device-for-media-stream",
         "--use-fake-ui-for-media-stream", "--allow-loopback-in-peer-connection",
         "--autoplay-policy=no-user-gesture-required", "--no-first-run",
         "--disable-background-networking", "--disable-component-update",
         f"--user-data-dir={profile}", f"--remote-debugging-port={PORT}", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
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
            print("no DevTools page", file=sys.stderr)
            return 1
        ws = websocket.create_connection(pages[0]["webSocketDebuggerUrl"],
                                          suppress_origin=True, timeout=60)
        cdp(ws, 1, "Page.enable", {})
        cdp(ws, 2, "Page.navigate", {"url": page_url})
        for _ in range(50):
            ready = cdp(ws, 3, "Runtime.evaluate", {
                "expression": "document.readyState + ' ' + location.href",
                "returnByValue": True})
            if ready["result"]["result"].get("value", "").startswith("complete http"):
                break
            time.sleep(0.1)
        msg = cdp(ws, 4, "Runtime.evaluate", {
            "expression": JS, "awaitPromise": True, "returnByValue": True})
        ws.close()
        result = msg["result"]
        if "exceptionDetails" in result:
            print(json.dumps(result["exceptionDetails"], indent=1), file=sys.stderr)
            return 1
        value = result["result"]["value"]
        for name, key in (("chromium-offer-simulcast.sdp", "offer"),
                          ("chromium-answer.sdp", "answer")):
            with open(os.path.join(out, name), "w", newline="") as f:
                f.write(value[key])
        print(value["ua"])
        return 0
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        httpd.shutdown()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
