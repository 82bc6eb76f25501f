"""The applicant's message preferences: SMS and email on or off and the
language of the messages. The in-app inbox and the messages the applicant must
receive cannot be switched off; notifications decides, and its 422 names the
field, said here in words beside it."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, request, url_for

from common.service_client import ServiceRejected
from gateway import browser
from gateway.clients.notifications import Preferences
from gateway.i18n import translate
from gateway.pages import lang, loading, render
from gateway.pages.inbox import notifications

bp = Blueprint("preference_pages", __name__)
LANGUAGES = ("zh-CN", "en")
SWITCHES = ("sms", "email")


def read_form(form: Any) -> dict[str, Any]:
    """The form as notifications takes it: a switch is on when its box is ticked;
    the language is passed as chosen, for notifications to refuse by name."""
    changes: dict[str, Any] = {name: form.get(name) == "on" for name in SWITCHES}
    language = str(form.get("language", "")).strip()
    if language:
        changes["language"] = language
    return changes


def refusal_messages(errors: dict[str, Any]) -> dict[str, list[str]]:
    """Notifications' field errors as the gateway's words, one key per field."""
    return {
        name: [translate(f"preferences.refused.{name}", lang())]
        for name in errors
        if name in (*SWITCHES, "language", "inapp")
    } or {"language": [translate("preferences.refused.language", lang())]}


def _page(prefs: Preferences, errors: dict[str, list[str]] | None = None, status: int = 200):  # type: ignore[no-untyped-def]
    return render(
        "inbox/preferences.html",
        status,
        page_title=translate("preferences.title", lang()),
        prefs=prefs,
        languages=LANGUAGES,
        errors=errors or {},
    )


@bp.get("/account/notifications")
@browser.applicant_page
def preferences() -> tuple[str, int]:
    return _page(notifications().preferences(loading.applicant()))  # type: ignore[no-any-return]


@bp.post("/account/notifications")
@browser.applicant_page
def save() -> Any:
    client = notifications()
    try:
        client.change_preferences(loading.applicant(), read_form(request.form))
    except ServiceRejected as error:
        return _page(
            client.preferences(loading.applicant()), refusal_messages(error.errors or {}), 422
        )
    return redirect(
        url_for("preference_pages.preferences", notice="preferences.notice.saved"), code=303
    )
