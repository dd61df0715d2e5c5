#!/usr/bin/env python3
"""Draw the app's icons (a closed ring - 闭环 - on the header's blue) as PNG,
with the standard library only.  Run once; the PNGs are in web/public.

Usage: icons.py OUTDIR
"""
import math
import struct
import sys
import zlib

BG = (0x17, 0x32, 0x4F)
FG = (0xFF, 0xFF, 0xFF)
ACCENT = (0xF2, 0xA9, 0x00)


def pixel(x, y, n):
    c = (n - 1) / 2.0
    r = math.hypot(x - c, y - c) / n
    ang = math.atan2(y - c, x - c)
    if 0.24 <= r <= 0.34:  # the ring
        return FG
    if r < 0.09:  # the centre dot
        return ACCENT
    # the arrow head closing the loop, at the top of the ring
    if abs(ang + math.pi / 2) < 0.28 and 0.20 <= r <= 0.38 and (x - c) > -0.02 * n:
        return ACCENT
    return BG


def png(n):
    rows = b"".join(b"\x00" + bytes(v for x in range(n) for v in pixel(x, y, n)) for y in range(n))
    chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)  # noqa: E731
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", n, n, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


for size in (192, 512):
    with open("%s/icon-%d.png" % (sys.argv[1], size), "wb") as f:
        f.write(png(size))
