"""The store front, an item's page and the language switch."""

from __future__ import annotations

from flask import Blueprint, redirect, request
from werkzeug.wrappers import Response

from gateway import browser, journey
from gateway.context import gateway
from gateway.i18n import normalise_language
from gateway.pages import lang, render

bp = Blueprint("store_pages", __name__)


@bp.get("/")
def index() -> tuple[str, int]:
    caller = browser.caller_for(browser.current_principal())
    catalog = gateway().catalog
    items = catalog.published_items(caller)
    store = catalog.store(caller)
    return render("store.html", items=items, store=store)


@bp.get("/items/<code>")
def item(code: str) -> tuple[str, int]:
    caller = browser.caller_for(browser.current_principal())
    found = gateway().catalog.item(code, caller)
    return render(
        "item.html", item=found, page_title=found.title.get(lang()), attempt=journey.new_attempt()
    )


@bp.get("/language")
def language() -> Response:
    """Set the language cookie and go back to the page the visitor was on."""
    chosen = normalise_language(request.args.get("lang"))
    response = redirect(browser.safe_next(request.args.get("next")), code=303)
    response.set_cookie(
        browser.LANGUAGE_COOKIE,
        chosen,
        max_age=365 * 24 * 3600,
        httponly=True,
        secure=gateway().settings.session_cookie_secure,
        samesite="Lax",
    )
    return response
