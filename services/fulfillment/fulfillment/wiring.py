"""Where fulfillment is wired, once for the web app and once for the worker: the
courier adapter, the sandbox's webhook sender and the use cases' Context, each
built from the settings, the engine and the clock."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine

from common.clock import Clock
from common.db import make_session_factory, unit_of_work_factory
from common.webhooks import WebhookSender
from fulfillment.couriers import Courier, Party
from fulfillment.couriers.sandbox import SandboxCourier, webhook_sender
from fulfillment.services import Context
from fulfillment.settings import SERVICE, Settings


def build_courier(settings: Settings, engine: Engine, clock: Clock) -> Courier:
    """The configured courier (COURIER_PROVIDER; only `sandbox`, standing for EMS)."""
    return SandboxCourier(
        make_session_factory(engine),
        settings.courier_webhook_secrets,
        clock=clock,
        step=timedelta(seconds=settings.sandbox_step_seconds),
    )


def build_sender(settings: Settings, engine: Engine) -> WebhookSender:
    """The sandbox courier's delivery of its due webhooks (a worker timer)."""
    return webhook_sender(make_session_factory(engine), settings.courier_webhook_secrets)


def build_context(
    settings: Settings, engine: Engine, clock: Clock, *, courier: Courier | None = None
) -> Context:
    return Context(
        uow=unit_of_work_factory(engine, SERVICE, clock),
        courier=courier or build_courier(settings, engine, clock),
        clock=clock,
        callback_url=settings.webhook_url,
        sender=Party(
            name=settings.sender_name,
            phone=settings.sender_phone,
            address=settings.sender_address,
            city="青岛",
        ),
        default_sla_working_days=settings.default_sla_working_days,
        tracking_quiet=timedelta(hours=settings.tracking_quiet_hours),
        pickup_reminder=timedelta(days=settings.pickup_reminder_days),
        pickup_return=timedelta(days=settings.pickup_return_days),
    )
