"""The catalog's HTTP API: thin views that parse, call one use case, dump.

Reads need any valid internal token (the gateway signs `public` for visitors);
changes need the `supervisor` role. The role check runs before the body is
parsed, so a caller without the role learns nothing about the input rules.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, current_app
from flask.views import MethodView
from flask_smorest import Api, Blueprint

from catalog import services
from catalog.schemas import (
    FeeHistoryEntryOut,
    FeeHistoryOut,
    FeeIn,
    ItemChangeIn,
    ItemCreateIn,
    ItemListOut,
    ItemListQuery,
    ItemOut,
    StoreOut,
    WithdrawalOut,
    WithdrawIn,
)
from common.auth import current_identity, require_roles
from common.db import UnitOfWork

STAFF_WRITER = "supervisor"
UOW_FACTORY = "catalog.uow_factory"

blp = Blueprint("catalog", __name__, description="Service items and their approved fees")


def register(app: Flask, api: Api, *, uow_factory: Callable[[], UnitOfWork]) -> None:
    """Give the views their units of work and register the blueprint."""
    app.extensions[UOW_FACTORY] = uow_factory
    api.register_blueprint(blp)


def _uow() -> UnitOfWork:
    factory: Callable[[], UnitOfWork] = current_app.extensions[UOW_FACTORY]
    return factory()


def _staff() -> bool:
    return current_identity().is_staff


def _actor() -> str:
    return current_identity().subject


_STAFF_ONLY = {403: {"description": "the caller is not a supervisor"}}


@blp.route("/items")
class Items(MethodView):
    @blp.arguments(ItemListQuery, location="query")
    @blp.response(200, ItemListOut)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """List items: published ones for everyone; staff may filter by any status."""
        return {"items": services.list_items(_uow(), status=query["status"], staff=_staff())}

    @require_roles(STAFF_WRITER)
    @blp.arguments(ItemCreateIn)
    @blp.response(201, ItemOut)
    @blp.doc(responses=_STAFF_ONLY)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Create an item as a draft."""
        return services.create_item(_uow(), data, actor=_actor())


@blp.route("/items/<code>")
class OneItem(MethodView):
    @blp.response(200, ItemOut)
    def get(self, code: str) -> dict[str, Any]:
        """One item with its documents, form, delivery options and the fee in force."""
        return services.get_item(_uow(), code, staff=_staff())

    @require_roles(STAFF_WRITER)
    @blp.arguments(ItemChangeIn)
    @blp.response(200, ItemOut)
    @blp.doc(responses=_STAFF_ONLY)
    def patch(self, changes: dict[str, Any], code: str) -> dict[str, Any]:
        """Change texts, SLA, documents, form fields or delivery options."""
        return services.change_item(_uow(), code, changes, actor=_actor())


@blp.route("/items/<code>/fees")
class Fees(MethodView):
    @blp.response(200, FeeHistoryOut)
    def get(self, code: str) -> dict[str, Any]:
        """The item's fee history, newest version first."""
        return services.fee_history(_uow(), code, staff=_staff())

    @require_roles(STAFF_WRITER)
    @blp.arguments(FeeIn)
    @blp.response(201, FeeHistoryEntryOut)
    @blp.doc(responses=_STAFF_ONLY)
    def post(self, fee: dict[str, Any], code: str) -> dict[str, Any]:
        """Add a fee version (now, or from a future date); history is never rewritten."""
        return services.change_fee(_uow(), code, fee, actor=_actor())


@blp.route("/items/<code>/publish")
class Publish(MethodView):
    @require_roles(STAFF_WRITER)
    @blp.response(200, ItemOut)
    @blp.doc(responses=_STAFF_ONLY)
    def post(self, code: str) -> dict[str, Any]:
        """Put the item on sale (needs a fee in force and a delivery option)."""
        return services.publish_item(_uow(), code, actor=_actor())


@blp.route("/items/<code>/withdraw")
class Withdraw(MethodView):
    @require_roles(STAFF_WRITER)
    @blp.arguments(WithdrawIn)
    @blp.response(200, ItemOut)
    @blp.doc(responses=_STAFF_ONLY)
    def post(self, body: dict[str, Any], code: str) -> dict[str, Any]:
        """Take a published item off sale."""
        return services.withdraw_item(_uow(), code, body["reason"], actor=_actor())


@blp.route("/items/<code>/withdrawal")
class Withdrawal(MethodView):
    @blp.response(200, WithdrawalOut)
    def get(self, code: str) -> dict[str, Any]:
        """Why a withdrawn item is off sale (any caller); 404 unless it is withdrawn."""
        return services.withdrawal(_uow(), code)


@blp.route("/store")
class Store(MethodView):
    @blp.response(200, StoreOut)
    def get(self) -> dict[str, Any]:
        """The store's deal count and rating."""
        return services.store_summary(_uow())
