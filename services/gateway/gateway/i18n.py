"""Every text the gateway shows, from the gettext catalogs in ../translations.

A text is addressed by a key ("site.name", f"status.{state}") and the key is
the msgid in every catalog: translations/zh_CN/LC_MESSAGES/messages.po holds
the Simplified Chinese (the default), translations/en/... the English. Pages,
error summaries and API problem documents all take their words from there;
nothing user-facing is written anywhere else. A message may carry `{name}`
placeholders filled by `translate(key, lang, name=...)` (str.format, so a
literal "%" needs no escaping). `make messages` extracts the keys, updates the
catalogs and compiles the .mo files that are read here.

A language is a catalog: a new folder under translations/ (its `language.name`
message is the name the language switch shows) is a new language, no code.
"""

from __future__ import annotations

from functools import cache
from gettext import GNUTranslations
from pathlib import Path
from typing import Any

from babel import Locale
from flask import Flask, g

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
DEFAULT_LANGUAGE = "zh-CN"


def N_(key: str) -> str:  # noqa: N802 - gettext's name for "a key, translated later"
    """Marks a key written outside translate() so `make messages` extracts it."""
    return key


def language_tag(catalog_folder: str) -> str:
    """A catalog's folder name (gettext's zh_CN) as the tag pages use (zh-CN)."""
    return catalog_folder.replace("_", "-")


def catalog_folder(tag: str) -> str:
    return tag.replace("-", "_")


def languages_in(directory: Path) -> tuple[str, ...]:
    """The languages that have a compiled catalog, the default one first."""
    found = sorted(
        language_tag(path.parent.parent.name)
        for path in directory.glob("*/LC_MESSAGES/messages.mo")
    )
    if DEFAULT_LANGUAGE not in found:
        raise RuntimeError(f"no compiled catalog for {DEFAULT_LANGUAGE} in {directory}")
    return (DEFAULT_LANGUAGE, *(tag for tag in found if tag != DEFAULT_LANGUAGE))


@cache
def catalog(language: str, directory: Path = TRANSLATIONS) -> dict[str, str]:
    """The compiled catalog of one language: key → text."""
    path = directory / catalog_folder(language) / "LC_MESSAGES" / "messages.mo"
    with path.open("rb") as compiled:
        messages: dict[str, str] = GNUTranslations(compiled)._catalog  # type: ignore[attr-defined]
    return {key: text for key, text in messages.items() if key}  # "" is the header


def normalise_language(raw: str | None, languages: tuple[str, ...] | None = None) -> str:
    """One of the languages: the exact tag, else the same language (en-GB → en,
    any zh → zh-CN), else the default."""
    known = languages or LANGUAGES
    wanted = (raw or "").strip().lower().replace("_", "-")
    if not wanted:
        return DEFAULT_LANGUAGE
    for tag in known:
        if tag.lower() == wanted:
            return tag
    primary = wanted.split("-")[0]
    for tag in known:
        if tag.lower().split("-")[0] == primary:
            return tag
    return DEFAULT_LANGUAGE


def is_key(text: str) -> bool:
    return text in catalog(DEFAULT_LANGUAGE)


def translate(key: str, lang: str = DEFAULT_LANGUAGE, /, **values: Any) -> str:
    """The message in the language; a text that is not a key passes through unchanged."""
    text = catalog(normalise_language(lang)).get(key, key)
    return text.format(**values) if values else text


def babel_locale(lang: str) -> Locale:
    return Locale.parse(catalog_folder(lang))


def install_babel(app: Flask) -> None:
    """Flask-Babel's locale is the page's language (browser.py's choice, in
    g.lang) and its time zone Beijing's: gateway.formatting formats by them.
    Texts come from translate() (templates: `_('key', name=...)`), which takes
    the language as an argument, so an API problem can be in the language its
    Accept-Language asks for; Flask-Babel's own Jinja gettext is not installed,
    so no template can use a second, %-style way of translating."""
    from flask_babel import Babel

    Babel(
        app,
        configure_jinja=False,
        default_locale=catalog_folder(DEFAULT_LANGUAGE),
        default_timezone="Asia/Shanghai",
        default_translation_directories=str(TRANSLATIONS),
        locale_selector=lambda: babel_locale(g.get("lang") or DEFAULT_LANGUAGE),
    )


# Read from the folder once, at import: the catalogs ship with the code.
LANGUAGES = languages_in(TRANSLATIONS)
LANGUAGE_NAMES = {tag: translate("language.name", tag) for tag in LANGUAGES}
