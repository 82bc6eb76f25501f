"""The printable label: a Code 128 barcode of the waybill, the recipient with a
masked phone, the office as sender, and nothing a browser would run."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from fulfillment.labels import code128_svg, render_label

ADDRESS = {"recipient": "张三", "phone": "13912345678", "province": "山东省",
           "city": "青岛市", "district": "市南区", "street": "香港中路 76 号"}  # fmt: skip
SENDER = {
    "name": "青岛市车辆管理所",
    "phone": "0532-12345678",
    "address": "青岛市市南区南京路 1 号",
}


def label() -> str:
    return render_label(waybill="EA000000014CN", carrier="EMS", reference="LT20260302000042",
                        recipient=ADDRESS, sender=SENDER)  # fmt: skip


def test_the_label_is_well_formed_svg_with_the_waybill_and_the_barcode() -> None:
    root = ET.fromstring(label())  # noqa: S314 - our own output
    assert root.tag.endswith("svg")
    assert "EA000000014CN" in label()
    bars = [e for e in root.iter() if e.tag.endswith("rect")]
    assert len(bars) > 30  # the Code 128 bars, nested inside


def test_the_barcode_differs_with_the_waybill_it_encodes() -> None:
    assert code128_svg("EA000000014CN") != code128_svg("EA000000028CN")


def test_the_label_shows_the_phone_masked_and_never_whole() -> None:
    text = label()
    assert "139****5678" in text
    assert "13912345678" not in text


def test_the_label_names_the_office_as_sender_and_runs_no_script() -> None:
    text = label()
    assert "青岛市车辆管理所" in text
    assert "<script" not in text.lower() and "onload" not in text.lower()


def test_text_from_the_address_is_escaped() -> None:
    text = render_label(waybill="EA000000014CN", carrier="EMS", reference="LT1",
                        recipient={**ADDRESS, "street": "<script>x</script>"}, sender=SENDER)  # fmt: skip
    assert "<script>" not in text
    ET.fromstring(text)  # noqa: S314 - our own output


def _barcode_and_number(text: str) -> tuple[ET.Element, ET.Element]:
    root = ET.fromstring(text)  # noqa: S314 - our own output
    nested = next(e for e in root if e.tag.endswith("svg"))
    number = next(e for e in root if e.tag.endswith("text") and e.text == "EA000000014CN")
    return nested, number


def test_the_waybill_number_is_printed_under_the_bars_without_touching_them() -> None:
    # A scanner misreads bars a glyph crosses, and a courier cannot read a number
    # struck through by bars: the number's top (baseline - font size) clears the bars'
    # bottom and stays above the line that closes the barcode's panel (y = 50).
    nested, number = _barcode_and_number(label())
    bars_bottom = float(nested.get("y", 0)) + float(nested.get("height", 0))
    top = float(number.get("y", 0)) - float(number.get("font-size", 0))
    baseline = float(number.get("y", 0))
    assert top >= bars_bottom + 1, f"the number's top {top} overlaps the bars ending {bars_bottom}"
    assert baseline < 50
    assert number.get("text-anchor") == "middle"
