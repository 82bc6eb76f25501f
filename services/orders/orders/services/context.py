"""What the use cases need beyond their arguments, and the names they share."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from common.clock import Clock
from common.db import UnitOfWork
from orders.clients.catalog import CatalogClient
from orders.payments import PaymentProvider
from orders.payments.wallets import WalletProvider

# How the timeline names who acted when it was no person.
SYSTEM_ACTOR = "system"
PROVIDER_ACTOR = "payment-provider"
COURIER_ACTOR = "courier"
# Companies outside the system: their steps are the `provider` kind on the timeline.
OUTSIDE_ACTORS = frozenset({PROVIDER_ACTOR, COURIER_ACTOR})


@dataclass(frozen=True)
class Context:
    """Built once per process (orders.wiring)."""

    uow: Callable[[], UnitOfWork]
    catalog: CatalogClient
    provider: PaymentProvider
    clock: Clock
    unpaid_expiry: timedelta
    draft_idle: timedelta
    auto_confirm: timedelta
    fingerprint_secret: bytes
    # The wallet adapters by method (wallet_page, wallet_qr); the card is `provider`.
    wallets: Mapping[str, WalletProvider] = field(default_factory=dict)
    # The methods the applicant may choose from (PAYMENT_METHODS).
    methods: tuple[str, ...] = ("card",)
    # How long a wallet trade waits for its notification before orders asks.
    wallet_query_after: timedelta = timedelta(seconds=10)
