"""The templates: both languages render, an SMS fits one segment with the short
link, the pickup code stays out of email, and bad templates or values are refused."""

from __future__ import annotations

from typing import Any

import pytest
from notifications import templates
from notifications.settings import SMS_LINK_BASE_MAX
from notifications.templates import TEMPLATES, TemplateError, render

from common.events.consumer import PermanentFailure

# Realistic and long: the longest reference, a link base as long as settings allow.
REFERENCE = "LT20260302000042"
SMS_LINK = "https://" + "x" * (SMS_LINK_BASE_MAX - len("https://")) + f"/a/{REFERENCE}"
LINK = "https://licensing.example.gov.cn/applications/5b0f6c1e-8d3a-4f7e-9a51-2c4d8e6f1a20"
VALUES: dict[str, Any] = {
    "reference": REFERENCE,
    "amount": "¥2500.00",
    "documents": "本人手持身份证照片、居民身份证人像面",
    "deadline": "12月31日17:35",
    "reason": "照片中的人与身份证不符",
    "carrier": "EMS",
    "waybill": "EA000000014CN",
    "what_to_do": "快递员联系不上您。请保持电话畅通。",
    "office": "青岛市公安局交通警察支队车辆管理所（市南业务大厅）",
    "hours": "周一至周五 9:00–12:00，13:30–17:00",
    "pickup_code": "482913",
}
EN_DEADLINE = {"deadline": "31 Dec 17:35 (Beijing time)"}


def values_for(key: str, language: str) -> dict[str, Any]:
    values = {**VALUES, **(EN_DEADLINE if language == "en" else {})}
    return {name: values[name] for name in TEMPLATES[key].fields}


@pytest.mark.parametrize("key", sorted(TEMPLATES))
def test_every_template_uses_only_its_fields_links_the_order_and_keeps_the_code_out_of_email(key):
    templates.check(TEMPLATES[key])


@pytest.mark.parametrize("key", sorted(TEMPLATES))
def test_every_chinese_sms_fits_one_segment_of_70_characters_with_its_link(key):
    sms = render(key, "zh-CN", values_for(key, "zh-CN"), LINK, SMS_LINK).sms
    assert SMS_LINK in sms
    assert len(sms) <= 70, f"{key}: {len(sms)} characters: {sms}"


@pytest.mark.parametrize("key", sorted(TEMPLATES))
def test_every_english_sms_fits_one_segment_of_160_characters_with_its_link(key):
    sms = render(key, "en", values_for(key, "en"), LINK, SMS_LINK).sms
    assert SMS_LINK in sms
    assert len(sms) <= 160, f"{key}: {len(sms)} characters: {sms}"


def test_a_dispatch_message_reads_in_chinese_and_in_english():
    values = {"reference": REFERENCE, "carrier": "EMS", "waybill": "EA000000014CN"}
    zh = render("dispatched", "zh-CN", values, LINK, SMS_LINK)
    en = render("dispatched", "en", values, LINK, SMS_LINK)
    assert zh.title == "证件已寄出"
    assert zh.body == f"申请 {REFERENCE} 的证件已由 EMS 寄出，运单号 EA000000014CN。"
    assert en.title == "On its way"
    assert "waybill EA000000014CN" in en.body
    assert LINK in zh.email and LINK in en.email


def test_the_inbox_text_holds_no_address_for_the_reader_to_read_past():
    """The inbox links the order beside the message; an address in the text
    would be a string of Latin letters and numbers on a Chinese page."""
    for key in TEMPLATES:
        for language in ("zh-CN", "en"):
            text = render(key, language, values_for(key, language), LINK, SMS_LINK)
            assert "http" not in text.body, f"{key} {language}: {text.body}"


def test_the_pickup_code_is_in_the_inbox_and_the_sms_but_never_in_the_email():
    for language in ("zh-CN", "en"):
        text = render(
            "pickup_ready", language, values_for("pickup_ready", language), LINK, SMS_LINK
        )
        assert "482913" in text.body and "482913" in text.sms
        assert "482913" not in text.email and "482913" not in text.title


def test_an_unknown_template_is_refused_as_a_permanent_failure():
    with pytest.raises(PermanentFailure, match="unknown template 'birthday'"):
        render("birthday", "zh-CN", {}, LINK, SMS_LINK)


def test_a_missing_field_is_refused_naming_it():
    with pytest.raises(TemplateError, match="dispatched: missing waybill"):
        render("dispatched", "zh-CN", {"reference": REFERENCE, "carrier": "EMS"}, LINK, SMS_LINK)


@pytest.mark.parametrize("text", ["{reference.__class__}", "{reference[0]}", "{reference!r}",
                                  "{reference:>99}"])  # fmt: skip
def test_a_placeholder_that_is_not_a_plain_name_is_refused(text):
    with pytest.raises(TemplateError, match="plain field name"):
        templates.placeholders(text)


def test_a_template_using_an_undeclared_field_is_refused():
    bad = templates.Template("bad", ("reference",), {
        "zh-CN": {"title": "t", "body": "{id_number} {link}", "sms": "{link}", "email": "{link}"},
    })  # fmt: skip
    with pytest.raises(TemplateError, match="uses \\['id_number'\\]"):
        templates.check(bad)


def test_no_template_declares_an_id_number_or_a_picture():
    declared = {name for item in TEMPLATES.values() for name in item.fields}
    assert not {n for n in declared if "id_number" in n or "picture" in n or "photo" in n}
