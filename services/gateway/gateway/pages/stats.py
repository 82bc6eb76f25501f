"""The public statistics (/stats, no sign-in): for the whole store or one item,
over the last 30 days or 12 months, the figures ratings keeps in its read model
(deals, working days between the steps, first-review approvals, satisfaction,
the bad-rating and complaint loops). Each chart is an SVG image drawn here with
the same numbers in a table beside it, so the page needs no script and reads
in a screen reader; a chart with nothing to draw says so in words instead of
an empty box. A plain share link to the office's microblog.

The page a visitor who is not signed in gets is the same for every such
visitor: each process keeps it for GATEWAY_STATS_CACHE_SECONDS
(clients/stats_cache.py), keyed by language, host and address, and only for an
address whose query is the page's own (item, period) as the page reads them.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, request, url_for
from markupsafe import Markup

from gateway import browser, rating_view
from gateway.clients.stats_cache import BoundedTTLCache
from gateway.context import gateway
from gateway.i18n import translate
from gateway.pages import lang, render
from gateway.pages.ratings import client

bp = Blueprint("stats_pages", __name__)
PAGE_CACHE = "gateway.stats_pages"
STEPS = ("submit_to_approve", "approve_to_dispatch", "dispatch_to_delivery")


def _t(key: str, **values: Any) -> str:
    return translate(key, lang(), **values)


@bp.get("/stats")
def stats() -> tuple[str, int]:
    period = request.args.get("period", "30d")
    period = period if period in rating_view.PERIODS else "30d"
    principal = browser.current_principal()
    items = gateway().catalog.published_items(browser.caller_for(principal))
    codes = {item.code for item in items}
    item = request.args.get("item", "")
    item = item if item in codes else ""
    if principal is None and _as_the_page_reads_it(item, period):
        key = f"{lang()}|{request.host_url}|{request.full_path}"
        return _pages().get_or_load(key, lambda: _page(items, item, period)), 200
    return _page(items, item, period), 200


def _as_the_page_reads_it(item: str, period: str) -> bool:
    """Only the page's own query is kept: anything else is built afresh, so what
    a caller adds to the address never grows the cache or changes a kept page."""
    args = request.args
    return (
        set(args) <= {"item", "period"}
        and args.get("item", item) == item
        and args.get("period", period) == period
    )


def _pages() -> BoundedTTLCache:
    extensions = current_app.extensions
    if PAGE_CACHE not in extensions:
        seconds = gateway().settings.stats_cache_seconds
        extensions.setdefault(PAGE_CACHE, BoundedTTLCache(seconds))
    return extensions[PAGE_CACHE]  # type: ignore[no-any-return]


def _page(items: list[Any], item: str, period: str) -> str:
    found = client().stats(item=item or None, period=period)
    chosen = next((i for i in items if i.code == item), None)
    scope = chosen.title.get(lang()) if chosen else _t("stats.whole_store")
    title = _t("stats.title_for", scope=scope)
    settings = gateway().settings
    share = rating_view.weibo_share_url(
        settings.microblog_share_url,
        url_for(".stats", item=item or None, period=period, _external=True),
        title,
    )
    html, _status = render(
        "stats/stats.html",
        page_title=title,
        stats=found,
        items=items,
        item=item,
        period=period,
        periods=rating_view.PERIODS,
        charts=_charts(found),
        share_url=share,
    )
    return html


def _charts(found: dict[str, Any]) -> dict[str, Markup]:
    distribution = found.get("satisfaction", {}).get("distribution") or {}
    levels = [
        rating_view.Bar(rating_view.stars(n), int(distribution.get(str(n), 0)))
        for n in (5, 4, 3, 2, 1)
    ]
    durations = found.get("durations") or {}
    medians = [
        rating_view.Bar(
            _t(f"stats.step_short.{step}"),
            int((durations.get(step) or {}).get("median_working_days") or 0),
        )
        for step in STEPS
    ]
    timed = sum(int((durations.get(step) or {}).get("count") or 0) for step in STEPS)
    return {
        "levels": rating_view.bar_chart(
            _t("stats.chart.levels"), levels, chart_id="chart-levels",
            empty=_t("chart.no_data"),
        ),
        "durations": rating_view.bar_chart(
            _t("stats.chart.durations"), medians, chart_id="chart-durations",
            # Steps were timed, each under a working day: a median of 0 is a figure.
            empty=_t("stats.medians_all_zero") if timed else _t("chart.no_data"),
        ),
    }  # fmt: skip
