"""How long the applicant's pictures are kept, and their purge.

When the order becomes final (cancelled, closed, closed unpaid, discarded or
completed) the case records `final_at` (handlers.py). The worker's purge
timer (timers.py) deletes the picture and thumbnail files of every case final
for longer than VERIFICATION_RETENTION_DAYS, marks its documents and the case
`purged_at`, writes a `documents.purged` audit entry (actor `system`) and
publishes `verification.documents_purged`, all in one transaction per case.
The document rows and the audit log stay: they hold no picture.

The files are deleted inside the transaction, before the commit. A crash in
between leaves a case not yet marked purged whose files are gone; the next
sweep finds it again and finishes (deleting a missing file is fine). The
other order could leave pictures on disk for ever under rows saying they are
gone, which is the one thing a purge must never do.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, select, update

from common.db import UnitOfWork
from common.errors import DomainError
from verification import audit, events
from verification.models import Case, Document
from verification.storage import EncryptedStore

log = logging.getLogger("verification.retention")

# The purge works on whole sets of rows at once, so it speaks Core to the tables.
cases = cast(Table, Case.__table__)
documents = cast(Table, Document.__table__)

# Cases looked up at once by a sweep; it goes on until none is due.
SWEEP_BATCH = 50


class PicturePurged(DomainError):
    status = 410
    title = "The picture has been deleted"
    slug = "purged"


class FilesStillThere(RuntimeError):
    """A purged file could not be deleted; the case stays due and is tried again."""


# --- final_at --------------------------------------------------------------------


def record_final(uow: UnitOfWork, order_id: str, at: datetime) -> bool:
    """Remember when the order became final; False when the case is missing or
    already final (the first final event counts)."""
    uow.session.flush()  # a case the same handler just created must be visible
    result = uow.session.execute(
        update(cases)
        .where(cases.c.order_id == order_id, cases.c.final_at.is_(None))
        .values(final_at=at)
    )
    return bool(getattr(result, "rowcount", 0))


# --- refusing what is gone -----------------------------------------------------------


def is_case_purged(uow: UnitOfWork, order_id: str) -> bool:
    purged_at = uow.session.scalar(select(cases.c.purged_at).where(cases.c.order_id == order_id))
    return purged_at is not None


def refuse_purged_picture(uow: UnitOfWork, order_id: str, code: str) -> None:
    """410 `purged` for a document whose picture the retention purge deleted."""
    purged_at = uow.session.scalar(
        select(documents.c.purged_at).where(
            documents.c.order_id == order_id, documents.c.code == code
        )
    )
    if purged_at is not None:
        raise PicturePurged(
            f"The picture of {code!r} was deleted on {purged_at:%Y-%m-%d}, "
            "as every picture is a while after its application is finished.",
            errors={"code": ["purged"]},
        )


# --- the purge ------------------------------------------------------------------------


def purge_sweep(
    uow_factory: Callable[[], UnitOfWork], store: EncryptedStore, retention: timedelta
) -> Callable[[datetime], int]:
    """The worker's timer: purge every case final for longer than `retention`.

    Each case is purged in its own transaction, so one that fails (a file that
    will not go) is logged and tried again at the next sweep without holding
    the others back. Returns how many cases were purged."""

    def sweep(now: datetime) -> int:
        purged = 0
        tried: set[str] = set()
        while due := _due_cases(uow_factory, now - retention, tried):
            for order_id in due:
                tried.add(order_id)
                purged += _purge_one(uow_factory, store, order_id)
        return purged

    return sweep


def _due_cases(
    uow_factory: Callable[[], UnitOfWork], final_before: datetime, tried: set[str]
) -> list[str]:
    with uow_factory() as uow:
        query = (
            select(cases.c.order_id)
            .where(cases.c.final_at <= final_before, cases.c.purged_at.is_(None))
            .order_by(cases.c.final_at)
            .limit(SWEEP_BATCH)
        )
        if tried:
            query = query.where(cases.c.order_id.not_in(tried))
        return list(uow.session.scalars(query))


def _purge_one(uow_factory: Callable[[], UnitOfWork], store: EncryptedStore, order_id: str) -> int:
    """1 when this call purged the case; 0 when another worker has it, or it failed."""
    try:
        with uow_factory() as uow:
            reference = uow.session.scalar(
                select(cases.c.reference)
                .where(cases.c.order_id == order_id, cases.c.purged_at.is_(None))
                # Several workers sweep at once: each takes cases the others have not.
                .with_for_update(skip_locked=True)
            )
            if reference is None:
                return 0
            purge_case(uow, store, order_id, reference)
            uow.commit()
            return 1
    except FilesStillThere as failure:
        log.error("purge postponed: %s", failure, extra={"correlation_id": order_id})
        return 0


def purge_case(uow: UnitOfWork, store: EncryptedStore, order_id: str, reference: str) -> None:
    """Delete the case's picture files and record it; the caller holds the case row's lock."""
    now = uow.clock.now()
    pictures = uow.session.execute(
        select(documents.c.code, documents.c.file_name, documents.c.thumbnail_name)
        .where(documents.c.order_id == order_id, documents.c.purged_at.is_(None))
        .order_by(documents.c.code)
    ).all()
    _delete_files(store, [name for _, *names in pictures for name in names])
    uow.session.execute(
        update(documents)
        .where(documents.c.order_id == order_id, documents.c.purged_at.is_(None))
        .values(purged_at=now)
    )
    uow.session.execute(update(cases).where(cases.c.order_id == order_id).values(purged_at=now))
    codes = [code for code, *_ in pictures]
    if codes:  # a case without pictures has nothing to account for
        _account_for(uow, order_id, reference, codes, now)
    log.info("pictures purged", extra={"correlation_id": order_id, "documents": len(codes)})


def _delete_files(store: EncryptedStore, names: list[str]) -> None:
    for name in names:
        store.delete(name)
    left = [name for name in names if store.exists(name)]
    if left:
        raise FilesStillThere(f"{len(left)} picture file(s) could not be deleted")


def _account_for(
    uow: UnitOfWork, order_id: str, reference: str, codes: list[str], now: datetime
) -> None:
    audit.record(
        uow,
        actor=None,
        action=audit.Action.DOCUMENTS_PURGED,
        order_id=order_id,
        reference=reference,
        details={"document_codes": codes},
    )
    values: dict[str, Any] = {
        "order_id": order_id,
        "reference": reference,
        "document_codes": codes,
        "purged_at": now,
    }
    uow.publish(
        events.DOCUMENTS_PURGED,
        events.payload(events.DOCUMENTS_PURGED, values),
        correlation_id=order_id,
    )
