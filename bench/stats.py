"""The public statistics page (/stats) through the gateway, with 100,000
completed orders and 100,000 ratings in ratings' read model, vs the bare Flask
endpoint (bench/bare_flask.py) serving the same bytes in the same run.

Catalog, ratings and the gateway run as the stack runs them (gunicorn, one
gthread worker of eight threads each; PostgreSQL). Before the clock starts,
ratings' own tables are filled in bulk (COPY): ORDERS orders completed over the
last twelve months, each rated once, each bad rating with its rectification
case, and the per-day counts of them all computed by ratings' own
`statistics.order_counts`, `rating_counts` and `case_counts` (what its
handlers and use cases add row by row). The figures the gateway then shows
are checked against the ones counted while filling, so the page measured is
the real read model's. wrk then loads `GET /stats` (the last 30 days, the
page a person opens) and `GET /stats?period=12m`.
"""

from __future__ import annotations

import json
import random
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import psycopg

from bench.http_load import requests_per_second
from bench.storefront import _bare_rate
from common.processes import Stack
from ratings import statistics
from ratings.domain import BAD_LEVELS, LEVELS, TAGS, Deadlines

TARGET_RATIO = 0.3
ORDERS = 100_000  # completed, each rated once: 100,000 ratings
DAYS = 364  # completions spread over the last twelve months
# A plausible spread of stars (most applicants content, a few not).
LEVEL_WEIGHTS = {5: 58, 4: 24, 3: 10, 2: 5, 1: 3}
ITEMS = ("driving-licence-replacement", "licence-plate-replacement", "annual-licence-verification")
PAGES = (("/stats", "30 days"), ("/stats?period=12m", "12 months"))


def run() -> list[dict[str, object]]:
    with tempfile.TemporaryDirectory(prefix="bench-stats-") as tmp:
        workdir = Path(tmp)
        # The statistics page reads the catalog (the items to choose from) and
        # ratings; the gateway insists on knowing where orders and verification
        # are, but never calls them here.
        nowhere = "http://127.0.0.1:9"
        stack = Stack(
            workdir=workdir,
            services=["catalog", "ratings", "gateway"],
            extra_env={"ORDERS_URL": nowhere, "VERIFICATION_URL": nowhere},
        )
        stack.start()
        try:
            started = time.monotonic()
            expected = fill(stack.databases["ratings"], datetime.now(UTC))
            print(f"  read model filled in {time.monotonic() - started:.1f} s", flush=True)
            gateway = stack.url("gateway")
            _check(gateway, expected)
            body = _fetch(gateway + PAGES[0][0])
            rates = [(label, requests_per_second(gateway + path)) for path, label in PAGES]
            bare_rate = _bare_rate(workdir, body)
        finally:
            stack.stop()
    return [_figure(label, rate, bare_rate) for label, rate in rates]


def _figure(label: str, rate: float, bare_rate: float) -> dict[str, object]:
    return {
        "name": f"statistics page (/stats, {label}) through the gateway, "
        f"{ORDERS:,} orders and ratings",
        "value": round(rate, 1),
        "unit": "requests/s",
        "baseline_name": "bare Flask JSON endpoint, same body",
        "baseline_value": round(bare_rate, 1),
        "ratio": round(rate / bare_rate, 3),
        "target": f">= {TARGET_RATIO}x baseline",
        "passed": rate / bare_rate >= TARGET_RATIO,
    }


# -- the read model ----------------------------------------------------------------------


@dataclass
class Expected:
    """What the gateway's figures must say, counted while filling."""

    completed_12m: int = 0
    rated_12m: int = 0
    bad_12m: int = 0


def fill(database_url: str, now: datetime, orders: int = ORDERS) -> Expected:
    """ORDERS completed orders, their ratings, the bad ratings' cases and every
    per-day count they make, written with COPY into ratings' tables."""
    chance = random.Random(9)  # the same data on every run
    counts: Counter[statistics.Key] = Counter()
    order_rows, rating_rows, case_rows = [], [], []
    for n in range(orders):
        order = _order(chance, n, now)
        rating = _rating(chance, order, now)
        counts.update(statistics.order_counts(order))
        counts.update(statistics.rating_counts(rating))
        order_rows.append(_values(order, ORDER_COLUMNS))
        rating_rows.append(_values(rating, RATING_COLUMNS))
        if rating.level in BAD_LEVELS:
            case = _case(chance, rating, now)
            counts.update(statistics.case_counts(case))
            case_rows.append(_values(case, CASE_COLUMNS))
    with psycopg.connect(database_url) as connection:
        _copy(connection, "orders", ORDER_COLUMNS, order_rows)
        _copy(connection, "ratings", RATING_COLUMNS, rating_rows)
        _copy(connection, "cases", CASE_COLUMNS, case_rows)
        count_rows = [(*key, value) for key, value in counts.items() if value]
        _copy(connection, "daily_counts", ("day", "item_code", "metric", "bucket", "count"),
              count_rows)  # fmt: skip
        connection.execute("ANALYZE")
    return _expected(counts, now)


ORDER_COLUMNS = (
    "order_id", "applicant_id", "item_code", "applicant_name_masked", "drafted",
    "submitted_at", "approved_at", "asked_again", "rejected_at", "dispatched_at",
    "delivered_at", "completed_at", "invited_at", "rated", "updated_at",
)  # fmt: skip
RATING_COLUMNS = (
    "id", "order_id", "item_code", "applicant_id", "level", "tags", "speed", "service",
    "delivery", "comment", "anonymous", "shown_name", "created_at",
)  # fmt: skip
CASE_COLUMNS = (
    "id", "kind", "order_id", "item_code", "applicant_id", "rating_id", "status",
    "opened_at", "contact_by", "answer_by", "contacted_at", "contacted_by",
    "first_answered_at", "answered_at", "answered_by", "feedback", "closed_at", "outcome",
    "updated_at",
)  # fmt: skip


def _hours(chance: random.Random, low: float, high: float) -> timedelta:
    return timedelta(hours=chance.uniform(low, high))


def _order(chance: random.Random, n: int, now: datetime) -> SimpleNamespace:
    """An order's steps, counted back from its completion (all before now)."""
    completed = now - _hours(chance, 6, DAYS * 24)
    delivered = completed - _hours(chance, 0, 48)
    dispatched = delivered - _hours(chance, 12, 96)
    approved = dispatched - _hours(chance, 2, 72)
    submitted = approved - _hours(chance, 1, 120)
    return SimpleNamespace(
        order_id=f"ord_bench{n:06d}", applicant_id=f"app_bench{n % 20_000:05d}",
        item_code=chance.choice(ITEMS), applicant_name_masked="张**", drafted=True,
        submitted_at=submitted, approved_at=approved, asked_again=chance.random() < 0.08,
        rejected_at=None, dispatched_at=dispatched, delivered_at=delivered,
        completed_at=completed, invited_at=None, rated=True, updated_at=completed,
    )  # fmt: skip


def _rating(chance: random.Random, order: SimpleNamespace, now: datetime) -> SimpleNamespace:
    level = chance.choices(list(LEVEL_WEIGHTS), weights=list(LEVEL_WEIGHTS.values()))[0]
    created = min(order.completed_at + _hours(chance, 1, 72), now)
    tags = chance.sample(sorted(TAGS[LEVELS[level].tag_set]), 2)
    return SimpleNamespace(
        id=f"rat_bench{order.order_id[-6:]}", order_id=order.order_id,
        item_code=order.item_code, applicant_id=order.applicant_id, level=level,
        tags=json.dumps(tags), speed=level, service=min(5, level + 1), delivery=level,
        comment=None, anonymous=chance.random() < 0.2, shown_name="张**", created_at=created,
    )  # fmt: skip


def _case(chance: random.Random, rating: SimpleNamespace, now: datetime) -> SimpleNamespace:
    """A bad rating's case: mostly contacted and answered in time, mostly accepted."""
    opened = rating.created_at
    deadlines = Deadlines.from_opening(opened, 1, 15)
    contacted = min(opened + _hours(chance, 1, 40), now)
    answered = min(contacted + _hours(chance, 24, 24 * 24), now)
    accepted = answered < now and chance.random() < 0.75
    return SimpleNamespace(
        id=f"cas_bench{rating.order_id[-6:]}", kind="bad_rating", order_id=rating.order_id,
        item_code=rating.item_code, applicant_id=rating.applicant_id, rating_id=rating.id,
        status="closed" if accepted else "answered", opened_at=opened,
        contact_by=deadlines.contact_by, answer_by=deadlines.answer_by,
        contacted_at=contacted, contacted_by="stf_bench", first_answered_at=answered,
        answered_at=answered, answered_by="stf_bench", feedback="已整改。",
        closed_at=answered if accepted else None, outcome="accepted" if accepted else None,
        updated_at=answered,
    )  # fmt: skip


def _values(row: SimpleNamespace, columns: Sequence[str]) -> tuple[Any, ...]:
    return tuple(getattr(row, column) for column in columns)


def _copy(
    connection: psycopg.Connection[Any], table: str, columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
) -> None:  # fmt: skip
    with connection.cursor() as cursor:
        statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)


def _expected(counts: Counter[statistics.Key], now: datetime) -> Expected:
    since = statistics.day_of(now) - timedelta(days=statistics.PERIODS["12m"] - 1)
    expected = Expected()
    for (day, item, metric, bucket), value in counts.items():
        if item != statistics.STORE or day < since:
            continue
        if metric == "completed":
            expected.completed_12m += value
        elif metric == "rating":
            expected.rated_12m += value
            expected.bad_12m += value if bucket in BAD_LEVELS else 0
    return expected


# -- the gateway -------------------------------------------------------------------------


def _check(gateway: str, expected: Expected) -> None:
    """The gateway's figures are the read model's (refuse the run otherwise)."""
    found = json.loads(_fetch(gateway + "/api/v1/stats?period=12m"))
    shown = (
        found["deals_completed"],
        found["satisfaction"]["count"],
        found["bad_ratings"]["count"],
    )
    wanted = (expected.completed_12m, expected.rated_12m, expected.bad_12m)
    if shown != wanted or expected.completed_12m < ORDERS * 0.99:
        raise RuntimeError(f"/api/v1/stats shows {shown}, the read model holds {wanted}")
    page = _fetch(gateway + "/stats?period=12m").decode()
    if f"{expected.completed_12m:,}" not in page and str(expected.completed_12m) not in page:
        raise RuntimeError("the statistics page does not show the deals completed")


def _fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as answer:  # noqa: S310
        return bytes(answer.read())
