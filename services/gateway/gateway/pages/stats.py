"""The public statistics (/stats, no sign-in): for the whole store or one item,
over the last 30 days or 12 months, the figures ratings keeps in its read model
(deals, working days between the steps, first-review approvals, satisfaction,
the bad-rating and complaint loops). Each chart is an SVG image drawn here with
the same numbers in a table beside it, so the page needs no script and reads
in a screen reader. A plain share link to the office's microblog."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request, url_for
from markupsafe import Markup

from gateway import browser, rating_view
from gateway.context import gateway
from gateway.i18n import translate
from gateway.pages import lang, render
from gateway.pages.ratings import client

bp = Blueprint("stats_pages", __name__)


def _t(key: str, **values: Any) -> str:
    return translate(key, lang(), **values)


@bp.get("/stats")
def stats() -> tuple[str, int]:
    period = request.args.get("period", "30d")
    period = period if period in rating_view.PERIODS else "30d"
    items = gateway().catalog.published_items(browser.caller_for(browser.current_principal()))
    codes = {item.code for item in items}
    item = request.args.get("item", "")
    item = item if item in codes else ""
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
    return render(
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


def _charts(found: dict[str, Any]) -> dict[str, Markup]:
    distribution = found.get("satisfaction", {}).get("distribution") or {}
    levels = [
        rating_view.Bar(rating_view.stars(n), int(distribution.get(str(n), 0)))
        for n in (5, 4, 3, 2, 1)
    ]
    durations = found.get("durations") or {}
    steps = ("submit_to_approve", "approve_to_dispatch", "dispatch_to_delivery")
    medians = [
        rating_view.Bar(
            _t(f"stats.step_short.{step}"),
            int((durations.get(step) or {}).get("median_working_days") or 0),
        )
        for step in steps
    ]
    return {
        "levels": rating_view.bar_chart(_t("stats.chart.levels"), levels, chart_id="chart-levels"),
        "durations": rating_view.bar_chart(
            _t("stats.chart.durations"), medians, chart_id="chart-durations"
        ),
    }
