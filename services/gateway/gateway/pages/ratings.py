"""Rating a completed order, and the follow-up rating after a bad rating's case,
on the applicant's side; the ratings panel of the application's page; the
helpers every ratings template reads (levels, tags and stars in the page's
language). No script: the level is chosen first (a plain GET form), then the
level's own tags, the three scores, the comment and "anonymous" on the next
step, with a link back to change the level. Ratings decides everything (the
window, one rating per order, the tags of a level, the personal-data check);
its refusals are shown beside their fields in the page's words."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Flask, redirect, request, url_for

from common.service_client import ServiceConflict, ServiceError, ServiceNotFound, ServiceRejected
from gateway import browser, rating_view
from gateway.clients.orders import Order
from gateway.clients.ratings import RatingsClient
from gateway.context import gateway
from gateway.i18n import translate
from gateway.pages import lang, loading, render
from gateway.settings import Settings

bp = Blueprint("rating_pages", __name__)
log = logging.getLogger("gateway.ratings")
FIELDS = ["level", "tags", "score_speed", "score_service", "score_delivery", "comment", "order"]


def _t(key: str, **values: Any) -> str:
    return translate(key, lang(), **values)


def client() -> RatingsClient:
    found = gateway().ratings
    if found is None:  # create_app always builds it; a bare Gateway in a test may not
        raise RuntimeError("the ratings client is not configured")
    return found


def label(entry: dict[str, Any] | None) -> str:
    """A label ratings sends in both languages, in the page's."""
    entry = entry or {}
    return str(entry.get("en") if lang() == "en" else entry.get("zh") or "")


def level_of(stars: int | None) -> dict[str, Any]:
    for level in client().levels()["levels"]:
        if level["stars"] == stars:
            return dict(level)
    return {}


def tag_label(code: str) -> str:
    for level in client().levels()["levels"]:
        for tag in level["tags"]:
            if tag["code"] == code:
                return label(tag)
    return code


def rating_for(order: Order) -> dict[str, Any] | None:
    """The order's rating state for its page: None before completion, or when ratings
    does not answer (the rest of the page still shows)."""
    if order.status != "completed":
        return None
    try:
        return dict(client().order_rating(loading.applicant(), order.id))
    except ServiceError:
        return None


def cases_for(order: Order) -> list[dict[str, Any]]:
    """The applicant's cases about this order (first page of theirs), [] when none."""
    if order.status in ("draft", "discarded"):
        return []
    try:
        mine = client().my_cases(loading.applicant())
    except ServiceError:
        return []
    return [case for case in mine.get("cases", []) if case.get("order_id") == order.id]


def item_ratings_for(item_code: str) -> dict[str, Any] | None:
    """The item page's ratings (the `level` and `page` asked for) with the item's summary;
    None when ratings does not answer (the rest of the page still shows)."""
    level = rating_view.chosen_level(request.args.get("level"))
    raw_page = request.args.get("page", "1")
    page = int(raw_page) if raw_page.isdigit() and 0 < int(raw_page) < 10_000 else 1
    try:
        listing = dict(client().item_ratings(item_code, level=level, page=page))
        listing["summary"] = client().item_summary(item_code)
    except ServiceError:
        return None
    return {**listing, "level": level}


def share_link(title: str) -> str:
    """The microblog's share page for the page being drawn (its title and address)."""
    base = gateway().settings.microblog_share_url
    return rating_view.weibo_share_url(base, request.url, title)


def install(app: Flask) -> None:
    from gateway.pages import verbatim  # the package imports this module first

    settings = gateway_settings(app)
    app.jinja_env.globals.update(
        item_ratings_for=item_ratings_for,
        share_link=share_link,
        microblog_name=lambda: verbatim(settings.microblog_name, "zh-CN"),
        microblog_url=lambda: settings.microblog_url,
        rating_for=rating_for,
        order_cases=cases_for,
        rating_label=label,
        rating_level=level_of,
        rating_tag=tag_label,
        rating_stars=rating_view.stars,
        rating_name=rating_view.shown_name,
        per_cent=rating_view.per_cent,
        milli_one=rating_view.one_decimal,
        shows_average=rating_view.shows_average,
        min_for_average=rating_view.MIN_FOR_AVERAGE,
    )


def gateway_settings(app: Flask) -> Settings:
    return app.extensions["gateway"].settings  # type: ignore[no-any-return]


# -- rating -----------------------------------------------------------------------------------


def _state(order_id: str) -> tuple[Order, dict[str, Any]]:
    """The order (orders: 404 when not yours) and its rating state (ratings: 404 likewise)."""
    found = loading.order(order_id)
    return found, dict(client().order_rating(loading.applicant(), order_id))


def _form_page(order: Order, state: dict[str, Any], *, follow_up: bool, form: Any = None,
               errors: dict[str, list[str]] | None = None, status: int = 200) -> tuple[str, int]:  # fmt: skip
    form = dict(form or {})
    level = rating_view.chosen_level(form.get("level") or request.args.get("level"))
    # Each key written out in full, so that `make messages` finds both.
    title = (_t("ratings.follow_up_title", reference=order.reference) if follow_up
             else _t("ratings.rate_title", reference=order.reference))  # fmt: skip
    return render(
        "ratings/rate.html",
        status,
        page_title=title,
        order=order,
        state=state,
        follow_up=follow_up,
        levels=client().levels(),
        level=level_of(level) if level else None,
        form=form,
        chosen_tags=form.get("tags_chosen", []),
        errors=errors or {},
        comment_max=rating_view.COMMENT_MAX,
    )


@bp.get("/applications/<order_id>/rating")
@browser.applicant_page
def rate(order_id: str) -> Any:
    order, state = _state(order_id)
    if state.get("rating") is not None or not state.get("can_rate"):
        return _view_page(order, state)
    return _form_page(order, state, follow_up=False)


def _view_page(order: Order, state: dict[str, Any]) -> tuple[str, int]:
    return render(
        "ratings/view.html",
        page_title=_t("ratings.your_rating_title", reference=order.reference),
        order=order,
        state=state,
    )


@bp.post("/applications/<order_id>/rating")
@browser.applicant_page
def rate_submit(order_id: str) -> Any:
    order, state = _state(order_id)
    tags = request.form.getlist("tags")
    body = rating_view.rating_body(request.form, tags)
    form = {**request.form.to_dict(), "tags_chosen": tags}
    try:
        client().rate(loading.applicant(), order_id, body)
    except (ServiceRejected, ServiceConflict) as error:
        return _form_page(order, state, follow_up=False, form=form,
                          errors=_refusal(error), status=error.status)  # fmt: skip
    log.info("rated", extra={"order_id": order_id, "level": body["level"]})
    return redirect(url_for(".rate", order_id=order_id, notice="ratings.notice.rated"), 303)


@bp.get("/applications/<order_id>/rating/follow-up")
@browser.applicant_page
def follow_up(order_id: str) -> Any:
    order, state = _state(order_id)
    if not state.get("can_follow_up"):
        return _view_page(order, state)
    return _form_page(order, state, follow_up=True)


@bp.post("/applications/<order_id>/rating/follow-up")
@browser.applicant_page
def follow_up_submit(order_id: str) -> Any:
    order, state = _state(order_id)
    rating = state.get("rating") or {}
    if not rating.get("id"):
        raise ServiceNotFound("ratings", 404, "ratings.not_found")
    tags = request.form.getlist("tags")
    body = rating_view.rating_body(request.form, tags, follow_up=True)
    form = {**request.form.to_dict(), "tags_chosen": tags}
    try:
        client().follow_up(loading.applicant(), rating["id"], body)
    except (ServiceRejected, ServiceConflict) as error:
        return _form_page(order, state, follow_up=True, form=form,
                          errors=_refusal(error), status=error.status)  # fmt: skip
    return redirect(url_for(".rate", order_id=order_id, notice="ratings.notice.followed_up"), 303)


def _refusal(error: ServiceError) -> dict[str, list[str]]:
    """Ratings' refusal beside its field: a 422 field by field, a 409 on the order."""
    if isinstance(error, ServiceConflict):
        reason = next(iter(next(iter((error.errors or {}).values()), [])), "conflict")
        return {"order": [_t("ratings.conflict." + str(reason).replace("-", "_"))]}
    words = rating_view.form_errors(error.errors)
    return {field: [_t(key) for key in keys] for field, keys in words.items()} or {
        "level": [_t("ratings.refused.other")]
    }
