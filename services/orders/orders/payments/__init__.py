"""Payment through a provider adapter.

A provider is a company outside the system. The orders service speaks to it
through the `PaymentProvider` protocol; the provider answers a card later,
by a signed webhook. `sandbox` is the only implementation today: it behaves
like a real provider (its own state, asynchronous signed webhooks, declines,
errors, retries) and is what every environment without a contract with a
real provider uses.

Words of the provider's world (its webhook types) stay in here; the orders
use cases translate them into the payment's own states.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

# What a provider's webhooks say happened.
AUTHORISED = "payment.authorised"
DECLINED = "payment.declined"
FAILED = "payment.failed"
VOIDED = "payment.voided"
CAPTURED = "payment.captured"
REFUNDED = "payment.refunded"
WEBHOOK_TYPES = (AUTHORISED, DECLINED, FAILED, VOIDED, CAPTURED, REFUNDED)


@dataclass(frozen=True)
class Card:
    number: str
    expiry: str
    cvc: str = field(repr=False)

    @property
    def last4(self) -> str:
        return self.number[-4:]


@dataclass(frozen=True)
class WebhookEvent:
    """A verified webhook: the provider's event id and type, its payment id, the rest."""

    id: str
    type: str
    payment_id: str
    data: dict[str, Any]


class ProviderError(Exception):
    """Base of the provider's refusals and failures."""


class ProviderUnavailable(ProviderError):
    """The provider could not be reached or failed on its side; try again later."""


class ProviderRefused(ProviderError):
    """The provider refused the request as it stands (nothing happened)."""


class WebhookRejected(Exception):
    """A webhook that must not be acted on; `status` is the HTTP answer to give."""

    status = 400


class BadSignature(WebhookRejected):
    status = 401


class StaleWebhook(WebhookRejected):
    status = 400


class MalformedWebhook(WebhookRejected):
    status = 400


class PaymentProvider(Protocol):
    """What orders needs of a payment company. Every call is synchronous and
    either happens or raises; the outcome of a card comes later, by webhook."""

    name: str

    def create(self, *, merchant_reference: str, reference: str, amount_fen: int) -> str:
        """Open a payment for the amount; the provider's payment id. Idempotent by
        `merchant_reference` (orders' own payment id)."""
        ...

    def authorise_card(self, provider_payment_id: str, card: Card) -> None:
        """Hand a card over for authorisation; the answer arrives as a webhook."""
        ...

    def capture(self, provider_payment_id: str, amount_fen: int) -> None:
        """Take up to the authorised amount."""
        ...

    def void(self, provider_payment_id: str) -> None:
        """Release an authorisation (or close a payment never paid). Idempotent."""
        ...

    def refund(self, provider_payment_id: str, amount_fen: int, reason: str) -> str:
        """Give back part or all of what was captured; the refund's id."""
        ...

    def parse_webhook(self, body: bytes, headers: Mapping[str, str], now: datetime) -> WebhookEvent:
        """Verify a webhook's signature and freshness and parse it, or WebhookRejected."""
        ...
