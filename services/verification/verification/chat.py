"""The order chat's use cases: read a thread (marking it read), post a message or
an internal note, count what is unread, list the canned replies.

A thread belongs to the order's case and exists with it. Its owner and every
staff member may read and write it; to anyone else it does not exist (404).
Internal notes are written by staff for staff: an applicant never receives
one, nor counts one as unread. Bodies are stored as typed (stripped) and
never logged, audited or published: the audit entry of a staff message says
only that it was written, and `verification.chat_message_posted` (a staff
message the applicant will see) only which order it is in.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select, true
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from common.auth import Identity
from common.db import UnitOfWork
from common.errors import Forbidden, InvalidInput, NotFound, TooManyRequests
from verification import audit, domain, events, retention
from verification.domain import APPLICANT_SIDE, CHAT_MESSAGE_MAX, STAFF_SIDE
from verification.models import CannedReply, Case, ChatMessage, ChatReadMarker
from verification.services import CaseClosed, find_case

RATE_WINDOW = timedelta(minutes=1)
ATTACHMENT_TEXT = (
    "Photos go on the documents page, never in the chat: the chat takes plain text only."
)


class ChatRateLimited(TooManyRequests):
    """429; the view adds Retry-After from `retry_after` (whole seconds)."""

    def __init__(self, limit: int, retry_after: int) -> None:
        super().__init__(
            f"At most {limit} messages a minute; try again in {retry_after} s.",
            errors={"body": ["rate-limited"]},
        )
        self.retry_after = retry_after


class AttachmentRefused(InvalidInput):
    def __init__(self) -> None:
        super().__init__(ATTACHMENT_TEXT, errors={"attachment": [ATTACHMENT_TEXT]})


# --- who is asking ---------------------------------------------------------------------


def side_of(identity: Identity, case: Case) -> str | None:
    """The caller's side of the case's thread, or None when the thread is not theirs."""
    if domain.is_owner(identity.subject, identity.roles, case.applicant_id):
        return APPLICANT_SIDE
    if identity.is_staff:
        return STAFF_SIDE
    return None


def _thread_case(uow: UnitOfWork, order_id: str, identity: Identity) -> tuple[Case, str]:
    case = find_case(uow, order_id)
    side = side_of(identity, case) if case is not None else None
    if case is None or side is None:
        raise NotFound(f"There is no application {order_id!r} for you.")
    return case, side


# --- reading -----------------------------------------------------------------------------


def message_view(message: ChatMessage) -> dict[str, Any]:
    return {
        "id": message.id,
        "at": message.at,
        "author_role": message.author_role,
        "author_id": message.author_id,
        "body": message.body,
        "internal": message.internal,
    }


def _visible_to(side: str) -> ColumnElement[bool]:
    """Every message for staff; the applicant's side never sees an internal note."""
    return ChatMessage.internal.is_(False) if side == APPLICANT_SIDE else true()


def _unread_to(side: str) -> ColumnElement[bool]:
    """A side's unread messages are the other side's, after its marker."""
    other = STAFF_SIDE if side == APPLICANT_SIDE else APPLICANT_SIDE
    return and_(ChatMessage.author_role == other, _visible_to(side))


def thread(uow: UnitOfWork, order_id: str, identity: Identity) -> dict[str, Any]:
    """The thread oldest first, and how many of it were unread to the caller's side;
    marks the caller's side read up to the newest message it was shown."""
    with uow:
        case, side = _thread_case(uow, order_id, identity)
        messages = list(
            uow.session.scalars(
                select(ChatMessage)
                .where(ChatMessage.order_id == case.order_id, _visible_to(side))
                .order_by(ChatMessage.id)
            )
        )
        marker = _marker(uow, case.order_id, side)
        unread = sum(
            1 for message in messages if message.id > marker and _is_from_other(message, side)
        )
        view = {"messages": [message_view(message) for message in messages], "unread": unread}
        if messages and messages[-1].id > marker:
            _mark_read(uow, case.order_id, side, messages[-1].id)
        uow.commit()
    return view


def _is_from_other(message: ChatMessage, side: str) -> bool:
    return message.author_role != side


def _marker(uow: UnitOfWork, order_id: str, side: str) -> int:
    last_read = uow.session.scalar(
        select(ChatReadMarker.last_read_id).where(
            ChatReadMarker.order_id == order_id, ChatReadMarker.side == side
        )
    )
    return last_read or 0


def _mark_read(uow: UnitOfWork, order_id: str, side: str, message_id: int) -> None:
    """Move the side's marker forward to `message_id`, never back: two readers at
    once both succeed, and the later message wins."""
    dialect = uow.session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(ChatReadMarker).values(
        order_id=order_id, side=side, last_read_id=message_id, read_at=uow.clock.now()
    )
    uow.session.execute(
        statement.on_conflict_do_update(
            index_elements=[ChatReadMarker.order_id, ChatReadMarker.side],
            set_={"last_read_id": message_id, "read_at": statement.excluded.read_at},
            where=ChatReadMarker.last_read_id < message_id,
        )
    )


def unread_counts(uow: UnitOfWork, side: str, *, applicant_id: str | None = None) -> dict[str, int]:
    """Unread messages per order for one side, only orders with some; for the
    applicant's side pass `applicant_id` to count only that applicant's orders."""
    marker = ChatReadMarker
    query = (
        select(ChatMessage.order_id, func.count())
        .outerjoin(marker, and_(marker.order_id == ChatMessage.order_id, marker.side == side))
        .where(_unread_to(side), ChatMessage.id > func.coalesce(marker.last_read_id, 0))
        .group_by(ChatMessage.order_id)
    )
    if applicant_id is not None:
        query = query.join(Case, Case.order_id == ChatMessage.order_id).where(
            Case.applicant_id == applicant_id
        )
    return {order_id: count for order_id, count in uow.session.execute(query).all()}


def unread(uow: UnitOfWork, identity: Identity) -> dict[str, Any]:
    """An applicant's unread staff messages per own order; for staff, the
    applicants' messages no staff member has read, per order."""
    with uow:
        if identity.is_staff:
            return {"orders": unread_counts(uow, STAFF_SIDE)}
        if domain.APPLICANT in identity.roles:
            counts = unread_counts(uow, APPLICANT_SIDE, applicant_id=identity.subject)
            return {"orders": counts}
        return {"orders": {}}


# --- writing -----------------------------------------------------------------------------


def clean_body(body: str) -> str:
    """The body as stored: stripped; 422 `body` when empty or too long."""
    text = body.strip()
    if not text:
        raise InvalidInput("Write something first.", errors={"body": ["empty"]})
    if len(text) > CHAT_MESSAGE_MAX:
        raise InvalidInput(
            f"A message holds at most {CHAT_MESSAGE_MAX:,} characters; this one has {len(text):,}.",
            errors={"body": ["too-long"]},
        )
    return text


def post_message(
    uow: UnitOfWork,
    order_id: str,
    identity: Identity,
    body: str,
    *,
    internal: bool,
    per_minute: int,
) -> dict[str, Any]:
    """Add a message (or, for staff, an internal note) to the order's thread."""
    with uow:
        case, side = _thread_case(uow, order_id, identity)
        if internal and side != STAFF_SIDE:
            raise InvalidInput(
                "Only staff write internal notes.", errors={"internal": ["staff-only"]}
            )
        text = clean_body(body)
        # One writer per case at a time, so the rate limit counts every message.
        find_case(uow, case.order_id, for_update=True)
        if retention.is_case_purged(uow, case.order_id):
            raise CaseClosed(
                "The application is finished and its pictures deleted; its chat is closed.",
                errors={"status": [case.status]},
            )
        now = uow.clock.now()
        _refuse_over_the_limit(uow, case.order_id, identity.subject, per_minute, now)
        message = ChatMessage(
            order_id=case.order_id,
            at=now,
            author_role=side,
            author_id=identity.subject,
            body=text,
            internal=internal,
        )
        uow.session.add(message)
        if side == STAFF_SIDE:
            _audit(uow, case, identity, internal)
        uow.session.flush()
        if side == STAFF_SIDE and not internal:
            _tell_the_applicant(uow, case, message)
        view = message_view(message)
        uow.commit()
    return view


def _tell_the_applicant(uow: UnitOfWork, case: Case, message: ChatMessage) -> None:
    """A staff reply the applicant will see: notifications says one is waiting
    (the text stays here)."""
    data = {
        "order_id": case.order_id,
        "reference": case.reference,
        "applicant_id": case.applicant_id,
        "message_id": message.id,
        "posted_at": message.at,
    }
    event_type = events.CHAT_MESSAGE_POSTED
    uow.publish(event_type, events.payload(event_type, data), correlation_id=case.order_id)


def _refuse_over_the_limit(
    uow: UnitOfWork, order_id: str, author_id: str, per_minute: int, now: datetime
) -> None:
    recent = list(
        uow.session.scalars(
            select(ChatMessage.at)
            .where(
                ChatMessage.order_id == order_id,
                ChatMessage.author_id == author_id,
                ChatMessage.at > now - RATE_WINDOW,
            )
            .order_by(ChatMessage.at.desc())
            .limit(per_minute)
        )
    )
    if len(recent) < per_minute:
        return
    # The oldest of the last `per_minute` messages must leave the window first.
    wait = (recent[-1] + RATE_WINDOW - now).total_seconds()
    raise ChatRateLimited(per_minute, max(1, math.ceil(wait)))


def _audit(uow: UnitOfWork, case: Case, identity: Identity, internal: bool) -> None:
    audit.record(
        uow,
        actor=identity,
        action=audit.Action.CHAT_NOTE if internal else audit.Action.CHAT_MESSAGE,
        order_id=case.order_id,
        reference=case.reference,
    )


# --- canned replies ------------------------------------------------------------------------


def canned_replies(uow: UnitOfWork, identity: Identity) -> dict[str, Any]:
    """The replies staff may pick, in their order; 403 to anyone else."""
    if not identity.is_staff:
        raise Forbidden("Canned replies are for staff.")
    with uow:
        replies = uow.session.scalars(select(CannedReply).order_by(CannedReply.position))
        return {
            "replies": [
                {"code": reply.code, "text": {"zh": reply.text_zh, "en": reply.text_en}}
                for reply in replies
            ]
        }
