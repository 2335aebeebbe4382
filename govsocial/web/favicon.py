"""The portal's icon, drawn here rather than shipped as a file: a check mark (an official account) on
the brand colour, as SVG for the pages' ``<link rel="icon">`` and as a 32-pixel ICO for
``/favicon.ico``, which browsers, feed readers and crawlers ask for on their own.

Both come from the same few numbers, so they cannot drift apart. The ICO holds one PNG image
(allowed in ICO files since Windows Vista, read by every current browser), rasterised with 4 × 4
samples a pixel for smooth edges. Both are built on first use and kept for the process.
"""

from __future__ import annotations

import math
import struct
import zlib
from functools import lru_cache
from itertools import pairwise

SIZE = 32
RADIUS = 6.0
#: The check mark: a polyline with round ends and joins, in a 32-unit square.
CHECK = ((8.0, 16.5), (13.5, 22.0), (24.0, 11.0))
STROKE = 4.0
BRAND = (0x0B, 0x2A, 0x4A)
MARK = (0xFF, 0xFF, 0xFF)
SAMPLES = 4


def _hex(rgb: tuple[int, int, int]) -> str:
    return "#" + "".join(f"{c:02x}" for c in rgb)


@lru_cache(maxsize=1)
def svg() -> bytes:
    """The icon as an SVG document."""
    points = " ".join(f"{x:g},{y:g}" for x, y in CHECK)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {SIZE}" width="{SIZE}" height="{SIZE}">'
        f'<rect width="{SIZE}" height="{SIZE}" rx="{RADIUS:g}" fill="{_hex(BRAND)}"/>'
        f'<polyline points="{points}" fill="none" stroke="{_hex(MARK)}" stroke-width="{STROKE:g}" '
        'stroke-linecap="round" stroke-linejoin="round"/></svg>\n'
    ).encode()


def _in_square(x: float, y: float) -> bool:
    """Whether a point is inside the rounded square."""
    cx = min(max(x, RADIUS), SIZE - RADIUS)
    cy = min(max(y, RADIUS), SIZE - RADIUS)
    return math.hypot(x - cx, y - cy) <= RADIUS


def _on_mark(x: float, y: float) -> bool:
    """Whether a point is under the check mark's stroke (within half its width of a segment)."""
    for (ax, ay), (bx, by) in pairwise(CHECK):
        dx, dy = bx - ax, by - ay
        t = max(0.0, min(1.0, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)))
        if math.hypot(x - ax - t * dx, y - ay - t * dy) <= STROKE / 2:
            return True
    return False


def _pixel(px: int, py: int) -> bytes:
    """One RGBA pixel: the share of its samples in the square gives alpha, those on the mark the mix."""
    inside = mark = 0
    for i in range(SAMPLES):
        for j in range(SAMPLES):
            x, y = px + (i + 0.5) / SAMPLES, py + (j + 0.5) / SAMPLES
            if _in_square(x, y):
                inside += 1
                mark += _on_mark(x, y)
    if not inside:
        return bytes(4)
    share = mark / inside
    rgb = (round(b + (m - b) * share) for b, m in zip(BRAND, MARK, strict=True))
    return bytes((*rgb, round(255 * inside / SAMPLES**2)))


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png() -> bytes:
    """The icon as a 32 × 32 RGBA PNG."""
    rows = b"".join(b"\x00" + b"".join(_pixel(x, y) for x in range(SIZE)) for y in range(SIZE))
    header = struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0)  # 8-bit RGBA, no interlace
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(rows, 9))
        + _chunk(b"IEND", b"")
    )


@lru_cache(maxsize=1)
def ico() -> bytes:
    """The icon as an ICO file holding the PNG."""
    image = png()
    directory = struct.pack("<HHH", 0, 1, 1)  # reserved, type 1 (icon), one image
    entry = struct.pack("<BBBBHHII", SIZE, SIZE, 0, 0, 1, 32, len(image), len(directory) + 16)
    return directory + entry + image
