"""Fees and prices: the catalog's fee in force at a time, and the price it
makes for a delivery kind (integer fen, never floats)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from orders.domain.delivery import DeliveryKind


@dataclass(frozen=True)
class Fee:
    version: int
    production_cost_fen: int
    courier_fee_fen: int
    approval_reference: str
    effective_from: datetime

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Fee:
        effective = raw["effective_from"]
        if isinstance(effective, str):
            effective = datetime.fromisoformat(effective)
        return cls(
            version=int(raw["version"]),
            production_cost_fen=int(raw["production_cost_fen"]),
            courier_fee_fen=int(raw["courier_fee_fen"]),
            approval_reference=str(raw["approval_reference"]),
            effective_from=effective,
        )


@dataclass(frozen=True)
class Price:
    fee_version: int
    production_fen: int
    delivery_fen: int
    total_fen: int
    approval_reference: str

    def as_dict(self, *, locked: bool) -> dict[str, Any]:
        return {
            "fee_version": self.fee_version,
            "production_fen": self.production_fen,
            "delivery_fen": self.delivery_fen,
            "total_fen": self.total_fen,
            "approval_reference": self.approval_reference,
            "locked": locked,
        }


def fee_in_force(fees: Sequence[Fee | None], now: datetime) -> Fee | None:
    """The latest version already in effect (ties: the higher version number)."""
    started = [fee for fee in fees if fee is not None and fee.effective_from <= now]
    return max(started, key=lambda fee: (fee.effective_from, fee.version), default=None)


def quote(fee: Fee, delivery_kind: str) -> Price:
    """Production cost plus the courier fee, or nothing for pickup; integer fen."""
    delivery = fee.courier_fee_fen if delivery_kind == DeliveryKind.COURIER else 0
    return Price(
        fee_version=fee.version,
        production_fen=fee.production_cost_fen,
        delivery_fen=delivery,
        total_fen=fee.production_cost_fen + delivery,
        approval_reference=fee.approval_reference,
    )
