"""The picture checks on their own: no database, no HTTP, pictures drawn here."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image, ImageFile

from verification.domain import Refusal
from verification.images import ImageLimits, ImageRefused, normalise, pixel_fingerprint

from ..pictures import drawing, encode, forged_png, jpeg_segments, png_chunk

LIMITS = ImageLimits(max_pixels=40_000_000, min_width=640, min_height=480)


def refusal(data: bytes, limits: ImageLimits = LIMITS) -> Refusal:
    with pytest.raises(ImageRefused) as refused:
        normalise(data, limits)
    return refused.value.reason


def compressed_one_bit_png(width: int, height: int) -> bytes:
    """A real, valid PNG of width × height black pixels in a few dozen kilobytes."""
    row = b"\x00" + bytes((width + 7) // 8)
    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )


def test_a_real_20000_pixel_square_png_is_refused_without_decoding_it(monkeypatch) -> None:
    bomb = compressed_one_bit_png(20000, 20000)
    assert len(bomb) < 100_000  # 400 million pixels in under 100 kB

    def no_decoding(_self: ImageFile.ImageFile) -> None:
        raise AssertionError("the pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    assert refusal(bomb) == Refusal.TOO_MANY_PIXELS
    assert refusal(bomb, ImageLimits(10**9, 640, 480)) == Refusal.TOO_MANY_PIXELS  # Pillow's guard


def test_a_picture_just_over_the_pixel_limit_is_refused_and_one_at_it_accepted() -> None:
    small_limit = ImageLimits(max_pixels=800 * 600, min_width=640, min_height=480)
    assert refusal(encode(drawing(801, 600)), small_limit) == Refusal.TOO_MANY_PIXELS
    assert normalise(encode(drawing(800, 600)), small_limit).width == 800


def test_a_jpeg_whose_header_claims_a_huge_size_is_refused_before_decoding() -> None:
    data = bytearray(encode(drawing(1024, 768)))
    sof = next(i for i in range(2, len(data)) if data[i] == 0xFF and data[i + 1] == 0xC0)
    data[sof + 5 : sof + 9] = struct.pack(">HH", 30000, 30000)  # height, width
    assert refusal(bytes(data)) == Refusal.TOO_MANY_PIXELS


@pytest.mark.parametrize(("width", "height"), [(639, 480), (640, 479), (479, 640)])
def test_a_picture_under_the_minimum_is_too_small(width, height) -> None:
    assert refusal(encode(drawing(width, height))) == Refusal.TOO_SMALL


def test_the_minimum_holds_in_either_orientation() -> None:
    assert normalise(encode(drawing(480, 640)), LIMITS).height == 640


@pytest.mark.parametrize(
    "markup",
    [b"<html>", b"<SCRIPT src=x>", b"<?php system($_GET[1]); ?>", b"<svg onload=alert(1)>",
     b"<iframe src=x>", b"<!DOCTYPE html>", b"%PDF-1.7"],
)  # fmt: skip
def test_markup_in_a_jpeg_comment_is_a_polyglot(markup) -> None:
    assert refusal(encode(drawing(), comment=b"note " + markup)) == Refusal.POLYGLOT


def test_markup_in_a_png_text_chunk_is_a_polyglot() -> None:
    data = encode(drawing(), "PNG")
    end = data.rindex(b"IEND") - 4
    text = png_chunk(b"tEXt", b"Comment\x00<script>alert(1)</script>")
    assert refusal(data[:end] + text + data[end:]) == Refusal.POLYGLOT


def test_a_zip_appended_to_a_jpeg_is_a_polyglot() -> None:
    archive = b"PK\x03\x04" + bytes(40) + b"PK\x05\x06" + bytes(18)
    assert refusal(encode(drawing()) + archive) == Refusal.POLYGLOT


def test_even_zero_padding_after_the_end_marker_is_refused() -> None:
    assert refusal(encode(drawing()) + bytes(16)) == Refusal.POLYGLOT


def test_a_php_payload_inside_the_compressed_pixel_data_is_a_polyglot() -> None:
    # A stored (uncompressed) deflate block carries bytes verbatim into IDAT,
    # the classic way to hide code in a PNG that survives naive checks.
    payload = b"<?php echo 1; ?>"
    stored = b"\x78\x01" + b"\x01" + struct.pack("<HH", len(payload), len(payload) ^ 0xFFFF)
    data = forged_png(800, 600, idat=stored + payload + struct.pack(">I", zlib.adler32(payload)))
    assert refusal(data) == Refusal.POLYGLOT


def test_an_hdr_photo_with_its_gain_map_declared_in_mpf_is_accepted() -> None:
    # Android "Ultra HDR" and iPhone HDR JPEGs carry a second picture after the
    # first one's end, declared in the MPF index; they are ordinary phone photos.
    out = io.BytesIO()
    drawing(1024, 768).save(out, "MPO", save_all=True, append_images=[drawing(256, 192, 1)])
    data = out.getvalue()
    assert data.count(b"\xff\xd8\xff") >= 2
    clean = normalise(data, LIMITS)
    assert Image.open(io.BytesIO(clean.jpeg)).format == "JPEG"
    assert 0xE2 not in jpeg_segments(clean.jpeg)
    assert refusal(data + b"<html>") == Refusal.POLYGLOT
    assert refusal(data + bytes(4)) == Refusal.POLYGLOT


@pytest.mark.parametrize(
    "mangle",
    [
        lambda d: d[:-2],  # no end marker
        lambda d: d[:200],  # cut inside the headers
        lambda d: d[:4] + b"\x00\x01" + d[6:],  # a segment length that makes no sense
    ],
)
def test_a_broken_jpeg_is_corrupt(mangle) -> None:
    assert refusal(mangle(encode(drawing()))) == Refusal.CORRUPT


def test_a_png_with_a_wrong_checksum_is_corrupt() -> None:
    data = bytearray(encode(drawing(), "PNG"))
    data[29] ^= 0xFF  # inside the IHDR's CRC
    assert refusal(bytes(data)) == Refusal.CORRUPT


def test_a_png_not_starting_with_its_header_is_corrupt() -> None:
    data = encode(drawing(), "PNG")
    assert refusal(data[:8] + png_chunk(b"tEXt", b"a\x00b") + data[8:]) == Refusal.CORRUPT


def test_transparency_is_flattened_onto_white() -> None:
    picture = Image.new("RGBA", (800, 600), (255, 0, 0, 0))
    clean = normalise(encode(picture, "PNG"), LIMITS)
    red, green, blue = Image.open(io.BytesIO(clean.jpeg)).getpixel((10, 10))
    assert min(red, green, blue) > 245


def test_a_16_bit_grey_scan_keeps_its_tones() -> None:
    picture = Image.new("I;16", (800, 600), 32768)
    clean = normalise(encode(picture, "PNG"), LIMITS)
    grey = Image.open(io.BytesIO(clean.jpeg)).convert("L").getpixel((10, 10))
    assert 120 < grey < 136


def test_the_fingerprint_ignores_metadata_but_not_pixels() -> None:
    plain = normalise(encode(drawing(seed=1), "PNG"), LIMITS)
    tagged = normalise(encode(drawing(seed=1), "PNG", dpi=(300, 300)), LIMITS)
    other = normalise(encode(drawing(seed=2), "PNG"), LIMITS)
    assert plain.pixel_sha256 == tagged.pixel_sha256 != other.pixel_sha256


def test_the_fingerprint_sees_the_picture_upright() -> None:
    upright = drawing(800, 600, seed=3)
    exif = Image.Exif()
    exif[0x0112] = 6  # stored turned; the camera says turn it clockwise
    turned = normalise(
        encode(upright.transpose(Image.Transpose.ROTATE_90), "PNG", exif=exif.tobytes()), LIMITS
    )
    assert turned.pixel_sha256 == pixel_fingerprint(upright)


def test_a_progressive_jpeg_with_many_scans_is_accepted() -> None:
    data = encode(drawing(seed=4), progressive=True)
    assert sum(1 for i in range(len(data) - 1) if data[i : i + 2] == b"\xff\xda") > 1
    assert normalise(data, LIMITS).width == 1024


def test_a_cmyk_jpeg_comes_out_as_rgb() -> None:
    clean = normalise(encode(drawing(seed=5).convert("CMYK")), LIMITS)
    assert Image.open(io.BytesIO(clean.jpeg)).mode == "RGB"


def test_a_noisy_photo_full_of_random_looking_data_is_not_mistaken_for_markup() -> None:
    noisy = Image.effect_noise((2000, 1500), 90).convert("RGB")
    data = encode(noisy, quality=97)
    assert len(data) > 1_500_000
    assert normalise(data, LIMITS).width == 2000
