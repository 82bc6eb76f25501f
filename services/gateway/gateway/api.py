"""The public JSON API, /api/v1: thin views (parse, call one use case, dump).

API clients authenticate with a bearer token from POST /api/v1/sessions;
cookies are never read here, so the API needs no CSRF token.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import g, request
from flask_smorest import Blueprint

from common.errors import Forbidden, Unauthorized
from gateway import services
from gateway.clients.http import ANONYMOUS, Caller
from gateway.context import gateway
from gateway.i18n import normalise_language
from gateway.schemas import (
    AccountOut,
    FeeIn,
    ItemOut,
    ItemSummaryOut,
    RegisterIn,
    SignInIn,
    StoreOut,
    TokenOut,
)

blp = Blueprint("api_v1", __name__, url_prefix="/api/v1", description="The public API")
log = logging.getLogger("gateway.api")
BEARER: list[dict[str, list[str]]] = [{"bearer": []}]


def _bearer() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("auth.needed")
    return token.strip()


def api_principal(*roles: str) -> services.Principal:
    principal = services.resolve_session(gateway().uow(), _bearer(), kind=services.API)
    if principal is None:
        raise Unauthorized("auth.needed")
    if roles and not principal.has_any(*roles):
        raise Forbidden("auth.forbidden")
    return principal


def api_caller(principal: services.Principal) -> Caller:
    return Caller(subject=principal.account_id, roles=principal.roles)


@blp.before_request
def _staff_first() -> None:
    """Staff endpoints check who is calling before they read the body."""
    if request.path.startswith("/api/v1/staff/"):
        g.api_principal = api_principal("supervisor")


def _supervisor() -> Caller:
    return api_caller(g.api_principal)


@blp.get("/items")
@blp.response(200, ItemSummaryOut(many=True))
def list_items() -> Any:
    """The published items, with fees, SLA, rating and deal count."""
    return gateway().catalog.published_items(ANONYMOUS)


@blp.get("/items/<code>")
@blp.response(200, ItemOut)
@blp.alt_response(404, description="No such item")
def get_item(code: str) -> Any:
    """One item: what you need, the questions, the fee breakdown, delivery options."""
    return gateway().catalog.item(code, ANONYMOUS)


@blp.get("/store")
@blp.response(200, StoreOut)
def get_store() -> Any:
    """The store's total deal count and rating."""
    return gateway().catalog.store(ANONYMOUS)


@blp.post("/accounts")
@blp.arguments(RegisterIn)
@blp.response(201, AccountOut)
@blp.alt_response(409, description="Cannot register with these details")
def register(body: dict[str, Any]) -> Any:
    """Register an applicant account (email or China mainland mobile number)."""
    app = gateway()
    # The messages' language until the applicant changes it: the one the client asks in.
    language = normalise_language(request.accept_languages.best_match(["en", "zh-CN", "zh"]))
    principal = services.register_applicant(
        app.uow(),
        app.hasher,
        identifier=body["identifier"],
        password=body["password"],
        language=language,
    )
    log.info("applicant registered", extra={"account_id": principal.account_id})
    return principal


@blp.post("/sessions")
@blp.arguments(SignInIn)
@blp.response(201, TokenOut)
@blp.alt_response(401, description="Wrong identifier or password")
@blp.alt_response(429, description="Too many failed attempts from this address")
def sign_in(body: dict[str, Any]) -> Any:
    """Sign in; answers a bearer token (only its hash is stored)."""
    app = gateway()
    principal = services.authenticate(
        app.uow(),
        app.hasher,
        app.sign_in_policy,
        identifier=body["identifier"],
        password=body["password"],
        ip=request.remote_addr or "unknown",
        kinds=(services.APPLICANT, services.STAFF),
    )
    token, expires = services.start_session(
        app.uow(), principal, kind=services.API, ttl_seconds=app.settings.api_token_ttl_seconds
    )
    return {"token": token, "token_type": "Bearer", "expires_at": expires, "account": principal}


@blp.delete("/sessions/current")
@blp.response(204)
@blp.doc(security=BEARER)
def sign_out() -> None:
    """Sign out: the bearer token stops working at once."""
    api_principal()
    services.end_session(gateway().uow(), _bearer())


@blp.get("/accounts/current")
@blp.response(200, AccountOut)
@blp.doc(security=BEARER)
def current_account() -> Any:
    """The account the bearer token belongs to."""
    return api_principal()


@blp.delete("/accounts/current")
@blp.response(204)
@blp.doc(security=BEARER)
def delete_account() -> None:
    """Delete the applicant's account: every session ends, notifications forgets it."""
    principal = api_principal("applicant")
    services.delete_applicant(gateway().uow(), principal)
    log.info("applicant deleted their account", extra={"account_id": principal.account_id})


@blp.get("/staff/items")
@blp.response(200, ItemSummaryOut(many=True))
@blp.doc(security=BEARER)
def staff_items() -> Any:
    """Every item in any status (supervisor)."""
    return gateway().catalog.all_items(_supervisor())


@blp.post("/staff/items/<code>/fees")
@blp.arguments(FeeIn)
@blp.response(201, ItemOut)
@blp.doc(security=BEARER)
def change_fee(body: dict[str, Any], code: str) -> Any:
    """Add a new fee version to an item (supervisor); the history is kept."""
    caller = _supervisor()
    starts = body.get("effective_from")
    return gateway().catalog.change_fee(
        code,
        caller,
        production_fen=body["production_fen"],
        delivery_fen=body["delivery_fen"],
        approval_ref=body["approval_ref"].strip(),
        effective_from=starts.isoformat() if starts else None,
    )


@blp.post("/staff/items/<code>/publish")
@blp.response(200, ItemOut)
@blp.doc(security=BEARER)
def publish(code: str) -> Any:
    """Publish an item (supervisor)."""
    return gateway().catalog.publish(code, _supervisor())


@blp.post("/staff/items/<code>/withdraw")
@blp.response(200, ItemOut)
@blp.doc(security=BEARER)
def withdraw(code: str) -> Any:
    """Withdraw an item from the store (supervisor)."""
    return gateway().catalog.withdraw(code, _supervisor())
