"""The gateway's web app. Everything is built inside `create_app`; importing
this module opens no connection. Run `python -m gateway.migrate` first."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, g, redirect, request, url_for
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.middleware.proxy_fix import ProxyFix

from common.clock import Clock, SystemClock
from common.db import make_engine, make_session_factory
from common.errors import DomainError, flatten_field_errors, problem
from common.input_guard import ControlCharactersRefused
from common.logging import configure_logging
from common.web import create_service_app, database_check
from gateway import (
    api,
    api_applications,
    api_chat,
    api_contact,
    api_delivery,
    api_inbox,
    api_ratings,
    api_staff,
    api_staff_chat,
    api_staff_fulfillment,
    api_staff_notifications,
    api_staff_ratings,
    browser,
    uploads,
)
from gateway.clients.cache import TTLCache
from gateway.clients.catalog import CatalogClient
from gateway.clients.chat import ChatClient
from gateway.clients.fulfillment import FulfillmentClient
from gateway.clients.http import GatewayServiceClient
from gateway.clients.notifications import NotificationsClient
from gateway.clients.orders import OrdersClient
from gateway.clients.ratings import RatingsClient
from gateway.clients.review_rules import ReviewRulesClient
from gateway.clients.reviews import ReviewsClient
from gateway.clients.stats_cache import BoundedTTLCache
from gateway.clients.verification import VerificationClient
from gateway.context import Gateway
from gateway.i18n import install_babel, normalise_language, translate
from gateway.pages import (
    account_deletion,
    accounts,
    applications,
    apply,
    audit,
    complaints,
    contact,
    counter,
    dashboard,
    delivery,
    dispatch,
    documents,
    inbox,
    install_template_helpers,
    item_editor,
    order_actions,
    payment,
    preferences,
    production,
    ratings,
    render,
    resubmit,
    review_decisions,
    reviews,
    sandbox_outbox,
    staff,
    staff_notifications,
    stats,
    store,
    wallet_sandbox,
)
from gateway.passwords import make_hasher
from gateway.settings import Settings

log = logging.getLogger("gateway.errors")


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> Flask:
    settings = settings or Settings.from_env()
    configure_logging("gateway", settings.log_format)
    engine = make_engine(settings.database_url)
    app, smorest = create_service_app(
        "gateway",
        title="Vehicle licensing store: public API",
        internal_token_secret=settings.internal_token_secret,
        readiness={"database": database_check(engine)},
        verify_internal_tokens=False,
        config={"MAX_CONTENT_LENGTH": 64 * 1024},
        outbox_engine=engine,
    )
    install_babel(app)
    if settings.trusted_proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.trusted_proxies)  # type: ignore[method-assign]

    def service(name: str, url: str, not_found: str) -> GatewayServiceClient:
        return GatewayServiceClient(
            name,
            url,
            token_secret=settings.internal_token_secret,
            timeout_seconds=settings.service_timeout_seconds,
            read_retries=settings.service_read_retries,
            not_found=not_found,
        )

    catalog = service("catalog", settings.catalog_url, "item.not_found")
    verification = service("verification", settings.verification_url, "application.not_found")
    app.extensions["gateway"] = Gateway(
        settings=settings,
        session_factory=make_session_factory(engine),
        hasher=make_hasher(),
        catalog=CatalogClient(catalog, TTLCache(settings.catalog_cache_seconds)),
        orders=OrdersClient(service("orders", settings.orders_url, "application.not_found")),
        verification=VerificationClient(verification),
        chat=ChatClient(verification),
        reviews=ReviewsClient(
            service("verification", settings.verification_url, "review.not_found"),
            service("orders", settings.orders_url, "review.not_found"),
        ),
        review_rules=ReviewRulesClient(verification),
        clock=clock or SystemClock(),
        fulfillment=_fulfillment_client(settings),
        notifications=NotificationsClient(
            service("notifications", settings.notifications_url, "inbox.not_found")
        ),
        ratings=RatingsClient(
            service("ratings", settings.ratings_url, "ratings.not_found"),
            BoundedTTLCache(settings.stats_cache_seconds),
        ),
    )
    app.extensions["gateway.engine"] = engine
    smorest.spec.components.security_scheme(
        "bearer", {"type": "http", "scheme": "bearer", "description": "POST /api/v1/sessions"}
    )
    smorest.register_blueprint(api.blp)
    smorest.register_blueprint(api_applications.blp)
    smorest.register_blueprint(api_chat.blp)
    smorest.register_blueprint(api_staff.blp)
    smorest.register_blueprint(api_staff_chat.blp)
    smorest.register_blueprint(api_delivery.blp)
    smorest.register_blueprint(api_staff_fulfillment.blp)
    smorest.register_blueprint(api_inbox.blp)
    smorest.register_blueprint(api_staff_notifications.blp)
    smorest.register_blueprint(api_ratings.blp)
    smorest.register_blueprint(api_staff_ratings.blp)
    smorest.register_blueprint(api_contact.blp)
    pages = (
        store.bp,
        accounts.bp,
        staff.bp,
        item_editor.bp,
        apply.bp,
        documents.bp,
        payment.bp,
        applications.bp,
        resubmit.bp,
    )
    for blueprint in pages:
        app.register_blueprint(blueprint)
    for blueprint in (reviews.bp, review_decisions.bp, order_actions.bp, audit.bp):
        app.register_blueprint(blueprint)  # the review console
    for blueprint in (production.bp, dispatch.bp, counter.bp, delivery.bp):
        app.register_blueprint(blueprint)  # making and delivering
    for blueprint in (ratings.bp, complaints.bp, complaints.staff_bp, stats.bp):
        app.register_blueprint(blueprint)  # rating, complaints, statistics
    notifying = (inbox.bp, preferences.bp, sandbox_outbox.bp, staff_notifications.bp)
    # the inbox and its settings; the account's contact; deleting an account
    for blueprint in (*notifying, account_deletion.bp, contact.bp):
        app.register_blueprint(blueprint)
    wallet_sandbox.install(app, settings)  # orders' wallet sandbox pages, while in use
    delivery.install(app)
    ratings.install(app)
    dashboard.install(app)
    uploads.install(app, settings.max_upload_bytes)  # before browser: its CSRF check reads the body
    browser.install(app)
    install_template_helpers(app)
    _install_error_handlers(app, settings)
    return app


def _fulfillment_client(settings: Settings) -> FulfillmentClient:
    """Fulfillment, and orders for the receipt, on the gateway's client, so
    their refusals speak the gateway's words as every other client's do."""

    def service(url: str, audience: str) -> GatewayServiceClient:
        return GatewayServiceClient(
            audience,
            url,
            token_secret=settings.internal_token_secret,
            timeout_seconds=settings.service_timeout_seconds,
            read_retries=settings.service_read_retries,
            not_found="application.not_found",
        )

    return FulfillmentClient(
        service(settings.fulfillment_url, "fulfillment"), service(settings.orders_url, "orders")
    )


def _install_error_handlers(app: Flask, settings: Settings) -> None:
    """Pages get an HTML page in the visitor's language; the API and the
    operational endpoints get problem+json (in English unless asked)."""

    def api_language() -> str:
        return normalise_language(
            request.accept_languages.best_match(["en", "zh-CN", "zh"]) or "en"
        )

    def as_problem(
        status: int, title: str, detail: str, errors: Any = None, slug: str | None = None
    ) -> Response:
        lang = api_language()
        translated = None
        if errors:
            # A service's nested errors arrive flat already; flatten again so
            # that no caller's shape can become a Python repr here.
            translated = {
                name: [translate(str(message), lang) for message in messages]
                for name, messages in flatten_field_errors(errors).items()
            }
        response = problem(status, title, translate(detail, lang), slug=slug, errors=translated)
        if status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
        return response

    def as_page(status: int, title_key: str, message: str, **values: Any) -> Any:
        if status == 401:
            return redirect(url_for("account_pages.sign_in", next=request.full_path.rstrip("?")))
        lang = g.get("lang") or "zh-CN"
        body, code = render(
            "error.html",
            status,
            page_title=translate(title_key, lang),
            message=translate(message, lang, **values),
            back=request.path if status == 413 else None,
        )
        return Response(body, status=code, mimetype="text/html")

    page_titles = {
        400: "csrf.title",
        403: "auth.forbidden_title",
        404: "error.not_found_title",
        409: "error.conflict_title",
        413: "error.too_large_title",
        429: "error.too_many_title",
        503: "upstream.title",
    }

    @app.errorhandler(DomainError)
    def _domain(error: DomainError) -> Any:
        if browser.is_page_request():
            message = (
                "error.control_characters"
                if isinstance(error, ControlCharactersRefused)
                else error.detail
            )
            return as_page(error.status, page_titles.get(error.status, "error.title"), message)
        return as_problem(error.status, error.title, error.detail, error.errors, error.slug)

    @app.errorhandler(ValidationError)
    def _validation(error: ValidationError) -> Any:
        errors = flatten_field_errors(error.messages)
        return as_problem(422, "The request has invalid fields", "form.invalid", errors)

    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(_error: RequestEntityTooLarge) -> Any:
        uploads.drain_refused_body()
        megabytes = settings.max_upload_bytes // (1024 * 1024)
        if browser.is_page_request():
            return as_page(413, "error.too_large_title", "error.too_large", megabytes=megabytes)
        return as_problem(
            413, "The file is too large", "upload.too_large", {"file": ["too-large"]}, "too-large"
        )

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> Any:
        status = error.code or 500
        data = getattr(error, "data", None) or {}
        if not browser.is_page_request() or request.path.startswith("/static/"):
            messages = data.get("messages") if isinstance(data, dict) else None
            if messages:
                merged = flatten_field_errors(messages)
                names = ", ".join(sorted(merged))
                return as_problem(
                    status,
                    "The request has invalid fields",
                    f"Check these fields: {names}.",
                    merged,
                )
            return problem(status, error.name, error.description)
        key = {404: "error.not_found", 403: "auth.forbidden", 405: "error.method"}.get(
            status, "error.bad_request"
        )
        return as_page(status, page_titles.get(status, "error.title"), key)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Any:
        log.exception("unhandled error", exc_info=error)
        if browser.is_page_request():
            return as_page(500, "error.title", "error.internal")
        return problem(
            500, "Internal error", "Something went wrong on our side; it has been logged."
        )
