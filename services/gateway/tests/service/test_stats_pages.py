"""The public statistics page (/stats) against a stand-in for ratings' /stats:
a chart with nothing to draw says so in the page's language instead of an
empty box, and the page a visitor who is not signed in gets is kept a few
seconds (GATEWAY_STATS_CACHE_SECONDS), never a signed-in visitor's."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask, Response, jsonify
from flask.testing import FlaskClient
from sqlalchemy.engine import Engine

from common.testing_http import serve_in_thread
from gateway.app import create_app

from .conftest import gateway_settings

STEPS = ("submit_to_approve", "approve_to_dispatch", "dispatch_to_delivery")
NOTHING: dict[str, Any] = {
    "item": None, "period": "30d", "from": "2026-11-05", "to": "2026-12-04",
    "deals_completed": 0,
    "durations": {s: {"count": 0, "median_working_days": None, "p90_working_days": None}
                  for s in STEPS},
    "first_review": {"decided": 0, "approved_first_time": 0, "rate_milli": None},
    "satisfaction": {"count": 0, "too_few": True, "average_milli": None,
                     "satisfied_share_milli": None,
                     "distribution": {"1": 0, "2": 0, "3": 0, "4": 0, "5": 0}},
    "bad_ratings": {"count": 0, "contacted_on_time_milli": None,
                    "rectified_on_time_milli": None, "accepted_milli": None},
    "complaints": {"count": 0, "contacted_on_time_milli": None,
                   "rectified_on_time_milli": None, "accepted_milli": None},
}  # fmt: skip


LEVELS = {
    "levels": [
        {"stars": stars, "code": code, "zh": zh, "en": en, "bad": stars <= 2, "tags": []}
        for stars, code, zh, en in (
            (5, "very_satisfied", "非常满意", "Very satisfied"),
            (4, "satisfied", "满意", "Satisfied"),
            (3, "basically_satisfied", "基本满意", "Basically satisfied"),
            (2, "dissatisfied", "不满意", "Dissatisfied"),
            (1, "very_dissatisfied", "非常不满意", "Very dissatisfied"),
        )
    ],
    "dimensions": [],
    "complaint_categories": [],
}


class Ratings:
    """What the stand-in answers, and how often it was asked."""

    def __init__(self) -> None:
        self.answer: dict[str, Any] = copy.deepcopy(NOTHING)
        self.dashboard: dict[str, Any] = {}
        self.asked = 0


@pytest.fixture(scope="module")
def ratings() -> Iterator[tuple[str, Ratings]]:
    state = Ratings()
    app = Flask("fake-ratings")

    @app.get("/stats")
    def stats() -> Response:
        state.asked += 1
        return jsonify(state.answer)

    @app.get("/dashboard")
    def dashboard() -> Response:
        return jsonify(state.dashboard)

    @app.get("/levels")
    def levels() -> Response:
        return jsonify(LEVELS)

    url, stop = serve_in_thread(app)
    try:
        yield url, state
    finally:
        stop()


def _app(database: str, catalog: str, nowhere: str, ratings: str, seconds: str) -> Flask:
    settings = gateway_settings(database, catalog, nowhere, nowhere, RATINGS_URL=ratings,
                                GATEWAY_STATS_CACHE_SECONDS=seconds)  # fmt: skip
    return create_app(settings)


@pytest.fixture
def stand_in(ratings: tuple[str, Ratings]) -> Ratings:
    state = ratings[1]
    state.answer, state.dashboard, state.asked = copy.deepcopy(NOTHING), {}, 0
    return state


@pytest.fixture
def fresh(clean_database: Engine, gateway_database_url, catalog_url, nowhere, ratings, stand_in):
    """A gateway that keeps nothing: every page reads ratings."""
    app = _app(gateway_database_url, catalog_url, nowhere, ratings[0], "0")
    yield app.test_client()
    app.extensions["gateway.engine"].dispose()


@pytest.fixture
def keeping(clean_database: Engine, gateway_database_url, catalog_url, nowhere, ratings, stand_in):
    """A gateway that keeps the statistics for an hour (longer than any test)."""
    app = _app(gateway_database_url, catalog_url, nowhere, ratings[0], "3600")
    yield app
    app.extensions["gateway.engine"].dispose()


def _page(client: FlaskClient, lang: str, path: str = "/stats") -> str:
    client.set_cookie("lang", lang)
    answer = client.get(path)
    assert answer.status_code == 200
    return answer.get_data(as_text=True)


def test_without_data_each_chart_says_no_data_yet_in_the_pages_language(fresh) -> None:
    chinese, english = _page(fresh, "zh-CN"), _page(fresh, "en")
    assert "<svg" not in chinese and "<svg" not in english, "no empty chart box"
    assert chinese.count('<p class="chart-empty">暂无数据</p>') == 2
    assert english.count('<p class="chart-empty">No data yet</p>') == 2
    assert "<table" in chinese, "the tables beside the charts stay"


def test_medians_of_zero_working_days_are_told_in_words_not_an_empty_box(fresh, stand_in) -> None:
    for step in STEPS:
        stand_in.answer["durations"][step] = {
            "count": 4, "median_working_days": 0, "p90_working_days": 1,
        }  # fmt: skip
    stand_in.answer["satisfaction"]["distribution"]["5"] = 3
    chinese = _page(fresh, "zh-CN")
    assert "各环节用时中位数均为 0 个工作日" in chinese and "暂无数据" not in chinese
    assert 'id="chart-levels-title"' in chinese, "the levels chart has bars to draw"
    assert 'id="chart-durations-title"' not in chinese
    english = _page(fresh, "en")
    assert "median is 0 working days" in english


def test_medians_above_zero_are_drawn_as_bars(fresh, stand_in) -> None:
    stand_in.answer["durations"]["submit_to_approve"] = {
        "count": 4, "median_working_days": 2, "p90_working_days": 3,
    }  # fmt: skip
    html = _page(fresh, "en")
    assert 'id="chart-durations-title"' in html and "median is 0 working days" not in html


def test_a_visitor_not_signed_in_gets_the_kept_page(keeping, stand_in) -> None:
    client = keeping.test_client()
    first = _page(client, "zh-CN")
    stand_in.answer["deals_completed"] = 12345
    assert _page(client, "zh-CN") == first and stand_in.asked == 1
    # Another language or period is another page; an address with more in its
    # query than the page reads is built afresh and kept nowhere.
    assert "12,345" in _page(client, "en") or "12345" in _page(client, "en")
    _page(client, "zh-CN", "/stats?period=12m")
    _page(client, "zh-CN", "/stats?period=30d&utm=x")
    _page(client, "zh-CN", "/stats?period=30d&utm=x")
    assert _page(client, "zh-CN") == first


def test_a_signed_in_visitor_gets_a_page_of_their_own(
    keeping, stand_in, make_applicant, sign_in_page
) -> None:
    client = keeping.test_client()
    anonymous = _page(client, "zh-CN")
    applicant = make_applicant()
    assert sign_in_page(client, applicant.label).status_code == 303
    signed_in = _page(client, "zh-CN")
    assert signed_in != anonymous and "site.sign_out" not in signed_in


def test_the_dashboards_quiet_days_say_no_data_yet_instead_of_empty_charts(
    fresh, stand_in, make_staff, sign_in_page
) -> None:
    days = [{"day": f"2026-11-{d:02d}", "submitted": 0, "approved": 0, "dispatched": 0,
             "completed": 0, "complaints": 0} for d in range(1, 31)]  # fmt: skip
    days[-1]["submitted"] = 2  # one series has a bar to draw, the four others none
    stand_in.dashboard = {"open": 0, "by_status": {}, "overdue": 0,
                          "late": {"contact": 0, "answer": 0}, "per_day": days}  # fmt: skip
    staff = make_staff("reviewer")
    assert sign_in_page(fresh, staff.label, staff=True).status_code == 303
    html = _page(fresh, "zh-CN", "/staff")
    assert html.count('<p class="chart-empty">暂无数据</p>') == 4
    assert 'id="chart-submitted-title"' in html
