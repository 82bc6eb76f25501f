"""The rules ratings owns: levels and tags, personal data, names, deadlines, percentiles."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from ratings.domain import (
    BAD_LEVELS,
    LEVELS,
    TAGS,
    CaseStatus,
    Deadlines,
    DueTag,
    Move,
    due_tag,
    mask_name,
    next_status,
    percentile,
    percentile_from_histogram,
    personal_data_in,
    summarise,
    tag_errors,
    working_days_between,
)

MONDAY_9 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 09:00 in Beijing


def test_the_five_levels_follow_the_national_scheme_with_two_bad_ones() -> None:
    assert [LEVELS[s].zh for s in (5, 4, 3, 2, 1)] == [
        "非常满意",
        "满意",
        "基本满意",
        "不满意",
        "非常不满意",
    ]
    assert {1, 2} == BAD_LEVELS


def test_every_tag_has_a_chinese_and_an_english_label() -> None:
    for tags in TAGS.values():
        for zh, en in tags.values():
            assert zh and en and zh != en


def test_a_good_tag_is_refused_on_a_bad_level_and_a_bad_tag_on_a_good_one() -> None:
    assert tag_errors(5, ["efficient", "fast_delivery"]) == []
    assert tag_errors(1, ["slow", "delivery_slow_or_lost"]) == []
    assert tag_errors(1, ["efficient"]) and tag_errors(5, ["slow"])
    assert tag_errors(3, ["efficient"])  # the fair level has its own set


def test_a_tag_picked_twice_is_refused() -> None:
    assert tag_errors(5, ["efficient", "efficient"]) == ["A tag is picked at most once."]


@pytest.mark.parametrize(
    "text",
    [
        "我的身份证号 11010519491231002X 请核对",  # 18 with the check character X
        "号码110105194912310021",  # 18 digits
        "11010519491231002",  # 17: the check character left out
        "老证号 110105491231002 还能用吗",  # the old 15-digit form
    ],
)
def test_an_id_number_with_or_without_its_check_digit_is_found(text: str) -> None:
    assert personal_data_in(text) == ["id_number"]


@pytest.mark.parametrize(
    "text", ["call 13912345678", "电话139 1234 5678", "+86-139-1234-5678", "15800001111。"]
)
def test_a_mobile_number_is_found_however_it_is_written(text: str) -> None:
    assert personal_data_in(text) == ["mobile_number"]


@pytest.mark.parametrize(
    "text", ["车牌鲁B12345的车", "鲁B·D12345", "鲁b d1234f 新能源", "京A88888"]
)
def test_a_plate_is_found_with_or_without_the_dot(text: str) -> None:
    assert personal_data_in(text) == ["plate_number"]


@pytest.mark.parametrize(
    "text",
    [
        "办事很快，三天就收到了，点赞！",
        "waybill EA000000014CN arrived in 2 days",
        "运单 98765432101234567890 很快",  # a long run of digits is nobody's phone
        "12345678901",  # 11 digits but not 1[3-9]
        "11010519491331002X",  # month 13: not a birth date
    ],
)
def test_ordinary_comments_are_publishable(text: str) -> None:
    assert personal_data_in(text) == []


def test_names_are_masked_the_way_the_store_showed_them() -> None:
    assert mask_name("张三") == "张**"
    assert mask_name("欧阳娜娜") == "欧**"
    assert mask_name("John Smith") == "J*** S."
    assert mask_name("madonna") == "M***"
    assert mask_name("  ") is None and mask_name(None) is None


def test_a_summary_is_the_mean_distribution_and_bad_share_of_its_ratings() -> None:
    scores = {"speed": 5, "service": 4, "delivery": 3}
    found = summarise([(5, scores), (4, scores), (1, {"speed": 1, "service": 1, "delivery": 1})])
    assert found.count == 3
    assert found.average_milli == 3333
    assert found.distribution == {1: 1, 2: 0, 3: 0, 4: 1, 5: 1}
    assert found.dimensions == {"speed": 3667, "service": 3000, "delivery": 2333}
    assert found.bad_share_milli == 333
    assert found.too_few(5) and not summarise([(5, scores)] * 5).too_few(5)


def test_no_ratings_give_no_average_rather_than_a_default() -> None:
    found = summarise([])
    assert found.count == 0 and found.average_milli is None and found.bad_share_milli is None


def test_a_case_moves_only_along_its_table() -> None:
    assert next_status("open", Move.CONTACT) == CaseStatus.CONTACTED
    assert next_status("open", Move.ANSWER) is None
    assert next_status("contacted", Move.ANSWER) == CaseStatus.ANSWERED
    assert next_status("answered", Move.REOPEN) == CaseStatus.ESCALATED
    assert next_status("escalated", Move.ANSWER) == CaseStatus.ANSWERED
    assert next_status("closed", Move.ACCEPT) is None


def test_deadlines_count_working_days_from_the_opening() -> None:
    friday_16 = datetime(2026, 3, 6, 8, 0, tzinfo=UTC)
    deadlines = Deadlines.from_opening(friday_16, 1, 15)
    assert deadlines.contact_by == datetime(2026, 3, 9, 8, 0, tzinfo=UTC)  # Monday, not Saturday
    assert deadlines.answer_by == datetime(2026, 3, 27, 8, 0, tzinfo=UTC)  # three weeks on


def test_due_tags_put_a_passed_deadline_first_and_flag_todays() -> None:
    assert due_tag([MONDAY_9 - timedelta(minutes=1)], MONDAY_9) == DueTag.OVERDUE
    assert due_tag([MONDAY_9 + timedelta(hours=5)], MONDAY_9) == DueTag.DUE_TODAY
    assert due_tag([MONDAY_9 + timedelta(days=1)], MONDAY_9) == DueTag.ON_TIME


def test_whole_working_days_skip_the_weekend() -> None:
    friday = datetime(2026, 3, 6, 2, 0, tzinfo=UTC)
    assert working_days_between(friday, friday + timedelta(hours=6)) == 0
    assert working_days_between(friday, friday + timedelta(days=3)) == 1  # Monday
    assert working_days_between(friday, friday + timedelta(days=2, hours=23)) == 0
    assert working_days_between(friday, friday + timedelta(days=7)) == 5


def test_the_median_and_p90_of_a_histogram_equal_those_of_the_list_it_counts() -> None:
    rng = random.Random(11)
    for size in (1, 2, 3, 9, 10, 11, 100, 1001):
        values = [rng.choice([0, 0, 1, 1, 1, 2, 3, 5, 8, 20]) for _ in range(size)]
        histogram: dict[int, int] = {}
        for value in values:
            histogram[value] = histogram.get(value, 0) + 1
        for p in (0.5, 0.9):
            assert percentile_from_histogram(histogram, p) == percentile(values, p), (size, p)


def test_an_empty_histogram_has_no_percentile() -> None:
    assert percentile_from_histogram({}, 0.5) is None and percentile([], 0.9) is None
