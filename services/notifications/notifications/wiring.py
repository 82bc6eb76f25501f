"""Where notifications is wired, once for the web app and once for the worker:
the providers of each channel, the sandbox's receipt sender and the Context."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine

from common.clock import Clock
from common.db import make_session_factory
from common.webhooks import WebhookSender
from notifications.clients.fulfillment import FulfillmentPickupCodes, PickupCodes
from notifications.providers import Provider
from notifications.providers.sandbox import SandboxProvider, receipt_sender
from notifications.services import Context, messages_uow_factory
from notifications.settings import SERVICE, Settings


def build_providers(settings: Settings, engine: Engine, clock: Clock) -> dict[str, Provider]:
    """The configured provider per channel (SMS_PROVIDER, EMAIL_PROVIDER: only `sandbox`)."""
    sessions = make_session_factory(engine)
    delay = timedelta(seconds=settings.sandbox_receipt_seconds)
    return {
        channel: SandboxProvider(
            channel, sessions, settings.webhook_secret,
            settings.webhook_url(channel, "sandbox"), clock=clock, receipt_delay=delay,
        )
        for channel in ("sms", "email")
    }  # fmt: skip


def build_receipt_sender(settings: Settings, engine: Engine) -> WebhookSender:
    """The sandbox's delivery of its due receipts (a worker timer)."""
    return receipt_sender(make_session_factory(engine), settings.webhook_secret)


def build_context(
    settings: Settings, engine: Engine, clock: Clock, *,
    providers: dict[str, Provider] | None = None, pickup_codes: PickupCodes | None = None,
) -> Context:  # fmt: skip
    return Context(
        uow=messages_uow_factory(engine, SERVICE, clock),
        clock=clock,
        providers=providers or build_providers(settings, engine, clock),
        pickup_codes=pickup_codes
        or FulfillmentPickupCodes(settings.fulfillment_url, settings.common.internal_token_secret),
        link_base=settings.link_base,
        sms_link_base=settings.sms_link_base,
        max_attempts=settings.max_attempts,
        reminder_before=timedelta(hours=settings.reminder_hours),
        quiet_hours=settings.quiet_hours,
    )
