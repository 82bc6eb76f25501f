"""Verification's tables.

A case is keyed by its order's id. It may exist before its details are known:
an order's later event (locked, submitted, closed) that overtakes its
`orders.draft_created` creates the case in that state, and the draft event
then only fills in the details (`opened_at` marks it). That is how a late
draft can never reopen a closed case.

A document row holds only what the API shows and the names of its two
encrypted files (the picture and its thumbnail); the pictures themselves are
on disk (storage.py). A replacement updates the row in place.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Integer, MetaData, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from common.columns import Json, UTCDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class Base(DeclarativeBase):
    metadata = metadata


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        CheckConstraint("status IN ('collecting', 'locked', 'closed')", name="status"),
        CheckConstraint("revision >= 0", name="revision_not_negative"),
    )

    order_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    reference: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    revision: Mapped[int] = mapped_column(Integer, default=0)
    # Null until orders.draft_created has been handled (see the module's note).
    applicant_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    item_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    required_documents: Mapped[list[dict[str, Any]] | None] = mapped_column(Json, nullable=True)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_because: Mapped[str | None] = mapped_column(String(32), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    documents: Mapped[list[Document]] = relationship(
        back_populates="case",
        order_by="Document.id",
        lazy="selectin",
        cascade="all, delete-orphan",
    )

    @property
    def required_codes(self) -> list[str]:
        return [entry["code"] for entry in self.required_documents or []]


class Document(Base):
    __tablename__ = "documents"
    __table_args__ = (
        UniqueConstraint("order_id", "code", name="uq_documents_order_code"),
        # The same picture for two documents of one case is refused by the use
        # case; this catches two such uploads racing each other.
        UniqueConstraint("order_id", "pixel_sha256", name="uq_documents_order_pixels"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("cases.order_id"))
    code: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str] = mapped_column(String(32))
    thumbnail_name: Mapped[str] = mapped_column(String(32))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    size_bytes: Mapped[int] = mapped_column(Integer)
    pixel_sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)

    case: Mapped[Case] = relationship(back_populates="documents")
