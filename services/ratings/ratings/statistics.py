"""The statistics read model: per-day counts kept in step with the rows they
count, and the figures /stats and the staff dashboard read from them.

A row's contributions are a function of the row alone (`order_counts`,
`rating_counts`, `case_counts`); a change to a row takes its old
contributions out and puts the new ones in (`Counting`), so an event applied
twice, or a late one that changes nothing, changes no figure twice.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from common.working_days import OFFICE_TIME
from ratings.domain import LEVELS, percentile_from_histogram, share_milli, working_days_between
from ratings.models import Case, DailyCount, Order, Rating
from ratings.services import Context

STORE = "*"
DURATIONS = ("submit_to_approve", "approve_to_dispatch", "dispatch_to_delivery")
STEPS = ("submitted", "approved", "dispatched", "delivered", "completed")
PERIODS = {"30d": 30, "12m": 365}
Key = tuple[date, str, str, int]


def day_of(moment: datetime) -> date:
    return moment.astimezone(OFFICE_TIME).date()


def _add(
    counts: Counter[Key], item: str | None, moment: datetime, metric: str, bucket: int = 0
) -> None:
    for where in (STORE, item) if item else (STORE,):
        counts[(day_of(moment), where, metric, bucket)] += 1


def order_counts(order: Order) -> Counter[Key]:
    counts: Counter[Key] = Counter()
    item = order.item_code
    for step in STEPS:
        moment = getattr(order, f"{step}_at")
        if moment is not None:
            _add(counts, item, moment, step)
    for metric, start, end in (
        ("submit_to_approve", order.submitted_at, order.approved_at),
        ("approve_to_dispatch", order.approved_at, order.dispatched_at),
        ("dispatch_to_delivery", order.dispatched_at, order.delivered_at),
    ):
        if start is not None and end is not None:
            _add(counts, item, end, metric, working_days_between(start, end))
    if order.approved_at is not None:
        _add(counts, item, order.approved_at, "first_review", 0 if order.asked_again else 1)
    elif order.rejected_at is not None:
        _add(counts, item, order.rejected_at, "first_review", 0)
    return counts


def rating_counts(rating: Rating) -> Counter[Key]:
    counts: Counter[Key] = Counter()
    _add(counts, rating.item_code, rating.created_at, "rating", rating.level)
    return counts


def case_counts(case: Case) -> Counter[Key]:
    counts: Counter[Key] = Counter()
    item, opened = case.item_code, case.opened_at
    _add(counts, item, opened, f"{case.kind}.opened")
    if case.contacted_at is not None and case.contacted_at <= case.contact_by:
        _add(counts, item, opened, f"{case.kind}.contacted_on_time")
    if case.first_answered_at is not None and case.first_answered_at <= case.answer_by:
        _add(counts, item, opened, f"{case.kind}.rectified_on_time")
    if case.outcome == "accepted":
        _add(counts, item, opened, f"{case.kind}.accepted")
    return counts


def apply(session: Session, before: Counter[Key], after: Counter[Key]) -> None:
    """Move the per-day counts from `before` to `after` (one upsert per changed key)."""
    delta = Counter(after)
    delta.subtract(before)
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    for (day, item, metric, bucket), change in sorted(delta.items()):
        if change == 0:
            continue
        insert = dialect.insert(DailyCount).values(
            day=day, item_code=item, metric=metric, bucket=bucket, count=change
        )
        session.execute(
            insert.on_conflict_do_update(
                index_elements=["day", "item_code", "metric", "bucket"],
                set_={"count": DailyCount.count + insert.excluded.count},
            )
        )


class Counting:
    """with Counting(session, row, order_counts): change the row → the counts follow."""

    def __init__(self, session: Session, row: Any, counts: Any) -> None:
        self.session, self.row, self.counts = session, row, counts

    def __enter__(self) -> Counting:
        self.before = self.counts(self.row) if self.row is not None else Counter()
        return self

    def __exit__(self, exc_type: Any, *_rest: Any) -> None:
        if exc_type is None:
            apply(self.session, self.before, self.counts(self.row))


def histograms(session: Session, item: str, start: date, end: date) -> dict[str, dict[int, int]]:
    """metric → bucket → count summed over the days [start, end] (one GROUP BY)."""
    rows = session.execute(
        select(DailyCount.metric, DailyCount.bucket, func.sum(DailyCount.count))
        .where(DailyCount.item_code == item, DailyCount.day >= start, DailyCount.day <= end)
        .group_by(DailyCount.metric, DailyCount.bucket)
    )
    found: dict[str, dict[int, int]] = {}
    for metric, bucket, count in rows:
        if count:
            found.setdefault(metric, {})[bucket] = int(count)
    return found


def _duration(histogram: dict[int, int]) -> dict[str, int | None]:
    return {
        "count": sum(histogram.values()),
        "median_working_days": percentile_from_histogram(histogram, 0.5),
        "p90_working_days": percentile_from_histogram(histogram, 0.9),
    }


def _loop(h: dict[str, dict[int, int]], kind: str) -> dict[str, int | None]:
    opened = sum(h.get(f"{kind}.opened", {}).values())

    def share(metric: str) -> int | None:
        return share_milli(sum(h.get(f"{kind}.{metric}", {}).values()), opened)

    return {
        "count": opened,
        "contacted_on_time_milli": share("contacted_on_time"),
        "rectified_on_time_milli": share("rectified_on_time"),
        "accepted_milli": share("accepted"),
    }


def figures(
    session: Session, item: str | None, period: str, now: datetime, minimum: int
) -> dict[str, Any]:
    """The public statistics of an item (or the store) over the period ending today."""
    end = day_of(now)
    start = end - timedelta(days=PERIODS[period] - 1)
    h = histograms(session, item or STORE, start, end)
    levels = {stars: h.get("rating", {}).get(stars, 0) for stars in sorted(LEVELS)}
    rated = sum(levels.values())
    first = h.get("first_review", {})
    decided = sum(first.values())
    average = share_milli(sum(s * n for s, n in levels.items()), rated)
    return {
        "item": item, "period": period, "from": start, "to": end,
        "deals_completed": sum(h.get("completed", {}).values()),
        "durations": {name: _duration(h.get(name, {})) for name in DURATIONS},
        "first_review": {"decided": decided, "approved_first_time": first.get(1, 0),
                         "rate_milli": share_milli(first.get(1, 0), decided)},
        "satisfaction": {
            "count": rated, "too_few": rated < minimum,
            "average_milli": average if rated >= minimum else None,
            "satisfied_share_milli": share_milli(levels[4] + levels[5], rated),
            "distribution": {str(stars): n for stars, n in levels.items()},
        },
        "bad_ratings": _loop(h, "bad_rating"),
        "complaints": _loop(h, "complaint"),
    }  # fmt: skip


def public_figures(ctx: Context, item: str | None, period: str) -> dict[str, Any]:
    with ctx.uow() as uow:
        return figures(uow.session, item, period, uow.clock.now(), ctx.min_for_average)


def per_day(session: Session, now: datetime, days: int = 30) -> list[dict[str, Any]]:
    """The store's steps and complaints per day, oldest first, every day present."""
    end = day_of(now)
    start = end - timedelta(days=days - 1)
    metrics = ("submitted", "approved", "dispatched", "completed", "complaint.opened")
    rows = session.execute(
        select(DailyCount.day, DailyCount.metric, func.sum(DailyCount.count))
        .where(DailyCount.item_code == STORE, DailyCount.day >= start, DailyCount.day <= end)
        .where(DailyCount.metric.in_(metrics))
        .group_by(DailyCount.day, DailyCount.metric)
    )
    table = {start + timedelta(days=n): dict.fromkeys(metrics, 0) for n in range(days)}
    for day, metric, count in rows:
        table[day][metric] = int(count)
    return [
        {"day": day, "submitted": c["submitted"], "approved": c["approved"],
         "dispatched": c["dispatched"], "completed": c["completed"],
         "complaints": c["complaint.opened"]}
        for day, c in table.items()
    ]  # fmt: skip


def order_row(session: Session, order_id: str, now: datetime) -> Order:
    """The order's read-model row, locked; a new one when ratings has not heard of it."""
    order = session.get(Order, order_id, with_for_update=True)
    if order is None:
        order = Order(
            order_id=order_id, drafted=False, asked_again=False, rated=False, updated_at=now
        )
        session.add(order)
    return order
