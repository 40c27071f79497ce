#!/usr/bin/env python3
"""Capture real session descriptions from headless Chromium (DevTools protocol).

Writes, into the output folder:
  chromium-offer-simulcast.sdp   offer: audio + video with three simulcast rids q/h/f
  chromium-answer.sdp            a second RTCPeerConnection's answer to that offer

Run it inside a private network namespace that holds only loopback (see capture.sh).
"""
import os
import sys

from chromium_cdp import PRELUDE, Chromium

JS = r"""
(async () => {
  const pc = await simulcastPublisher();
  await pc.setLocalDescription(await pc.createOffer());
  await gathered(pc);
  const offer = pc.localDescription.sdp;
  const pc2 = new RTCPeerConnection();
  await pc2.setRemoteDescription({type: 'offer', sdp: offer});
  await pc2.setLocalDescription(await pc2.createAnswer());
  await gathered(pc2);
  const answer = pc2.localDescription.sdp;
  pc.close(); pc2.close();
  return {offer, answer, ua: navigator.userAgent};
})()
"""


def main() -> int:
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    with Chromium() as browser:
        browser.evaluate(PRELUDE)
        value = browser.evaluate(JS)
    for name, key in (("chromium-offer-simulcast.sdp", "offer"), ("chromium-answer.sdp", "answer")):
        with open(os.path.join(out, name), "w", newline="") as f:
            f.write(value[key])
    print(value["ua"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
