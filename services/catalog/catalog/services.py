"""The catalog's use cases. Each runs in one unit of work: it reads or changes
items, records the events the change causes in the outbox, and commits once.
A refusal raises a common.errors DomainError before anything is committed, so
nothing is half-written and nothing is published.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from catalog import domain, events
from catalog.domain import Status
from catalog.models import CountedDeal, FeeVersion, Item, StoreRating
from common.db import UnitOfWork
from common.errors import Conflict, Forbidden, InvalidInput, NotFound


def _invalid(summary: str, problems: dict[str, list[str]]) -> InvalidInput:
    """A 422 whose detail names the fields, like the schema refusals do."""
    names = ", ".join(sorted(problems))
    return InvalidInput(f"{summary} Check these fields: {names}.", errors=problems)


# --- views: what the API and the events show of an item --------------------


def _fee_view(fee: FeeVersion | None) -> dict[str, Any] | None:
    if fee is None:
        return None
    return {
        "version": fee.version,
        "production_cost_fen": fee.production_cost_fen,
        "courier_fee_fen": fee.courier_fee_fen,
        "approval_reference": fee.approval_reference,
        "effective_from": fee.effective_from,
    }


def _delivery_view(item: Item, fee: FeeVersion | None) -> list[dict[str, Any]]:
    courier_fee = fee.courier_fee_fen if fee is not None else None
    return [
        {**option, "fee_fen": domain.delivery_fee_for(option["kind"], courier_fee)}
        for option in item.delivery_options
    ]


def item_view(item: Item, now: datetime) -> dict[str, Any]:
    fee = domain.fee_in_force(item.fees, now)
    return {
        "code": item.code,
        "status": item.status,
        "revision": item.revision,
        "title": {"zh": item.title_zh, "en": item.title_en},
        "description": {"zh": item.description_zh, "en": item.description_en},
        "sla_working_days": item.sla_working_days,
        "required_documents": item.required_documents,
        "form_fields": item.form_fields,
        "delivery_options": _delivery_view(item, fee),
        "fee": _fee_view(fee),
        "upcoming_fee": _fee_view(domain.upcoming_fee(item.fees, now)),
        "rating": {"average_milli": item.rating_average_milli, "count": item.rating_count},
        "deal_count": item.deal_count,
        "created_at": item.created_at,
        "updated_at": item.updated_at,
        "published_at": item.published_at,
        "withdrawn_at": item.withdrawn_at,
    }


def _event_state(item: Item, now: datetime, actor: str) -> dict[str, Any]:
    view = item_view(item, now)
    return {
        "code": item.code,
        "revision": item.revision,
        "status": item.status,
        "title": view["title"],
        "sla_working_days": item.sla_working_days,
        "fee": view["fee"],
        "upcoming_fee": view["upcoming_fee"],
        "delivery_options": [
            {"code": o["code"], "kind": o["kind"], "fee_fen": o["fee_fen"]}
            for o in view["delivery_options"]
        ],
        "actor": actor,
    }


# --- reads -----------------------------------------------------------------


def find_item(uow: UnitOfWork, code: str, *, for_update: bool = False) -> Item | None:
    if for_update:
        # PostgreSQL locks no row on the nullable side of an outer join: the
        # fees come in their own statement.
        return uow.session.scalars(
            select(Item).where(Item.code == code).with_for_update()
        ).one_or_none()
    # A read (orders' fresh read on every submit among them) takes the item
    # and its fee versions in one statement instead of two.
    query = select(Item).options(joinedload(Item.fees)).where(Item.code == code)
    return uow.session.scalars(query).unique().one_or_none()


def _visible(uow: UnitOfWork, code: str, *, staff: bool) -> Item:
    item = find_item(uow, code)
    # Drafts and withdrawn items do not exist for the public: 404, not 403.
    if item is None or (item.status != Status.PUBLISHED and not staff):
        raise NotFound(f"There is no item {code!r} in the store.")
    return item


def list_items(uow: UnitOfWork, *, status: str, staff: bool) -> list[dict[str, Any]]:
    if status != Status.PUBLISHED and not staff:
        raise Forbidden("Only staff can list items that are not published.")
    with uow:
        query = select(Item).order_by(Item.id)
        if status != "all":
            query = query.where(Item.status == status)
        now = uow.clock.now()
        return [item_view(item, now) for item in uow.session.scalars(query)]


def get_item(uow: UnitOfWork, code: str, *, staff: bool) -> dict[str, Any]:
    with uow:
        return item_view(_visible(uow, code, staff=staff), uow.clock.now())


def fee_history(uow: UnitOfWork, code: str, *, staff: bool) -> dict[str, Any]:
    with uow:
        item = _visible(uow, code, staff=staff)
        now = uow.clock.now()
        in_force = domain.fee_in_force(item.fees, now)
        versions = [
            {
                **(_fee_view(fee) or {}),
                "state": domain.fee_state(fee, in_force, now),
                "created_at": fee.created_at,
                "created_by": fee.created_by,
            }
            for fee in sorted(item.fees, key=lambda fee: fee.version, reverse=True)
        ]
        return {"item_code": item.code, "versions": versions}


def store_summary(uow: UnitOfWork) -> dict[str, Any]:
    with uow:
        # Every completed order counts for the store, even one for an item
        # the catalog no longer knows.
        deals = uow.session.scalar(select(func.count()).select_from(CountedDeal))
        published = uow.session.scalar(
            select(func.count(Item.id)).where(Item.status == Status.PUBLISHED)
        )
        rating = uow.session.get(StoreRating, "store")
        return {
            "deal_count": int(deals or 0),
            "published_item_count": int(published or 0),
            "rating": {
                "average_milli": rating.average_milli if rating else None,
                "count": rating.count if rating else 0,
            },
        }


# --- staff changes -----------------------------------------------------------


def refuse_bad_definitions(data: dict[str, Any]) -> None:
    problems = domain.check_definitions(
        data.get("required_documents"), data.get("form_fields"), data.get("delivery_options")
    )
    if problems:
        raise _invalid("The item's definitions are not consistent.", problems)


def create_item(uow: UnitOfWork, data: dict[str, Any], *, actor: str) -> dict[str, Any]:
    """A new item, as a draft: the public sees it once it has a fee and is published."""
    refuse_bad_definitions(data)
    with uow:
        item = new_item(uow, data)
        try:
            uow.session.flush()
        except IntegrityError:
            raise _duplicate(data["code"]) from None
        view = item_view(item, uow.clock.now())
        uow.commit()
    return view


def _duplicate(code: str) -> Conflict:
    return Conflict(
        f"An item with the code {code!r} already exists.",
        errors={"code": ["This code is taken."]},
    )


def new_item(uow: UnitOfWork, data: dict[str, Any]) -> Item:
    """Add a draft item inside the caller's transaction (also used by the seed)."""
    if find_item(uow, data["code"]) is not None:
        raise _duplicate(data["code"])
    now = uow.clock.now()
    item = Item(
        code=data["code"],
        status=Status.DRAFT.value,
        revision=1,
        title_zh=data["title"]["zh"],
        title_en=data["title"]["en"],
        description_zh=data["description"]["zh"],
        description_en=data["description"]["en"],
        sla_working_days=data["sla_working_days"],
        required_documents=data.get("required_documents", []),
        form_fields=data.get("form_fields", []),
        delivery_options=data.get("delivery_options", []),
        deal_count=0,
        rating_count=0,
        created_at=now,
        updated_at=now,
        fees=[],
    )
    uow.session.add(item)
    return item


def _apply_changes(item: Item, changes: dict[str, Any]) -> list[str]:
    """Change the item in place; the parts that really changed, in a stable order."""
    changed: list[str] = []
    if "title" in changes or "description" in changes:
        before = (item.title_zh, item.title_en, item.description_zh, item.description_en)
        title = changes.get("title", {"zh": item.title_zh, "en": item.title_en})
        text = changes.get("description", {"zh": item.description_zh, "en": item.description_en})
        after = (title["zh"], title["en"], text["zh"], text["en"])
        if after != before:
            item.title_zh, item.title_en, item.description_zh, item.description_en = after
            changed.append("texts")
    if "sla_working_days" in changes and changes["sla_working_days"] != item.sla_working_days:
        item.sla_working_days = changes["sla_working_days"]
        changed.append("sla")
    for part in ("required_documents", "form_fields", "delivery_options"):
        if part in changes and changes[part] != getattr(item, part):
            setattr(item, part, changes[part])
            changed.append(part)
    return changed


def change_item(
    uow: UnitOfWork, code: str, changes: dict[str, Any], *, actor: str
) -> dict[str, Any]:
    """Change texts, SLA, documents, form fields or delivery options."""
    refuse_bad_definitions(changes)
    with uow:
        item = _for_change(uow, code)
        if item.status == Status.PUBLISHED and changes.get("delivery_options") == []:
            raise _invalid(
                "A published item needs a way to deliver it.",
                {"delivery_options": ["A published item needs at least one option."]},
            )
        changed = _apply_changes(item, changes)
        if changed:
            _record_change(uow, item, changed, actor=actor)
        view = item_view(item, uow.clock.now())
        uow.commit()
    return view


def _for_change(uow: UnitOfWork, code: str) -> Item:
    # The row lock serialises staff changes to one item: revisions and fee
    # version numbers never collide.
    item = find_item(uow, code, for_update=True)
    if item is None:
        raise NotFound(f"There is no item {code!r} in the store.")
    return item


def _record_change(
    uow: UnitOfWork,
    item: Item,
    changed: list[str],
    *,
    actor: str,
    new_fee: FeeVersion | None = None,
) -> None:
    now = uow.clock.now()
    item.revision += 1
    item.updated_at = now
    uow.session.flush()
    state = _event_state(item, now, actor)
    data = {**state, "changed": changed, "new_fee_version": _fee_view(new_fee), "changed_at": now}
    uow.publish(events.ITEM_CHANGED, events.payload(events.ITEM_CHANGED, data))


def change_fee(uow: UnitOfWork, code: str, fee: dict[str, Any], *, actor: str) -> dict[str, Any]:
    """A new version of the item's fee schedule; earlier versions stay as they were."""
    with uow:
        item = _for_change(uow, code)
        version = add_fee_version(uow, item, fee, actor=actor, allow_past=False)
        _record_change(uow, item, ["fee"], actor=actor, new_fee=version)
        now = uow.clock.now()
        in_force = domain.fee_in_force(item.fees, now)
        view = {
            **(_fee_view(version) or {}),
            "state": domain.fee_state(version, in_force, now),
            "created_at": version.created_at,
            "created_by": version.created_by,
        }
        uow.commit()
    return view


def add_fee_version(
    uow: UnitOfWork, item: Item, fee: dict[str, Any], *, actor: str, allow_past: bool
) -> FeeVersion:
    """Append a fee version inside the caller's transaction.

    Only the seed may date a version in the past: it records fees that were
    already in force before this system existed.
    """
    now = uow.clock.now()
    effective_from = fee.get("effective_from") or now
    if not allow_past:
        effective_from, problems = domain.check_fee_effective_from(effective_from, now)
        if problems:
            raise _invalid("The fee cannot take effect then.", problems)
    version = FeeVersion(
        version=domain.next_fee_version(item.fees),
        production_cost_fen=fee["production_cost_fen"],
        courier_fee_fen=fee["courier_fee_fen"],
        approval_reference=fee["approval_reference"],
        effective_from=effective_from,
        created_at=now,
        created_by=actor,
    )
    item.fees.append(version)
    return version


def publish_item(uow: UnitOfWork, code: str, *, actor: str) -> dict[str, Any]:
    with uow:
        item = _for_change(uow, code)
        mark_published(uow, item, actor=actor)
        view = item_view(item, uow.clock.now())
        uow.commit()
    return view


def mark_published(uow: UnitOfWork, item: Item, *, actor: str) -> None:
    """Publish inside the caller's transaction, or refuse (409) saying why not."""
    now = uow.clock.now()
    blockers = domain.publish_blockers(
        item.status, domain.fee_in_force(item.fees, now), item.delivery_options
    )
    if blockers:
        raise Conflict(" ".join(blockers), errors={"status": blockers})
    item.status = Status.PUBLISHED.value
    item.revision += 1
    item.published_at = now
    item.updated_at = now
    item.withdrawn_at = None
    item.withdrawal_reason = None
    uow.session.flush()
    data = {**_event_state(item, now, actor), "published_at": now}
    uow.publish(events.ITEM_PUBLISHED, events.payload(events.ITEM_PUBLISHED, data))


def withdraw_item(uow: UnitOfWork, code: str, reason: str | None, *, actor: str) -> dict[str, Any]:
    """Take a published item off the shelf; orders already placed are not affected."""
    with uow:
        item = _for_change(uow, code)
        blocker = domain.withdraw_blocker(item.status)
        if blocker:
            raise Conflict(blocker, errors={"status": [blocker]})
        now = uow.clock.now()
        item.status = Status.WITHDRAWN.value
        item.revision += 1
        item.withdrawn_at = now
        item.withdrawal_reason = reason
        item.updated_at = now
        data = {
            "code": item.code,
            "revision": item.revision,
            "reason": reason,
            "withdrawn_at": now,
            "actor": actor,
        }
        uow.publish(events.ITEM_WITHDRAWN, events.payload(events.ITEM_WITHDRAWN, data))
        view = item_view(item, now)
        uow.commit()
    return view


def withdrawal(uow: UnitOfWork, code: str) -> dict[str, Any]:
    """Why a withdrawn item is no longer on sale, for anyone holding a draft of it;
    404 unless the item is withdrawn (a draft item stays unknown to the public)."""
    with uow:
        item = find_item(uow, code)
        if item is None or item.status != Status.WITHDRAWN:
            raise NotFound(f"The item {code!r} is not withdrawn.")
        return {
            "code": item.code,
            "title": {"zh": item.title_zh, "en": item.title_en},
            "withdrawn_at": item.withdrawn_at,
            "reason": item.withdrawal_reason,
        }
