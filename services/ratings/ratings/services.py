"""What every use case of ratings shares: the Context (the unit-of-work factory
and the policy read from the settings), ids, and the checks of published text.

The use cases live beside it, one module per purpose:
rating.py      rate an order, reply, follow up, the ratings list and the summaries
complaints.py  cases: open a complaint, the queue, the thread, contact, answer, accept, reopen
statistics.py  the read model's per-day counts, /stats and the dashboard's figures
invitations.py the timers: inviting unrated orders, closing answered cases left alone
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from common.db import UnitOfWork
from common.errors import InvalidInput
from ratings.domain.privacy import personal_data_errors


@dataclass(frozen=True)
class Context:
    uow: Callable[[], UnitOfWork]
    window: timedelta = timedelta(days=15)
    invite_after: timedelta = timedelta(days=3)
    min_for_average: int = 5
    contact_working_days: int = 1
    answer_working_days: int = 15
    accept_after: timedelta = timedelta(days=7)


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(6)}"


def publishable(errors: dict[str, list[str]], field: str, text: str | None) -> None:
    """Add `field`'s refusal to `errors` when the text looks like personal data."""
    reasons = personal_data_errors(text)
    if reasons:
        errors.setdefault(field, []).extend(reasons)


def refuse_if(errors: dict[str, list[str]]) -> None:
    if errors:
        raise InvalidInput(f"Check these fields: {', '.join(sorted(errors))}.", errors=errors)
