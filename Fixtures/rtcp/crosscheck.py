#!/usr/bin/env python3
"""Cross-checks the hand-written annotated hex fixtures in this folder.

Each fixture is re-encoded here from its field values with an encoder written independently
of the Swift code (straight from the RFC diagrams), and the TWCC fixtures are also decoded
to check the arrival times noted in their comments. Run: python3 Fixtures/rtcp/crosscheck.py
"""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def load(name):
    out = bytearray()
    with open(os.path.join(HERE, name)) as f:
        for line in f:
            line = line.split("#", 1)[0]
            for tok in line.split():
                out.append(int(tok, 16))
    return bytes(out)


def header(count, pt, body_len, padding=False):
    total = 4 + body_len
    assert total % 4 == 0
    return bytes([0x80 | (0x20 if padding else 0) | count, pt]) + struct.pack(">H", total // 4 - 1)


def u32(*vs):
    return b"".join(struct.pack(">I", v) for v in vs)


def block(ssrc, frac, lost, ehsn, jitter, lsr, dlsr):
    return u32(ssrc) + bytes([frac]) + (lost & 0xFFFFFF).to_bytes(3, "big") + u32(ehsn, jitter, lsr, dlsr)


def sdes_chunk(ssrc, items):
    b = u32(ssrc)
    for t, v in items:
        b += bytes([t, len(v)]) + v
    b += b"\x00"
    while len(b) % 4:
        b += b"\x00"
    return b


def twcc(base, count, ref, fbc, chunks, deltas):
    body = u32(0x11223344, 0xAABBCCDD) + struct.pack(">HH", base, count)
    body += (ref & 0xFFFFFF).to_bytes(3, "big") + bytes([fbc])
    for c in chunks:
        body += struct.pack(">H", c)
    for size, d in deltas:
        body += bytes([d]) if size == 1 else struct.pack(">h", d)
    while (len(body) + 4) % 4:
        body += b"\x00"
    return header(15, 205, len(body)) + body


def twcc_decode(b):
    base, count = struct.unpack(">HH", b[12:16])
    ref = int.from_bytes(b[16:19], "big")
    if ref & 0x800000:
        ref -= 1 << 24
    i, symbols = 20, []
    while len(symbols) < count:
        c = struct.unpack(">H", b[i:i + 2])[0]
        i += 2
        if c >> 15 == 0:
            s, n = (c >> 13) & 3, c & 0x1FFF
            symbols += [s] * min(n, count - len(symbols))
        elif (c >> 14) & 1 == 0:
            symbols += [(c >> (13 - k)) & 1 for k in range(14)][: count - len(symbols)]
        else:
            symbols += [(c >> (12 - 2 * k)) & 3 for k in range(7)][: count - len(symbols)]
    t, out = ref * 64000, []
    for k, s in enumerate(symbols):
        seq = (base + k) & 0xFFFF
        if s == 0:
            out.append((seq, None))
            continue
        d = b[i] if s == 1 else struct.unpack(">h", b[i:i + 2])[0]
        i += s
        t += d * 250
        out.append((seq, t))
    return out


def main():
    ntp = 0xE8F1A2B3_40000000
    lsr = (ntp >> 16) & 0xFFFFFFFF
    assert lsr == 0xA2B34000
    sr_body = u32(0x11223344) + struct.pack(">Q", ntp) + u32(12345678, 1000, 1200000)
    sr_body += block(0xAABBCCDD, 64, -3, 0x00010010, 32, lsr, 0x18000) + u32(0xDEADBEEF)
    expected = {
        "sender-report.hex": header(1, 200, len(sr_body)) + sr_body,
        "receiver-report.hex": header(1, 201, 28) + u32(0x01020304) + block(0xAABBCCDD, 0, 300, 65535, 256, 0, 0),
        "receiver-report-empty.hex": header(0, 201, 4) + u32(0x01020304),
    }
    sdes = sdes_chunk(0x11223344, [(1, b"user@host")]) + sdes_chunk(0x55667788, [(2, b"Bob"), (0x42, b"ab")])
    expected["source-description.hex"] = header(2, 202, len(sdes)) + sdes
    bye = u32(0x11223344, 0x55667788) + b"\x04done\x00\x00\x00"
    expected["goodbye.hex"] = header(2, 203, len(bye)) + bye
    expected["goodbye-no-reason.hex"] = header(1, 203, 4) + u32(0x11223344)
    app = u32(0x11223344) + b"TEST" + bytes(range(1, 9))
    expected["application-defined.hex"] = header(5, 204, len(app)) + app
    nack = u32(0x11223344, 0xAABBCCDD) + struct.pack(">HHHH", 100, 0b101, 65534, 0b11)
    expected["transport-layer-nack.hex"] = header(1, 205, len(nack)) + nack
    expected["picture-loss-indication.hex"] = header(1, 206, 8) + u32(0x11223344, 0xAABBCCDD)
    fir = u32(0x11223344, 0, 0xAABBCCDD) + bytes([7, 0, 0, 0])
    expected["full-intra-request.hex"] = header(4, 206, len(fir)) + fir
    exp, mant = 0, 1_000_000
    while mant > 0x3FFFF:
        mant >>= 1
        exp += 1
    assert (exp, mant) == (2, 250000) and mant << exp == 1_000_000
    remb = u32(0x11223344, 0) + b"REMB" + bytes([1]) + ((exp << 18) | mant).to_bytes(3, "big") + u32(0xAABBCCDD)
    expected["receiver-estimated-maximum-bitrate.hex"] = header(15, 206, len(remb)) + remb
    expected["twcc-run-length.hex"] = twcc(65533, 4, 1, 7, [0b0_01_0000000000100],
                                           [(1, 4), (1, 8), (1, 0), (1, 255)])
    one_bit = [1, 0, 1, 1, 0, 0, 1, 1, 1, 0]
    chunk = 0x8000 | sum(s << (13 - k) for k, s in enumerate(one_bit))
    expected["twcc-one-bit-vector.hex"] = twcc(256, 10, -1, 0, [chunk], [(1, d) for d in range(1, 7)])
    two_bit = [1, 0, 2, 2, 1, 0, 2]
    chunk = 0xC000 | sum(s << (12 - 2 * k) for k, s in enumerate(two_bit))
    expected["twcc-two-bit-vector.hex"] = twcc(0x1234, 7, 16, 0, [chunk],
                                               [(1, 16), (2, 1024), (2, -4), (1, 0), (2, 512)])
    chunk2 = 0xC000 | (1 << 12) | (2 << 10)
    expected["twcc-long-run.hex"] = twcc(0, 8194, 0x7FFFFF, 255, [0x1FFF, chunk2], [(1, 1), (2, 256)])
    rr = header(0, 201, 4) + u32(0x01020304)
    sd = sdes_chunk(0x01020304, [(1, b"abc")])
    bye = bytes([0xA1, 203]) + struct.pack(">H", 2) + u32(0x01020304) + b"\x00\x00\x00\x04"
    expected["compound.hex"] = rr + header(1, 202, len(sd)) + sd + bye
    xr = u32(0x11223344) + bytes([4, 0, 0, 2]) + struct.pack(">Q", ntp)
    expected["extended-report.hex"] = header(0, 207, len(xr)) + xr
    afb = u32(0x11223344, 0xAABBCCDD) + b"ABCD"
    expected["application-layer-feedback-unknown.hex"] = header(15, 206, len(afb)) + afb

    failed = 0
    for name in sorted(f for f in os.listdir(HERE) if f.endswith(".hex")):
        got = load(name)
        want = expected.get(name)
        if want is None:
            print(f"MISSING encoder for {name}")
            failed += 1
        elif got != want:
            print(f"MISMATCH {name}\n  file: {got.hex()}\n  want: {want.hex()}")
            failed += 1
        else:
            print(f"ok {name}")

    arrivals = {
        "twcc-run-length.hex": [(65533, 65000), (65534, 67000), (65535, 67000), (0, 130750)],
        "twcc-two-bit-vector.hex": [(0x1234, 1028000), (0x1235, None), (0x1236, 1284000),
                                    (0x1237, 1283000), (0x1238, 1283000), (0x1239, None),
                                    (0x123A, 1411000)],
    }
    for name, want in arrivals.items():
        got = twcc_decode(load(name))
        if got != want:
            print(f"ARRIVALS {name}: {got}")
            failed += 1
    long_run = twcc_decode(load("twcc-long-run.hex"))
    base = 0x7FFFFF * 64000
    assert long_run[:8191] == [(s, None) for s in range(8191)]
    assert long_run[8191:] == [(8191, base + 250), (8192, base + 250 + 64000), (8193, None)]
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
