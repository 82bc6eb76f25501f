"""The printable shipping label: an SVG (100 × 150 mm, the courier's thermal
label size) with a Code 128 barcode of the waybill number drawn by
python-barcode, the recipient's name, masked phone and address, and the
office as sender. Plain SVG: it prints from any browser and needs no script.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from xml.sax.saxutils import escape

import barcode
from barcode.writer import SVGWriter

from fulfillment.domain import mask_phone

# The waybill is written by the label under the bars (write_text off): python-barcode's
# own text is sized in points inside a drawing the label scales, so it would not land
# where the label's layout expects. Quiet zone: Code 128 asks for 10 modules each side.
_BARCODE_OPTIONS = {"module_width": 0.3, "module_height": 12.0, "quiet_zone": 3.0,
                    "write_text": False, "compress": False}  # fmt: skip
BARCODE_TOP, BARCODE_WIDTH = 13.0, 90.0
WAYBILL_SIZE, WAYBILL_GAP = 5.0, 2.5  # mm: the number's font size, and its clearance


def code128_svg(value: str) -> str:
    """The barcode as an <svg> element (no XML prolog), to nest in the label."""
    rendered = barcode.get("code128", value, writer=SVGWriter()).render(_BARCODE_OPTIONS)
    text = rendered.decode() if isinstance(rendered, bytes) else str(rendered)
    return text[text.index("<svg") :]


def _nested(svg: str, x: float, y: float, width: float) -> tuple[str, float]:
    """Place an <svg> at (x, y) mm, `width` mm wide, its drawing scaled to fit; with the
    height it takes (mm), which depends on the number of modules the value needs."""
    size = re.search(r'width="([\d.]+)mm" height="([\d.]+)mm"', svg)
    if size is None:  # pragma: no cover - python-barcode always sizes in mm
        raise ValueError("the barcode has no size")
    w, h = float(size.group(1)), float(size.group(2))
    height = h * width / w
    head = (
        f'<svg x="{x}" y="{y}" width="{width:.2f}" height="{height:.2f}" '
        f'viewBox="0 0 {w} {h}" preserveAspectRatio="none"'
    )
    body = svg[svg.index(">") + 1 :].replace("mm", "")
    return head + ">" + body, height


def _barcode_with_number(waybill: str) -> list[str]:
    """The bars, then the number centred under them, clear of the bars whatever the
    waybill's length (the bars' height scales with their width)."""
    bars, height = _nested(code128_svg(waybill), (100 - BARCODE_WIDTH) / 2, BARCODE_TOP,
                           BARCODE_WIDTH)  # fmt: skip
    baseline = BARCODE_TOP + height + WAYBILL_GAP + WAYBILL_SIZE
    number = _text(50, round(baseline, 2), waybill, WAYBILL_SIZE, "bold").replace(
        "<text ", '<text text-anchor="middle" letter-spacing="0.4" ', 1
    )
    return [bars, number]


def _text(x: float, y: float, value: str, size: float = 4.0, weight: str = "normal") -> str:
    return (
        f'<text x="{x}" y="{y}" font-size="{size}" font-weight="{weight}" '
        f'font-family="sans-serif">{escape(value)}</text>'
    )


def render_label(
    *,
    waybill: str,
    carrier: str,
    reference: str,
    recipient: Mapping[str, str],
    sender: Mapping[str, str],
) -> str:
    """The label as an SVG document."""
    street = " ".join(
        recipient.get(part, "") for part in ("province", "city", "district", "street")
    ).strip()
    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" width="100mm" height="150mm" '
        'viewBox="0 0 100 150" role="img" '
        f'aria-label="{escape(carrier)} {escape(waybill)}">',
        '<rect x="0" y="0" width="100" height="150" fill="white" stroke="black" stroke-width="0.4"/>',
        _text(4, 9, f"{carrier} 标准快递", 6, "bold"),
        _text(60, 9, reference, 3.2),
        *_barcode_with_number(waybill),
        '<line x1="0" y1="50" x2="100" y2="50" stroke="black" stroke-width="0.3"/>',
        _text(4, 57, "收件人 Recipient", 3),
        _text(
            4,
            64,
            f"{recipient.get('recipient', '')}  {mask_phone(recipient.get('phone', ''))}",
            5,
            "bold",
        ),
        *_wrapped(4, 71, street, 24, 4.2),
        '<line x1="0" y1="95" x2="100" y2="95" stroke="black" stroke-width="0.3"/>',
        _text(4, 102, "寄件人 Sender", 3),
        _text(4, 108, f"{sender.get('name', '')}", 3.4),
        _text(4, 114, f"{sender.get('phone', '')}", 3.4),
        *_wrapped(4, 120, sender.get("address", ""), 28, 3.4),
        "</svg>",
    ]
    return "\n".join(parts)


def _wrapped(x: float, y: float, value: str, width: int, size: float) -> list[str]:
    lines = [value[i : i + width] for i in range(0, len(value), width)] or [""]
    return [_text(x, y + index * (size + 1.6), line, size) for index, line in enumerate(lines[:4])]
