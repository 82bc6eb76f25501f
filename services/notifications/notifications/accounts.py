"""Contact details and preferences, per account.

The gateway owns the accounts and publishes `accounts.contact_changed` and
`accounts.deleted` (docs/design/notify.md). Only the phone, the email and the
language are kept; deletion forgets them with the account's preferences and
messages, and nothing of the account waits to be sent any more.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete

from common.db import UnitOfWork
from common.errors import InvalidInput
from notifications import domain, templates
from notifications.models import ContactDetails, Message, OrderSeen, PreferenceRow, Reminder
from notifications.services import Context, contact_of, preferences_of, write_pending


def save_contact(uow: UnitOfWork, data: dict[str, Any]) -> bool:
    """Keep the latest contact details; False for a change older than the one kept."""
    row = uow.session.get(ContactDetails, data["account_id"], with_for_update=True)
    if row is not None and row.changed_at >= data["changed_at"]:
        return False
    if row is None:
        row = ContactDetails(account_id=data["account_id"], changed_at=data["changed_at"])
        uow.session.add(row)
    row.phone, row.email, row.changed_at = data["phone"], data["email"], data["changed_at"]
    if data["language"] is not None:  # null: a new phone or email, the language stays
        _preference_row(uow, data["account_id"]).language = data["language"]
    return True


def forget(uow: UnitOfWork, account_id: str) -> None:
    """The account is gone: its contact, preferences and messages go with it."""
    write_pending(uow)  # the messages of this batch's earlier events go too
    session = uow.session
    orders = [o.order_id for o in session.query(OrderSeen).filter_by(account_id=account_id)]
    if orders:
        session.execute(delete(Reminder).where(Reminder.order_id.in_(orders)))
    session.execute(delete(Message).where(Message.account_id == account_id))
    session.execute(delete(OrderSeen).where(OrderSeen.account_id == account_id))
    session.execute(delete(ContactDetails).where(ContactDetails.account_id == account_id))
    session.execute(delete(PreferenceRow).where(PreferenceRow.account_id == account_id))


def _preference_row(uow: UnitOfWork, account_id: str) -> PreferenceRow:
    row = uow.session.get(PreferenceRow, account_id)
    if row is None:
        row = PreferenceRow(account_id=account_id, sms=True, email=True,
                            language=domain.DEFAULT_LANGUAGE, updated_at=uow.clock.now())  # fmt: skip
        uow.session.add(row)
    return row


def preferences_view(uow: UnitOfWork, account_id: str) -> dict[str, Any]:
    preferences = preferences_of(uow, account_id)
    contact = contact_of(uow, account_id)
    return {
        "sms": preferences.sms, "email": preferences.email, "language": preferences.language,
        "phone_masked": domain.mask_phone(contact.phone),
        "email_masked": domain.mask_email(contact.email),
        "required_templates": sorted(k for k, t in templates.TEMPLATES.items() if t.required),
    }  # fmt: skip


def get_preferences(ctx: Context, account_id: str) -> dict[str, Any]:
    with ctx.uow() as uow:
        return preferences_view(uow, account_id)


def change_preferences(ctx: Context, account_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    """Switch SMS or email, or choose the language; the inbox stays on (422 `inapp`)."""
    errors = domain.check_preferences(changes)
    if errors:
        raise InvalidInput("These preferences cannot be saved.", errors=errors)
    with ctx.uow() as uow:
        row = _preference_row(uow, account_id)
        for name in ("sms", "email", "language"):
            if name in changes:
                setattr(row, name, changes[name])
        row.updated_at = uow.clock.now()
        uow.commit()
        return preferences_view(uow, account_id)
