"""Publishing to RabbitMQ with publisher confirms, a whole batch at a time.

A blocking channel in confirm mode waits for each message's confirm before
sending the next: one round trip per event. Here every message of a batch goes
out at once and the broker's (often cumulative) confirms are counted as they
arrive, so a batch costs about one round trip.

The connection is a pika SelectConnection driven by its own I/O thread, which
keeps heartbeats flowing while the caller sits in a database transaction or
idles between polls. The caller hands a batch over and waits for its confirms.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from functools import partial
from typing import Any

import pika
from pika.spec import Basic

from common.events.amqp import OutgoingMessage, connection_parameters, event_message
from common.events.backoff import Backoff
from common.events.envelope import Envelope
from common.events.topology import exchange_name
from common.events.transport import PendingPublish, Published, PublishFailed

log = logging.getLogger("common.events.rabbit")


class RabbitPublisher:
    """Publishes envelopes to the events exchange; returns once the broker has them all.

    An event no queue is bound for yet is returned by the broker and logged:
    that is normal while a consumer is not deployed, so it is not a failure.
    A nack, a timeout or a lost connection raises PublishFailed.
    """

    def __init__(self, url: str, prefix: str, *, confirm_timeout: float = 30.0) -> None:
        self.exchange = exchange_name(prefix)
        self._url = url
        self._timeout = confirm_timeout
        self._link: _ConfirmLink | None = None
        self._lock = threading.Lock()

    def publish_batch(self, envelopes: Sequence[Envelope]) -> None:
        self.publish_batch_async(envelopes).wait()

    def publish_batch_async(self, envelopes: Sequence[Envelope]) -> PendingPublish:
        """Send the batch now; `wait()` on the result blocks until it is confirmed.

        Lets the relay prepare its next batch while the broker confirms this one.
        """
        return self.publish_async([event_message(self.exchange, e) for e in envelopes])

    def publish(self, messages: Sequence[OutgoingMessage]) -> None:
        """Publish any messages (retries, dead letters) with the same guarantees."""
        self.publish_async(messages).wait()

    def publish_async(self, messages: Sequence[OutgoingMessage]) -> PendingPublish:
        if not messages:
            return Published()
        return self._ensure_link().start(messages, self._timeout)

    def close(self) -> None:
        with self._lock:
            link, self._link = self._link, None
        if link is not None:
            link.close()

    def _ensure_link(self) -> _ConfirmLink:
        # Connect on first use, never at construction or import.
        with self._lock:
            if self._link is None:
                self._link = _ConfirmLink(connection_parameters(self._url), self.exchange)
            return self._link


class _Batch:
    """Messages sent together; done when each is confirmed or the link failed them."""

    def __init__(self, link: _ConfirmLink, size: int, timeout: float) -> None:
        self.remaining = size
        self.error: str | None = None
        self.done = threading.Event()
        self.route_keys: list[tuple[str, str | None]] = []
        self._link = link
        self._timeout = timeout
        self._deadline = time.monotonic() + timeout

    def wait(self) -> None:
        try:
            if not self.done.wait(max(0.0, self._deadline - time.monotonic())):
                # A link that stops confirming is suspect: drop it, the next batch reconnects.
                self._link.drop_soon()
                raise PublishFailed(f"confirms not received within {self._timeout:g}s")
        finally:
            self._link.forget(self)
        if self.error is not None:
            raise PublishFailed(self.error)

    def settle(self, ok: bool) -> None:
        if not ok and self.error is None:
            self.error = "the broker refused (nacked) a message"
        self.remaining -= 1
        if self.remaining <= 0:
            self.done.set()

    def fail(self, why: str) -> None:
        if self.error is None:
            self.error = why
        self.done.set()


class _ConfirmLink:
    """One confirming channel in its own I/O thread, re-opened with backoff when lost."""

    def __init__(self, params: pika.URLParameters, exchange: str) -> None:
        self._params = params
        self._exchange = exchange
        self._ready = threading.Event()
        self._closing = threading.Event()
        self._connection: pika.SelectConnection | None = None
        self._channel: Any = None
        self._next_tag = 0
        self._pending: dict[int, _Batch] = {}  # delivery tag -> batch, tags ascending
        self._must_route: dict[tuple[str, str | None], _Batch] = {}
        self._inflight: set[_Batch] = set()
        self._inflight_lock = threading.Lock()
        self._opened = False
        self._thread = threading.Thread(target=self._run, name="rabbit-publisher", daemon=True)
        self._thread.start()

    # -- the caller's side ---------------------------------------------------------

    def start(self, messages: Sequence[OutgoingMessage], timeout: float) -> _Batch:
        if not self._ready.wait(timeout):
            raise PublishFailed(f"no connection to RabbitMQ within {timeout:g}s")
        batch = _Batch(self, len(messages), timeout)
        with self._inflight_lock:
            self._inflight.add(batch)
        try:
            # Checked again after registering: a link lost in between has either
            # failed this batch already or cleared `ready` before failing the rest.
            if not self._ready.is_set():
                raise PublishFailed("connection to RabbitMQ lost")
            self._call_soon(partial(self._publish_now, batch, messages))
        except PublishFailed:
            self.forget(batch)
            raise
        return batch

    def forget(self, batch: _Batch) -> None:
        with self._inflight_lock:
            self._inflight.discard(batch)

    def drop_soon(self) -> None:
        self._call_soon(self._drop_connection, quiet=True)

    def close(self) -> None:
        self._closing.set()
        self._call_soon(self._drop_connection, quiet=True)
        self._thread.join(timeout=5)

    def _call_soon(self, callback: Any, quiet: bool = False) -> None:
        connection = self._connection
        try:
            if connection is None:
                raise pika.exceptions.ConnectionWrongStateError("not connected")
            connection.ioloop.add_callback_threadsafe(callback)
        except Exception as exc:
            if not quiet:
                raise PublishFailed(f"connection to RabbitMQ unusable: {exc}") from exc

    # -- the I/O thread --------------------------------------------------------------

    def _run(self) -> None:
        backoff = Backoff()
        while not self._closing.is_set():
            self._opened = False
            self._connection = pika.SelectConnection(
                self._params,
                on_open_callback=self._on_open,
                on_open_error_callback=self._on_open_error,
                on_close_callback=self._on_closed,
            )
            self._connection.ioloop.start()
            self._ready.clear()
            self._fail_all("connection to RabbitMQ lost before every confirm arrived")
            if self._opened:
                backoff.reset()
            self._closing.wait(backoff.next())
        self._connection = None

    def _on_open(self, connection: pika.SelectConnection) -> None:
        connection.channel(on_open_callback=self._on_channel_open)

    def _on_open_error(self, connection: pika.SelectConnection, error: BaseException) -> None:
        log.warning("cannot connect to RabbitMQ for publishing: %s", error)
        connection.ioloop.stop()

    def _on_closed(self, connection: pika.SelectConnection, reason: BaseException) -> None:
        if not self._closing.is_set():
            log.warning("publishing connection closed: %s", reason)
        connection.ioloop.stop()

    def _on_channel_open(self, channel: Any) -> None:
        self._channel = channel
        channel.add_on_close_callback(self._on_channel_closed)
        channel.add_on_return_callback(self._on_return)
        # Declared here too so a relay that starts before any worker does not
        # lose its first batch to a missing exchange.
        channel.exchange_declare(
            exchange=self._exchange,
            exchange_type="topic",
            durable=True,
            callback=lambda _frame: channel.confirm_delivery(
                ack_nack_callback=self._on_confirm, callback=self._on_confirm_mode
            ),
        )

    def _on_confirm_mode(self, _frame: Any) -> None:
        self._next_tag = 0
        self._opened = True
        self._ready.set()

    def _on_channel_closed(self, _channel: Any, reason: BaseException) -> None:
        self._ready.clear()
        if not self._closing.is_set():
            log.warning("publishing channel closed: %s", reason)
        self._fail_all(f"publishing channel closed: {reason}")
        self._drop_connection()

    def _drop_connection(self) -> None:
        connection = self._connection
        if connection is not None and not (connection.is_closing or connection.is_closed):
            connection.close()

    def _publish_now(self, batch: _Batch, messages: Sequence[OutgoingMessage]) -> None:
        channel = self._channel
        if batch.done.is_set():
            return
        if channel is None or not channel.is_open:
            batch.fail("publishing channel is not open")
            return
        try:
            for message in messages:
                self._next_tag += 1
                self._pending[self._next_tag] = batch
                if message.must_route:
                    key = (message.routing_key, message.properties.message_id)
                    self._must_route[key] = batch
                    batch.route_keys.append(key)
                channel.basic_publish(
                    message.exchange,
                    message.routing_key,
                    message.body,
                    message.properties,
                    mandatory=True,
                )
        except Exception as exc:
            batch.fail(f"publish failed: {exc}")

    def _on_confirm(self, frame: Any) -> None:
        method = frame.method
        ok = isinstance(method, Basic.Ack)
        if method.multiple:
            while self._pending:
                tag = next(iter(self._pending))
                if tag > method.delivery_tag:
                    break
                self._settle(self._pending.pop(tag), ok)
        elif (batch := self._pending.pop(method.delivery_tag, None)) is not None:
            self._settle(batch, ok)

    def _settle(self, batch: _Batch, ok: bool) -> None:
        batch.settle(ok)
        if batch.done.is_set():
            for key in batch.route_keys:
                self._must_route.pop(key, None)

    def _on_return(self, _channel: Any, method: Any, properties: Any, _body: bytes) -> None:
        # The broker returns an unroutable message just before confirming it.
        batch = self._must_route.pop((method.routing_key, properties.message_id), None)
        if batch is not None:
            batch.error = f"no queue {method.routing_key!r} took message {properties.message_id}"
            return
        log.debug(
            "event %s (%s) is bound to no queue yet; dropped by the broker",
            properties.message_id,
            properties.type,
            extra={"event_id": properties.message_id, "event_type": properties.type},
        )

    def _fail_all(self, why: str) -> None:
        with self._inflight_lock:
            batches = list(self._inflight)
        for batch in batches:
            batch.fail(why)
        self._pending.clear()
        self._must_route.clear()
