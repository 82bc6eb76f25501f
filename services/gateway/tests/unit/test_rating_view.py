"""The ratings pages' pure helpers: names, stars, shares, form bodies, refusals in
words, the microblog's share link and the SVG charts."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree

from gateway import rating_view
from gateway.rating_view import Bar


def test_an_anonymous_rating_is_shown_as_anonymous_even_with_a_masked_name():
    assert rating_view.shown_name({"anonymous": True, "name": "张**"}) == (
        "ratings.anonymous",
        True,
    )


def test_a_rating_shows_the_masked_name_ratings_kept():
    assert rating_view.shown_name({"anonymous": False, "name": "J*** S."}) == ("J*** S.", False)


def test_a_rating_without_a_name_is_shown_as_applicant():
    assert rating_view.shown_name({"anonymous": False, "name": None}) == ("ratings.applicant", True)


def test_fewer_than_five_ratings_show_no_average():
    assert not rating_view.shows_average(1)
    assert not rating_view.shows_average(4)
    assert rating_view.shows_average(5)


def test_stars_are_five_characters_filled_to_the_rounded_level():
    assert rating_view.stars(4) == "★★★★☆"
    assert rating_view.stars(4.6) == "★★★★★"
    assert rating_view.stars(None) == "☆☆☆☆☆"


def test_shares_in_thousandths_read_as_percentages_and_none_as_a_dash():
    assert rating_view.per_cent(833) == "83.3%"
    assert rating_view.per_cent(1000) == "100.0%"
    assert rating_view.per_cent(None) == "–"


def test_the_form_becomes_ratings_body_with_whole_numbers_and_unparsed_junk_kept_for_ratings():
    form = {"level": "5", "score_speed": "4", "score_service": "4.5", "score_delivery": "",
            "comment": "  很快  ", "anonymous": "yes"}  # fmt: skip
    body = rating_view.rating_body(form, ["efficient", "efficient", "fast_delivery"])
    assert body == {
        "level": 5,
        "tags": ["efficient", "fast_delivery"],
        "scores": {"speed": 4, "service": "4.5", "delivery": None},
        "comment": "很快",
        "anonymous": True,
    }


def test_a_follow_up_body_has_no_anonymous_choice():
    body = rating_view.rating_body({"level": "2"}, [], follow_up=True)
    assert "anonymous" not in body and body["level"] == 2


def test_a_comment_holding_personal_data_is_refused_in_words_naming_what_was_found():
    errors = {"comment": ["It seems to hold a mobile number; remove it before publishing."],
              "scores.speed": ["Must be greater than or equal to 1 and less than or equal to 5."]}  # fmt: skip
    assert rating_view.form_errors(errors) == {
        "comment": ["ratings.refused.comment_mobile_number"],
        "score_speed": ["ratings.refused.score_speed"],
    }


def test_the_share_link_is_the_microblogs_public_share_page_with_the_title_and_address():
    url = rating_view.weibo_share_url(
        "https://service.weibo.com/share/share.php", "http://shop.example/items/x?a=1", "换领驾驶证"
    )
    parts = urlsplit(url)
    assert parts.netloc == "service.weibo.com"
    assert parse_qs(parts.query) == {
        "url": ["http://shop.example/items/x?a=1"],
        "title": ["换领驾驶证"],
    }


def test_a_chart_is_an_svg_image_titled_with_one_bar_per_value_scaled_to_the_largest():
    svg = rating_view.bar_chart_svg(
        "<每日> 提交", [Bar("5★", 10), Bar("4★", 5), Bar("3★", 0)], chart_id="c1"
    )
    root = ElementTree.fromstring(svg)  # noqa: S314 (our own SVG)
    ns = "{http://www.w3.org/2000/svg}"
    assert root.get("role") == "img" and root.get("aria-labelledby") == "c1-title"
    assert root.find(f"{ns}title").text == "<每日> 提交"
    heights = [float(r.get("height")) for r in root.iter(f"{ns}rect")]
    assert heights[0] == 2 * heights[1] and heights[2] == 0
    assert "10" in [t.text for t in root.iter(f"{ns}text")]


def test_a_chart_of_thirty_days_labels_only_the_first_and_last_day():
    bars = [Bar(f"d{n}", n) for n in range(30)]
    root = ElementTree.fromstring(rating_view.bar_chart_svg("t", bars, chart_id="c"))  # noqa: S314 (our own SVG)
    labels = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert labels == ["d0", "d29"]


def test_a_chart_whose_every_bar_is_zero_is_the_sentence_given_not_an_empty_box():
    bars = [Bar("a", 0), Bar("b", 0)]
    assert str(rating_view.bar_chart("t", bars, chart_id="c", empty="暂无数据")) == (
        '<p class="chart-empty">暂无数据</p>'
    )
    assert "<svg" in rating_view.bar_chart("t", [Bar("a", 0), Bar("b", 2)], chart_id="c", empty="x")
    assert "<svg" in rating_view.bar_chart("t", bars, chart_id="c"), "no sentence: drawn as before"
