"""Verification's tables.

A case is keyed by its order's id. It may exist before its details are known:
an order's later event (locked, submitted, closed) that overtakes its
`orders.draft_created` creates the case in that state, and the draft event
then only fills in the details (`opened_at` marks it). That is how a late
draft can never reopen a closed case.

A document row holds only what the API shows, its review verdict and the
names of its two encrypted files (the picture and its thumbnail); the
pictures themselves are on disk (storage.py). A replacement updates the row
in place.

Once submitted, a case is reviewed: it waits in the queue, is claimed by a
reviewer, gets a verdict per document and a result per answer check
(`case_checks`), and a decision. `audit_entries` is the append-only log of
what staff did (the database refuses to update or delete an entry).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
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
        CheckConstraint(
            "status IN ('collecting', 'locked', 'queued', 'in_review', 'awaiting_applicant', "
            "'closed')",
            name="status",
        ),
        CheckConstraint("revision >= 0", name="revision_not_negative"),
        Index("ix_cases_status_queued_at", "status", "queued_at"),  # the review queue
    )

    order_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    reference: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(32))
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
    # When the order became final (retention.py counts the pictures' retention
    # from it) and when its pictures were purged.
    final_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The review (from orders.submitted on).
    sla_working_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # The form's answers (name, ID number) as a Fernet token: sealing.py opens it.
    answers_sealed: Mapped[str | None] = mapped_column(Text, nullable=True)
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    sla_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    assignee_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    # Set by the first claim, which alone announces verification.review_started.
    review_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    round: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    resubmission_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # When the case began waiting for the applicant: the SLA clock is paused since.
    awaiting_since: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # {decision, reason_code, note, by, at} once decided.
    decision: Mapped[dict[str, Any] | None] = mapped_column(Json, nullable=True)

    documents: Mapped[list[Document]] = relationship(
        back_populates="case",
        order_by="Document.id",
        lazy="selectin",
        cascade="all, delete-orphan",
    )

    checks: Mapped[list[CaseCheck]] = relationship(
        back_populates="case",
        order_by="CaseCheck.code",
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
    verdict: Mapped[str | None] = mapped_column(String(16), nullable=True)
    verdict_reason_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    verdict_note: Mapped[str | None] = mapped_column(String(500), nullable=True)
    verdict_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    verdict_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The resubmission round whose replacement this picture is; null for the original.
    replaced_in_round: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Set by the retention purge, which deleted the picture and its thumbnail.
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    case: Mapped[Case] = relationship(back_populates="documents")


class CaseCheck(Base):
    """A reviewer's result for one answer check (see domain.derive_checks)."""

    __tablename__ = "case_checks"
    __table_args__ = (CheckConstraint("result IN ('match', 'mismatch')", name="result"),)

    order_id: Mapped[str] = mapped_column(ForeignKey("cases.order_id"), primary_key=True)
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    result: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(String(500), nullable=True)
    checked_by: Mapped[str] = mapped_column(String(64))
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime)

    case: Mapped[Case] = relationship(back_populates="checks")


class AuditEntry(Base):
    """One thing staff (or the system) did to a case; written only by verification.audit."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor_id: Mapped[str] = mapped_column(String(64), index=True)
    actor_role: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(64))
    order_id: Mapped[str] = mapped_column(String(64), index=True)
    reference: Mapped[str | None] = mapped_column(String(64), nullable=True)
    document_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    field: Mapped[str | None] = mapped_column(String(64), nullable=True)
    reason: Mapped[str | None] = mapped_column(String(500), nullable=True)
    details: Mapped[dict[str, Any] | None] = mapped_column(Json, nullable=True)


# The chat's tables share this metadata (migrations, create_all); imported last on purpose.
from verification import chat_models as _chat_models  # noqa: E402, F401
