"""The catalog's tables.

An item keeps its documents, form fields and delivery options as JSON: they
are always read and replaced whole, together with the item. Fee versions are
rows of their own and are only ever inserted, never updated, so the fee
history cannot be rewritten.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from common.columns import Json, UTCDateTime
from common.db import make_metadata

metadata = make_metadata()


class Base(DeclarativeBase):
    metadata = metadata


class Item(Base):
    __tablename__ = "items"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'published', 'withdrawn')", name="status"),
        CheckConstraint("sla_working_days > 0", name="sla_positive"),
        CheckConstraint("deal_count >= 0", name="deal_count_not_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16))
    revision: Mapped[int] = mapped_column(Integer, default=1)
    title_zh: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    description_zh: Mapped[str] = mapped_column(Text)
    description_en: Mapped[str] = mapped_column(Text)
    sla_working_days: Mapped[int] = mapped_column(Integer)
    required_documents: Mapped[list[dict[str, Any]]] = mapped_column(Json)
    form_fields: Mapped[list[dict[str, Any]]] = mapped_column(Json)
    delivery_options: Mapped[list[dict[str, Any]]] = mapped_column(Json)
    deal_count: Mapped[int] = mapped_column(Integer, default=0)
    rating_average_milli: Mapped[int | None] = mapped_column(Integer, nullable=True)
    rating_count: Mapped[int] = mapped_column(Integer, default=0)
    rating_as_of: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The supervisor's words on withdrawing, shown to applicants whose draft it stops.
    withdrawal_reason: Mapped[str | None] = mapped_column(Text, nullable=True)

    fees: Mapped[list[FeeVersion]] = relationship(
        back_populates="item", order_by="FeeVersion.version", lazy="selectin"
    )


class FeeVersion(Base):
    __tablename__ = "fee_versions"
    __table_args__ = (
        UniqueConstraint("item_id", "version", name="uq_fee_versions_item_version"),
        CheckConstraint("production_cost_fen >= 0", name="production_cost_not_negative"),
        CheckConstraint("courier_fee_fen >= 0", name="courier_fee_not_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    production_cost_fen: Mapped[int] = mapped_column(Integer)
    courier_fee_fen: Mapped[int] = mapped_column(Integer)
    approval_reference: Mapped[str] = mapped_column(String(200))
    effective_from: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(100))

    item: Mapped[Item] = relationship(back_populates="fees")


class StoreRating(Base):
    """The store-wide rating summary: one row, keyed 'store'."""

    __tablename__ = "store_rating"

    key: Mapped[str] = mapped_column(String(16), primary_key=True, default="store")
    average_milli: Mapped[int | None] = mapped_column(Integer, nullable=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    as_of: Mapped[datetime] = mapped_column(UTCDateTime)


class CountedDeal(Base):
    """Each completed order counted once, whatever the number of events saying so."""

    __tablename__ = "counted_deals"

    order_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    item_code: Mapped[str] = mapped_column(String(64), index=True)
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime)
