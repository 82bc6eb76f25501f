"""What orders needs of a wallet company (the page wallet and the QR wallet),
and what it hears from one, in orders' own words.

A wallet pays in one of two ways, each adapter saying which (`immediate`):

- pay at once (`wallet_page`): the money is taken when the applicant pays;
  a rejection or a cancellation refunds it. The applicant is told "paid,
  refunded if refused".
- authorise, then capture (`wallet_qr`, like the card): the money is held
  when the applicant pays, taken on approval, released on rejection or
  cancellation. The applicant is told the money is held.

Both notify asynchronously, signed (RSA2 for the page wallet, HMAC-SHA256
for the QR wallet: orders.payments.wallet_signing); both answer an order
query when a notification is late, and close an unpaid trade.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

# Where a trade stands, in orders' words.
WAITING = "waiting"  # opened, not paid
HELD = "held"  # paid, the money held until captured
PAID = "paid"  # paid, the money taken
CLOSED = "closed"  # closed unpaid (or the hold released)


@dataclass(frozen=True)
class TradeState:
    """A verified notification or query answer: which trade, where it stands, the
    amount, the provider's trade number and, for a notification, its id."""

    out_trade_no: str
    state: str
    amount_fen: int
    trade_no: str
    notify_id: str | None = None


class WalletProvider(Protocol):
    """A wallet company, as orders calls it. Every call either happens or raises
    ProviderRefused / ProviderUnavailable."""

    name: str
    immediate: bool
    ack_body: str
    ack_type: str

    def open(
        self, *, out_trade_no: str, subject: str, amount_fen: int, expires_at: datetime,
        return_url: str | None,
    ) -> str:  # fmt: skip
        """Open a trade; the cashier URL (page) or the QR payload (qr)."""
        ...

    def query(self, out_trade_no: str) -> TradeState:
        """Where the trade stands now (verified)."""
        ...

    def void(self, provider_payment_id: str) -> None:
        """Close an unpaid trade or release held money; idempotent."""
        ...

    def capture(self, provider_payment_id: str, amount_fen: int) -> None:
        """Take held money (only where the wallet holds it)."""
        ...

    def refund(self, provider_payment_id: str, amount_fen: int, reason: str) -> str:
        """Give back what was taken; idempotent for the same amount and reason."""
        ...

    def parse_notification(self, body: bytes, content_type: str) -> TradeState:
        """Verify and read a notification, or raise WebhookRejected (BadSignature: 401)."""
        ...


def refund_request_no(out_trade_no: str, amount_fen: int, reason: str) -> str:
    """The refund's out_request_no: the same refund asked again (a retry after a
    rollback) carries the same number, and the wallet refunds it only once."""
    digest = hashlib.sha256(f"{out_trade_no}|{amount_fen}|{reason}".encode()).hexdigest()
    return digest[:32]
