"""Turning what happened into messages: the Context the use cases share, and
`write_messages`, the one place a template becomes rows, one per channel.

A message's rows are written in the transaction of the event that caused it
(the consumer's, after its inbox row), so an event is turned into messages
once; the unique (event, template, channel) makes a second attempt a no-op
even without the inbox.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from common.clock import Clock
from common.db import UnitOfWork
from notifications import domain, templates
from notifications.clients.fulfillment import PickupCodes
from notifications.domain import Channel, Status
from notifications.models import ContactDetails, Message, OrderSeen, PreferenceRow
from notifications.providers import Provider


@dataclass(frozen=True)
class Context:
    uow: Callable[[], UnitOfWork]
    clock: Clock
    providers: dict[str, Provider]  # channel → provider
    pickup_codes: PickupCodes
    link_base: str
    sms_link_base: str
    max_attempts: int = 8
    reminder_before: timedelta = timedelta(hours=24)
    quiet_hours: domain.QuietHours | None = domain.QUIET_HOURS


class OrderNotKnown(Exception):
    """An event about an order whose owner no event has told us yet: retried, since
    competing consumers reorder events; dead-lettered by the consumer if it stays so."""


def order_of(uow: UnitOfWork, order_id: str) -> OrderSeen:
    order = uow.session.get(OrderSeen, order_id)
    if order is None:
        raise OrderNotKnown(f"order {order_id} not known")
    return order


def remember_order(
    uow: UnitOfWork, order_id: str, account_id: str, reference: str,
    documents: dict[str, Any] | None = None,
) -> OrderSeen:  # fmt: skip
    """Who the order belongs to (the events carrying applicant_id say)."""
    order = uow.session.get(OrderSeen, order_id)
    if order is None:
        order = OrderSeen(order_id=order_id, account_id=account_id, reference=reference,
                          documents=documents or {}, created_at=uow.clock.now())  # fmt: skip
        uow.session.add(order)
    elif documents:
        order.documents = documents
    return order


def preferences_of(uow: UnitOfWork, account_id: str) -> domain.Preferences:
    row = uow.session.get(PreferenceRow, account_id)
    if row is None:
        return domain.Preferences()
    return domain.Preferences(row.sms, row.email, domain.language_of(row.language))


def contact_of(uow: UnitOfWork, account_id: str) -> domain.Contact:
    row = uow.session.get(ContactDetails, account_id)
    return domain.Contact(row.phone, row.email) if row else domain.Contact()


def document_names(codes: list[str], order: OrderSeen, lang: str) -> str:
    """The documents' titles in the language, as the draft named them."""
    key = "en" if lang == "en" else "zh"
    names = [(order.documents.get(code) or {}).get(key) or code for code in codes]
    return (", " if lang == "en" else "、").join(names)


# values(language) → the template's fields, written for that language
Values = Callable[[str], dict[str, Any]]


def write_messages(
    ctx: Context, uow: UnitOfWork, *, event_id: str, event_type: str, template_key: str,
    order: OrderSeen, values: Values,
) -> list[Message]:  # fmt: skip
    """The event's message on each channel the applicant gets it on (none twice)."""
    item = templates.template(template_key)
    preferences = preferences_of(uow, order.account_id)
    language = preferences.language
    link = f"{ctx.link_base}/applications/{order.order_id}"
    sms_link = f"{ctx.sms_link_base}/a/{order.reference}"
    text = templates.render(template_key, language, values(language), link, sms_link)
    now = uow.clock.now()
    written = []
    channels = domain.channels_for(item.required, preferences, contact_of(uow, order.account_id))
    for channel in channels:
        if _exists(uow, event_id, template_key, channel):
            continue
        message = Message(
            id=f"msg_{uuid.uuid4().hex[:16]}", account_id=order.account_id,
            order_id=order.order_id, reference=order.reference, event_id=event_id,
            event_type=event_type, template=template_key, channel=channel.value,
            language=language, required=item.required, quiet_exempt=item.quiet_exempt,
            title=text.title, body=_body(text, channel), link=link if channel != Channel.SMS else sms_link,
            generation=1, attempts=0, created_at=now, updated_at=now,
        )  # fmt: skip
        if channel == Channel.INAPP:
            message.status, message.delivered_at = Status.DELIVERED.value, now
        else:
            message.status = Status.PENDING.value
            message.next_attempt_at = domain.release_at(
                now, channel, item.quiet_exempt, ctx.quiet_hours
            )
        uow.session.add(message)
        written.append(message)
    uow.session.flush()
    return written


def _body(text: templates.Rendered, channel: Channel) -> str:
    return {Channel.INAPP: text.body, Channel.SMS: text.sms, Channel.EMAIL: text.email}[channel]


def _exists(uow: UnitOfWork, event_id: str, template_key: str, channel: Channel) -> bool:
    found = uow.session.scalars(
        select(Message.id).where(
            Message.event_id == event_id,
            Message.template == template_key,
            Message.channel == channel.value,
        )
    ).first()
    return found is not None
