"""The sandbox courier's webhook delivery: what a courier's notification system does.

Each sweep claims the due pushes (a short lease, `FOR UPDATE SKIP LOCKED`, so
two workers never send the same one at once), signs each with the time of
sending, posts it, and records the answer: a 2xx delivers it; anything else
(or no answer) is tried again after an exponential backoff until the
attempts run out. No database transaction is open while a request is in flight.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import requests
from sqlalchemy import select
from sqlalchemy.orm import Session

from fulfillment.couriers.sandbox import SandboxCourierWebhook
from fulfillment.couriers.signature import HEADER, sign

log = logging.getLogger("fulfillment.couriers.webhooks")

LEASE = timedelta(seconds=60)
MAX_BACKOFF_SECONDS = 300


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(2 ** max(attempts - 1, 0), MAX_BACKOFF_SECONDS))


@dataclass
class Sent:
    id: str
    status: int | None
    error: str | None


Post = Callable[[str, bytes, dict[str, str]], int]


def _requests_post(timeout: float) -> Post:
    http = requests.Session()

    def post(url: str, body: bytes, headers: dict[str, str]) -> int:
        return http.post(url, data=body, headers=headers, timeout=timeout).status_code

    return post


class CourierWebhookSender:
    def __init__(
        self,
        sessions: Callable[[], Session],
        secret: str,
        *,
        max_attempts: int = 10,
        timeout_seconds: float = 5.0,
        batch_size: int = 50,
        post: Post | None = None,
    ) -> None:
        self._sessions = sessions
        self._secret = secret
        self._max_attempts = max_attempts
        self._batch = batch_size
        self._post = post or _requests_post(timeout_seconds)

    def deliver_due(self, now: datetime) -> list[Sent]:
        claimed = self._claim(now)
        results = [self._send(webhook_id, url, body, now) for webhook_id, url, body in claimed]
        for result in results:
            self._record(result, now)
        return results

    def _claim(self, now: datetime) -> list[tuple[str, str, str]]:
        with self._sessions() as session, session.begin():
            due = session.scalars(
                select(SandboxCourierWebhook)
                .where(
                    SandboxCourierWebhook.push.is_(True),
                    SandboxCourierWebhook.delivered_at.is_(None),
                    SandboxCourierWebhook.abandoned_at.is_(None),
                    SandboxCourierWebhook.due_at <= now,
                )
                .order_by(SandboxCourierWebhook.due_at, SandboxCourierWebhook.id)
                .limit(self._batch)
                .with_for_update(skip_locked=True)
            ).all()
            for webhook in due:
                webhook.due_at = now + LEASE
            return [(webhook.id, webhook.url, webhook.body) for webhook in due]

    def _send(self, webhook_id: str, url: str, body: str, now: datetime) -> Sent:
        payload = body.encode()
        headers = {
            "Content-Type": "application/json",
            HEADER: sign(self._secret, payload, int(now.timestamp())),
        }
        try:
            status = self._post(url, payload, headers)
        except requests.RequestException as exc:
            return Sent(webhook_id, None, f"{type(exc).__name__}: {exc}"[:500])
        if 200 <= status < 300:
            return Sent(webhook_id, status, None)
        return Sent(webhook_id, status, f"HTTP {status}")

    def _record(self, sent: Sent, now: datetime) -> None:
        with self._sessions() as session, session.begin():
            webhook = session.get(SandboxCourierWebhook, sent.id, with_for_update=True)
            if webhook is None:  # pragma: no cover - the sandbox never deletes them
                return
            webhook.attempts += 1
            webhook.last_status, webhook.last_error = sent.status, sent.error
            if sent.error is None:
                webhook.delivered_at = now
            elif webhook.attempts >= self._max_attempts:
                webhook.abandoned_at = now
                log.error("courier webhook given up", extra={"webhook": webhook.id})
            else:
                webhook.due_at = now + backoff(webhook.attempts)
                log.warning(
                    "courier webhook not delivered; will retry",
                    extra={"webhook": webhook.id, "reason": sent.error},
                )
