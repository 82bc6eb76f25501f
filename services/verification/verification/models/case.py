"""The case: one per order, keyed by the order's id, and its answer checks.

A case may exist before its details are known: an order's later event
(locked, submitted, closed) that overtakes its `orders.draft_created` creates
the case in that state, and the draft event then only fills in the details
(`opened_at` marks it). That is how a late draft can never reopen a closed
case. Once submitted, a case is reviewed: it waits in the queue, is claimed by
a reviewer, gets a verdict per document (document.py) and a result per answer
check (`case_checks`), and a decision.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from common.columns import Json, UTCDateTime
from verification.models.base import Base

if TYPE_CHECKING:
    from verification.models.document import Document


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
