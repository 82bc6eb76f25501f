"""Server-made renditions of a document's picture: a size that fits a screen,
a larger one to zoom, or the stored original, turned by a quarter, half or
three-quarter turn.

A review page shows every photo of a case at once, so it must never draw a
4032 × 3024 phone photo at its own size; and the console works without
JavaScript, so zooming and turning are links to pictures the server makes.
A rendition is computed from the decrypted original on each request (Pillow's
JPEG draft mode decodes at the nearest power-of-two reduction first, so a fit
rendition of a large photo costs a fraction of a full decode) and is never
written anywhere: a cache of decrypted pictures would be one more copy of an
ID card to protect and purge.
"""

from __future__ import annotations

import io

from PIL import Image

from verification.images import JPEG_QUALITY

# The longest side of each size, in pixels; None keeps the original's.
SIZES: dict[str, int | None] = {"fit": 1280, "large": 2400, "full": None}
ROTATIONS = (0, 90, 180, 270)
# A turn clockwise by so many degrees, as Pillow's transposition.
_CLOCKWISE = {
    90: Image.Transpose.ROTATE_270,
    180: Image.Transpose.ROTATE_180,
    270: Image.Transpose.ROTATE_90,
}


def longest_side(size: str) -> int | None:
    return SIZES[size]


def render(jpeg: bytes, *, size: str = "full", rotate: int = 0) -> bytes:
    """The picture bounded to `size`'s longest side and turned `rotate` degrees
    clockwise. The original's bytes when nothing is to change."""
    bound = SIZES[size]
    with Image.open(io.BytesIO(jpeg)) as picture:
        too_big = bound is not None and max(picture.size) > bound
        if not too_big and rotate == 0:
            return jpeg
        if too_big and bound is not None:
            scale = bound / max(picture.size)
            target = (max(1, round(picture.width * scale)), max(1, round(picture.height * scale)))
            picture.draft("RGB", target)
            made = picture.convert("RGB")
            made.thumbnail((bound, bound), Image.Resampling.LANCZOS, reducing_gap=3.0)
        else:
            made = picture.convert("RGB")
    if rotate:
        made = made.transpose(_CLOCKWISE[rotate])
    out = io.BytesIO()
    made.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue()
