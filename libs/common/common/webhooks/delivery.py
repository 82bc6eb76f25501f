"""Delivering the webhooks a sandbox provider owes, as a provider's notification
system does.

The webhooks wait in a table of the provider's own (a model with the
`DueWebhook` columns). Every sweep, `WebhookSender.deliver_due(now)`:

1. claims the due ones (`FOR UPDATE SKIP LOCKED` and a short lease, so two
   workers never send the same webhook at once), in one short transaction;
2. signs each with the time of sending (common.webhooks.signature) and posts
   it, with no transaction open while a request is in flight;
3. records each answer: a 2xx delivers it; anything else (or no answer) is
   tried again after an exponential backoff, until the attempts run out and
   the webhook is given up.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import requests
from sqlalchemy import Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from common.columns import UTCDateTime
from common.webhooks.signature import Secrets, sign

log = logging.getLogger("common.webhooks")

LEASE = timedelta(seconds=60)
MAX_BACKOFF_SECONDS = 300


def backoff(attempts: int) -> timedelta:
    """1 s after the first failure, then 2, 4, 8 … up to five minutes."""
    return timedelta(seconds=min(2 ** max(attempts - 1, 0), MAX_BACKOFF_SECONDS))


class DueWebhook:
    """The columns every owed webhook has; mix into a declarative model:

    class SandboxWebhook(DueWebhook, Base):
        __tablename__ = "sandbox_webhooks"
        payment_id: Mapped[str] = ...
    """

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    body: Mapped[str] = mapped_column(Text)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    abandoned_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)


@dataclass(frozen=True)
class Sent:
    """What one send answered: the HTTP status (None without an answer) and the error."""

    id: str
    status: int | None
    error: str | None


# post(url, body, headers) -> (status, text); raises requests.RequestException without an answer.
Post = Callable[[str, bytes, Mapping[str, str]], tuple[int, str]]


def requests_post(timeout_seconds: float, http: requests.Session | None = None) -> Post:
    """A Post over HTTP with requests, with a timeout on every call."""
    session = http or requests.Session()

    def post(url: str, body: bytes, headers: Mapping[str, str]) -> tuple[int, str]:
        answer = session.post(url, data=body, headers=dict(headers), timeout=timeout_seconds)
        return answer.status_code, answer.text

    return post


class WebhookSender:
    """Sends the due rows of `model`, signed with `secrets` in the `header` header.

    `url` is where every webhook goes; without it each row's own `url` column
    is used. `pending` adds conditions a row must meet to be sent (a sandbox
    that only keeps some webhooks for polling), `order_by` the order after
    the due time (the row id by default)."""

    def __init__(
        self,
        sessions: Callable[[], Session],
        model: type[DueWebhook],
        secrets: Secrets,
        header: str,
        *,
        url: str | None = None,
        pending: Sequence[Any] = (),
        order_by: Sequence[Any] = (),
        max_attempts: int = 10,
        timeout_seconds: float = 5.0,
        batch_size: int = 50,
        post: Post | None = None,
    ) -> None:
        self.sessions = sessions
        self.model = model
        self.secrets = secrets
        self.header = header
        self.url = url
        self._pending = tuple(pending)
        self._order_by = tuple(order_by) or (model.id,)
        self._max_attempts = max_attempts
        self._batch = batch_size
        self._post = post or requests_post(timeout_seconds)

    def deliver_due(self, now: datetime) -> list[Sent]:
        """Send every webhook due at `now`; what each send answered."""
        claimed = self._claim(now)
        results = [self._send(webhook_id, url, body, now) for webhook_id, url, body in claimed]
        for result in results:
            self._record(result, now)
        return results

    def _claim(self, now: datetime) -> list[tuple[str, str, str]]:
        model = self.model
        with self.sessions() as session, session.begin():
            due = session.scalars(
                select(model)
                .where(
                    model.delivered_at.is_(None),
                    model.abandoned_at.is_(None),
                    model.due_at <= now,
                    *self._pending,
                )
                .order_by(model.due_at, *self._order_by)
                .limit(self._batch)
                .with_for_update(skip_locked=True)
            ).all()
            for webhook in due:
                webhook.due_at = now + LEASE  # another worker skips it while it is in flight
            return [(webhook.id, self._url_of(webhook), webhook.body) for webhook in due]

    def _url_of(self, webhook: DueWebhook) -> str:
        return self.url if self.url is not None else str(getattr(webhook, "url"))  # noqa: B009

    def _send(self, webhook_id: str, url: str, body: str, now: datetime) -> Sent:
        payload = body.encode()
        headers = {
            "Content-Type": "application/json",
            self.header: sign(self.secrets, payload, int(now.timestamp())),
        }
        try:
            status, text = self._post(url, payload, headers)
        except requests.RequestException as exc:
            return Sent(webhook_id, None, f"{type(exc).__name__}: {exc}"[:500])
        if 200 <= status < 300:
            return Sent(webhook_id, status, None)
        return Sent(webhook_id, status, text[:500] or f"HTTP {status}")

    def _record(self, sent: Sent, now: datetime) -> None:
        with self.sessions() as session, session.begin():
            webhook = session.get(self.model, sent.id, with_for_update=True)
            if webhook is None:  # pragma: no cover - a sandbox never deletes them
                return
            webhook.attempts += 1
            webhook.last_status, webhook.last_error = sent.status, sent.error
            if sent.error is None:
                webhook.delivered_at = now
                return
            details = {"webhook": webhook.id, "attempts": webhook.attempts, "reason": sent.error}
            if webhook.attempts >= self._max_attempts:
                webhook.abandoned_at = now
                log.error("webhook given up", extra=details)
                return
            webhook.due_at = now + backoff(webhook.attempts)
            log.warning("webhook not delivered; will retry", extra=details)
