"""The rules ratings owns, without I/O (no Flask, no SQLAlchemy):

levels.py    the national scheme's five levels, their tag sets, the dimensions, summaries
privacy.py   masked names and the personal-data check of every published text
cases.py     a case's states and moves, its working-day deadlines and due tags
stats.py     working days between two times, percentiles from per-day histograms
"""

from ratings.domain.cases import (
    CaseStatus,
    Deadlines,
    DueTag,
    Move,
    due_tag,
    next_status,
)
from ratings.domain.levels import (
    BAD_LEVELS,
    COMPLAINT_CATEGORIES,
    DIMENSIONS,
    LEVELS,
    TAGS,
    Level,
    Summary,
    share_milli,
    summarise,
    summarise_counts,
    tag_errors,
)
from ratings.domain.privacy import mask_name, personal_data_in
from ratings.domain.stats import percentile, percentile_from_histogram, working_days_between

__all__ = [
    "BAD_LEVELS", "COMPLAINT_CATEGORIES", "DIMENSIONS", "LEVELS", "TAGS", "CaseStatus",
    "Deadlines", "DueTag", "Level", "Move", "Summary", "due_tag", "mask_name", "next_status",
    "percentile", "percentile_from_histogram", "personal_data_in", "share_milli", "summarise",
    "summarise_counts", "tag_errors",
    "working_days_between",
]  # fmt: skip
