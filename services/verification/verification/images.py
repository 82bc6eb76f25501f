"""Turn an uploaded file into a clean JPEG, or refuse it with a reason.

Nothing here trusts the file name or the client's Content-Type. In order:

1. **Sniff** the magic bytes: JPEG (`FF D8 FF`) or PNG only (`not-an-image`).
2. **Walk the structure** without decoding: JPEG marker segments up to the
   EOI that really ends the picture, PNG chunks up to IEND (`corrupt` when it
   ends early or breaks its own framing). Bytes after the end are refused
   (`polyglot`), except the further pictures a camera declares in the JPEG's
   MPF index (Android "Ultra HDR" and iPhone HDR gain maps), which must fill
   the rest of the file exactly and be well-formed JPEGs themselves.
3. **Look for markup** (`polyglot`): `<html`, `<script`, `<?php`, `<svg`,
   `<iframe`, `<body`, `<object`, `<embed`, `<!doctype html`, and the starts
   of a PDF or ZIP. Metadata (every byte outside the compressed picture data)
   is searched for all of them; the compressed data, which is close to random,
   only for the tokens long enough not to occur there by chance (a four-letter
   `<svg ` would turn up in about one 10 MB photo in 2,000).
4. **Read the header** with Pillow's lazy open, which does not decode pixels:
   more than `max_pixels` is refused before any decoding (`too-many-pixels`),
   as is a picture under the minimum size in either orientation (`too-small`).
5. **Decode fully** (`corrupt` on any decoder error), apply the EXIF
   orientation, flatten transparency onto white, convert to 8-bit RGB.
6. **Re-encode** as a baseline JPEG (quality 90) from the pixels alone: no
   EXIF (so no GPS), no ICC profile, no comment, no XMP. A 320 px wide
   thumbnail is made the same way.
7. **Fingerprint** the normalised pixels (SHA-256 over size + oriented RGB
   pixels). An exact hash, not a perceptual one: it catches the mistake that
   happens (the same file, or the same picture re-saved with other metadata or
   an orientation tag, picked for two documents) and never refuses two
   different photos, such as the two sides of one ID card shot on the same
   table, which a perceptual hash can confuse. Near-copies are for the
   reviewers, who see every document of a case side by side.

Pillow's own bomb guard (Image.MAX_IMAGE_PIXELS, with
DecompressionBombWarning turned into an error) is set by `configure_pillow`
as a second line behind step 4.
"""

from __future__ import annotations

import hashlib
import io
import re
import struct
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps

from verification.domain import Refusal, fits_minimum

JPEG_MAGIC = b"\xff\xd8\xff"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_QUALITY = 90
THUMBNAIL_WIDTH = 320
_HASH_STRIP_ROWS = 256

_TAG_END = rb"[\s/>]"
# Long enough to be meaningful anywhere, even inside compressed picture data.
_MARKUP_ANYWHERE = re.compile(
    rb"<(?:script|html|iframe|object|embed)" + _TAG_END + rb"|<body" + _TAG_END
    + rb"|<\?php\s|<!doctype\s+html",
    re.IGNORECASE,
)  # fmt: skip
# Everything, in the metadata (segments, chunks and their headers). Metadata can
# hold compressed data too (an EXIF thumbnail), so no token is shorter than 4 bytes.
_MARKUP_IN_METADATA = re.compile(
    _MARKUP_ANYWHERE.pattern + rb"|<svg" + _TAG_END + rb"|%PDF-|PK\x03\x04|PK\x05\x06",
    re.IGNORECASE,
)


class ImageRefused(Exception):
    """The upload is refused; `reason` is the code shown to the client."""

    def __init__(self, reason: Refusal, note: str) -> None:
        super().__init__(f"{reason}: {note}")
        self.reason = reason
        self.note = note  # for the log: says which check, never what the file held


@dataclass(frozen=True)
class ImageLimits:
    max_pixels: int
    min_width: int
    min_height: int


@dataclass(frozen=True)
class Normalised:
    jpeg: bytes
    thumbnail: bytes
    width: int
    height: int
    pixel_sha256: str


@dataclass(frozen=True)
class _Layout:
    end: int  # one past the picture's end marker
    compressed: list[tuple[int, int]]  # (start, end) of entropy-coded / IDAT data
    segments: list[tuple[int, int, int]]  # JPEG: (marker, start, end); PNG: empty


def configure_pillow(max_pixels: int) -> None:
    """Pillow's own decompression-bomb guard, as an error instead of a warning."""
    Image.MAX_IMAGE_PIXELS = max_pixels
    warnings.simplefilter("error", Image.DecompressionBombWarning)


def sniff(data: bytes) -> str | None:
    if data.startswith(JPEG_MAGIC):
        return "jpeg"
    if data.startswith(PNG_MAGIC):
        return "png"
    return None


def normalise(data: bytes, limits: ImageLimits) -> Normalised:
    """The clean JPEG, its thumbnail and fingerprint, or ImageRefused."""
    kind = sniff(data)
    if kind is None:
        raise ImageRefused(Refusal.NOT_AN_IMAGE, "no JPEG or PNG signature")
    layout = _jpeg_layout(data, 0) if kind == "jpeg" else _png_layout(data)
    compressed = list(layout.compressed)
    if layout.end != len(data):
        compressed += _declared_trailer(data, layout) if kind == "jpeg" else _refuse_trailer()
    _refuse_markup(data, compressed)
    picture = _open(data, kind, limits)
    return _clean(picture)


# --- structure -------------------------------------------------------------------


def _corrupt(note: str) -> ImageRefused:
    return ImageRefused(Refusal.CORRUPT, note)


def _refuse_trailer() -> list[tuple[int, int]]:
    raise ImageRefused(Refusal.POLYGLOT, "bytes after the end marker")


def _jpeg_layout(data: bytes, start: int) -> _Layout:
    """Walk the marker segments from the SOI at `start` to the EOI that ends it."""
    size = len(data)
    pos = start + 2
    compressed: list[tuple[int, int]] = []
    segments: list[tuple[int, int, int]] = []
    while True:
        if pos + 1 >= size:
            raise _corrupt("JPEG ends before its end marker")
        if data[pos] != 0xFF:
            raise _corrupt("JPEG segment does not start with a marker")
        while pos + 1 < size and data[pos + 1] == 0xFF:  # fill bytes
            pos += 1
        if pos + 1 >= size:
            raise _corrupt("JPEG ends before its end marker")
        marker = data[pos + 1]
        if marker == 0xD9:  # EOI
            return _Layout(pos + 2, compressed, segments)
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:  # markers without a length
            pos += 2
            continue
        if marker in (0x00, 0xD8) or pos + 4 > size:
            raise _corrupt("JPEG has a stray marker")
        length = (data[pos + 2] << 8) | data[pos + 3]
        end = pos + 2 + length
        if length < 2 or end > size:
            raise _corrupt("JPEG segment runs past the end of the file")
        segments.append((marker, pos, end))
        pos = end
        if marker == 0xDA:  # SOS: entropy-coded data follows, up to the next real marker
            scan_end = _scan_end(data, pos)
            compressed.append((pos, scan_end))
            pos = scan_end


def _scan_end(data: bytes, pos: int) -> int:
    size = len(data)
    while True:
        found = data.find(b"\xff", pos)
        if found < 0 or found + 1 >= size:
            raise _corrupt("JPEG scan data is cut off")
        following = data[found + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
            pos = found + 1 if following == 0xFF else found + 2
            continue
        return found


def _png_layout(data: bytes) -> _Layout:
    size = len(data)
    pos = len(PNG_MAGIC)
    compressed: list[tuple[int, int]] = []
    first = True
    while True:
        if pos + 12 > size:
            raise _corrupt("PNG ends before its IEND chunk")
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        end = pos + 12 + length
        if end > size or length > 0x7FFFFFFF:
            raise _corrupt("PNG chunk runs past the end of the file")
        if first and kind != b"IHDR":
            raise _corrupt("PNG does not start with IHDR")
        first = False
        if kind in (b"IDAT", b"fdAT"):
            compressed.append((pos + 8, pos + 8 + length))
        pos = end
        if kind == b"IEND":
            return _Layout(pos, compressed, [])


def _declared_trailer(data: bytes, layout: _Layout) -> list[tuple[int, int]]:
    """The further pictures of a multi-picture JPEG (MPF), which must fill the rest."""
    pictures = _mpf_pictures(data, layout.segments)
    cursor = layout.end
    compressed: list[tuple[int, int]] = []
    for start, length in sorted(pictures):
        if start != cursor or not data.startswith(JPEG_MAGIC, start):
            raise ImageRefused(Refusal.POLYGLOT, "bytes after the end marker not declared by MPF")
        try:
            inner = _jpeg_layout(data[: start + length], start)
        except ImageRefused:
            raise ImageRefused(Refusal.POLYGLOT, "an MPF picture is not a JPEG") from None
        if inner.end != start + length:
            raise ImageRefused(Refusal.POLYGLOT, "an MPF picture does not fill its space")
        compressed += inner.compressed
        cursor = start + length
    if cursor != len(data):
        raise ImageRefused(Refusal.POLYGLOT, "bytes after the end marker")
    return compressed


def _mpf_pictures(data: bytes, segments: list[tuple[int, int, int]]) -> list[tuple[int, int]]:
    """(absolute offset, size) of every picture after the first in the MPF index."""
    for marker, start, end in segments:
        if marker == 0xE2 and data[start + 4 : start + 8] == b"MPF\x00":
            return _parse_mpf(data, start + 8, end)
    raise ImageRefused(Refusal.POLYGLOT, "bytes after the end marker")


def _parse_mpf(data: bytes, header: int, segment_end: int) -> list[tuple[int, int]]:
    order = {b"II*\x00": "<", b"MM\x00*": ">"}.get(data[header : header + 4])
    bad = ImageRefused(Refusal.POLYGLOT, "the MPF index is not readable")
    if order is None:
        raise bad
    try:
        (ifd,) = struct.unpack(order + "I", data[header + 4 : header + 8])
        (count,) = struct.unpack(order + "H", data[header + ifd : header + ifd + 2])
        for index in range(count):
            entry = header + ifd + 2 + 12 * index
            tag, _type, size, offset = struct.unpack(order + "HHII", data[entry : entry + 12])
            if tag != 0xB002:  # MPEntry: 16 bytes per picture
                continue
            table = data[header + offset : header + offset + size]
            if header + offset + size > segment_end or size % 16:
                raise bad
            entries = [
                struct.unpack(order + "IIIHH", table[i : i + 16]) for i in range(0, size, 16)
            ]
            return [(header + off, length) for _attr, length, off, _d1, _d2 in entries[1:]]
    except struct.error:
        raise bad from None
    raise bad


def _refuse_markup(data: bytes, compressed: list[tuple[int, int]]) -> None:
    view = memoryview(data)
    cursor = 0
    for start, end in sorted(compressed):
        if _MARKUP_IN_METADATA.search(view[cursor:start]) or _MARKUP_ANYWHERE.search(
            view[start:end]
        ):
            raise ImageRefused(Refusal.POLYGLOT, "markup inside the file")
        cursor = end
    if _MARKUP_IN_METADATA.search(view[cursor:]):
        raise ImageRefused(Refusal.POLYGLOT, "markup inside the file")


# --- pixels ----------------------------------------------------------------------


def _open(data: bytes, kind: str, limits: ImageLimits) -> Image.Image:
    formats = ["JPEG"] if kind == "jpeg" else ["PNG"]
    try:
        picture = Image.open(io.BytesIO(data), formats=formats)  # reads the header only
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRefused(Refusal.TOO_MANY_PIXELS, "over Pillow's pixel limit") from None
    except Exception as exc:  # an untrusted file can break a parser in many ways
        raise _corrupt(f"header unreadable ({type(exc).__name__})") from None
    width, height = picture.size
    if width * height > limits.max_pixels:
        raise ImageRefused(Refusal.TOO_MANY_PIXELS, f"{width}x{height} in the header")
    if not fits_minimum(width, height, limits.min_width, limits.min_height):
        raise ImageRefused(Refusal.TOO_SMALL, f"{width}x{height}")
    try:
        picture.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRefused(Refusal.TOO_MANY_PIXELS, "over Pillow's pixel limit") from None
    except Exception as exc:
        raise _corrupt(f"pixels undecodable ({type(exc).__name__})") from None
    return picture


def _clean(picture: Image.Image) -> Normalised:
    try:
        oriented = ImageOps.exif_transpose(picture) or picture
        rgb = _to_rgb(oriented)
    except Exception as exc:
        raise _corrupt(f"pixels unconvertible ({type(exc).__name__})") from None
    rgb.info.clear()  # a JPEG save would otherwise carry the comment or ICC profile over
    width, height = rgb.size
    thumbnail = rgb
    if width > THUMBNAIL_WIDTH:
        thumb_height = max(1, round(height * THUMBNAIL_WIDTH / width))
        thumbnail = rgb.resize(
            (THUMBNAIL_WIDTH, thumb_height), Image.Resampling.LANCZOS, reducing_gap=3.0
        )
    return Normalised(
        jpeg=_jpeg(rgb),
        thumbnail=_jpeg(thumbnail),
        width=width,
        height=height,
        pixel_sha256=pixel_fingerprint(rgb),
    )


def _to_rgb(picture: Image.Image) -> Image.Image:
    if picture.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N", "F"):
        # 16-bit grey: scale to 8 bits instead of letting convert() clip it white.
        picture = picture.convert("I").point(lambda value: value / 256).convert("L")
    if picture.mode in ("RGBA", "LA", "PA") or (
        picture.mode == "P" and "transparency" in picture.info
    ):
        rgba = picture.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return picture.convert("RGB")


def _jpeg(picture: Image.Image) -> bytes:
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=JPEG_QUALITY)
    return out.getvalue()


def pixel_fingerprint(rgb: Image.Image) -> str:
    """SHA-256 of the size and the RGB pixels, hashed a strip at a time to spare memory."""
    digest = hashlib.sha256(b"%dx%d:" % rgb.size)
    width, height = rgb.size
    for top in range(0, height, _HASH_STRIP_ROWS):
        digest.update(rgb.crop((0, top, width, min(height, top + _HASH_STRIP_ROWS))).tobytes())
    return digest.hexdigest()
