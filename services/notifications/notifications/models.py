"""Notifications' tables.

- `orders`: who each order belongs to (only some producers' events say), its
  reference, and the titles of its documents (to name the photos asked for);
- `contacts` and `preferences`: per account, only what a message needs;
- `messages`: one row per (event, template, channel); the in-app inbox is the
  `inapp` rows, SMS and email rows carry their sending state;
- `reminders`: the photos reminders due before a resubmission deadline.
The sandbox providers' tables live in notifications.providers.sandbox.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Boolean, Index, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from common.columns import Json, UTCDateTime
from common.db import make_metadata

metadata = make_metadata()


class Base(DeclarativeBase):
    metadata = metadata


class OrderSeen(Base):
    __tablename__ = "orders"

    order_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(100), index=True)
    reference: Mapped[str] = mapped_column(String(64))
    # document code → {zh, en} title, from orders.draft_created
    documents: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ContactDetails(Base):
    __tablename__ = "contacts"

    account_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    phone: Mapped[str | None] = mapped_column(String(20), nullable=True)
    email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PreferenceRow(Base):
    __tablename__ = "preferences"

    account_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    sms: Mapped[bool] = mapped_column(Boolean, default=True)
    email: Mapped[bool] = mapped_column(Boolean, default=True)
    language: Mapped[str] = mapped_column(String(5), default="zh-CN")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("event_id", "template", "channel", name="uq_messages_event_channel"),
        Index("ix_messages_inbox", "account_id", "channel", "created_at"),
        Index("ix_messages_due", "status", "next_attempt_at"),
        Index("ix_messages_receipt", "channel", "provider_message_id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(100))
    order_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    reference: Mapped[str | None] = mapped_column(String(64), nullable=True)
    event_id: Mapped[str] = mapped_column(String(100))
    event_type: Mapped[str] = mapped_column(String(100))
    template: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(10))
    language: Mapped[str] = mapped_column(String(5))
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    quiet_exempt: Mapped[bool] = mapped_column(Boolean, default=False)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20))
    # A resend is a new generation, so a new idempotency key for the provider.
    generation: Mapped[int] = mapped_column(Integer, default=1)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    provider: Mapped[str | None] = mapped_column(String(20), nullable=True)
    provider_message_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    to_masked: Mapped[str | None] = mapped_column(String(100), nullable=True)
    reason: Mapped[str | None] = mapped_column(String(300), nullable=True)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    @property
    def idempotency_key(self) -> str:
        return f"ntf-{self.id}-{self.generation}"


class Reminder(Base):
    __tablename__ = "reminders"
    __table_args__ = (UniqueConstraint("order_id", "round", name="uq_reminders_order_round"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(String(64))
    round: Mapped[int] = mapped_column(Integer)
    documents: Mapped[list[str]] = mapped_column(Json)
    deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


def table_of(model: type[Base]) -> Table:
    """A model's table, for the Core statements that write many rows at once."""
    return cast(Table, model.__table__)
