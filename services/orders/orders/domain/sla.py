"""When an order is expected to be done: its item's promised processing time
(`sla_working_days`, working days in office time, common.working_days) from
its submission. Shown to the applicant while the order is on its way."""

from __future__ import annotations

from datetime import date, datetime

from common.working_days import OFFICE_TIME, add_working_days
from orders.domain.states import FINAL, Status

# Nothing is promised before submission, nor once the order is in the applicant's hands.
_NOT_ON_ITS_WAY = FINAL | {Status.DRAFT, Status.REJECTED, Status.DELIVERED}
ON_ITS_WAY = frozenset(Status) - _NOT_ON_ITS_WAY


def expected_completion(
    status: str, submitted_at: datetime | None, sla_working_days: int | None
) -> date | None:
    """The day (office time) the order should be done, or None when nothing is promised."""
    if submitted_at is None or not sla_working_days or status in _NOT_ON_ITS_WAY:
        return None
    return add_working_days(submitted_at, sla_working_days).astimezone(OFFICE_TIME).date()
