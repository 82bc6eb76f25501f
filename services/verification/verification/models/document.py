"""A document of a case: at most one picture per required code.

The row holds only what the API shows, its review verdict and the names of
its two encrypted files (the picture and its thumbnail); the pictures
themselves are on disk (storage.py). A replacement updates the row in place.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from common.columns import UTCDateTime
from verification.models.base import Base

if TYPE_CHECKING:
    from verification.models.case import Case


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
