"""The server-rendered pages: the store, accounts and the staff desk."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Flask, g, render_template, request
from markupsafe import Markup, escape

from common.errors import DomainError
from gateway import browser, formatting, inbox_view
from gateway.clients.catalog import FormField, Rating, Text
from gateway.i18n import LANGUAGE_NAMES, LANGUAGES, translate
from gateway.pages.unread import inbox_unread, unread_total

NOTICES = frozenset(
    {
        "notice.published",
        "notice.withdrawn",
        "notice.fee_saved",
        "notice.registered",
        "notice.signed_out",
        "notice.signed_in",
        "notice.cancelled",
        "notice.photo_uploaded",
        "notice.message_sent",
        "notice.resubmitted",
        "delivery.notice.address_saved",
        "delivery.notice.received",
        "complaints.notice.replied",
        "ratings.notice.rated",
        "ratings.notice.followed_up",
    }
) | frozenset(inbox_view.NOTICES)


def lang() -> str:
    return str(g.get("lang") or "zh-CN")


def render(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    notice = request.args.get("notice")
    context.setdefault("notice", notice if notice in NOTICES else None)
    context.setdefault("errors", {})
    context.setdefault("form", {})
    return render_template(template, **context), status


def field_errors(error: DomainError) -> dict[str, list[str]]:
    """The refusal's field messages in the visitor's language."""
    return {
        name: [translate(str(message), lang()) for message in _as_list(messages)]
        for name, messages in (error.errors or {}).items()
    }


def _as_list(messages: Any) -> list[Any]:
    return messages if isinstance(messages, list) else [messages]


def _rating_text(rating: Rating) -> str:
    if not rating.count or rating.average is None:
        return translate("rating.none", lang())
    return translate(
        "rating.text",
        lang(),
        average=formatting.one_decimal(rating.average, lang()),
        count=formatting.number(rating.count, lang()),
    )


def _stars(average: float | None) -> str:
    full = round(average or 0)
    return "★" * full + "☆" * (5 - full)


def _answer_text(question: FormField, value: str) -> str:
    """An answer as the applicant chose it: a choice's label, not its code."""
    for choice in question.choices:
        if choice.value == value:
            return choice.label.get(lang())
    return value


def _language_url(code: str) -> str:
    query = urlencode({"lang": code, "next": request.full_path.rstrip("?")})
    return f"/language?{query}"


def _page_text(key: str, **values: Any) -> Markup:
    """A catalog text in the page's language, its values escaped; a value that is
    markup already (a name marked as a name, see `verbatim`) is kept as markup."""
    text = escape(translate(key, lang()))
    return text.format(**values) if values else text


def verbatim(value: Any, language: str | None = None) -> Markup:
    """Text that is not the page's own words: a name, a reference, something a person
    typed. `translate="no"` says so to translators and to the page-text check;
    `language` marks a name in another language (lang="zh-CN") for screen readers."""
    if language:
        return Markup('<span lang="{}" translate="no">{}</span>').format(language, value)
    return Markup('<span translate="no">{}</span>').format(value)


def install_template_helpers(app: Flask) -> None:
    app.jinja_env.globals.update(
        _=_page_text,
        verbatim=verbatim,
        csrf_token=browser.csrf_token,
        yuan=formatting.money,
        number=formatting.number,
        rating_text=_rating_text,
        stars=_stars,
        day=formatting.day,
        when=formatting.moment,
        answer_text=_answer_text,
        text=lambda value: value.get(lang()) if isinstance(value, Text) else str(value or ""),
        language_url=_language_url,
        unread_total=unread_total,
        inbox_unread=inbox_unread,
        template_key=inbox_view.template_key,
        channel_key=inbox_view.channel_key,
        reason_key=inbox_view.reason_key,
        receipt_key=inbox_view.receipt_key,
        other_languages=lambda: [
            (code, LANGUAGE_NAMES[code]) for code in LANGUAGES if code != lang()
        ],
    )

    @app.context_processor
    def _page_context() -> dict[str, Any]:
        return {"lang": lang(), "principal": browser.current_principal()}
