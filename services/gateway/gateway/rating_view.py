"""The ratings pages' own part, no I/O: reading the rating and complaint forms
into ratings' bodies, ratings' refusals in the page's words beside the field,
who a rating is shown as, stars, shares, the microblog's share link, and the
statistics' charts drawn as SVG on the server (no script: a chart is an image
with a title, and the same numbers are in a table beside it)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any
from urllib.parse import urlencode

from markupsafe import Markup

from gateway.i18n import N_

# Ratings decides `too_few` where it answers; the catalog's figures the store front
# shows do not carry it, so the store front applies ratings' default (its README).
MIN_FOR_AVERAGE = 5
DIMENSIONS = ("speed", "service", "delivery")
COMMENT_MAX = 500
PERIODS = ("30d", "12m")
DUE_TABS = ("all", "overdue", "due_today", "on_time")
KINDS = ("bad_rating", "complaint")

# What ratings names in a refusal → the gateway's words for it.
_PERSONAL = {
    "ID number": "ratings.refused.comment_id_number",
    "mobile number": "ratings.refused.comment_mobile_number",
    "plate number": "ratings.refused.comment_plate_number",
}


def stars(level: int | float | None) -> str:
    full = max(0, min(5, round(level or 0)))
    return "★" * full + "☆" * (5 - full)


def shows_average(count: int) -> bool:
    """Never a lonely 5.0: an average only from MIN_FOR_AVERAGE ratings on."""
    return count >= MIN_FOR_AVERAGE


def shown_name(rating: Mapping[str, Any]) -> tuple[str, bool]:
    """(text, is_a_message_key): the masked name as ratings keeps it, or the words
    for an anonymous rating or one without a name."""
    if rating.get("anonymous"):
        return "ratings.anonymous", True
    name = rating.get("name")
    return (str(name), False) if name else ("ratings.applicant", True)


def per_cent(milli: int | None) -> str:
    """A share in thousandths as a percentage with one decimal; '–' when there is none."""
    if milli is None:
        return "–"
    whole, tenth = divmod(int(milli), 10)
    return f"{whole}.{tenth}%"


def one_decimal(milli: int | None) -> str:
    if milli is None:
        return "–"
    return f"{int(milli) / 1000:.1f}"


def weibo_share_url(base: str, page_url: str, title: str) -> str:
    """The microblog's public share page for a page: a plain link, no script."""
    return f"{base}?{urlencode({'url': page_url, 'title': title})}"


# -- forms ------------------------------------------------------------------------------------


def _whole(raw: str | None) -> Any:
    """A digit string as an integer; anything else as sent, for ratings to refuse."""
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 3 else (raw or None)


def chosen_level(raw: str | None) -> int | None:
    value = _whole(raw)
    return value if isinstance(value, int) and 1 <= value <= 5 else None


def rating_body(
    form: Mapping[str, Any], tags: Sequence[str], *, follow_up: bool = False
) -> dict[str, Any]:
    """The rating form as ratings takes it (ratings checks every field again)."""
    body: dict[str, Any] = {
        "level": _whole(form.get("level")),
        "tags": list(dict.fromkeys(tags)),
        "scores": {name: _whole(form.get(f"score_{name}")) for name in DIMENSIONS},
        "comment": (form.get("comment") or "").strip() or None,
    }
    if not follow_up:
        body["anonymous"] = form.get("anonymous") == "yes"
    return body


def form_errors(errors: Mapping[str, Any] | None) -> dict[str, list[str]]:
    """Ratings' field errors as the gateway's message keys, on the form's field names
    (`scores.speed` → `score_speed`)."""
    keys: dict[str, list[str]] = {}
    for name, messages in (errors or {}).items():
        field = _form_field(str(name))
        said = " ".join(str(m) for m in (messages if isinstance(messages, list) else [messages]))
        keys.setdefault(field, []).append(_word_for(field, said))
    return keys


def _form_field(name: str) -> str:
    name = name.split(".", 1)[-1] if name.startswith("follow_up.") else name
    if name.startswith("scores."):
        return "score_" + name.split(".", 1)[1]
    return "score_speed" if name == "scores" else name


def _word_for(field: str, said: str) -> str:
    for marker, key in _PERSONAL.items():
        if marker in said:
            return key if field == "comment" else key.replace("comment_", "text_")
    known = {"level", "tags", "comment", "score_speed", "score_service", "score_delivery",
             "category", "description", "body", "note", "feedback"}  # fmt: skip
    return f"ratings.refused.{field}" if field in known else "ratings.refused.other"


# -- charts -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    label: str
    value: int


def bar_chart_svg(title: str, bars: Sequence[Bar], *, chart_id: str, width: int = 340,
                  height: int = 160) -> str:  # fmt: skip
    """A bar chart as an SVG image: `role="img"` titled by `title`, bars scaled to the
    largest value, a value above each bar where there is room, labels under the first
    and last bars. Presentation attributes only (the page's CSP forbids inline style)."""
    top = max((bar.value for bar in bars), default=0) or 1
    n = max(len(bars), 1)
    plot_h = height - 36
    slot = (width - 8) / n
    bar_w = max(slot * 0.7, 1.0)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-labelledby="{chart_id}-title" focusable="false">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<line x1="4" y1="{plot_h + 14}" x2="{width - 4}" y2="{plot_h + 14}" stroke="#505a5f"/>',
    ]
    for index, bar in enumerate(bars):
        h = round(plot_h * bar.value / top, 1)
        x = round(4 + index * slot + (slot - bar_w) / 2, 1)
        y = round(plot_h + 14 - h, 1)
        parts.append(
            f'<rect x="{x}" y="{y}" width="{round(bar_w, 1)}" height="{h}" fill="#1d70b8"/>'
        )
        if n <= 12 and bar.value:
            parts.append(
                f'<text x="{round(x + bar_w / 2, 1)}" y="{round(y - 3, 1)}" font-size="11" '
                f'text-anchor="middle" fill="#0b0c0c">{bar.value}</text>'
            )
        if n <= 12 or index in (0, n - 1):
            anchor = "middle" if n <= 12 else ("start" if index == 0 else "end")
            lx = round(x + bar_w / 2, 1) if n <= 12 else (4 if index == 0 else width - 4)
            parts.append(
                f'<text x="{lx}" y="{height - 6}" font-size="11" text-anchor="{anchor}" '
                f'fill="#0b0c0c">{escape(bar.label)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(
    title: str, bars: Sequence[Bar], *, chart_id: str, empty: str | None = None
) -> Markup:
    """bar_chart_svg for a template: every text in it is escaped where it is drawn.
    With `empty`, a chart whose every bar is 0 is that sentence instead of an empty
    box (the table beside it still holds the figures)."""
    if empty is not None and not any(bar.value for bar in bars):
        return Markup(f'<p class="chart-empty">{escape(empty)}</p>')  # noqa: S704
    return Markup(bar_chart_svg(title, bars, chart_id=chart_id))  # noqa: S704


# Keys computed from ratings' codes (`make messages` keeps them through N_).
COMPUTED_KEYS = (
    N_("ratings.conflict.not_completed"),
    N_("ratings.conflict.window_closed"),
    N_("ratings.conflict.already_rated"),
    N_("ratings.conflict.not_rectified"),
    N_("ratings.conflict.already_followed_up"),
    N_("ratings.conflict.conflict"),
    N_("ratings.refused.level"),
    N_("ratings.refused.tags"),
    N_("ratings.refused.comment"),
    N_("ratings.refused.score_speed"),
    N_("ratings.refused.score_service"),
    N_("ratings.refused.score_delivery"),
    N_("ratings.refused.category"),
    N_("ratings.refused.description"),
    N_("ratings.refused.body"),
    N_("ratings.refused.note"),
    N_("ratings.refused.feedback"),
    N_("ratings.refused.other"),
    N_("ratings.refused.comment_id_number"),
    N_("ratings.refused.comment_mobile_number"),
    N_("ratings.refused.comment_plate_number"),
    N_("ratings.refused.text_id_number"),
    N_("ratings.refused.text_mobile_number"),
    N_("ratings.refused.text_plate_number"),
    N_("ratings.anonymous"),
    N_("ratings.applicant"),
    N_("ratings.not_found"),
    N_("ratings.notice.rated"),
    N_("ratings.notice.followed_up"),
    N_("case_status.open"),
    N_("case_status.contacted"),
    N_("case_status.answered"),
    N_("case_status.escalated"),
    N_("case_status.closed"),
    N_("case_kind.bad_rating"),
    N_("case_kind.complaint"),
    N_("case_due.all"),
    N_("case_due.on_time"),
    N_("case_due.due_today"),
    N_("case_due.overdue"),
    N_("case_outcome.accepted"),
    N_("case_outcome.no_response"),
    N_("complaints.notice.opened"),
    N_("complaints.notice.sent"),
    N_("complaints.notice.accepted"),
    N_("complaints.notice.reopened"),
    N_("complaints.notice.contacted"),
    N_("complaints.notice.answered"),
    N_("complaints.notice.replied"),
    N_("dashboard.series.submitted"),
    N_("dashboard.series.approved"),
    N_("dashboard.series.dispatched"),
    N_("dashboard.series.completed"),
    N_("dashboard.series.complaints"),
    N_("dashboard.queue.review"),
    N_("dashboard.queue.production"),
    N_("dashboard.queue.dispatch"),
    N_("dashboard.queue.exceptions"),
    N_("dashboard.queue.complaints"),
    N_("stats.step.submit_to_approve"),
    N_("stats.step.approve_to_dispatch"),
    N_("stats.step.dispatch_to_delivery"),
    N_("stats.step_short.submit_to_approve"),
    N_("stats.step_short.approve_to_dispatch"),
    N_("stats.step_short.dispatch_to_delivery"),
    N_("stats.period.30d"),
    N_("stats.period.12m"),
    N_("stats.loop.bad_ratings"),
    N_("stats.loop.complaints"),
    N_("ratings.dimension.speed"),
    N_("ratings.dimension.service"),
    N_("ratings.dimension.delivery"),
)
