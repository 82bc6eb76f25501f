"""The audit log: what staff (or the system) did to a case. Append-only: the
database refuses to update or delete an entry (migration 0002's trigger)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from common.columns import Json, UTCDateTime
from verification.models.base import Base


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
