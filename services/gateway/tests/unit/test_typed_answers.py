"""Answers as people type them, made into what orders checks; and `next` paths
that stay on the site."""

from __future__ import annotations

import pytest

from gateway import typed_answers
from gateway.browser import safe_next
from gateway.clients.catalog import FormField, Text


def _question(kind: str, pattern: str | None = None) -> FormField:
    return FormField("q", kind, Text("问", "Q"), True, None, pattern=pattern)


@pytest.mark.parametrize(
    "typed",
    [
        "2021-05-18",
        "2021/5/18",
        "2021.5.18",
        "2021年5月18日",
        " 2021 年 5 月 18 日 ",
        "２０２１／５／１８",
        "2021-5-18",
        "2021年05月18日",
    ],
)
def test_a_date_typed_by_hand_is_read_as_the_iso_day(typed: str) -> None:
    assert typed_answers.normalised(_question("date"), typed) == "2021-05-18"


@pytest.mark.parametrize("typed", ["2021-02-30", "2021/13/1", "2021年2月29日", "2021.4.31"])
def test_a_date_that_is_no_real_day_is_refused_by_the_gateway(typed: str) -> None:
    with pytest.raises(typed_answers.NotADate):
        typed_answers.normalised(_question("date"), typed)


def test_what_is_not_shaped_like_a_date_is_left_for_orders_to_refuse() -> None:
    assert typed_answers.normalised(_question("date"), "yesterday") == "yesterday"


def test_a_vin_in_lower_case_full_width_or_with_spaces_fits_its_pattern() -> None:
    vin = _question("text", "[A-HJ-NPR-Z0-9]{6}")
    assert typed_answers.normalised(vin, "a12345") == "A12345"
    assert typed_answers.normalised(vin, "ａ１２３４５") == "A12345"
    assert typed_answers.normalised(vin, " a1 23 45 ") == "A12345"


def test_a_text_answer_keeps_its_case_and_spaces_when_its_pattern_needs_nothing() -> None:
    assert typed_answers.normalised(_question("text"), " Li Na ") == "Li Na"


def test_a_named_format_is_tidied_as_orders_tidies_it() -> None:
    vin = _question("text", "vin_last6")
    assert typed_answers.normalised(vin, " ａ1b 2c-3 ") == "A1B2C3"
    file_number = _question("text", "licence_file_number")
    assert typed_answers.normalised(file_number, "３７０２ 0000 1234") == "370200001234"


def test_plate_id_and_phone_lose_spaces_and_full_width() -> None:
    assert typed_answers.normalised(_question("plate_number"), "鲁ｂ １２３４５") == "鲁B12345"
    assert (
        typed_answers.normalised(_question("id_number"), "110105 19491231 002x")
        == "11010519491231002X"
    )
    assert typed_answers.normalised(_question("phone"), "１３８ ０013 8000") == "13800138000"


@pytest.mark.parametrize(
    "elsewhere",
    [
        "//evil.example",
        "https://evil.example",
        "/\\evil.example",
        "/\t/evil.example",
        "/\n/evil.example",
        "javascript:alert(1)",
        "evil.example",
        "",
        None,
    ],
)
def test_a_next_that_leaves_the_site_gives_the_default(elsewhere: str | None) -> None:
    assert safe_next(elsewhere, "/account") == "/account"


def test_a_next_on_the_site_is_kept_with_its_query() -> None:
    assert safe_next("/items/x?change=1", "/account") == "/items/x?change=1"
