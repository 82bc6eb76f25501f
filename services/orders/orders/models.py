"""The orders service's tables.

An order keeps a snapshot of its catalog item (title, form, documents,
delivery options, the fee in force and the next one), refreshed from the
catalog on every change to the draft and frozen at submission, so reads never
need the catalog. The sandbox provider's own tables are in
orders.payments.sandbox: the sandbox stands for a company outside the system
and shares nothing with these rows.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from common.columns import Json, UTCDateTime
from common.db import make_metadata
from orders.sealing import SealedJson

metadata = make_metadata()


class Base(DeclarativeBase):
    metadata = metadata


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (Index("ix_orders_applicant_created", "applicant_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    applicant_id: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(32), index=True)
    item_code: Mapped[str] = mapped_column(String(64))
    item_revision: Mapped[int] = mapped_column(Integer)
    item_title: Mapped[dict[str, str]] = mapped_column(Json)
    form_fields: Mapped[list[dict[str, Any]]] = mapped_column(Json)
    required_documents: Mapped[list[dict[str, Any]]] = mapped_column(Json)
    delivery_options: Mapped[list[dict[str, Any]]] = mapped_column(Json)
    fee: Mapped[dict[str, Any] | None] = mapped_column(Json, nullable=True)
    upcoming_fee: Mapped[dict[str, Any] | None] = mapped_column(Json, nullable=True)
    # The item's promised processing time; null only for drafts older than the review.
    sla_working_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Sealed at rest (orders.sealing): the name, ID number and mobile number are in here.
    answers: Mapped[dict[str, str]] = mapped_column(SealedJson)
    delivery: Mapped[dict[str, Any] | None] = mapped_column(Json, nullable=True)
    documents_complete: Mapped[bool] = mapped_column(Boolean)
    documents_missing: Mapped[list[str]] = mapped_column(Json)
    documents_revision: Mapped[int] = mapped_column(Integer)
    locked_price: Mapped[dict[str, Any] | None] = mapped_column(Json, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    pay_by: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class TimelineEntry(Base):
    __tablename__ = "order_timeline"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    from_status: Mapped[str | None] = mapped_column(String(32), nullable=True)
    to_status: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(100))
    # applicant, staff, provider or system (domain.ActorKind): readers need not parse `actor`.
    actor_kind: Mapped[str] = mapped_column(String(16))
    # What happened, as data (domain.timeline.Entry): readers say it in their language.
    code: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict[str, Any]] = mapped_column(Json)


class Payment(Base):
    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint("amount_fen >= 0", name="amount_not_negative"),
        CheckConstraint(
            "captured_fen >= 0 AND captured_fen <= amount_fen", name="captured_in_range"
        ),
        CheckConstraint(
            "refunded_fen >= 0 AND refunded_fen <= captured_fen", name="refunded_in_range"
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), unique=True)
    provider: Mapped[str] = mapped_column(String(32))
    provider_payment_id: Mapped[str] = mapped_column(String(100), unique=True)
    status: Mapped[str] = mapped_column(String(16))
    amount_fen: Mapped[int] = mapped_column(Integer)
    captured_fen: Mapped[int] = mapped_column(Integer, default=0)
    refunded_fen: Mapped[int] = mapped_column(Integer, default=0)
    failure_reason: Mapped[str | None] = mapped_column(String(100), nullable=True)
    card_last4: Mapped[str | None] = mapped_column(String(4), nullable=True)
    # How the applicant pays (domain.PaymentMethod): chosen at pay time, changeable
    # until the money moved. `provider_payment_id` is the chosen provider's id for it.
    method: Mapped[str] = mapped_column(String(16), default="card", server_default="card")
    # A wallet's cashier page (wallet_page) or QR payload (wallet_qr), and when it opened.
    wallet_link: Mapped[str | None] = mapped_column(Text, nullable=True)
    wallet_opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # When orders last asked the wallet about the trade (answered or not): the
    # worker's sweep waits longer between queries the older the trade.
    wallet_queried_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PaymentEvent(Base):
    """Each webhook the provider sent, once: a replayed event id has no effect."""

    __tablename__ = "payment_events"

    provider_event_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    payment_id: Mapped[str] = mapped_column(ForeignKey("payments.id"), index=True)
    type: Mapped[str] = mapped_column(String(50))
    outcome: Mapped[str] = mapped_column(String(20))
    data: Mapped[dict[str, Any]] = mapped_column(Json)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Timer(Base):
    """A timer as data: the worker fires it once it is due."""

    __tablename__ = "timers"
    __table_args__ = (
        UniqueConstraint("order_id", "kind", name="uq_timers_order_kind"),
        Index(
            "ix_timers_due",
            "due_at",
            postgresql_where=text("fired_at IS NULL"),
            sqlite_where=text("fired_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"))
    kind: Mapped[str] = mapped_column(String(32))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    fired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    # What the timer's work needs beyond the order (the reviewer of an approval, …).
    details: Mapped[dict[str, Any] | None] = mapped_column(Json, nullable=True)
    # While paused (auto-confirm, a complaint open): the seconds it had left; the sweep skips it.
    paused_left_seconds: Mapped[float | None] = mapped_column(Float, nullable=True)


class OrderComplaint(Base):
    """A complaint about the order (ratings'), open until its closing arrives."""

    __tablename__ = "order_complaints"

    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), primary_key=True)
    complaint_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class IdempotencyKey(Base):
    """The first answer to a request made with an Idempotency-Key."""

    __tablename__ = "idempotency_keys"

    applicant_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    endpoint: Mapped[str] = mapped_column(String(200), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    body: Mapped[dict[str, Any]] = mapped_column(Json)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ReferenceCounter(Base):
    """The last reference number given out on a day (the office's calendar)."""

    __tablename__ = "reference_counters"

    day: Mapped[str] = mapped_column(String(8), primary_key=True)
    last: Mapped[int] = mapped_column(Integer)
