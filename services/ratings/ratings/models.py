"""Ratings' tables.

`orders` is the read model of every order ratings has heard of (one row per
order, the times of its steps), from which rateability, complaints and the
statistics are decided. `daily_counts` holds the statistics' per-day
aggregates (Beijing date, item or `*`, metric, bucket → count), kept in step
with `orders`, `ratings` and `cases` so /stats never scans them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from common.columns import Json, UTCDateTime
from common.db import make_metadata

metadata = make_metadata()


class Base(DeclarativeBase):
    metadata = metadata


class Order(Base):
    __tablename__ = "orders"

    order_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    applicant_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    item_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # Masked on arrival (张**): the full name is never stored here.
    applicant_name_masked: Mapped[str | None] = mapped_column(String(40), nullable=True)
    drafted: Mapped[bool] = mapped_column(Boolean, default=False)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    asked_again: Mapped[bool] = mapped_column(Boolean, default=False)
    rejected_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    rated: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


Index("ix_orders_completed_uninvited", Order.completed_at, Order.invited_at, Order.rated)


class Rating(Base):
    __tablename__ = "ratings"
    __table_args__ = (
        CheckConstraint("level BETWEEN 1 AND 5", name="level"),
        Index("ix_ratings_item_created", "item_code", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    order_id: Mapped[str] = mapped_column(String(64), unique=True)
    item_code: Mapped[str] = mapped_column(String(64))
    applicant_id: Mapped[str] = mapped_column(String(100))
    level: Mapped[int] = mapped_column(Integer)
    tags: Mapped[list[str]] = mapped_column(Json)
    speed: Mapped[int] = mapped_column(Integer)
    service: Mapped[int] = mapped_column(Integer)
    delivery: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    anonymous: Mapped[bool] = mapped_column(Boolean)
    shown_name: Mapped[str | None] = mapped_column(String(40), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reply: Mapped[str | None] = mapped_column(Text, nullable=True)
    replied_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # {level, tags, scores, comment, created_at} once the applicant adds it.
    follow_up: Mapped[dict[str, Any] | None] = mapped_column(Json, nullable=True)


CASE_STATUSES = ("open", "contacted", "answered", "escalated", "closed")


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        CheckConstraint(f"status IN {CASE_STATUSES!r}", name="status"),
        CheckConstraint("kind IN ('bad_rating', 'complaint')", name="kind"),
        Index("ix_cases_status_opened", "status", "opened_at"),
        Index("ix_cases_applicant", "applicant_id", "opened_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    order_id: Mapped[str] = mapped_column(String(64), index=True)
    item_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    applicant_id: Mapped[str] = mapped_column(String(100))
    rating_id: Mapped[str | None] = mapped_column(ForeignKey("ratings.id"), nullable=True)
    category: Mapped[str | None] = mapped_column(String(30), nullable=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[str] = mapped_column(String(20))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    contact_by: Mapped[datetime] = mapped_column(UTCDateTime)
    answer_by: Mapped[datetime] = mapped_column(UTCDateTime)
    contacted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    contacted_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    contact_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    first_answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    answered_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    feedback: Mapped[str | None] = mapped_column(Text, nullable=True)
    reopened_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    reopened_answered_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(20), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CaseMessage(Base):
    __tablename__ = "case_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    author_id: Mapped[str] = mapped_column(String(100))
    author_role: Mapped[str] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DailyCount(Base):
    __tablename__ = "daily_counts"
    # /stats and the dashboard read one item's (or the store's) days.
    __table_args__ = (Index("ix_daily_counts_item_day", "item_code", "day"),)

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    item_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    metric: Mapped[str] = mapped_column(String(40), primary_key=True)
    bucket: Mapped[int] = mapped_column(Integer, primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
