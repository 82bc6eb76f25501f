"""How the web app and the worker build the use cases' Context from settings."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine

from common.clock import Clock
from common.db import UnitOfWork, make_session_factory
from fulfillment.couriers import Courier, Party
from fulfillment.couriers.sandbox import SandboxCourier
from fulfillment.couriers.webhooks import CourierWebhookSender
from fulfillment.services import Context
from fulfillment.settings import SERVICE, Settings


def build_courier(settings: Settings, engine: Engine, clock: Clock) -> Courier:
    """The configured courier (COURIER_PROVIDER; only `sandbox`, standing for EMS)."""
    return SandboxCourier(
        make_session_factory(engine),
        settings.courier_webhook_secret,
        clock=clock,
        step=timedelta(seconds=settings.sandbox_step_seconds),
    )


def build_sender(settings: Settings, engine: Engine) -> CourierWebhookSender:
    return CourierWebhookSender(make_session_factory(engine), settings.courier_webhook_secret)


def build_context(
    settings: Settings, engine: Engine, clock: Clock, *, courier: Courier | None = None
) -> Context:
    sessions = make_session_factory(engine)

    def uow_factory() -> UnitOfWork:
        return UnitOfWork(sessions, SERVICE, clock)

    return Context(
        uow=uow_factory,
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
