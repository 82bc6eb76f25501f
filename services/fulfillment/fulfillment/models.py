"""Fulfillment's tables.

A job is the order's whole second half (one row per order, keyed by the
order id); a shipment is one waybill of a job (a reship adds one); tracking
events are stored once per courier event id. The sandbox courier's own tables
live in fulfillment.couriers.sandbox and stand for the courier's side.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from common.columns import Json, UTCDateTime
from common.db import make_metadata

metadata = make_metadata()


class Base(DeclarativeBase):
    metadata = metadata


JOB_STATUSES = (
    "queued", "in_production", "produced", "shipped", "ready_for_pickup",
    "delivered", "delivery_exception", "cancelled",
)  # fmt: skip


class Batch(Base):
    __tablename__ = "batches"
    __table_args__ = (CheckConstraint("status IN ('in_production', 'produced')", name="status"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    status: Mapped[str] = mapped_column(String(20))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    produced_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    produced_by: Mapped[str | None] = mapped_column(String(100), nullable=True)


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint(
            "status IN (" + ", ".join(f"'{s}'" for s in JOB_STATUSES) + ")", name="status"
        ),
        CheckConstraint("delivery_kind IN ('courier', 'pickup')", name="delivery_kind"),
        CheckConstraint("pickup_failures >= 0", name="pickup_failures_not_negative"),
    )

    order_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    reference: Mapped[str] = mapped_column(String(64), unique=True)
    item_code: Mapped[str] = mapped_column(String(64), index=True)
    applicant_id: Mapped[str] = mapped_column(String(100))
    # What production and the label need; never the full ID number, never a picture.
    applicant_name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    id_number_masked: Mapped[str | None] = mapped_column(String(40), nullable=True)
    plate_number: Mapped[str | None] = mapped_column(String(20), nullable=True)
    delivery_kind: Mapped[str] = mapped_column(String(10))
    carrier: Mapped[str | None] = mapped_column(String(40), nullable=True)
    address: Mapped[dict[str, Any] | None] = mapped_column(Json, nullable=True)
    office_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    office: Mapped[dict[str, Any] | None] = mapped_column(Json, nullable=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    approved_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    batch_id: Mapped[str | None] = mapped_column(
        ForeignKey("batches.id"), nullable=True, index=True
    )
    credential_number: Mapped[str | None] = mapped_column(String(40), nullable=True)
    produced_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    pickup_code: Mapped[str | None] = mapped_column(String(6), nullable=True)
    pickup_failures: Mapped[int] = mapped_column(Integer, default=0)
    ready_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    collect_by: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    exception_reason: Mapped[str | None] = mapped_column(String(40), nullable=True)
    exception_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Shipment(Base):
    __tablename__ = "shipments"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("jobs.order_id"), index=True)
    carrier: Mapped[str] = mapped_column(String(40))
    courier: Mapped[str] = mapped_column(String(20))  # the adapter: "sandbox"
    waybill: Mapped[str] = mapped_column(String(40), unique=True)
    status: Mapped[str] = mapped_column(String(20))
    # The address the label was printed with (a reship may carry a corrected one).
    address: Mapped[dict[str, Any]] = mapped_column(Json)
    reship: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    latest_event_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # When the courier last told us anything (push or poll): a quiet one is polled.
    heard_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    signer: Mapped[str | None] = mapped_column(String(100), nullable=True)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    handed_over_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    handed_over_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class TrackingEvent(Base):
    __tablename__ = "tracking_events"
    __table_args__ = (
        UniqueConstraint("courier", "event_id", name="uq_tracking_events_courier_event"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    courier: Mapped[str] = mapped_column(String(20))
    event_id: Mapped[str] = mapped_column(String(80))
    shipment_id: Mapped[str] = mapped_column(ForeignKey("shipments.id"), index=True)
    state: Mapped[str] = mapped_column(String(20))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    city: Mapped[str | None] = mapped_column(String(50), nullable=True)
    signer: Mapped[str | None] = mapped_column(String(100), nullable=True)
    reason: Mapped[str | None] = mapped_column(String(100), nullable=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
