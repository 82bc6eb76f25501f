"""The national government-service rating scheme (好差评) as the store's stars.

Five levels, each with the tag set an applicant picks from; three dimension
scores; and the summary of a list of ratings, always recomputed from them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

GOOD, FAIR, BAD = "good", "fair", "bad"


@dataclass(frozen=True)
class Level:
    stars: int
    code: str
    zh: str
    en: str
    tag_set: str

    @property
    def bad(self) -> bool:
        return self.tag_set == BAD


LEVELS: dict[int, Level] = {
    level.stars: level
    for level in (
        Level(5, "very_satisfied", "非常满意", "Very satisfied", GOOD),
        Level(4, "satisfied", "满意", "Satisfied", GOOD),
        Level(3, "basically_satisfied", "基本满意", "Basically satisfied", FAIR),
        Level(2, "dissatisfied", "不满意", "Dissatisfied", BAD),
        Level(1, "very_dissatisfied", "非常不满意", "Very dissatisfied", BAD),
    )
}
BAD_LEVELS = frozenset(stars for stars, level in LEVELS.items() if level.bad)

# tag set → code → (zh, en)
TAGS: dict[str, dict[str, tuple[str, str]]] = {
    GOOD: {
        "efficient": ("办事效率高", "Quick processing"),
        "friendly_staff": ("服务态度好", "Friendly staff"),
        "accurate_guide": ("办事指南准确", "Accurate guide"),
        "fast_delivery": ("快递及时", "Fast delivery"),
        "easy_online": ("网上办理便捷", "Easy to do online"),
    },
    FAIR: {
        "acceptable_speed": ("办理速度一般", "Processing speed acceptable"),
        "guide_could_be_clearer": ("办事指南有待完善", "Guide could be clearer"),
        "delivery_could_be_faster": ("快递可以更快", "Delivery could be faster"),
    },
    BAD: {
        "slow": ("办事效率低", "Slow processing"),
        "unfriendly_staff": ("服务态度差", "Unfriendly staff"),
        "inaccurate_guide": ("办事指南不准确", "Inaccurate guide"),
        "too_many_documents": ("材料要求繁琐", "Too many documents asked"),
        "delivery_slow_or_lost": ("快递慢或丢失", "Delivery slow or lost"),
    },
}

DIMENSIONS: dict[str, tuple[str, str]] = {
    "speed": ("办理速度", "Processing speed"),
    "service": ("服务态度", "Staff service"),
    "delivery": ("寄递服务", "Delivery"),
}

COMPLAINT_CATEGORIES: dict[str, tuple[str, str]] = {
    "slow": ("办理太慢", "Slow processing"),
    "wrong_or_damaged": ("证件有误或损坏", "Wrong or damaged credential"),
    "delivery": ("寄递问题", "Delivery"),
    "staff_conduct": ("工作人员态度", "Staff conduct"),
    "fees": ("收费问题", "Fees"),
    "other": ("其他", "Other"),
}


def tag_errors(stars: int, tags: Sequence[str]) -> list[str]:
    """Why these tags cannot go with this level (empty when they can)."""
    level = LEVELS.get(stars)
    if level is None:
        return []  # the level's own error says it
    allowed = TAGS[level.tag_set]
    errors = [f"{tag!r} is not a tag of {level.code}." for tag in tags if tag not in allowed]
    if len(set(tags)) != len(tags):
        errors.append("A tag is picked at most once.")
    return errors


@dataclass(frozen=True)
class Summary:
    count: int
    average_milli: int | None  # the mean level × 1000; None only when count is 0
    distribution: dict[int, int]
    dimensions: dict[str, int | None]  # each dimension's mean × 1000
    bad_share_milli: int | None

    def too_few(self, minimum: int) -> bool:
        return self.count < minimum


def _milli(total: int, count: int) -> int | None:
    # Integer arithmetic, half up: 4.8705 shows as 4871 whatever the float rounding.
    return (2000 * total + count) // (2 * count) if count else None


def summarise(ratings: Iterable[tuple[int, dict[str, int]]]) -> Summary:
    """The summary of (level, scores) pairs; the same list always gives the same summary."""
    distribution = dict.fromkeys(LEVELS, 0)
    sums = dict.fromkeys(DIMENSIONS, 0)
    for stars, scores in ratings:
        distribution[stars] += 1
        for name in DIMENSIONS:
            sums[name] += scores[name]
    return summarise_counts(distribution, sums)


def summarise_counts(distribution: dict[int, int], sums: dict[str, int]) -> Summary:
    """The summary from the count per level and each dimension's sum (a GROUP BY's answer)."""
    distribution = {stars: distribution.get(stars, 0) for stars in sorted(LEVELS)}
    count = sum(distribution.values())
    total = sum(stars * n for stars, n in distribution.items())
    bad = sum(distribution[stars] for stars in BAD_LEVELS)
    return Summary(
        count=count,
        average_milli=_milli(total, count),
        distribution=distribution,
        dimensions={name: _milli(sums.get(name, 0), count) for name in DIMENSIONS},
        bad_share_milli=share_milli(bad, count),
    )


def share_milli(part: int, count: int) -> int | None:
    """part / count per thousand, half up."""
    return (2000 * part + count) // (2 * count) if count else None
