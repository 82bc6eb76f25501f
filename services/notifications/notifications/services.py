"""Turning what happened into messages: the Context the use cases share, and
`write_messages`, the one place a template becomes rows, one per channel.

A message's rows are written in the transaction of the event that caused it
(the consumer's, after its inbox row), so an event is turned into messages
once; the unique (event, template, channel) refuses a second row should
anything but the inbox's consumer write one.

An event costs one statement here, as the worker handles hundreds a second:
one read of the order with its applicant's preferences and contact
(`addressee`); the new order and the messages are added to the session and
written with the rest of the consumer's batch at its commit.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import String, bindparam, func, insert, literal, select, update
from sqlalchemy.dialects.postgresql import ARRAY

from common.clock import Clock
from common.db import UnitOfWork, make_session_factory
from notifications import domain, templates
from notifications.clients.fulfillment import PickupCodes
from notifications.domain import Channel, Status
from notifications.models import ContactDetails, Message, OrderSeen, PreferenceRow, table_of
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
    batch: BatchHint = field(default_factory=lambda: BatchHint())


class OrderNotKnown(Exception):
    """An event about an order whose owner no event has told us yet: retried, since
    competing consumers reorder events; dead-lettered by the consumer if it stays so."""


class MessagesUnitOfWork(UnitOfWork):
    """Common's unit of work, holding the orders and messages the consumer's batch
    adds as plain rows until its commit, which writes them with one batched INSERT
    per table (the driver pipelines the rows: one round trip).
    Outside a savepoint only: the dispatcher's careful path handles each event in
    a savepoint, and there rows are written at once, so that a rolled-back event
    takes its rows with it."""

    def __enter__(self) -> MessagesUnitOfWork:
        super().__enter__()
        self.pending: dict[Any, list[dict[str, Any]]] = {OrderSeen: [], Message: []}
        return self

    def commit(self) -> None:
        write_pending(self)
        super().commit()


def messages_uow_factory(engine: Any, producer: str, clock: Clock) -> Callable[[], UnitOfWork]:
    sessions = make_session_factory(engine)
    return lambda: MessagesUnitOfWork(sessions, producer, clock)


def _holding(uow: UnitOfWork) -> bool:
    return isinstance(uow, MessagesUnitOfWork) and not uow.session.in_nested_transaction()


def _add(uow: UnitOfWork, model: Any, row: dict[str, Any]) -> None:
    """A new row: held until the commit when it may be, written now otherwise."""
    if _holding(uow):
        uow.pending[model].append(row)  # type: ignore[attr-defined]
    else:
        uow.session.execute(insert(table_of(model)), [row])


def write_pending(uow: UnitOfWork) -> None:
    """Write the rows held (orders first, their messages after); before a statement
    that must see them (deleting an account's messages) and at the commit."""
    if not isinstance(uow, MessagesUnitOfWork):
        return
    for model in (OrderSeen, Message):
        rows, uow.pending[model] = uow.pending[model], []
        if rows:
            # A list of parameters: one batched INSERT, pipelined by the driver.
            uow.session.execute(insert(table_of(model)), rows)


def order_of(uow: UnitOfWork, order_id: str) -> OrderSeen:
    order = uow.session.get(OrderSeen, order_id)
    if order is None:
        raise OrderNotKnown(f"order {order_id} not known")
    return order


@dataclass(frozen=True)
class Addressee:
    """An event's order and what its applicant's messages need: preferences, contact."""

    order: OrderSeen
    preferences: domain.Preferences
    contact: domain.Contact


class BatchHint:
    """The orders of the batch the worker's consumer is handling (order id → the
    applicant an event names, or None), set by notifications' dispatcher, so that
    the batch's first read brings every event's addressee."""

    def __init__(self) -> None:
        self.orders: dict[str, str | None] = {}


_ADDED = "notifications.orders"  # session.info: the orders this transaction added
_READ = "notifications.addressees"  # session.info: what this transaction read
# order id → (the order or None, the account read for, Preferences, Contact)
Read = dict[str, tuple[OrderSeen | None, str | None, domain.Preferences, domain.Contact]]


def addressee(
    uow: UnitOfWork, order_id: str, applicant_id: str | None = None,
    reference: str | None = None, documents: dict[str, Any] | None = None,
    hint: BatchHint | None = None,
) -> Addressee:  # fmt: skip
    """The order, remembered when the event names its applicant (OrderNotKnown when
    none ever did), and the applicant's preferences and contact.

    Read in the event's transaction, for every order of the consumer's batch at
    once (`hint`); an order added by an earlier event of the transaction is
    remembered in it. New orders are rows held until the commit
    (MessagesUnitOfWork)."""
    session = uow.session
    added: dict[str, OrderSeen] = session.info.setdefault(_ADDED, {})
    pending = added.get(order_id)
    account = applicant_id or (pending.account_id if pending is not None else None)
    read: Read = session.info.setdefault(_READ, {})
    if order_id not in read:
        wanted = {k: v for k, v in (hint.orders if hint else {}).items() if k not in read}
        read.update(_read(session, {**wanted, order_id: account}))
    found, read_for, preferences, contact = read[order_id]
    if found is None and account and read_for != account:
        # An order new in this batch: its applicant's details were not read yet.
        read.update(_read(session, {order_id: account}))
        found, read_for, preferences, contact = read[order_id]
    order = pending or found
    if order is None:
        if applicant_id is None or reference is None:
            raise OrderNotKnown(f"order {order_id} not known")
        row = {"order_id": order_id, "account_id": applicant_id, "reference": reference,
               "documents": documents or {}, "created_at": uow.clock.now()}  # fmt: skip
        order = OrderSeen(**row)  # what the handlers read of it; never added to the session
        if _holding(uow):
            added[order_id] = order
        else:  # written at once, in the event's savepoint: the next read finds it, or not
            read.pop(order_id, None)
        _add(uow, OrderSeen, row)
    elif documents:
        if order is pending:  # not written yet, or written as it was
            _update_documents(uow, order, documents)
        order.documents = documents
    return Addressee(order, preferences, contact)


def _update_documents(uow: UnitOfWork, order: OrderSeen, documents: dict[str, Any]) -> None:
    held = [row for row in getattr(uow, "pending", {}).get(OrderSeen, [])
            if row["order_id"] == order.order_id]  # fmt: skip
    for row in held:
        row["documents"] = documents
    if not held:
        uow.session.execute(update(table_of(OrderSeen))
                            .where(OrderSeen.order_id == order.order_id)
                            .values(documents=documents))  # fmt: skip


def forget_reads(uow: UnitOfWork) -> None:
    """A contact, a preference or an account changed in this transaction: read again."""
    uow.session.flush()
    uow.session.info.pop(_READ, None)


def _read(session: Any, wanted: dict[str, str | None]) -> Read:
    """Each order with its applicant's preferences and contact, without flushing:
    one statement on PostgreSQL, one per order elsewhere (SQLite under make run)."""
    with session.no_autoflush:
        if session.get_bind().dialect.name == "postgresql":
            rows = session.execute(_READ_MANY, {"o": list(wanted), "a": list(wanted.values())})
        else:
            rows = (session.execute(_read_one(o, a)).one() for o, a in wanted.items())
        read: Read = {}
        for order_id, account, found, sms, email, language, phone, address in rows:
            preferences = (domain.Preferences() if language is None
                           else domain.Preferences(sms, email, domain.language_of(language)))  # fmt: skip
            read[order_id] = (found, account, preferences, domain.Contact(phone, address))
        return read


def _addressees(wanted: Any) -> Any:
    account = func.coalesce(OrderSeen.account_id, wanted.c.account_id)
    return (
        select(wanted.c.order_id, account, OrderSeen, PreferenceRow.sms, PreferenceRow.email,
               PreferenceRow.language, ContactDetails.phone, ContactDetails.email)
        .select_from(wanted)
        .outerjoin(OrderSeen, OrderSeen.order_id == wanted.c.order_id)
        .outerjoin(PreferenceRow, PreferenceRow.account_id == account)
        .outerjoin(ContactDetails, ContactDetails.account_id == account)
    )  # fmt: skip


_READ_MANY = _addressees(
    func.unnest(bindparam("o", type_=ARRAY(String)), bindparam("a", type_=ARRAY(String)))
    .table_valued("order_id", "account_id").render_derived(name="wanted")
)  # fmt: skip


def _read_one(order_id: str, account_id: str | None) -> Any:
    return _addressees(select(literal(order_id, String).label("order_id"),
                              literal(account_id, String).label("account_id")).subquery())  # fmt: skip


def remember_order(
    uow: UnitOfWork, order_id: str, account_id: str, reference: str,
    documents: dict[str, Any] | None = None,
) -> OrderSeen:  # fmt: skip
    """Who the order belongs to (the events carrying applicant_id say); the
    documents' titles replace those kept when given."""
    return addressee(uow, order_id, account_id, reference, documents).order


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
    order: OrderSeen, values: Values, to: Addressee | None = None,
) -> list[dict[str, Any]]:  # fmt: skip
    """The event's message on each channel the applicant gets it on. Once per event:
    the consumer's inbox runs a handler once, and the unique (event, template,
    channel) refuses a second row. A batch's messages go to the database in one
    INSERT at its commit (MessagesUnitOfWork)."""
    item = templates.template(template_key)
    if to is None:
        preferences, contact = (
            preferences_of(uow, order.account_id),
            contact_of(uow, order.account_id),
        )
    else:
        preferences, contact = to.preferences, to.contact
    language = preferences.language
    link = f"{ctx.link_base}/applications/{order.order_id}"
    sms_link = f"{ctx.sms_link_base}/a/{order.reference}"
    text = templates.render(template_key, language, values(language), link, sms_link)
    now = uow.clock.now()
    rows = []
    for channel in domain.channels_for(item.required, preferences, contact):
        inapp = channel == Channel.INAPP
        rows.append({
            "id": f"msg_{uuid.uuid4().hex[:16]}", "account_id": order.account_id,
            "order_id": order.order_id, "reference": order.reference, "event_id": event_id,
            "event_type": event_type, "template": template_key, "channel": channel.value,
            "language": language, "required": item.required, "quiet_exempt": item.quiet_exempt,
            "title": text.title, "body": _body(text, channel),
            "link": sms_link if channel == Channel.SMS else link,
            "status": Status.DELIVERED.value if inapp else Status.PENDING.value,
            "delivered_at": now if inapp else None,
            "next_attempt_at": None if inapp else domain.release_at(
                now, channel, item.quiet_exempt, ctx.quiet_hours),
            "generation": 1, "attempts": 0, "created_at": now, "updated_at": now,
        })  # fmt: skip
    for row in rows:
        _add(uow, Message, row)
    return rows


def _body(text: templates.Rendered, channel: Channel) -> str:
    return {Channel.INAPP: text.body, Channel.SMS: text.sms, Channel.EMAIL: text.email}[channel]
