"""The orders service as the gateway sees it.

This is the ONE place that knows the orders service's JSON: everything else in
the gateway uses the dataclasses below, so aligning with its API is an edit
here only. Money stays integer fen all the way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from common.service_client import Caller, ServiceClient
from gateway.clients.catalog import Text

# What an applicant may do with an order, as orders says in `allowed_actions`.
EDIT, SUBMIT, PAY, CANCEL = "edit", "submit", "pay", "cancel"
# The review's statuses the applicant's pages treat specially.
IN_REVIEW, NEEDS_RESUBMISSION, CAPTURE_FAILED = "in_review", "needs_resubmission", "capture_failed"
ADDRESS_FIELDS = ("recipient", "phone", "province", "city", "district", "street")


@dataclass(frozen=True)
class Address:
    recipient: str
    phone: str
    province: str
    city: str
    district: str
    street: str


@dataclass(frozen=True)
class Office:
    """The pickup office as the order keeps it from its item."""

    name: Text
    address: Text | None
    hours: Text | None


@dataclass(frozen=True)
class DeliveryChoice:
    kind: str  # "courier" or "pickup"
    address: Address | None = None
    office_code: str | None = None
    office: Office | None = None


@dataclass(frozen=True)
class Price:
    fee_version: int
    production_fen: int
    delivery_fen: int
    total_fen: int
    approval_ref: str
    locked: bool


@dataclass(frozen=True)
class Payment:
    id: str
    status: str  # created, processing, authorised, failed, voided, captured, refunded
    amount_fen: int
    captured_fen: int
    refunded_fen: int
    failure_reason: str | None
    card_last4: str | None
    updated_at: str | None
    # card, wallet_page or wallet_qr; a wallet's cashier URL or QR payload once opened.
    method: str = "card"
    paid_at_once: bool = False
    cashier_url: str | None = None
    qr_payload: str | None = None

    @property
    def settled(self) -> bool:
        """The provider has answered: no longer waiting for a webhook."""
        return self.status not in {"created", "processing"}


@dataclass(frozen=True)
class RequiredDocument:
    code: str
    title: Text


@dataclass(frozen=True)
class DocumentState:
    """What orders last heard from verification about the order's documents."""

    complete: bool
    missing: tuple[str, ...]


@dataclass(frozen=True)
class Order:
    id: str
    reference: str
    item_code: str
    item_title: Text
    applicant_id: str
    status: str
    answers: dict[str, str]
    missing_answers: tuple[str, ...]
    delivery: DeliveryChoice | None
    required_documents: tuple[RequiredDocument, ...]
    documents: DocumentState
    price: Price | None
    payment: Payment | None
    allowed_actions: frozenset[str]
    created_at: str | None
    updated_at: str | None
    submitted_at: str | None
    pay_by: str | None
    # The day (Beijing) the order should be done, from its item's SLA; None when nothing is promised.
    expected_completion: str | None = None

    def allows(self, action: str) -> bool:
        return action in self.allowed_actions

    @property
    def needs_new_photos(self) -> bool:
        return self.status == NEEDS_RESUBMISSION


@dataclass(frozen=True)
class TimelineEntry:
    """What happened, as data: `code` and its `params` (orders' docs/api.md lists them);
    gateway.timeline_text says it in the page's language."""

    at: str
    from_status: str | None
    to_status: str
    actor: str
    code: str
    params: dict[str, Any]
    actor_kind: str | None = None  # "applicant", "staff", "provider" or "system"


class OrdersClient:
    def __init__(self, client: ServiceClient) -> None:
        self._client = client

    def start(self, item_code: str, caller: Caller, *, idempotency_key: str) -> Order:
        """A new draft for the item; the same key answers the same draft (a double click)."""
        body = self._client.post(
            "/orders", json={"item_code": item_code}, caller=caller, idempotency_key=idempotency_key
        )
        return _order(body)

    def orders(self, caller: Caller, status: str | None = None) -> list[Order]:
        params = {"status": status} if status else None
        body = self._client.get("/orders", params=params, caller=caller) or {}
        return [_order(raw) for raw in body.get("orders") or [] if isinstance(raw, dict)]

    def order(self, order_id: str, caller: Caller) -> Order:
        return _order(self._client.get(f"/orders/{_segment(order_id)}", caller=caller))

    def save_answers(self, order_id: str, caller: Caller, answers: dict[str, str]) -> Order:
        path = f"/orders/{_segment(order_id)}/answers"
        return _order(self._client.put(path, json={"answers": answers}, caller=caller))

    def choose_delivery(self, order_id: str, caller: Caller, choice: DeliveryChoice) -> Order:
        path = f"/orders/{_segment(order_id)}/delivery"
        return _order(self._client.put(path, json=_delivery_body(choice), caller=caller))

    def submit(self, order_id: str, caller: Caller, *, idempotency_key: str) -> Order:
        path = f"/orders/{_segment(order_id)}/submit"
        return _order(
            self._client.post(path, json={}, caller=caller, idempotency_key=idempotency_key)
        )

    def cancel(self, order_id: str, caller: Caller, reason: str | None = None) -> Order:
        body = {"reason": reason} if reason else {}
        return _order(
            self._client.post(f"/orders/{_segment(order_id)}/cancel", json=body, caller=caller)
        )

    def timeline(self, order_id: str, caller: Caller) -> list[TimelineEntry]:
        body = self._client.get(f"/orders/{_segment(order_id)}/timeline", caller=caller) or {}
        return [_entry(raw) for raw in body.get("entries") or [] if isinstance(raw, dict)]

    def payment(self, payment_id: str, caller: Caller) -> Payment:
        return _payment(self._client.get(f"/payments/{_segment(payment_id)}", caller=caller))

    def pay_with_card(
        self,
        payment_id: str,
        caller: Caller,
        *,
        card_number: str,
        expiry: str,
        cvc: str,
        idempotency_key: str,
    ) -> Payment:
        """Hand the card to orders (and so to the provider); the gateway keeps none of it."""
        body = {"card_number": card_number, "expiry": expiry, "cvc": cvc}
        path = f"/payments/{_segment(payment_id)}/card"
        return _payment(
            self._client.post(path, json=body, caller=caller, idempotency_key=idempotency_key)
        )

    def pay_with_wallet(
        self, payment_id: str, caller: Caller, *, method: str, return_url: str | None,
        idempotency_key: str,
    ) -> Payment:  # fmt: skip
        """Open a trade with the wallet: its cashier URL (page) or QR payload (qr)."""
        path = f"/payments/{_segment(payment_id)}/wallet"
        body = {"method": method, "return_url": return_url}
        return _payment(
            self._client.post(path, json=body, caller=caller, idempotency_key=idempotency_key)
        )

    def query_payment(self, payment_id: str, caller: Caller) -> Payment:
        """Ask orders to ask the wallet now (the applicant is back from paying)."""
        return _payment(self._client.post(f"/payments/{_segment(payment_id)}/query", caller=caller))


def _delivery_body(choice: DeliveryChoice) -> dict[str, Any]:
    if choice.kind == "courier":
        address = choice.address
        values = {name: getattr(address, name) for name in ADDRESS_FIELDS} if address else {}
        return {"kind": "courier", "address": values}
    return {"kind": choice.kind, "office_code": choice.office_code}


def _segment(value: str) -> str:
    return quote(value, safe="")


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def _int(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def _text(raw: Any) -> Text:
    if isinstance(raw, dict):
        return Text(zh=str(raw.get("zh") or ""), en=str(raw.get("en") or ""))
    return Text(zh=str(raw or ""), en=str(raw or ""))


def _price(raw: Any) -> Price | None:
    if not isinstance(raw, dict):
        return None
    return Price(
        fee_version=_int(raw.get("fee_version")),
        production_fen=_int(raw.get("production_fen")),
        delivery_fen=_int(raw.get("delivery_fen")),
        total_fen=_int(raw.get("total_fen")),
        approval_ref=str(raw.get("approval_reference") or ""),
        locked=bool(raw.get("locked")),
    )


def _payment(raw: Any) -> Payment:
    raw = raw if isinstance(raw, dict) else {}
    return Payment(
        id=str(raw.get("id") or ""),
        status=str(raw.get("status") or "created"),
        amount_fen=_int(raw.get("amount_fen")),
        captured_fen=_int(raw.get("captured_fen")),
        refunded_fen=_int(raw.get("refunded_fen")),
        failure_reason=_str(raw.get("failure_reason")),
        card_last4=_str(raw.get("card_last4")),
        updated_at=_str(raw.get("updated_at")),
        method=str(raw.get("method") or "card"),
        paid_at_once=bool(raw.get("paid_at_once")),
        cashier_url=_str((raw.get("wallet") or {}).get("cashier_url")),
        qr_payload=_str((raw.get("wallet") or {}).get("qr_payload")),
    )


def _delivery(raw: Any) -> DeliveryChoice | None:
    if not isinstance(raw, dict) or not raw.get("kind"):
        return None
    address = raw.get("address")
    return DeliveryChoice(
        kind=str(raw["kind"]),
        address=(
            Address(**{name: str(address.get(name) or "") for name in ADDRESS_FIELDS})
            if isinstance(address, dict)
            else None
        ),
        office_code=_str(raw.get("office_code")),
        office=_office(raw.get("office")),
    )


def _office(raw: Any) -> Office | None:
    if not isinstance(raw, dict) or not raw.get("name"):
        return None
    return Office(
        name=_text(raw.get("name")),
        address=_text(raw["address"]) if raw.get("address") else None,
        hours=_text(raw["hours"]) if raw.get("hours") else None,
    )


def _order(raw: Any) -> Order:
    raw = raw if isinstance(raw, dict) else {}
    documents = raw.get("documents") if isinstance(raw.get("documents"), dict) else {}
    answers = raw.get("answers") if isinstance(raw.get("answers"), dict) else {}
    return Order(
        id=str(raw.get("id") or ""),
        reference=str(raw.get("reference") or ""),
        item_code=str(raw.get("item_code") or ""),
        item_title=_text(raw.get("item_title")),
        applicant_id=str(raw.get("applicant_id") or ""),
        status=str(raw.get("status") or ""),
        answers={str(name): "" if value is None else str(value) for name, value in answers.items()},
        missing_answers=tuple(str(name) for name in raw.get("missing_answers") or ()),
        delivery=_delivery(raw.get("delivery")),
        required_documents=tuple(
            RequiredDocument(code=str(doc.get("code") or ""), title=_text(doc.get("title")))
            for doc in raw.get("required_documents") or ()
            if isinstance(doc, dict)
        ),
        documents=DocumentState(
            complete=bool(documents.get("complete")),
            missing=tuple(str(code) for code in documents.get("missing") or ()),
        ),
        price=_price(raw.get("price")),
        payment=_payment(raw["payment"]) if isinstance(raw.get("payment"), dict) else None,
        allowed_actions=frozenset(str(action) for action in raw.get("allowed_actions") or ()),
        created_at=_str(raw.get("created_at")),
        updated_at=_str(raw.get("updated_at")),
        submitted_at=_str(raw.get("submitted_at")),
        pay_by=_str(raw.get("pay_by")),
        expected_completion=_str(raw.get("expected_completion")),
    )


def _entry(raw: dict[str, Any]) -> TimelineEntry:
    return TimelineEntry(
        at=str(raw.get("at") or ""),
        from_status=_str(raw.get("from_status")),
        to_status=str(raw.get("to_status") or ""),
        actor=str(raw.get("actor") or ""),
        code=str(raw.get("code") or "legacy"),
        params=raw["params"] if isinstance(raw.get("params"), dict) else {},
        actor_kind=_str(raw.get("actor_kind")),
    )
