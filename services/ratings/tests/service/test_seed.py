"""The demo ratings of `make run`: only in demo mode, once, through ratings' own
paths, so the store front has stars (ratings.summary_changed) and /stats has
figures; no bad rating, so no case tells orders of an order it never had."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from common.clock import SystemClock
from ratings import seed, statistics

from .conftest import SECRET


@pytest.fixture
def demo_env(monkeypatch: pytest.MonkeyPatch, database_url: str) -> None:
    for name, value in {"DEMO_MODE": "true", "RATINGS_DATABASE_URL": database_url,
                        "BUS_URL": "memory://", "INTERNAL_TOKEN_SECRET": SECRET}.items():  # fmt: skip
        monkeypatch.setenv(name, value)


def _count(db, table: str) -> int:
    with db.connect() as connection:
        return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def test_nothing_is_seeded_outside_demo_mode(db, monkeypatch, database_url) -> None:
    monkeypatch.delenv("DEMO_MODE", raising=False)
    assert seed.seed(database_url) == []
    assert _count(db, "ratings") == 0


def test_the_demo_ratings_are_seeded_once_with_their_figures(demo_env, db, outbox) -> None:
    seed.seed()
    seed.seed()  # every start of make run seeds again: nothing is added twice
    rated = len(seed.DEMO_RATINGS)
    assert _count(db, "ratings") == _count(db, "orders") == rated
    assert _count(db, "cases") == 0, "no bad rating among the demo ones"
    summaries = outbox("ratings.summary_changed")
    assert len(summaries) == rated
    assert summaries[-1]["data"]["store"]["count"] == rated, "the newest summary counts them all"
    # The figures of the last 30 days as /stats reads them (the app's clock is frozen
    # in the past; the seed dates its orders from today).
    with Session(db) as session:
        figures = statistics.figures(session, None, "30d", SystemClock().now(), 5)
    assert figures["deals_completed"] == figures["satisfaction"]["count"] == rated
    assert figures["durations"]["submit_to_approve"]["count"] == rated
