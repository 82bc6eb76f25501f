"""The SQL a statistics request costs ratings' database: the figures come from
the per-day counts in one GROUP BY, however many ratings and orders there are,
so the count is held here and a per-rating scan cannot creep in unnoticed."""

from __future__ import annotations

from contextlib import AbstractContextManager as ContextManager

from flask import Flask

from common.testing import statements_on

from .conftest import GOOD, ITEM, PUBLIC, REVIEWER

# /stats: the period's per-day counts of the item (or the store), summed by metric
# and bucket in one statement.
STATS_STATEMENTS = 1
# /dashboard: the open cases, the store's 30 days of per-day counts.
DASHBOARD_STATEMENTS = 2


def counted(app: Flask) -> ContextManager[list[str]]:
    return statements_on(app.extensions["ratings.engine"])


def _rated_orders(flow, rate, how_many: int) -> None:
    for _ in range(how_many):
        assert rate(flow.whole_order(), GOOD).status_code == 201


def test_stats_cost_one_statement_however_many_ratings(app, client, flow, rate) -> None:
    _rated_orders(flow, rate, 2)
    for query in (f"item={ITEM}&period=30d", "period=12m"):
        with counted(app) as seen:
            answer = client.get(f"/stats?{query}", headers=PUBLIC)
        assert answer.status_code == 200 and answer.json["satisfaction"]["count"] == 2
        assert len(seen) == STATS_STATEMENTS, seen
    _rated_orders(flow, rate, 3)
    with counted(app) as seen:
        assert client.get("/stats?period=12m", headers=PUBLIC).json["deals_completed"] == 5
    assert len(seen) == STATS_STATEMENTS, seen


def test_the_dashboard_costs_a_fixed_number_of_statements(app, client, flow, rate) -> None:
    _rated_orders(flow, rate, 2)
    with counted(app) as seen:
        assert client.get("/dashboard", headers=REVIEWER).status_code == 200
    assert len(seen) == DASHBOARD_STATEMENTS, seen
