"""Every text exists in every catalog, with the same placeholders; the compiled
catalogs are those of the .po files; a language is a catalog folder."""

from __future__ import annotations

import gettext
import shutil
import string
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from gateway import i18n
from gateway.i18n import TRANSLATIONS, normalise_language, translate

GATEWAY = TRANSLATIONS.parent
# The same keywords as `make messages` passes to pybabel extract (-k translate -k _t).
KEYWORDS = {**DEFAULT_KEYWORDS, "translate": None, "_t": None}


def _po(language: str) -> Catalog:
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as source:
        return read_po(source)


def _extracted_keys() -> set[str]:
    with (GATEWAY / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    found = extract_from_dir(str(GATEWAY), method_map, options_map, keywords=KEYWORDS)
    return {message for _, _, message, _, _ in found if isinstance(message, str)}


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


CATALOGS = sorted(path.name for path in TRANSLATIONS.iterdir() if path.is_dir())


def test_the_catalogs_are_chinese_and_english() -> None:
    assert CATALOGS == ["en", "zh_CN"]


@pytest.mark.parametrize("language", CATALOGS)
def test_every_key_the_code_and_templates_use_has_a_text_and_no_other_key_is_kept(
    language: str,
) -> None:
    used = _extracted_keys()
    catalog = _po(language)
    texts = {message.id: message.string for message in catalog if message.id}
    assert sorted(used - set(texts)) == [], "missing: run `make messages`, then translate"
    assert sorted(set(texts) - used) == [], "not used by the code or message_keys.py"
    assert [key for key, text in texts.items() if not str(text).strip()] == []
    assert [message.id for message in catalog if message.fuzzy and message.id] == []
    assert list(catalog.obsolete) == [], (
        "`make messages` dropped these: list them in message_keys.py"
    )


def test_every_message_has_the_same_placeholders_in_every_language() -> None:
    chinese = {message.id: str(message.string) for message in _po("zh_CN") if message.id}
    for language in CATALOGS:
        for message in _po(language):
            if message.id:
                assert _placeholders(str(message.string)) == _placeholders(chinese[message.id]), (
                    language,
                    message.id,
                )


@pytest.mark.parametrize("language", CATALOGS)
def test_the_compiled_catalog_holds_exactly_the_texts_of_the_po_file(language: str) -> None:
    folder = TRANSLATIONS / language / "LC_MESSAGES"
    with (folder / "messages.mo").open("rb") as compiled:
        shipped = gettext.GNUTranslations(compiled)._catalog  # type: ignore[attr-defined]
    wanted = {message.id: message.string for message in _po(language) if message.id}
    assert {key: text for key, text in shipped.items() if key} == wanted, "run `make messages`"


def test_chinese_is_the_default_and_unknown_languages_fall_back_to_it() -> None:
    assert normalise_language(None) == "zh-CN"
    assert normalise_language("fr") == "zh-CN"
    assert normalise_language("en-GB") == "en"
    assert normalise_language("zh-TW") == "zh-CN"
    assert translate("site.store") == "服务店"
    assert translate("site.store", "en") == "Store"
    assert translate("site.signed_in_as", "en", label="李娜") == "Signed in as 李娜"
    assert translate("not a key", "en") == "not a key"


def test_each_language_is_named_in_its_own_words() -> None:
    assert i18n.LANGUAGES == ("zh-CN", "en")
    assert i18n.LANGUAGE_NAMES == {"zh-CN": "简体中文", "en": "English"}


def test_a_third_catalog_folder_is_a_third_language(tmp_path: Path) -> None:
    shutil.copytree(TRANSLATIONS, tmp_path, dirs_exist_ok=True)
    french = Catalog(locale="fr")
    french.add("language.name", "Français")
    french.add("site.store", "Boutique")
    folder = tmp_path / "fr" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (folder / "messages.mo").open("wb") as compiled:
        write_mo(compiled, french)

    languages = i18n.languages_in(tmp_path)
    assert languages == ("zh-CN", "en", "fr")
    assert normalise_language("fr-CA", languages) == "fr"
    assert i18n.catalog("fr", tmp_path)["site.store"] == "Boutique"
    assert i18n.catalog("fr", tmp_path)["language.name"] == "Français"
