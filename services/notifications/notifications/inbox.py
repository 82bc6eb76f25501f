"""The in-app inbox: an applicant's `inapp` messages, newest first, read and unread.
Another applicant's message does not exist for them: 404, never 403."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update

from common.db import UnitOfWork
from common.errors import NotFound
from notifications.domain import Channel
from notifications.models import Message
from notifications.services import Context

FIELDS = ("id", "order_id", "reference", "template", "title", "body", "link", "created_at",
          "read_at")  # fmt: skip


def _mine(account_id: str) -> Any:
    return (Message.account_id == account_id) & (Message.channel == Channel.INAPP.value)


def _unread(uow: UnitOfWork, account_id: str) -> int:
    query = select(func.count()).where(_mine(account_id), Message.read_at.is_(None))
    return int(uow.session.scalar(query) or 0)


def view(message: Message) -> dict[str, Any]:
    return {name: getattr(message, name) for name in FIELDS}


def list_inbox(ctx: Context, account_id: str, page: int, per_page: int) -> dict[str, Any]:
    with ctx.uow() as uow:
        total = int(uow.session.scalar(select(func.count()).where(_mine(account_id))) or 0)
        rows = uow.session.scalars(
            select(Message).where(_mine(account_id))
            .order_by(Message.created_at.desc(), Message.id.desc())
            .offset((page - 1) * per_page).limit(per_page)
        ).all()  # fmt: skip
        return {"messages": [view(m) for m in rows], "unread": _unread(uow, account_id),
                "page": page, "pages": max(1, -(-total // per_page))}  # fmt: skip


def unread_count(ctx: Context, account_id: str) -> dict[str, int]:
    with ctx.uow() as uow:
        return {"unread": _unread(uow, account_id)}


def mark_read(ctx: Context, account_id: str, message_id: str) -> dict[str, Any]:
    with ctx.uow() as uow:
        message = uow.session.get(Message, message_id, with_for_update=True)
        if message is None or message.account_id != account_id or message.channel != "inapp":
            raise NotFound(f"There is no message {message_id}.")
        if message.read_at is None:
            message.read_at = uow.clock.now()
        uow.commit()
        return view(message)


def mark_all_read(ctx: Context, account_id: str) -> dict[str, int]:
    with ctx.uow() as uow:
        uow.session.execute(
            update(Message).where(_mine(account_id), Message.read_at.is_(None))
            .values(read_at=uow.clock.now())
        )  # fmt: skip
        uow.commit()
        return {"unread": 0}
