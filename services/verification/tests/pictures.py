"""Pictures for verification's tests, drawn with Pillow (no file is read from
disk), and byte-level helpers to forge the broken ones."""

from __future__ import annotations

import io
import struct
import zlib
from typing import Any

from PIL import Image, ImageDraw


def drawing(width: int = 1024, height: int = 768, seed: int = 0) -> Image.Image:
    """A picture that differs for every seed and compresses well (fast tests)."""
    picture = Image.new("RGB", (width, height), (200, 210 - seed % 50, 190 + seed % 60))
    pen = ImageDraw.Draw(picture)
    for index in range(6):
        left = (seed * 37 + index * 131) % max(1, width - 120)
        top = (seed * 53 + index * 97) % max(1, height - 90)
        pen.rectangle(
            (left, top, left + 110, top + 80), fill=((seed * 41 + index * 60) % 256, 40, 90)
        )
    pen.text((20, height - 40), f"No. {seed:06d}", fill=(0, 0, 0))
    return picture


def encode(picture: Image.Image, fmt: str = "JPEG", **options: Any) -> bytes:
    out = io.BytesIO()
    picture.save(out, fmt, **options)
    return out.getvalue()


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def forged_png(width: int, height: int, idat: bytes = b"\x78\x9c\x03\x00\x00\x00\x00\x01") -> bytes:
    """A PNG whose header claims any size; its pixel data is whatever we say."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )


def jpeg_segments(data: bytes) -> list[int]:
    """The markers of a JPEG's segments up to its first scan (APPn, COM, DQT, …)."""
    markers, pos = [], 2
    while data[pos + 1] != 0xDA:
        markers.append(data[pos + 1])
        pos += 2 + int.from_bytes(data[pos + 2 : pos + 4], "big")
    return markers
