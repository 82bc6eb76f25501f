"""The orders service's marshmallow schemas: what its HTTP API accepts and
answers (orders.schemas.http) and what it reads of the events it consumes
(orders.schemas.consumed). Its own events' schemas are in orders.events."""

from orders.schemas.http import (
    AddressIn,
    AnswersIn,
    CancelIn,
    CardIn,
    DeliveryIn,
    OrderCreateIn,
    OrderListOut,
    OrderListQuery,
    OrderOut,
    PaymentOut,
    TimelineEntryOut,
    TimelineOut,
    WalletIn,
    WebhookAnswerOut,
)

__all__ = [
    "AddressIn",
    "AnswersIn",
    "CancelIn",
    "CardIn",
    "DeliveryIn",
    "OrderCreateIn",
    "OrderListOut",
    "OrderListQuery",
    "OrderOut",
    "PaymentOut",
    "TimelineEntryOut",
    "TimelineOut",
    "WalletIn",
    "WebhookAnswerOut",
]
