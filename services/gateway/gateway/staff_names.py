"""Staff by name: the other services know a staff member by account id only;
the gateway keeps the accounts, so it turns those ids into the names people
sign in with (the work email address, as the page footer shows one's own)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from common.db import UnitOfWork
from gateway.models import accounts

STAFF = "staff"


def staff_names(uow: UnitOfWork, account_ids: Iterable[str | None]) -> dict[str, str]:
    """{account id: name} for the staff accounts among `account_ids` (unknown ids,
    "system" and applicants are left out, for the page to word them itself)."""
    wanted = sorted({account_id for account_id in account_ids if account_id})
    if not wanted:
        return {}
    with uow:
        rows = uow.session.execute(
            select(accounts.c.id, accounts.c.email, accounts.c.mobile).where(
                accounts.c.id.in_(wanted), accounts.c.kind == STAFF
            )
        )
        return {row.id: row.email or row.mobile or row.id for row in rows}


def every_staff_member(uow: UnitOfWork) -> dict[str, str]:
    """{account id: name} of every staff account, by name: the audit log's choice
    of whom to show."""
    with uow:
        rows = uow.session.execute(
            select(accounts.c.id, accounts.c.email, accounts.c.mobile).where(
                accounts.c.kind == STAFF
            )
        )
        named = {row.id: row.email or row.mobile or row.id for row in rows}
    return dict(sorted(named.items(), key=lambda pair: pair[1]))
