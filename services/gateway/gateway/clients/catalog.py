"""The catalog service as the gateway sees it.

This is the ONE place that knows the catalog's JSON: everything else in the
gateway uses the dataclasses below, so aligning with the catalog's API is an
edit here only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import quote

from common.service_client import Caller, ServiceClient, ServiceNotFound, ServiceRejected
from gateway.clients.cache import TTLCache

T = TypeVar("T")


@dataclass(frozen=True)
class Text:
    """A text in Simplified Chinese and English."""

    zh: str
    en: str

    def get(self, lang: str) -> str:
        return (self.en or self.zh) if lang == "en" else (self.zh or self.en)


@dataclass(frozen=True)
class Fee:
    version: int
    production_fen: int
    delivery_fen: int
    approval_ref: str
    effective_from: str | None

    @property
    def total_fen(self) -> int:
        return self.production_fen + self.delivery_fen


@dataclass(frozen=True)
class Rating:
    average: float | None
    count: int


@dataclass(frozen=True)
class Document:
    code: str
    title: Text
    description: Text | None


@dataclass(frozen=True)
class Choice:
    value: str
    label: Text


@dataclass(frozen=True)
class FormField:
    name: str
    type: str
    label: Text
    required: bool
    hint: Text | None
    choices: tuple[Choice, ...] = ()
    max_length: int | None = None
    section: str = "details"  # the task list's section: "details" or "vehicle"
    pattern: str | None = None  # a text answer's shape (a regular expression), when it has one


@dataclass(frozen=True)
class PickupOffice:
    code: str
    name: Text
    address: Text | None
    hours: Text | None
    title: Text | None = None


@dataclass(frozen=True)
class Delivery:
    courier: bool
    pickup_offices: tuple[PickupOffice, ...]


@dataclass(frozen=True)
class Item:
    code: str
    status: str
    title: Text
    description: Text
    sla_days: int | None
    fee: Fee | None
    rating: Rating
    deal_count: int
    required_documents: tuple[Document, ...] = ()
    form_fields: tuple[FormField, ...] = ()
    delivery: Delivery = field(default_factory=lambda: Delivery(False, ()))
    upcoming_fee: Fee | None = None


@dataclass(frozen=True)
class Withdrawal:
    """Why an item is off sale: what a draft of it shows its applicant."""

    title: Text
    withdrawn_at: str | None
    reason: str | None


@dataclass(frozen=True)
class Store:
    deal_count: int
    rating: Rating


class CatalogClient:
    def __init__(self, client: ServiceClient, cache: TTLCache | None = None) -> None:
        self._client = client
        self._cache = cache or TTLCache(0)

    def _public(self, caller: Caller, key: str, load: Callable[[], T]) -> T:
        """Public reads are the same for every anonymous caller, so they may be cached."""
        if caller.roles != ("public",):
            return load()
        return self._cache.get_or_load(key, load)

    def published_items(self, caller: Caller) -> list[Item]:
        return self._public(
            caller,
            "items",
            lambda: [_item(raw) for raw in _list(self._client.get("/items", caller=caller))],
        )

    def all_items(self, caller: Caller) -> list[Item]:
        body = self._client.get("/items", params={"status": "all"}, caller=caller)
        return [_item(raw) for raw in _list(body)]

    def item(self, code: str, caller: Caller) -> Item:
        return self._public(
            caller,
            f"item:{code}",
            lambda: _item(self._client.get(f"/items/{_segment(code)}", caller=caller)),
        )

    def store(self, caller: Caller) -> Store:
        def load() -> Store:
            raw = self._client.get("/store", caller=caller) or {}
            return Store(deal_count=_int(raw.get("deal_count")), rating=_rating(raw.get("rating")))

        return self._public(caller, "store", load)

    def change_fee(
        self,
        code: str,
        caller: Caller,
        *,
        production_fen: int,
        delivery_fen: int,
        approval_ref: str,
        effective_from: str | None,
    ) -> Item:
        body: dict[str, Any] = {
            "production_fen": production_fen,
            "delivery_fen": delivery_fen,
            "approval_ref": approval_ref,
        }
        if effective_from:
            body["effective_from"] = effective_from
        try:
            self._client.post(
                f"/items/{_segment(code)}/fees", json=_to_catalog(body), caller=caller
            )
        except ServiceRejected as error:
            error.errors = _from_catalog(error.errors)  # the fields by the gateway's names
            raise
        finally:
            self._cache.clear()
        return self.item(code, caller)

    def publish(self, code: str, caller: Caller) -> Item:
        try:
            return _item(self._client.post(f"/items/{_segment(code)}/publish", caller=caller))
        finally:
            self._cache.clear()

    def withdraw(self, code: str, caller: Caller, reason: str | None = None) -> Item:
        body = {"reason": reason} if reason else {}
        try:
            return _item(
                self._client.post(f"/items/{_segment(code)}/withdraw", json=body, caller=caller)
            )
        finally:
            self._cache.clear()

    def create_item(self, body: dict[str, Any], caller: Caller) -> Item:
        """A new item, a draft: `body` is the catalog's ItemCreate (item_form.parse)."""
        try:
            return _item(self._client.post("/items", json=body, caller=caller))
        finally:
            self._cache.clear()

    def withdrawal(self, code: str, caller: Caller) -> Withdrawal | None:
        """Why the item is off sale; None when it is not withdrawn (or unknown)."""
        try:
            raw = self._client.get(f"/items/{_segment(code)}/withdrawal", caller=caller)
        except ServiceNotFound:
            return None
        raw = raw if isinstance(raw, dict) else {}
        return Withdrawal(
            title=_text(raw.get("title")),
            withdrawn_at=raw.get("withdrawn_at"),
            reason=raw.get("reason") or None,
        )


# The gateway's names of a fee's fields → the catalog's names.
FEE_FIELDS = {
    "production_fen": "production_cost_fen",
    "delivery_fen": "courier_fee_fen",
    "approval_ref": "approval_reference",
    "effective_from": "effective_from",
}


def _to_catalog(body: dict[str, Any]) -> dict[str, Any]:
    return {FEE_FIELDS.get(name, name): value for name, value in body.items()}


def _from_catalog(errors: dict[str, Any] | None) -> dict[str, Any] | None:
    if not errors:
        return errors
    back = {theirs: ours for ours, theirs in FEE_FIELDS.items()}
    return {back.get(name, name): messages for name, messages in errors.items()}


def _segment(code: str) -> str:
    return quote(code, safe="")


def _list(body: Any) -> list[dict[str, Any]]:
    if isinstance(body, dict):
        body = body.get("items", [])
    return [raw for raw in body or [] if isinstance(raw, dict)]


def _int(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def _text(raw: Any) -> Text:
    if isinstance(raw, dict):
        return Text(zh=str(raw.get("zh") or ""), en=str(raw.get("en") or ""))
    return Text(zh=str(raw or ""), en=str(raw or ""))


def _maybe_text(raw: Any) -> Text | None:
    return _text(raw) if raw else None


def _rating(raw: Any) -> Rating:
    raw = raw if isinstance(raw, dict) else {}
    milli = raw.get("average_milli")
    count = _int(raw.get("count"))
    return Rating(average=milli / 1000 if milli is not None and count else None, count=count)


def _fee(raw: Any) -> Fee | None:
    if not isinstance(raw, dict):
        return None
    return Fee(
        version=_int(raw.get("version")),
        production_fen=_int(raw.get("production_cost_fen")),
        delivery_fen=_int(raw.get("courier_fee_fen")),
        approval_ref=str(raw.get("approval_reference") or ""),
        effective_from=raw.get("effective_from"),
    )


def _delivery(raw: Any) -> Delivery:
    options = [option for option in raw or [] if isinstance(option, dict)]
    offices = tuple(
        PickupOffice(
            code=str(option.get("code") or ""),
            name=_text((option.get("office") or {}).get("name") or option.get("title")),
            address=_maybe_text((option.get("office") or {}).get("address")),
            hours=_maybe_text((option.get("office") or {}).get("hours")),
            title=_maybe_text(option.get("title")),
        )
        for option in options
        if option.get("kind") == "pickup"
    )
    courier = any(option.get("kind") == "courier" for option in options)
    return Delivery(courier=courier, pickup_offices=offices)


def _item(raw: dict[str, Any]) -> Item:
    return Item(
        code=str(raw["code"]),
        status=str(raw.get("status") or "published"),
        title=_text(raw.get("title")),
        description=_text(raw.get("description")),
        sla_days=raw.get("sla_working_days"),
        fee=_fee(raw.get("fee")),
        rating=_rating(raw.get("rating")),
        deal_count=_int(raw.get("deal_count")),
        required_documents=tuple(
            Document(
                code=str(doc.get("code") or ""),
                title=_text(doc.get("title")),
                description=_maybe_text(doc.get("guidance")),
            )
            for doc in raw.get("required_documents") or []
            if isinstance(doc, dict)
        ),
        form_fields=tuple(
            FormField(
                name=str(question.get("name") or ""),
                type=str(question.get("type") or "text"),
                label=_text(question.get("label")),
                required=bool(question.get("required")),
                hint=_maybe_text(question.get("hint")),
                choices=tuple(
                    Choice(value=str(choice.get("value") or ""), label=_text(choice.get("label")))
                    for choice in question.get("choices") or []
                    if isinstance(choice, dict)
                ),
                max_length=question.get("max_length"),
                # The catalog names each field's section; an older catalog names none.
                section=str(question.get("section") or "details"),
                pattern=question.get("pattern") or None,
            )
            for question in raw.get("form_fields") or []
            if isinstance(question, dict)
        ),
        delivery=_delivery(raw.get("delivery_options")),
        upcoming_fee=_fee(raw.get("upcoming_fee")),
    )
