"""The fulfillment service's configuration, read once from the environment."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field

from common.settings import CommonSettings, Env, InvalidSetting

SERVICE = "fulfillment"
SENDER_NAME = "青岛市公安局交通警察支队车辆管理所"
SENDER_ADDRESS = "山东省青岛市市南区南京路 1 号"
SENDER_PHONE = "0532-12345678"
COURIERS = ("sandbox",)


@dataclass(frozen=True)
class Settings:
    """FULFILLMENT_DATABASE_URL, BUS_URL, BUS_PREFIX, INTERNAL_TOKEN_SECRET, LOG_FORMAT
    and the shared bus knobs (see common.settings); plus (defaults in brackets):

    FULFILLMENT_URL                       this service's base URL, for the courier's callbacks
    COURIER_PROVIDER                      the courier adapter: `sandbox`
    COURIER_WEBHOOK_SECRET                HMAC secret(s) of the courier's webhooks, comma-
                                          separated, newest first: during a rotation list
                                          the new and the old, and a webhook signed with
                                          any of them is accepted (sandbox: derived from
                                          INTERNAL_TOKEN_SECRET)
    FULFILLMENT_DEFAULT_SLA_WORKING_DAYS  SLA when orders.approved carries none (3)
    FULFILLMENT_TRACKING_QUIET_HOURS      a handed-over shipment silent this long is polled (24)
    FULFILLMENT_PICKUP_REMINDER_DAYS      uncollected this long → a reminder (30)
    FULFILLMENT_PICKUP_RETURN_DAYS        uncollected this long → returned to the archive (60)
    FULFILLMENT_TIMER_INTERVAL_SECONDS    seconds between the worker's sweeps (1)
    FULFILLMENT_SANDBOX_STEP_SECONDS      the sandbox courier's time between two events (30)
    FULFILLMENT_BUS_CHECK_TIMEOUT         seconds /readyz waits for RabbitMQ (3)
    FULFILLMENT_SENDER_NAME / _ADDRESS / _PHONE   the sender printed on labels
    """

    common: CommonSettings
    fulfillment_url: str
    courier_provider: str
    courier_webhook_secrets: tuple[str, ...] = field(repr=False)
    default_sla_working_days: int = 3
    tracking_quiet_hours: float = 24.0
    pickup_reminder_days: float = 30.0
    pickup_return_days: float = 60.0
    timer_interval_seconds: float = 1.0
    sandbox_step_seconds: float = 30.0
    bus_check_timeout: float = 3.0
    sender_name: str = SENDER_NAME
    sender_address: str = SENDER_ADDRESS
    sender_phone: str = SENDER_PHONE

    @classmethod
    def from_env(cls, env: Env | None = None) -> Settings:
        env = env or Env()
        common = CommonSettings.from_env(SERVICE, env)
        provider = env.str("COURIER_PROVIDER", "sandbox")
        if provider not in COURIERS:
            raise InvalidSetting("COURIER_PROVIDER", f"must be one of {', '.join(COURIERS)}")
        settings = cls(
            common=common,
            fulfillment_url=env.str("FULFILLMENT_URL", "http://127.0.0.1:8004").rstrip("/"),
            courier_provider=provider,
            courier_webhook_secrets=_webhook_secrets(env, provider, common.internal_token_secret),
            default_sla_working_days=env.int("FULFILLMENT_DEFAULT_SLA_WORKING_DAYS", 3),
            tracking_quiet_hours=env.float("FULFILLMENT_TRACKING_QUIET_HOURS", 24.0),
            pickup_reminder_days=env.float("FULFILLMENT_PICKUP_REMINDER_DAYS", 30.0),
            pickup_return_days=env.float("FULFILLMENT_PICKUP_RETURN_DAYS", 60.0),
            timer_interval_seconds=env.float("FULFILLMENT_TIMER_INTERVAL_SECONDS", 1.0),
            sandbox_step_seconds=env.float("FULFILLMENT_SANDBOX_STEP_SECONDS", 30.0),
            bus_check_timeout=env.float("FULFILLMENT_BUS_CHECK_TIMEOUT", 3.0),
            sender_name=env.str("FULFILLMENT_SENDER_NAME", SENDER_NAME),
            sender_address=env.str("FULFILLMENT_SENDER_ADDRESS", SENDER_ADDRESS),
            sender_phone=env.str("FULFILLMENT_SENDER_PHONE", SENDER_PHONE),
        )
        settings.check()
        return settings

    def check(self) -> None:
        for name, value in (
            ("FULFILLMENT_DEFAULT_SLA_WORKING_DAYS", self.default_sla_working_days),
            ("FULFILLMENT_TRACKING_QUIET_HOURS", self.tracking_quiet_hours),
            ("FULFILLMENT_PICKUP_REMINDER_DAYS", self.pickup_reminder_days),
            ("FULFILLMENT_PICKUP_RETURN_DAYS", self.pickup_return_days),
            ("FULFILLMENT_SANDBOX_STEP_SECONDS", self.sandbox_step_seconds),
        ):
            if value <= 0:
                raise InvalidSetting(name, "must be more than 0")
        if self.pickup_return_days <= self.pickup_reminder_days:
            raise InvalidSetting(
                "FULFILLMENT_PICKUP_RETURN_DAYS", "must be later than the reminder"
            )

    @property
    def database_url(self) -> str:
        return self.common.database_url

    @property
    def webhook_url(self) -> str:
        return f"{self.fulfillment_url}/webhooks/couriers/{self.courier_provider}"


def _webhook_secrets(env: Env, provider: str, internal_secret: str) -> tuple[str, ...]:
    """The courier's secrets, newest first. A real courier's must be given. The sandbox
    both sends and, through this service, receives its webhooks, so without one it
    derives it from the secret every process of the deployment shares."""
    derived = hmac.new(internal_secret.encode(), b"sandbox-courier-webhooks", hashlib.sha256)
    default = derived.hexdigest() if provider == "sandbox" else None
    raw = env.str("COURIER_WEBHOOK_SECRET", default)  # no default: it must be given
    secrets = tuple(part.strip() for part in raw.split(",") if part.strip())
    if not secrets:
        raise InvalidSetting("COURIER_WEBHOOK_SECRET", "must name at least one secret")
    return secrets
