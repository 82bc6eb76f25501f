"""The order chat's tables: its messages, one read marker per side, and the
staff's canned replies.

A message is never edited or deleted: the thread is part of the case's record.
A read marker holds the id of the newest message its side has read; every
message after it, written by the other side, is unread. Staff share one
marker: a message any of them has read is read for all of them, as in a
shared mailbox.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from common.columns import UTCDateTime
from verification.domain import CHAT_MESSAGE_MAX
from verification.models.base import Base

# SQLite numbers only INTEGER primary keys automatically (the one-process mode).
MessageId = BigInteger().with_variant(Integer(), "sqlite")


class ChatMessage(Base):
    __tablename__ = "chat_messages"
    __table_args__ = (
        CheckConstraint("author_role IN ('applicant', 'staff')", name="author_role"),
        # An applicant never writes an internal note; the database agrees with the API.
        CheckConstraint("author_role = 'staff' OR NOT internal", name="internal_staff_only"),
        # The rate limit counts one author's recent messages on one order.
        Index("ix_chat_messages_order_author_at", "order_id", "author_id", "at"),
    )

    id: Mapped[int] = mapped_column(MessageId, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("cases.order_id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    author_role: Mapped[str] = mapped_column(String(16))
    author_id: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(String(CHAT_MESSAGE_MAX))
    internal: Mapped[bool] = mapped_column(Boolean, default=False)


class ChatReadMarker(Base):
    __tablename__ = "chat_read_markers"
    __table_args__ = (CheckConstraint("side IN ('applicant', 'staff')", name="side"),)

    order_id: Mapped[str] = mapped_column(ForeignKey("cases.order_id"), primary_key=True)
    side: Mapped[str] = mapped_column(String(16), primary_key=True)
    last_read_id: Mapped[int] = mapped_column(MessageId)
    read_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CannedReply(Base):
    __tablename__ = "canned_replies"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    text_zh: Mapped[str] = mapped_column(String(CHAT_MESSAGE_MAX))
    text_en: Mapped[str] = mapped_column(String(CHAT_MESSAGE_MAX))
