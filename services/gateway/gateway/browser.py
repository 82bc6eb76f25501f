"""The browser side of every page: the session cookie, CSRF tokens, the
language, sign-in guards and the security headers.

The cookie holds either `s.<id>` (a signed-in session whose SHA-256 is a row
of the sessions table) or `a.<id>` (an anonymous visitor). The CSRF token of a
form is an HMAC of that cookie value, so it is per session, changes at sign-in
and sign-out, and needs no storage; every POST to a page is checked.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlencode, urlsplit

from flask import Flask, Response, abort, current_app, g, redirect, request, url_for

from common.errors import DomainError
from gateway.clients.http import ANONYMOUS, Caller
from gateway.context import gateway
from gateway.i18n import DEFAULT_LANGUAGE, normalise_language
from gateway.services import BROWSER, Principal, resolve_session

SESSION_COOKIE = "gw_session"
LANGUAGE_COOKIE = "lang"
CSRF_FIELD = "csrf_token"
CSRF_EXEMPT = "gateway.csrf_exempt"  # app.extensions: names of blueprints not checked
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)


class CsrfFailed(DomainError):
    status = 400
    title = "The form's security token is missing or wrong"
    slug = "csrf-failed"


def is_page_request() -> bool:
    """Pages speak HTML; /api/v1 and the operational endpoints speak JSON."""
    path = request.path
    return not (
        path.startswith("/api/")
        or path in {"/healthz", "/readyz", "/metrics", "/openapi.json"}
        or path.startswith("/static/")
    )


def install(app: Flask) -> None:
    @app.before_request
    def _load_browser_state() -> None:
        g.lang = normalise_language(request.cookies.get(LANGUAGE_COOKIE) or DEFAULT_LANGUAGE)
        g.principal = None
        g.new_session_cookie = None
        if not is_page_request():
            return
        raw = request.cookies.get(SESSION_COOKIE, "")
        if raw.startswith("s.") and len(raw) < 100:
            g.principal = resolve_session(gateway().uow(), raw[2:], kind=BROWSER)
            if g.principal is None:
                raw = ""  # expired or signed out elsewhere: start again as a visitor
        if not (raw.startswith(("a.", "s.")) and len(raw) < 100):
            raw = "a." + secrets.token_urlsafe(24)
            g.new_session_cookie = raw
        g.session_key = raw
        if request.method == "POST" and request.blueprint not in current_app.extensions.get(
            CSRF_EXEMPT, ()
        ):
            check_csrf()

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        if is_page_request():
            response.headers["Cache-Control"] = "no-store"
            response.vary.add("Cookie")
            if g.get("new_session_cookie") is not None:
                _set_session_cookie(response, g.new_session_cookie)
        return response


def exempt_from_csrf(app: Flask, blueprint_name: str) -> None:
    """Pages that are not the gateway's own (the wallet sandbox's, forwarded to
    orders) post forms the gateway never made: they carry no CSRF token, and
    the gateway's session means nothing to them (none of it is sent on)."""
    app.extensions.setdefault(CSRF_EXEMPT, set()).add(blueprint_name)


def _set_session_cookie(response: Response, value: str) -> None:
    settings = gateway().settings
    signed_in = value.startswith("s.")
    response.set_cookie(
        SESSION_COOKIE,
        value,
        max_age=settings.session_ttl_seconds if signed_in else None,
        httponly=True,
        secure=settings.session_cookie_secure,
        samesite="Lax",
        path="/",
    )


def csrf_token() -> str:
    key = g.get("session_key") or ""
    secret = gateway().settings.secret_key.encode()
    return hmac.new(secret, b"csrf|" + key.encode(), hashlib.sha256).hexdigest()


def check_csrf() -> None:
    sent = request.form.get(CSRF_FIELD, "")
    if not sent or not hmac.compare_digest(sent, csrf_token()):
        raise CsrfFailed("csrf.failed")


def begin_session(raw_session_id: str) -> None:
    """Use a new signed-in session from this response on (and its new CSRF token)."""
    g.session_key = "s." + raw_session_id
    g.new_session_cookie = g.session_key


def end_browser_session() -> None:
    g.principal = None
    g.session_key = "a." + secrets.token_urlsafe(24)
    g.new_session_cookie = g.session_key


def current_session_id() -> str | None:
    key = g.get("session_key") or ""
    return key[2:] if key.startswith("s.") and g.get("principal") else None


def current_principal() -> Principal | None:
    return g.get("principal")  # type: ignore[no-any-return]


def caller_for(principal: Principal | None) -> Caller:
    if principal is None:
        return ANONYMOUS
    return Caller(subject=principal.account_id, roles=principal.roles)


def safe_next(raw: str | None, default: str = "/") -> str:
    """Only a path on this site: never an open redirect. Browsers read a backslash
    as a slash and drop tabs and newlines inside a URL, so "/" + backslash + "evil"
    would leave the site as "//evil" does; any of them, a scheme or a host, gives
    the default."""
    if not raw or not raw.startswith("/") or raw.startswith("//"):
        return default
    if "\\" in raw or any(ord(char) < 0x21 or ord(char) == 0x7F for char in raw):
        return default
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc:
        return default
    return raw


F = TypeVar("F", bound=Callable[..., Any])


def staff_page(*roles: str) -> Callable[[F], F]:
    """Staff only (with one of the roles, when named); visitors go to staff sign-in."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            principal = current_principal()
            if principal is None or not principal.is_staff:
                query = urlencode({"next": request.full_path.rstrip("?")})
                return redirect(url_for("staff_pages.sign_in") + "?" + query)
            if roles and not principal.has_any(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator


def applicant_page(view: F) -> F:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        principal = current_principal()
        if principal is None or principal.is_staff:
            query = urlencode({"next": request.full_path.rstrip("?")})
            return redirect(url_for("account_pages.sign_in") + "?" + query)
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
