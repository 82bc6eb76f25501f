"""The store front and item pages, read from the real catalog."""

from __future__ import annotations

import re

from flask.testing import FlaskClient


def test_store_front_shows_every_published_item_with_fees_in_yuan(client: FlaskClient) -> None:
    items = client.get("/api/v1/items").get_json()
    response = client.get("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'lang="zh-CN"' in html
    assert html.count('class="item-card"') == len(items) == 3
    for item in items:
        fee = item["fee"]
        assert item["title"]["zh"] in html
        # 1000 fen is shown as ¥10.00: two decimals, no floating point
        for fen in (fee["production_fen"], fee["delivery_fen"], fee["total_fen"]):
            assert f"¥{fen // 100:,}.{fen % 100:02d}" in html


def test_store_front_shows_the_store_deal_count_and_rating(client: FlaskClient) -> None:
    client.set_cookie("lang", "en")
    html = client.get("/").get_data(as_text=True)
    assert re.search(r"\d[\d,]* deals in total", html)
    assert "Store rating" in html


def test_item_page_shows_documents_questions_fees_and_delivery(client: FlaskClient) -> None:
    codes = [item["code"] for item in client.get("/api/v1/items").get_json()]
    client.set_cookie("lang", "en")
    html = client.get(f"/items/{codes[0]}").get_data(as_text=True)
    for heading in (
        "What you need",
        "The questions you will be asked",
        "What it costs",
        "How you receive it",
    ):
        assert heading in html
    assert "Price approval reference" in html


def test_unknown_item_page_is_a_404_page(client: FlaskClient) -> None:
    response = client.get("/items/no-such-service")
    assert response.status_code == 404
    assert "text/html" in response.content_type


def test_a_star_rating_is_told_in_words_not_only_by_stars(app) -> None:
    from flask import g

    from gateway.clients.catalog import Rating
    from gateway.pages import _rating_text, _stars

    with app.test_request_context("/"):
        g.lang = "en"
        assert _rating_text(Rating(average=4.87, count=1234)) == "4.9 out of 5, 1,234 ratings"
        assert _rating_text(Rating(average=None, count=0)) == "No ratings yet"
        g.lang = "zh-CN"
        assert _rating_text(Rating(average=4.87, count=1234)) == "4.9 分（满分 5 分），1,234 条评价"
    assert _stars(4.87) == "★★★★★"
    assert _stars(3.2) == "★★★☆☆"
