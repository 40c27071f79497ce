#!/usr/bin/env python3
"""Lets a real Chromium judge what SDPNegotiator writes (run inside a loopback-only namespace,
see check_negotiation.sh):

1. Chromium makes a simulcast publisher offer; the Swift test SDPInteropDump answers it as the
   SFU would; Chromium must accept that answer (setRemoteDescription) and keep three
   encodings and a sendonly video transceiver.
2. Chromium answers the SFU's subscriber offer (sfu-offer.sdp); that answer is written to
   Fixtures/sdp/chromium-answer-to-sfu-offer.sdp for SDPNegotiatorTests.

Usage: check_chromium_negotiation.py PACKAGE_ROOT WORKDIR
"""
import json
import os
import subprocess
import sys

from chromium_cdp import PRELUDE, Chromium


def main() -> int:
    root, work = sys.argv[1], sys.argv[2]
    with Chromium() as browser:
        browser.evaluate(PRELUDE)
        offer = browser.evaluate(r"""
(async () => {
  window.pub = await simulcastPublisher();
  await pub.setLocalDescription(await pub.createOffer());
  await gathered(pub);
  return pub.localDescription.sdp;
})()""")
        with open(os.path.join(work, "remote-offer.sdp"), "w", newline="") as f:
            f.write(offer)
        env = dict(os.environ, SDP_INTEROP_DIR=work)
        subprocess.run(["swift", "test", "--skip-build", "--filter", "SDPInteropDump"],
                       cwd=root, env=env, check=True, stdout=subprocess.DEVNULL)
        answer = open(os.path.join(work, "sfu-answer.sdp"), newline="").read()
        sub_offer = open(os.path.join(work, "sfu-offer.sdp"), newline="").read()
        result = browser.evaluate(r"""
(async (answer, subOffer) => {
  await pub.setRemoteDescription({type: 'answer', sdp: answer});
  const t = pub.getTransceivers();
  const video = t[1];
  const published = {
    signalingState: pub.signalingState,
    directions: t.map(x => x.currentDirection),
    encodings: video.sender.getParameters().encodings.map(e => e.rid),
    codecs: video.sender.getParameters().codecs.map(c => c.mimeType + ' ' + c.payloadType),
    headerExtensions: video.sender.getParameters().headerExtensions.map(h => h.id + ' ' + h.uri),
  };
  const sub = new RTCPeerConnection();
  await sub.setRemoteDescription({type: 'offer', sdp: subOffer});
  await sub.setLocalDescription(await sub.createAnswer());
  await gathered(sub);
  const subscribed = {
    answer: sub.localDescription.sdp,
    directions: sub.getTransceivers().map(x => x.currentDirection),
    receiverCodecs: sub.getTransceivers().map(x => x.receiver.getParameters().codecs.map(c => c.mimeType)),
  };
  pub.close(); sub.close();
  return {published, subscribed};
})(""" + json.dumps(answer) + ", " + json.dumps(sub_offer) + ")")
    subscribed = result["subscribed"]
    with open(os.path.join(root, "Fixtures/sdp/chromium-answer-to-sfu-offer.sdp"), "w", newline="") as f:
        f.write(subscribed.pop("answer"))
    print(json.dumps(result, indent=1))
    pub = result["published"]
    ok = (pub["signalingState"] == "stable" and pub["encodings"] == ["q", "h", "f"]
          and pub["directions"] == ["sendonly", "sendonly"]
          and subscribed["directions"][:2] == ["recvonly", "recvonly"])
    print("OK" if ok else "UNEXPECTED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
