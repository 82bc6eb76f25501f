"""Rating an order, the staff reply, the follow-up, and the summaries.

rate():      404 not the applicant's order → 409 `order` (not completed, window
             closed, already rated) → 422 (tags of another level, personal data
             in the comment) → the rating, its per-day count, a bad rating's case,
             ratings.rated, ratings.summary_changed; all in one transaction.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from common.db import UnitOfWork
from common.errors import Conflict, NotFound
from ratings import complaints, events, statistics
from ratings.domain import BAD_LEVELS, DIMENSIONS, LEVELS, Summary, summarise_counts, tag_errors
from ratings.domain.privacy import mask_name
from ratings.models import Case, Order, Rating
from ratings.services import Context, new_id, publishable, refuse_if

PAGE_SIZE = 20


def _check_rating_fields(data: dict[str, Any], prefix: str = "") -> None:
    errors: dict[str, list[str]] = {}
    if reasons := tag_errors(data["level"], data["tags"]):
        errors[f"{prefix}tags"] = reasons
    publishable(errors, f"{prefix}comment", data.get("comment"))
    refuse_if(errors)


def _rateable_order(
    session: Session, order_id: str, applicant_id: str, now: datetime, ctx: Context
) -> Order:
    order = session.get(Order, order_id, with_for_update=True)
    if order is None or order.applicant_id != applicant_id:
        raise NotFound(f"There is no order {order_id} of yours to rate.")
    if order.completed_at is None:
        raise Conflict("Only a completed order can be rated.", errors={"order": ["not-completed"]})
    if now >= order.completed_at + ctx.window:
        rate_by = (order.completed_at + ctx.window).isoformat()
        raise Conflict(
            f"The rating window closed at {rate_by}.", errors={"order": ["window-closed"]}
        )
    if order.rated or session.scalar(select(Rating.id).where(Rating.order_id == order_id)):
        raise Conflict("This order has already been rated.", errors={"order": ["already-rated"]})
    return order


def rate(ctx: Context, order_id: str, applicant_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """The applicant rates their completed order, once, within the window."""
    with ctx.uow() as uow:
        session, now = uow.session, uow.clock.now()
        order = _rateable_order(session, order_id, applicant_id, now, ctx)
        _check_rating_fields(data)
        name = order.applicant_name_masked or mask_name(data.get("display_name"))
        rating = Rating(
            id=new_id("rat"), order_id=order_id, item_code=order.item_code or "unknown",
            applicant_id=applicant_id, level=data["level"], tags=list(data["tags"]),
            comment=(data.get("comment") or "").strip() or None, anonymous=data["anonymous"],
            shown_name=name, created_at=now, **{d: data["scores"][d] for d in DIMENSIONS},
        )  # fmt: skip
        session.add(rating)
        order.rated = True
        session.flush()
        statistics.apply(session, Counter(), statistics.rating_counts(rating))
        uow.publish(events.RATED, events.payload(events.RATED, {
            "rating_id": rating.id, "order_id": order_id, "item_code": rating.item_code,
            "applicant_id": applicant_id, "level": rating.level,
            "bad": rating.level in BAD_LEVELS, "tags": rating.tags, "rated_at": now,
        }), correlation_id=order_id)  # fmt: skip
        case = None
        if rating.level in BAD_LEVELS:
            case = complaints.open_case(uow, ctx, order, kind="bad_rating", rating_id=rating.id)
        publish_summary(uow, ctx, rating.item_code)
        uow.commit()
        # A bad rating's answer names its case, so the applicant can follow it at once.
        return rating_view(rating, case, viewer=applicant_id)


def _serialise_summaries(session: Session) -> None:
    # Two ratings committed at once would each compute a store summary without the
    # other's; one at a time, each sees every rating committed before it.
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(8005)"))


def summary(session: Session, item_code: str | None) -> Summary:
    """The summary recomputed from the ratings (one GROUP BY), never a running sum."""
    query = select(
        Rating.level, func.count(), func.sum(Rating.speed), func.sum(Rating.service),
        func.sum(Rating.delivery),
    ).group_by(Rating.level)  # fmt: skip
    if item_code is not None:
        query = query.where(Rating.item_code == item_code)
    distribution: dict[int, int] = {}
    sums = dict.fromkeys(DIMENSIONS, 0)
    for level, count, speed, service, delivery in session.execute(query):
        distribution[level] = int(count)
        for name, value in zip(DIMENSIONS, (speed, service, delivery), strict=True):
            sums[name] += int(value or 0)
    return summarise_counts(distribution, sums)


def publish_summary(uow: UnitOfWork, ctx: Context, item_code: str) -> None:
    session = uow.session
    _serialise_summaries(session)
    session.flush()
    item, store = summary(session, item_code), summary(session, None)
    uow.publish(events.SUMMARY_CHANGED, events.payload(events.SUMMARY_CHANGED, {
        "item_code": item_code, "average_milli": item.average_milli, "count": item.count,
        "store": {"average_milli": store.average_milli, "count": store.count},
        "as_of": uow.clock.now(), "too_few": item.too_few(ctx.min_for_average),
        "min_count_for_average": ctx.min_for_average,
    }))  # fmt: skip


def summary_view(ctx: Context, item_code: str | None) -> dict[str, Any]:
    with ctx.uow() as uow:
        found = summary(uow.session, item_code)
    too_few = found.too_few(ctx.min_for_average)
    return {
        "item_code": item_code, "count": found.count, "too_few": too_few,
        "min_count_for_average": ctx.min_for_average,
        "average_milli": None if too_few else found.average_milli,
        "distribution": {str(k): v for k, v in found.distribution.items()},
        "dimensions": {k: None if too_few else v for k, v in found.dimensions.items()},
        "bad_share_milli": None if too_few else found.bad_share_milli,
    }  # fmt: skip


def reply(ctx: Context, rating_id: str, supervisor: str, body: str) -> dict[str, Any]:
    """A supervisor answers a rating in public, once."""
    with ctx.uow() as uow:
        rating = uow.session.get(Rating, rating_id, with_for_update=True)
        if rating is None:
            raise NotFound(f"There is no rating {rating_id}.")
        if rating.reply is not None:
            raise Conflict(
                "This rating already has a reply.", errors={"reply": ["already-replied"]}
            )
        errors: dict[str, list[str]] = {}
        publishable(errors, "reply", body)
        refuse_if(errors)
        now = uow.clock.now()
        rating.reply, rating.replied_by, rating.replied_at = body.strip(), supervisor, now
        uow.publish(events.REPLIED, events.payload(events.REPLIED, {
            "rating_id": rating.id, "order_id": rating.order_id, "item_code": rating.item_code,
            "replied_by": supervisor, "replied_at": now,
        }), correlation_id=rating.order_id)  # fmt: skip
        uow.commit()
        return rating_view(rating, None, viewer=None)


def follow_up(
    ctx: Context, rating_id: str, applicant_id: str, data: dict[str, Any]
) -> dict[str, Any]:
    """The applicant adds one follow-up rating once the bad rating's case is answered."""
    with ctx.uow() as uow:
        session = uow.session
        rating = session.get(Rating, rating_id, with_for_update=True)
        if rating is None or rating.applicant_id != applicant_id:
            raise NotFound(f"There is no rating {rating_id} of yours.")
        case = session.scalar(select(Case).where(Case.rating_id == rating_id))
        if case is None or case.first_answered_at is None:
            raise Conflict("A follow-up comes after the rectification of a bad rating.",
                           errors={"follow_up": ["not-rectified"]})  # fmt: skip
        if rating.follow_up is not None:
            raise Conflict(
                "This rating already has its follow-up.",
                errors={"follow_up": ["already-followed-up"]},
            )
        _check_rating_fields(data)
        now = uow.clock.now()
        rating.follow_up = {
            "level": data["level"], "tags": list(data["tags"]), "scores": dict(data["scores"]),
            "comment": (data.get("comment") or "").strip() or None, "created_at": now.isoformat(),
        }  # fmt: skip
        uow.publish(events.FOLLOWED_UP, events.payload(events.FOLLOWED_UP, {
            "rating_id": rating.id, "order_id": rating.order_id, "item_code": rating.item_code,
            "level": data["level"], "followed_up_at": now,
        }), correlation_id=rating.order_id)  # fmt: skip
        uow.commit()
        return rating_view(rating, case, viewer=applicant_id)


def rating_view(rating: Rating, case: Case | None, *, viewer: str | None) -> dict[str, Any]:
    """A rating as the item page shows it (the case id only to its own applicant)."""
    level = LEVELS[rating.level]
    return {
        "id": rating.id, "item_code": rating.item_code, "level": rating.level,
        "level_code": level.code, "bad": level.bad, "tags": rating.tags,
        "scores": {d: getattr(rating, d) for d in DIMENSIONS}, "comment": rating.comment,
        "name": None if rating.anonymous else rating.shown_name, "anonymous": rating.anonymous,
        "created_at": rating.created_at,
        "reply": {"body": rating.reply, "created_at": rating.replied_at} if rating.reply else None,
        "follow_up": rating.follow_up,
        "order_id": rating.order_id if viewer == rating.applicant_id else None,
        "case_id": case.id if case is not None and viewer == rating.applicant_id else None,
    }  # fmt: skip


def list_ratings(ctx: Context, item_code: str, level: int | None, page: int) -> dict[str, Any]:
    """An item's ratings, newest first, PAGE_SIZE a page, optionally one level."""
    with ctx.uow() as uow:
        query = select(Rating).where(Rating.item_code == item_code)
        if level is not None:
            query = query.where(Rating.level == level)
        total = uow.session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = uow.session.scalars(
            query.order_by(Rating.created_at.desc(), Rating.id.desc())
            .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
        )  # fmt: skip
        ratings = [rating_view(r, None, viewer=None) for r in rows]
    return {
        "ratings": ratings,
        "page": page,
        "pages": max(1, -(-total // PAGE_SIZE)),
        "total": total,
    }


def order_rating(ctx: Context, order_id: str, viewer: str, staff: bool) -> dict[str, Any]:
    """Whether the order may be rated, until when, and its rating if it has one."""
    with ctx.uow() as uow:
        session, now = uow.session, uow.clock.now()
        order = session.get(Order, order_id)
        if order is None or (not staff and order.applicant_id != viewer):
            raise NotFound(f"There is no order {order_id} of yours.")
        rating = session.scalar(select(Rating).where(Rating.order_id == order_id))
        case = session.scalar(select(Case).where(Case.rating_id == rating.id)) if rating else None
        rate_by = order.completed_at + ctx.window if order.completed_at else None
        return {
            "order_id": order_id, "completed_at": order.completed_at, "rate_by": rate_by,
            "can_rate": rating is None and rate_by is not None and now < rate_by,
            "can_follow_up": bool(rating and case and case.first_answered_at and not rating.follow_up),
            "rating": rating_view(rating, case, viewer=order.applicant_id if not staff else viewer) if rating else None,
        }  # fmt: skip
