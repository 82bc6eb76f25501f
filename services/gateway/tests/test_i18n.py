"""Every text exists in both languages, with the same placeholders."""

from __future__ import annotations

import string

from gateway.i18n import MESSAGES, normalise_language, translate


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_message_has_chinese_and_english_with_the_same_placeholders() -> None:
    for key, (zh, en) in MESSAGES.items():
        assert zh.strip() and en.strip(), key
        assert _placeholders(zh) == _placeholders(en), key


def test_chinese_is_the_default_and_unknown_languages_fall_back_to_it() -> None:
    assert normalise_language(None) == "zh-CN"
    assert normalise_language("fr") == "zh-CN"
    assert normalise_language("en-GB") == "en"
    assert translate("site.store") == "服务店"
    assert translate("site.store", "en") == "Store"
    assert translate("not a key", "en") == "not a key"
