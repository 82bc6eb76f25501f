"""The delivery desks' rules without I/O: words for fulfillment's answers, the
staff's selections and codes, and the pickup code's QR code."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from gateway import delivering
from gateway.i18n import translate


def test_each_courier_state_has_its_chinese_courier_word():
    said = {s: translate(delivering.tracking_key(s), "zh-CN") for s in delivering.TRACKING_STATES}
    assert said == {
        "collected": "揽收",
        "in_transit": "在途",
        "out_for_delivery": "派件",
        "signed": "签收",
        "problem": "疑难",
        "refused": "退签",
        "returned": "退回",
    }


def test_an_unknown_courier_state_is_said_in_words_not_as_its_code():
    key = delivering.tracking_key("lost_in_space")
    assert translate(key, "en") == "In progress"
    assert "lost_in_space" not in translate(key, "zh-CN")


def test_a_selection_keeps_each_ticked_row_once_in_the_order_shown():
    assert delivering.selected_ids(["b", " a ", "b", "", "c"]) == ["b", "a", "c"]


def test_an_empty_or_oversized_selection_is_refused_before_fulfillment_is_asked():
    assert delivering.selection_error([]) == "delivery.refused.none_selected"
    assert delivering.selection_error([str(n) for n in range(51)]) == "delivery.refused.too_many"
    assert delivering.selection_error(["one"]) is None


def test_a_plate_differing_from_the_form_is_told_apart_from_a_bad_format():
    differs = ["The plate made must equal the plate on the application form."]
    assert (
        delivering.credential_refusal_key("licence-plate-replacement", differs)
        == "production.refused.plate_differs"
    )
    assert (
        delivering.credential_refusal_key("driving-licence-replacement", ["12 digits"])
        == "production.refused.format.driving-licence-replacement"
    )
    assert delivering.credential_refusal_key("a-new-item", []) == "production.refused.format.other"


def test_the_attempts_left_are_read_from_fulfillments_field_errors():
    assert delivering.attempts_left({"code": ["Wrong code"], "attempts_left": [3]}) == 3
    assert delivering.attempts_left({"attempts_left": ["2"]}) == 2
    assert delivering.attempts_left({"code": ["locked"]}) is None


def test_a_typed_pickup_code_drops_spaces_and_dashes_and_must_be_six_digits():
    assert delivering.clean_code(" 123-456 ") == "123456"
    assert delivering.code_error("123456") is None
    assert delivering.code_error("12345") == "counter.refused.code_format"
    assert delivering.grouped_code("123456") == "123 456"


def test_receipt_is_offered_only_once_delivered():
    assert delivering.can_confirm_receipt("delivered")
    assert not delivering.can_confirm_receipt("shipped")
    assert not delivering.can_confirm_receipt("completed")


def test_only_approved_and_later_orders_have_a_job_to_ask_fulfillment_for():
    assert delivering.has_job("shipped") and delivering.has_job("approved")
    assert not delivering.has_job("in_review") and not delivering.has_job("draft")


def test_the_qr_code_is_an_svg_with_its_title_and_no_script():
    svg = delivering.qr_svg("123456", title="取件码二维码")
    root = ET.fromstring(svg)  # noqa: S314 - the SVG the gateway itself just made
    assert root.tag.endswith("svg")
    assert root.find("{http://www.w3.org/2000/svg}title").text == "取件码二维码"
    assert "<script" not in svg


def test_the_qr_code_differs_with_the_code_it_carries():
    assert delivering.qr_svg("123456", title="t") != delivering.qr_svg("654321", title="t")
