"""The staff dashboard on the staff desk (/staff), for every staff role: the
live count of each queue with what is late (review from verification;
production, dispatch and exceptions from fulfillment; complaints from ratings)
and the store's steps per day over 30 days (ratings' /dashboard), each chart
an SVG image with the same numbers in a table beside it.

The counts are figures, not cases: so that every role sees every queue's size,
they are read under a caller of the gateway's own holding the supervisor role,
and only the numbers reach the page. A service that does not answer leaves its
row saying so; the desk's links still show."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from flask import Flask
from markupsafe import Markup

from common.service_client import ServiceError
from gateway import browser, rating_view
from gateway.clients.http import Caller
from gateway.context import gateway
from gateway.formatting import day as as_day
from gateway.i18n import translate
from gateway.pages import lang
from gateway.pages.ratings import client as ratings

log = logging.getLogger("gateway.dashboard")
COUNTER = Caller("dashboard", ("supervisor",))
SERIES = ("submitted", "approved", "dispatched", "completed", "complaints")


@dataclass(frozen=True)
class QueueCount:
    queue: str  # review, production, dispatch, exceptions, complaints
    open: int | None  # None: the service did not answer
    late: int | None


def _review() -> QueueCount:
    reviews = gateway().reviews
    everything = reviews.queue(COUNTER, tab="all", filters={})
    overdue = reviews.queue(COUNTER, tab="all", filters={"overdue": "1"})
    return QueueCount(
        "review", everything.counts.get("all", 0), sum(c.overdue for c in overdue.cases)
    )


def _production() -> QueueCount:
    fulfillment = gateway().fulfillment
    assert fulfillment is not None
    found = fulfillment.queue(COUNTER, status="queued", due="all", item="")
    return QueueCount(
        "production", found.counts.get("all", len(found.jobs)), found.counts.get("late", 0)
    )


def _dispatch() -> QueueCount:
    fulfillment = gateway().fulfillment
    assert fulfillment is not None
    waiting = fulfillment.dispatch_jobs(COUNTER, stage="to_waybill")
    total = waiting.counts.get("to_waybill", 0) + waiting.counts.get("to_hand_over", 0)
    late = sum(row.job.due_state == "late" for row in waiting.jobs)
    return QueueCount("dispatch", total, late)


def _exceptions() -> QueueCount:
    fulfillment = gateway().fulfillment
    assert fulfillment is not None
    found = fulfillment.exceptions(COUNTER)
    # Every delivery exception waits on staff: all of them count as late.
    count = found.counts.get("exceptions", len(found.jobs))
    return QueueCount("exceptions", count, count)


def _complaints(board: dict[str, Any] | None) -> QueueCount:
    if board is None:
        return QueueCount("complaints", None, None)
    return QueueCount("complaints", int(board.get("open", 0)), int(board.get("overdue", 0)))


def _safely(read: Any) -> QueueCount | None:
    try:
        return read()  # type: ignore[no-any-return]
    except (ServiceError, AssertionError) as error:
        log.warning("dashboard count unavailable", extra={"reason": str(error)})
        return None


def staff_dashboard() -> dict[str, Any]:
    """What the desk's dashboard shows: the queues, and the 30 days as charts and rows."""
    found = staff_dashboard_for(browser.caller_for(browser.current_principal()))
    return {**found, "charts": _charts(found["days"])}


def staff_dashboard_for(caller: Caller) -> dict[str, Any]:
    """The queues' counts and ratings' days, for a member of staff (the page and the API)."""
    try:
        board = dict(ratings().dashboard(caller))
    except ServiceError:
        board = None
    queues = []
    for name, read in (("review", _review), ("production", _production),
                       ("dispatch", _dispatch), ("exceptions", _exceptions)):  # fmt: skip
        queues.append(_safely(read) or QueueCount(name, None, None))
    queues.append(_complaints(board))
    days = list((board or {}).get("per_day") or [])
    return {"queues": queues, "days": days, "late": (board or {}).get("late")}


def _charts(days: list[dict[str, Any]]) -> dict[str, Markup]:
    charts = {}
    for series in SERIES:
        bars = [rating_view.Bar(as_day(str(d["day"]))[5:], int(d.get(series) or 0)) for d in days]
        title = translate(
            "dashboard.chart_title", lang(), series=translate(f"dashboard.series.{series}", lang())
        )
        charts[series] = rating_view.bar_chart(
            title, bars, chart_id=f"chart-{series}", empty=translate("chart.no_data", lang())
        )
    return charts


def install(app: Flask) -> None:
    """The desk's template (staff/home.html) reads the dashboard through this."""
    app.jinja_env.globals.update(staff_dashboard=staff_dashboard)
