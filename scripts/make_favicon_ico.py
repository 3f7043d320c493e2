"""Renders the design of static/favicon.svg (a link between two people) at 16 and 32 px into a PNG-in-ICO file.

Usage: python scripts/make_favicon_ico.py static/root/favicon.ico (no dependencies; keep it in step with the SVG).
"""

import math
import struct
import sys
import zlib

BLUE, WHITE, ORANGE = (0x08, 0x4A, 0x8B), (255, 255, 255), (0xF5, 0xA6, 0x23)


def inside_rounded(x, y, size=32, radius=6):
    cx = min(max(x, radius), size - radius)
    cy = min(max(y, radius), size - radius)
    return (x - cx) ** 2 + (y - cy) ** 2 <= radius**2


def segment_distance(px, py, ax, ay, bx, by):
    dx, dy = bx - ax, by - ay
    t = max(0, min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - ax - t * dx, py - ay - t * dy)


def colour_at(x, y):  # in the 32-unit design space
    if not inside_rounded(x, y):
        return None
    if math.hypot(x - 23, y - 9) <= 4.5:
        return ORANGE
    if math.hypot(x - 9, y - 23) <= 4.5 or segment_distance(x, y, 10, 22, 22, 10) <= 1.5:
        return WHITE
    return BLUE


def render(size, samples=4):
    rows = []
    scale = 32 / size
    for j in range(size):
        row = bytearray([0])
        for i in range(size):
            total, count = [0, 0, 0], 0
            for sj in range(samples):
                for si in range(samples):
                    c = colour_at((i + (si + 0.5) / samples) * scale, (j + (sj + 0.5) / samples) * scale)
                    if c:
                        count += 1
                        total = [t + v for t, v in zip(total, c)]
            alpha = round(255 * count / samples**2)
            rgb = [round(t / count) if count else 0 for t in total]
            row += bytes(rgb + [alpha])
        rows.append(bytes(row))
    raw = b"".join(rows)

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


images = [(size, render(size)) for size in (16, 32)]
header = struct.pack("<HHH", 0, 1, len(images))
offset = 6 + 16 * len(images)
entries, data = b"", b""
for size, png in images:
    entries += struct.pack("<BBBBHHII", size, size, 0, 0, 1, 32, len(png), offset + len(data))
    data += png
open(sys.argv[1], "wb").write(header + entries + data)
