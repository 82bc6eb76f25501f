"""The sandbox's webhook delivery: what a provider's notification system does.

Every sweep claims the due webhooks (a short lease, `FOR UPDATE SKIP LOCKED`,
so several workers never send the same one at once), sends each signed with
the time of sending, and records the answer: a 2xx delivers it; anything else
(or no answer) schedules another try after an exponential backoff, until the
attempts run out and the webhook is given up. No database transaction is open
while a request is in flight.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import requests
from sqlalchemy import select
from sqlalchemy.orm import Session

from orders.payments.sandbox import SandboxWebhook
from orders.payments.signature import HEADER, sign

log = logging.getLogger("orders.payments.webhooks")

LEASE = timedelta(seconds=60)
MAX_BACKOFF_SECONDS = 300


def backoff(attempts: int) -> timedelta:
    """1 s after the first failure, then 2, 4, 8 … up to five minutes."""
    return timedelta(seconds=min(2 ** max(attempts - 1, 0), MAX_BACKOFF_SECONDS))


@dataclass
class Sent:
    id: str
    status: int | None
    error: str | None


class WebhookSender:
    def __init__(
        self,
        sessions: Callable[[], Session],
        url: str,
        secret: str,
        *,
        max_attempts: int = 10,
        timeout_seconds: float = 5.0,
        batch_size: int = 50,
        http: requests.Session | None = None,
    ) -> None:
        self._sessions = sessions
        self._url = url
        self._secret = secret
        self._max_attempts = max_attempts
        self._timeout = timeout_seconds
        self._batch = batch_size
        self._http = http or requests.Session()

    def deliver_due(self, now: datetime) -> list[Sent]:
        """Send every webhook due at `now`; what each send answered."""
        claimed = self._claim(now)
        results = [self._send(webhook_id, body, now) for webhook_id, body in claimed]
        for result in results:
            self._record(result, now)
        return results

    def _claim(self, now: datetime) -> list[tuple[str, str]]:
        with self._sessions() as session, session.begin():
            due = session.scalars(
                select(SandboxWebhook)
                .where(
                    SandboxWebhook.delivered_at.is_(None),
                    SandboxWebhook.abandoned_at.is_(None),
                    SandboxWebhook.due_at <= now,
                )
                .order_by(SandboxWebhook.due_at, SandboxWebhook.created_at)
                .limit(self._batch)
                .with_for_update(skip_locked=True)
            ).all()
            for webhook in due:
                webhook.due_at = now + LEASE  # another worker skips it while it is in flight
            return [(webhook.id, webhook.body) for webhook in due]

    def _send(self, webhook_id: str, body: str, now: datetime) -> Sent:
        payload = body.encode()
        headers = {
            "Content-Type": "application/json",
            HEADER: sign(self._secret, payload, int(now.timestamp())),
        }
        try:
            answer = self._http.post(
                self._url, data=payload, headers=headers, timeout=self._timeout
            )
        except requests.RequestException as exc:
            return Sent(webhook_id, None, f"{type(exc).__name__}: {exc}"[:500])
        if 200 <= answer.status_code < 300:
            return Sent(webhook_id, answer.status_code, None)
        return Sent(
            webhook_id, answer.status_code, answer.text[:500] or f"HTTP {answer.status_code}"
        )

    def _record(self, sent: Sent, now: datetime) -> None:
        with self._sessions() as session, session.begin():
            webhook = session.get(SandboxWebhook, sent.id, with_for_update=True)
            if webhook is None:  # pragma: no cover - the sandbox never deletes them
                return
            webhook.attempts += 1
            webhook.last_status = sent.status
            webhook.last_error = sent.error
            if sent.error is None:
                webhook.delivered_at = now
                return
            if webhook.attempts >= self._max_attempts:
                webhook.abandoned_at = now
                log.error(
                    "sandbox webhook given up",
                    extra={
                        "webhook": webhook.id,
                        "attempts": webhook.attempts,
                        "reason": sent.error,
                    },
                )
                return
            webhook.due_at = now + backoff(webhook.attempts)
            log.warning(
                "sandbox webhook not delivered; will retry",
                extra={"webhook": webhook.id, "attempts": webhook.attempts, "reason": sent.error},
            )
