"""Transport-independent handling of inbound events: inbox, handler, outcome.

A transport hands the dispatcher raw bodies and is told, for each, whether to
ack it, retry it later or dead-letter it. The dispatcher never acks anything
itself; the transport acks only after `handle`/`handle_batch` returned, that
is after the transaction holding the inbox rows and the effects committed.

Several already-delivered messages are handled in one transaction, so one
commit (one fsync) covers a whole batch; that is what lets a worker keep up
with thousands of events a second on PostgreSQL. The fast path claims every
inbox row of the batch with one `INSERT .. ON CONFLICT DO NOTHING RETURNING`
and runs the handlers without savepoints. If any handler raises, the batch is
rolled back and handled again carefully: each message in its own savepoint,
so one failing message rolls back only itself. A handler may therefore run
more than once; only its database effects are exactly-once. Handlers need not
commit: the dispatcher does, once per batch (a handler's own `uow.commit()`
only flushes while it runs).

The inbox row always goes in before the handler runs: a concurrent delivery
of the same event blocks on the row's primary key until this transaction
ends, then finds it and counts as a duplicate.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from marshmallow import ValidationError
from sqlalchemy import insert
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, SessionTransaction

from common.db import UnitOfWork
from common.events.envelope import Envelope, MalformedEvent
from common.events.metrics import HopMetrics
from common.events.tables import inbox

log = logging.getLogger("common.events.consumer")

Handler = Callable[[Envelope, UnitOfWork], None]
Todo = list[tuple[int, Envelope, int]]  # (position in the batch, envelope, attempts)
REASON_LIMIT = 500


class _NeedsCare(Exception):
    """The fast path met a failure; the batch is redone with a savepoint per message."""

    def __init__(self, index: int = -1, error: Exception | None = None) -> None:
        super().__init__(index, error)
        self.index = index
        self.error = error


class PermanentFailure(Exception):
    """Raised by a handler: retrying cannot help; dead-letter at once with this reason."""


class StaleEvent(Exception):
    """Raised by a handler: the event arrived too late to matter; record it and move on."""


@dataclass(frozen=True)
class Outcome:
    """What the transport does with one message.

    `attempts` counts the failed attempts including this one (for retry and
    dead); the transport stores it in the message's `x-attempts` header.
    """

    action: Literal["ack", "retry", "dead"]
    reason: str | None = None
    attempts: int = 0
    event_id: str | None = None
    event_type: str | None = None
    correlation_id: str | None = None


@dataclass(frozen=True)
class Delivery:
    """A message as the transport received it."""

    body: bytes
    attempts: int = 0


class Dispatcher:
    """Runs a service's handlers with exactly-once effects over at-least-once delivery."""

    def __init__(
        self,
        service: str,
        handlers: Mapping[str, Handler],
        uow_factory: Callable[[], UnitOfWork],
        *,
        max_attempts: int = 5,
        metrics: HopMetrics | None = None,
    ) -> None:
        self.service = service
        self.handlers = dict(handlers)
        self._uow_factory = uow_factory
        self._max_attempts = max_attempts
        self.metrics = metrics or HopMetrics()

    def handle(self, body: bytes, attempts: int) -> Outcome:
        """Handle one message; `attempts` is how many times it failed before (x-attempts)."""
        return self.handle_batch([Delivery(body, attempts)])[0]

    def handle_batch(self, deliveries: Sequence[Delivery]) -> list[Outcome]:
        """Handle messages in delivery order, in one transaction; one outcome each."""
        outcomes: list[Outcome | None] = [None] * len(deliveries)
        todo: list[tuple[int, Envelope, int]] = []
        for index, delivery in enumerate(deliveries):
            envelope, early = self._triage(delivery)
            if early is not None:
                outcomes[index] = early
            elif envelope is not None:
                todo.append((index, envelope, delivery.attempts))
        if todo:
            for index, outcome in self._run_in_transaction(todo):
                outcomes[index] = outcome
        return [outcome for outcome in outcomes if outcome is not None]

    def _triage(self, delivery: Delivery) -> tuple[Envelope | None, Outcome | None]:
        try:
            envelope = Envelope.from_json(delivery.body)
        except Exception as exc:
            # Whatever a broken producer sent (even JSON nested past the recursion
            # limit) must not stop the batch: it is dead at once, never retried.
            detail = str(exc) if isinstance(exc, MalformedEvent) else type(exc).__name__
            reason = f"malformed: {detail}"
            log.warning("malformed message dead-lettered: %s", reason, extra={"reason": reason})
            return None, Outcome("dead", reason=reason, attempts=delivery.attempts)
        if envelope.type not in self.handlers:
            # A binding may be wider than the handlers (orders.* for two of them).
            log.debug("no handler for %s, acked", envelope.type, extra=_fields(envelope))
            return None, _ack(envelope)
        return envelope, None

    def _run_in_transaction(self, todo: Todo) -> list[tuple[int, Outcome]]:
        try:
            return self._fast(todo)
        except _NeedsCare as care:
            # The failing handler is not run a second time: its error decides its outcome.
            known = {care.index: care.error} if care.error is not None else {}
            return self._careful(todo, known)
        except SQLAlchemyError as exc:
            log.info("batch of %d redone one by one after: %s", len(todo), _reason(exc))
            return self._careful(todo, {})

    def _fast(self, todo: Todo) -> list[tuple[int, Outcome]]:
        with self._uow_factory() as uow:
            fresh = self._claim_all(uow, [envelope for _, envelope, _ in todo])
            results = []
            handled: list[Envelope] = []
            with uow.deferring_commit():
                for index, envelope, _attempts in todo:
                    if envelope.id not in fresh:
                        log.info("duplicate %s skipped", envelope.id, extra=_fields(envelope))
                        results.append((index, _ack(envelope)))
                        continue
                    fresh.discard(envelope.id)  # the same id twice in one batch: once
                    uow.caused_by(envelope)
                    try:
                        self.handlers[envelope.type](envelope, uow)
                    except Exception as exc:
                        raise _NeedsCare(index, exc) from exc
                    handled.append(envelope)
                    results.append((index, _ack(envelope)))
            uow.commit()
        self.metrics.committed(handled)
        return results

    def _claim_all(self, uow: UnitOfWork, envelopes: list[Envelope]) -> set[str]:
        """Insert the batch's inbox rows at once; returns the ids that were new."""
        dialect = uow.session.get_bind().dialect.name
        if dialect not in ("postgresql", "sqlite"):
            raise _NeedsCare
        now = uow.clock.now()
        rows = {
            envelope.id: {
                "consumer": self.service,
                "event_id": envelope.id,
                "event_type": envelope.type,
                "outcome": "handled",
                "handled_at": now,
            }
            for envelope in envelopes
        }
        # Parameters as a list (not .values(list)) so the statement compiles once
        # and SQLAlchemy sends it as one multi-row INSERT ("insertmanyvalues").
        upsert = postgresql_insert(inbox) if dialect == "postgresql" else sqlite_insert(inbox)
        statement = upsert.on_conflict_do_nothing(
            index_elements=[inbox.c.consumer, inbox.c.event_id]
        ).returning(inbox.c.event_id)
        return set(uow.session.execute(statement, list(rows.values())).scalars())

    def _careful(self, todo: Todo, known: dict[int, Exception]) -> list[tuple[int, Outcome]]:
        try:
            handled: list[Envelope] = []
            with self._uow_factory() as uow:
                with uow.deferring_commit():
                    results = [
                        (
                            index,
                            self._handle_one(uow, envelope, attempts, known.get(index), handled),
                        )
                        for index, envelope, attempts in todo
                    ]
                uow.commit()
            self.metrics.committed(handled)
            return results
        except SQLAlchemyError as exc:
            if len(todo) > 1:
                # The batch as a whole failed (commit, lost connection): redo each
                # alone so one bad apple cannot fail its neighbours.
                log.warning("batch transaction failed (%s); handling one by one", _reason(exc))
                return [pair for item in todo for pair in self._careful([item], known)]
            index, envelope, attempts = todo[0]
            return [(index, self._failed(envelope, attempts, exc))]

    def _handle_one(
        self,
        uow: UnitOfWork,
        envelope: Envelope,
        attempts: int,
        known: Exception | None,
        handled: list[Envelope],
    ) -> Outcome:
        uow.caused_by(envelope)
        session = uow.session
        savepoint = session.begin_nested()
        if not self._record(session, uow, envelope, "handled"):
            _end(savepoint, commit=False)
            log.info("duplicate %s skipped", envelope.id, extra=_fields(envelope))
            return _ack(envelope)
        try:
            if known is not None:
                raise known
            self.handlers[envelope.type](envelope, uow)
            session.flush()
        except Exception as exc:
            _end(savepoint, commit=False)
            return self._outcome_of(uow, envelope, attempts, exc)
        _end(savepoint, commit=True)
        handled.append(envelope)
        return _ack(envelope)

    def _outcome_of(
        self, uow: UnitOfWork, envelope: Envelope, attempts: int, exc: Exception
    ) -> Outcome:
        if isinstance(exc, StaleEvent):
            return self._stale(uow, envelope, exc)
        if isinstance(exc, PermanentFailure | ValidationError):
            return self._dead(envelope, attempts + 1, exc)
        return self._failed(envelope, attempts, exc)

    def _record(self, session: Session, uow: UnitOfWork, envelope: Envelope, outcome: str) -> bool:
        """Insert the inbox row; False when this consumer already has it."""
        statement = insert(inbox).values(
            consumer=self.service,
            event_id=envelope.id,
            event_type=envelope.type,
            outcome=outcome,
            handled_at=uow.clock.now(),
        )
        try:
            session.execute(statement)
        except IntegrityError:
            return False
        return True

    def _stale(self, uow: UnitOfWork, envelope: Envelope, exc: StaleEvent) -> Outcome:
        savepoint = uow.session.begin_nested()
        recorded = self._record(uow.session, uow, envelope, "stale")
        _end(savepoint, commit=recorded)
        log.info("stale %s ignored: %s", envelope.id, _reason(exc), extra=_fields(envelope))
        return _ack(envelope)

    def _failed(self, envelope: Envelope, attempts: int, exc: BaseException) -> Outcome:
        failed = attempts + 1
        if failed >= self._max_attempts:
            return self._dead(envelope, failed, exc, note=f"after {failed} attempts: ")
        reason = _reason(exc)
        log.warning(
            "%s failed (attempt %d), will retry: %s",
            envelope.id,
            failed,
            reason,
            extra={**_fields(envelope), "reason": reason},
        )
        return Outcome("retry", reason, failed, envelope.id, envelope.type, envelope.correlation_id)

    def _dead(
        self, envelope: Envelope, attempts: int, exc: BaseException, note: str = ""
    ) -> Outcome:
        reason = note + _reason(exc)
        log.error(
            "%s dead-lettered: %s",
            envelope.id,
            reason,
            extra={**_fields(envelope), "reason": reason},
        )
        return Outcome(
            "dead", reason, attempts, envelope.id, envelope.type, envelope.correlation_id
        )


def _end(savepoint: SessionTransaction, *, commit: bool) -> None:
    # A failed flush may already have ended the savepoint.
    if not savepoint.is_active:
        return
    if commit:
        savepoint.commit()
    else:
        savepoint.rollback()


def _ack(envelope: Envelope) -> Outcome:
    return Outcome("ack", None, 0, envelope.id, envelope.type, envelope.correlation_id)


def _reason(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    return text if len(text) <= REASON_LIMIT else text[: REASON_LIMIT - 1] + "…"


def _fields(envelope: Envelope) -> dict[str, str | None]:
    return {
        "event_id": envelope.id,
        "event_type": envelope.type,
        "correlation_id": envelope.correlation_id,
    }
