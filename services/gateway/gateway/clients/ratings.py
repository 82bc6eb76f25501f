"""Ratings as the gateway sees it: the levels and tags of the national rating
scheme, an order's rating, an item's ratings, the summaries, the statistics,
the cases (bad ratings and complaints) with their thread, and the dashboard.

This is the ONE place that calls ratings' internal API
(services/ratings/README.md). Ratings owns every rule (levels, tags, the
window, the personal-data check, the cases' moves): its answers are passed on
as it made them, JSON objects, and its refusals as ServiceErrors with the
field errors. Every call carries the caller's own identity, so ratings decides
who may see and do what."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from common.service_client import ServiceClient
from gateway.clients.http import ANONYMOUS, Caller
from gateway.clients.stats_cache import BoundedTTLCache

# A page asks for the levels on every rating form and item page; they change only
# with a release of ratings, so one read per process is kept.
_LEVELS_KEY = "levels"


class RatingsClient:
    def __init__(self, http: ServiceClient, stats_cache: BoundedTTLCache | None = None) -> None:
        self._http = http
        self._kept: dict[str, Any] = {}
        # The public statistics, kept a few seconds (clients/stats_cache.py).
        self._stats = stats_cache or BoundedTTLCache(0)

    # -- public reads -------------------------------------------------------------------

    def levels(self) -> dict[str, Any]:
        """{levels: [{stars, code, zh, en, bad, tags}], dimensions, complaint_categories}."""
        if _LEVELS_KEY not in self._kept:
            self._kept[_LEVELS_KEY] = self._http.get("/levels", caller=ANONYMOUS)
        return dict(self._kept[_LEVELS_KEY])

    def item_ratings(self, item_code: str, *, level: int | None = None, page: int = 1) -> Any:
        params: dict[str, Any] = {"page": page}
        if level:
            params["level"] = level
        return self._http.get(f"/items/{_q(item_code)}/ratings", params=params, caller=ANONYMOUS)

    def item_summary(self, item_code: str) -> Any:
        return self._http.get(f"/summaries/items/{_q(item_code)}", caller=ANONYMOUS)

    def store_summary(self) -> Any:
        return self._http.get("/summaries/store", caller=ANONYMOUS)

    def stats(self, *, item: str | None, period: str) -> Any:
        params = {"period": period, **({"item": item} if item else {})}
        return self._stats.get_or_load(
            f"{item or ''}|{period}",
            lambda: self._http.get("/stats", params=params, caller=ANONYMOUS),
        )

    # -- the applicant ------------------------------------------------------------------

    def order_rating(self, caller: Caller, order_id: str) -> Any:
        """{order_id, completed_at, rate_by, can_rate, can_follow_up, rating}; 404 unknown."""
        return self._http.get(f"/orders/{_q(order_id)}/rating", caller=caller)

    def rate(self, caller: Caller, order_id: str, body: dict[str, Any]) -> Any:
        return self._http.post(f"/orders/{_q(order_id)}/rating", json=body, caller=caller)

    def follow_up(self, caller: Caller, rating_id: str, body: dict[str, Any]) -> Any:
        return self._http.post(f"/ratings/{_q(rating_id)}/follow-up", json=body, caller=caller)

    def complain(self, caller: Caller, order_id: str, body: dict[str, Any]) -> Any:
        return self._http.post(f"/orders/{_q(order_id)}/complaints", json=body, caller=caller)

    def my_cases(self, caller: Caller, page: int = 1) -> Any:
        return self._http.get("/my/cases", params={"page": page}, caller=caller)

    def accept(self, caller: Caller, case_id: str) -> Any:
        return self._http.post(f"/cases/{_q(case_id)}/accept", caller=caller)

    def reopen(self, caller: Caller, case_id: str) -> Any:
        return self._http.post(f"/cases/{_q(case_id)}/reopen", caller=caller)

    # -- the applicant and supervisors ----------------------------------------------------

    def case(self, caller: Caller, case_id: str) -> Any:
        return self._http.get(f"/cases/{_q(case_id)}", caller=caller)

    def post_message(self, caller: Caller, case_id: str, body: str) -> Any:
        return self._http.post(f"/cases/{_q(case_id)}/messages", json={"body": body}, caller=caller)

    # -- supervisors ----------------------------------------------------------------------

    def reply(self, caller: Caller, rating_id: str, body: str) -> Any:
        return self._http.post(
            f"/ratings/{_q(rating_id)}/reply", json={"body": body}, caller=caller
        )

    def queue(self, caller: Caller, *, kind: str = "", status: str = "", due: str = "",
              page: int = 1) -> Any:  # fmt: skip
        """{cases, counts {on_time, due_today, overdue, all}, page, pages}: overdue first."""
        params: dict[str, Any] = {"page": page}
        params.update({k: v for k, v in (("kind", kind), ("status", status), ("due", due)) if v})
        return self._http.get("/cases", params=params, caller=caller)

    def contact(self, caller: Caller, case_id: str, note: str) -> Any:
        return self._http.post(f"/cases/{_q(case_id)}/contact", json={"note": note}, caller=caller)

    def answer(self, caller: Caller, case_id: str, feedback: str) -> Any:
        return self._http.post(
            f"/cases/{_q(case_id)}/answer", json={"feedback": feedback}, caller=caller
        )

    def dashboard(self, caller: Caller) -> Any:
        """{open, by_status, overdue, late {contact, answer}, per_day (30 days)}."""
        return self._http.get("/dashboard", caller=caller)


def _q(value: str) -> str:
    return quote(value, safe="")
