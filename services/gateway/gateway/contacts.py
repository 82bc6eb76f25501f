"""An applicant changes the mobile number and the email address of their account.

Both are ways to sign in and where messages go, so the current password is
asked for, a wrong one counts against the sign-in rate limit as a failed
sign-in would, and an address another account holds is refused. A change
publishes `accounts.contact_changed` through the outbox, in the transaction
that makes it, as registration does; `language` is null there (the account
keeps the messages' language notifications holds). Refusals name the field
with a message key of `gateway.i18n`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from common.db import UnitOfWork
from common.errors import Conflict, Forbidden, InvalidInput, TooManyRequests
from gateway import domain, events
from gateway.i18n import N_
from gateway.models import accounts, sign_in_failures
from gateway.passwords import PasswordHasher
from gateway.services import APPLICANT, Principal, SignInPolicy

KEYS = (
    N_("contact.mobile_invalid"),
    N_("contact.email_invalid"),
    N_("contact.one_needed"),
    N_("contact.wrong_password"),
    N_("contact.taken"),
)


@dataclass(frozen=True)
class Contact:
    mobile: str | None
    email: str | None


def read_form(mobile: str | None, email: str | None) -> Contact:
    """The two fields, checked: blank is none; at least one stays, to sign in with."""
    errors: dict[str, list[str]] = {}
    values: dict[str, str | None] = {}
    for field, raw in (("mobile", mobile), ("email", email)):
        text = (raw or "").strip()
        values[field] = None
        if not text:
            continue
        try:
            parsed = domain.parse_identifier(text, field=field)
        except domain.FieldErrors:
            parsed = None
        if parsed is None or parsed.kind != field:
            errors[field] = [f"contact.{field}_invalid"]
        else:
            values[field] = parsed.value
    if not errors and values["mobile"] is None and values["email"] is None:
        errors["mobile"] = errors["email"] = ["contact.one_needed"]
    if errors:
        raise InvalidInput("form.invalid", errors=errors)
    return Contact(values["mobile"], values["email"])


def current(uow: UnitOfWork, principal: Principal) -> Contact:
    with uow:
        row = uow.session.execute(
            select(accounts.c.mobile, accounts.c.email).where(accounts.c.id == principal.account_id)
        ).one()
        return Contact(row.mobile, row.email)


def change(
    uow: UnitOfWork,
    hasher: PasswordHasher,
    policy: SignInPolicy,
    principal: Principal,
    *,
    mobile: str | None,
    email: str | None,
    password: str | None,
    ip: str,
) -> Contact:
    """Change the account's mobile number and email; 422 naming the field, 409 taken."""
    if principal.kind != APPLICANT:
        raise Forbidden("auth.forbidden")
    try:
        wanted = read_form(mobile, email)
    except InvalidInput as error:
        if not password:
            error.errors = {**(error.errors or {}), "password": ["password.required"]}
        raise
    if not password:
        raise InvalidInput("form.invalid", errors={"password": ["password.required"]})
    key, ip = f"account:{principal.account_id}", ip[:64]
    with uow:
        now = uow.clock.now()
        _refuse_too_many(uow, key, ip, now - timedelta(seconds=policy.window_seconds), policy)
        account = uow.session.execute(
            select(accounts).where(accounts.c.id == principal.account_id).with_for_update()
        ).one()
        if not hasher.verify(account.password_hash, password):
            uow.session.execute(
                insert(sign_in_failures).values(account_key=key, ip=ip, failed_at=now)
            )
            uow.commit()
            raise InvalidInput("form.invalid", errors={"password": ["contact.wrong_password"]})
        if (account.mobile, account.email) == (wanted.mobile, wanted.email):
            return wanted  # nothing changed: nothing to tell
        _refuse_taken(uow, principal.account_id, wanted)
        try:
            uow.session.execute(
                update(accounts)
                .where(accounts.c.id == principal.account_id)
                .values(mobile=wanted.mobile, email=wanted.email)
            )
            data = {"account_id": principal.account_id, "language": None,
                    "phone": wanted.mobile, "email": wanted.email, "changed_at": now}  # fmt: skip
            uow.publish(events.CONTACT_CHANGED, events.payload(events.CONTACT_CHANGED, data))
            uow.commit()
        except IntegrityError:  # another account took it meanwhile
            raise Conflict("contact.taken") from None
    return wanted


def _refuse_too_many(uow: UnitOfWork, key: str, ip: str, since, policy: SignInPolicy) -> None:  # type: ignore[no-untyped-def]
    failures = uow.session.execute(
        select(func.count())
        .select_from(sign_in_failures)
        .where(
            sign_in_failures.c.account_key == key,
            sign_in_failures.c.ip == ip,
            sign_in_failures.c.failed_at > since,
        )
    ).scalar_one()
    if failures >= policy.max_failures:
        raise TooManyRequests("sign_in.too_many")
    uow.session.execute(delete(sign_in_failures).where(sign_in_failures.c.failed_at < since))


def _refuse_taken(uow: UnitOfWork, account_id: str, wanted: Contact) -> None:
    taken: dict[str, list[str]] = {}
    for field, value in (("mobile", wanted.mobile), ("email", wanted.email)):
        if value is None:
            continue
        holder = uow.session.execute(
            select(accounts.c.id).where(
                accounts.c.kind == APPLICANT,
                accounts.c[field] == value,
                accounts.c.id != account_id,
            )
        ).first()
        if holder:
            taken[field] = ["contact.taken"]
    if taken:
        raise Conflict("contact.taken", errors=taken)
