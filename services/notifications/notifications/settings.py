"""The notifications service's configuration, read once from the environment."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field

from common.settings import CommonSettings, Env, InvalidSetting
from notifications.domain import QUIET_HOURS, QuietHours

SERVICE = "notifications"
PROVIDERS = ("sandbox",)
# The SMS link is "<base>/a/<reference>"; the segment budget of every template
# (tests/unit/test_templates.py) is measured with a base this long.
SMS_LINK_BASE_MAX = 24


@dataclass(frozen=True)
class Settings:
    """NOTIFICATIONS_DATABASE_URL, BUS_URL, BUS_PREFIX, INTERNAL_TOKEN_SECRET, LOG_FORMAT
    and the shared bus knobs (see common.settings); plus (defaults in brackets):

    NOTIFICATIONS_URL                     this service's base URL, for the sandbox's receipts
    NOTIFICATIONS_LINK_BASE               the gateway's public URL, for links in-app and by email
    NOTIFICATIONS_SMS_LINK_BASE           the short-link host for SMS, at most 24 characters
                                          (the link base)
    SMS_PROVIDER / EMAIL_PROVIDER         the provider adapters: `sandbox`
    NOTIFICATIONS_WEBHOOK_SECRET          HMAC secret of the providers' receipts
                                          (sandbox: derived from INTERNAL_TOKEN_SECRET)
    FULFILLMENT_URL                       where the pickup code is read (fulfillment's API)
    NOTIFICATIONS_MAX_ATTEMPTS            provider attempts before a message fails (8)
    NOTIFICATIONS_REMINDER_HOURS          the photos reminder, this long before the deadline (24)
    NOTIFICATIONS_TIMER_INTERVAL_SECONDS  seconds between the worker's sweeps (1)
    NOTIFICATIONS_SANDBOX_RECEIPT_SECONDS the sandbox's delay before its delivery receipt (5)
    NOTIFICATIONS_BUS_CHECK_TIMEOUT       seconds /readyz waits for RabbitMQ (3)
    NOTIFICATIONS_QUIET_HOURS             Beijing time in which SMS waits, but the pickup
                                          code's (22:00-08:00); `off` for none
    """

    common: CommonSettings
    notifications_url: str
    link_base: str
    sms_link_base: str
    webhook_secret: str = field(repr=False)
    fulfillment_url: str = "http://127.0.0.1:8004"
    sms_provider: str = "sandbox"
    email_provider: str = "sandbox"
    max_attempts: int = 8
    reminder_hours: float = 24.0
    timer_interval_seconds: float = 1.0
    sandbox_receipt_seconds: float = 5.0
    bus_check_timeout: float = 3.0
    quiet_hours: QuietHours | None = QUIET_HOURS

    @classmethod
    def from_env(cls, env: Env | None = None) -> Settings:
        env = env or Env()
        common = CommonSettings.from_env(SERVICE, env)
        link_base = env.str("NOTIFICATIONS_LINK_BASE", "http://127.0.0.1:8000").rstrip("/")
        settings = cls(
            common=common,
            notifications_url=env.str("NOTIFICATIONS_URL", "http://127.0.0.1:8006").rstrip("/"),
            link_base=link_base,
            sms_link_base=env.str("NOTIFICATIONS_SMS_LINK_BASE", link_base).rstrip("/"),
            sms_provider=_provider(env, "SMS_PROVIDER"),
            email_provider=_provider(env, "EMAIL_PROVIDER"),
            webhook_secret=_webhook_secret(env, common.internal_token_secret),
            fulfillment_url=env.str("FULFILLMENT_URL", "http://127.0.0.1:8004").rstrip("/"),
            max_attempts=env.int("NOTIFICATIONS_MAX_ATTEMPTS", 8),
            reminder_hours=env.float("NOTIFICATIONS_REMINDER_HOURS", 24.0),
            timer_interval_seconds=env.float("NOTIFICATIONS_TIMER_INTERVAL_SECONDS", 1.0),
            sandbox_receipt_seconds=env.float("NOTIFICATIONS_SANDBOX_RECEIPT_SECONDS", 5.0),
            bus_check_timeout=env.float("NOTIFICATIONS_BUS_CHECK_TIMEOUT", 3.0),
            quiet_hours=_quiet_hours(env),
        )
        settings.check()
        return settings

    def check(self) -> None:
        if len(self.sms_link_base) > SMS_LINK_BASE_MAX:
            raise InvalidSetting(
                "NOTIFICATIONS_SMS_LINK_BASE",
                f"at most {SMS_LINK_BASE_MAX} characters, or an SMS needs two segments",
            )
        if self.max_attempts < 1:
            raise InvalidSetting("NOTIFICATIONS_MAX_ATTEMPTS", "must be at least 1")
        for name, value in (
            ("NOTIFICATIONS_REMINDER_HOURS", self.reminder_hours),
            ("NOTIFICATIONS_TIMER_INTERVAL_SECONDS", self.timer_interval_seconds),
            ("NOTIFICATIONS_SANDBOX_RECEIPT_SECONDS", self.sandbox_receipt_seconds),
        ):
            if value <= 0:
                raise InvalidSetting(name, "must be more than 0")

    @property
    def database_url(self) -> str:
        return self.common.database_url

    def webhook_url(self, channel: str, provider: str) -> str:
        return f"{self.notifications_url}/webhooks/{channel}/{provider}"


def _provider(env: Env, name: str) -> str:
    provider = env.str(name, "sandbox")
    if provider not in PROVIDERS:
        raise InvalidSetting(name, f"must be one of {', '.join(PROVIDERS)}")
    return provider


def _quiet_hours(env: Env) -> QuietHours | None:
    try:
        return QuietHours.parse(env.str("NOTIFICATIONS_QUIET_HOURS", "22:00-08:00"))
    except ValueError as exc:
        raise InvalidSetting("NOTIFICATIONS_QUIET_HOURS", str(exc)) from None


def _webhook_secret(env: Env, internal_secret: str) -> str:
    """The sandbox both sends and, through this service, receives its receipts, so
    without a secret of its own it derives one from the deployment's shared secret."""
    derived = hmac.new(internal_secret.encode(), b"sandbox-message-receipts", hashlib.sha256)
    return env.str("NOTIFICATIONS_WEBHOOK_SECRET", derived.hexdigest())
