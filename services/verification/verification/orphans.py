"""Encrypted picture files that no document row names are swept away.

An upload writes its picture and thumbnail first and commits the row after
(services.upload_document); a crash or a lost database between the two
leaves files nobody will ever read. Such a file is still an ID card, so it
must not stay on disk forever. The sweep walks the store one folder at a
time (the two-hex prefix of the generated names), asks the database which
names of that folder are referenced, and deletes the others once they are
older than the grace period, so an upload still in flight is never touched.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import or_, select

from common.db import UnitOfWork
from verification.models import Document
from verification.storage import EncryptedStore

log = logging.getLogger("verification.orphans")

# Far longer than any upload takes between writing its files and committing.
GRACE = timedelta(hours=1)
SWEEP_EVERY_SECONDS = 3600.0


def sweep_orphans(
    uow_factory: Callable[[], UnitOfWork],
    store: EncryptedStore,
    wall_now: float,
    grace: timedelta = GRACE,
) -> int:
    """Delete unreferenced files written before `wall_now - grace`; returns how many.

    `wall_now` is the real time (time.time()), not the worker's clock: the files'
    ages are the file system's, and a clock moved ahead (in a test, or by an
    operator) must never make an upload in flight look old."""
    cutoff = wall_now - grace.total_seconds()
    deleted = 0
    for prefix, names in store.names_by_folder():
        old = {name for name in names if store.modified_at(name) < cutoff}
        if not old:
            continue
        for name in old - _referenced(uow_factory, prefix):
            store.delete(name)
            deleted += 1
    if deleted:
        log.warning("deleted %d picture files no document names (uploads never committed)", deleted)
    return deleted


def _referenced(uow_factory: Callable[[], UnitOfWork], prefix: str) -> set[str]:
    pattern = f"{prefix}%"
    with uow_factory() as uow:
        rows = uow.session.execute(
            select(Document.file_name, Document.thumbnail_name).where(
                or_(Document.file_name.like(pattern), Document.thumbnail_name.like(pattern))
            )
        )
        return {name for row in rows for name in row}
