"""The orders service's configuration, read once from the environment."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field

from common.settings import CommonSettings, Env, InvalidSetting

SERVICE = "orders"
PROVIDERS = ("sandbox",)
METHODS = ("card", "wallet_page", "wallet_qr")


@dataclass(frozen=True)
class Settings:
    """ORDERS_DATABASE_URL, BUS_URL, BUS_PREFIX, INTERNAL_TOKEN_SECRET, LOG_FORMAT and
    the shared bus knobs (see common.settings); the rest is listed in the README."""

    common: CommonSettings
    catalog_url: str
    orders_url: str
    payment_provider: str
    payment_webhook_secret: str = field(repr=False)
    payment_webhook_url: str
    unpaid_expiry_minutes: float = 30
    draft_idle_days: float = 7
    auto_confirm_days: float = 7
    service_timeout_seconds: float = 3.0
    service_read_retries: int = 2
    catalog_cache_seconds: float = 5.0
    bus_check_timeout: float = 3.0
    timer_interval_seconds: float = 1.0
    sandbox_webhook_interval_seconds: float = 0.5
    sandbox_webhook_delay_seconds: float = 1.0
    sandbox_webhook_max_attempts: int = 10
    payment_methods: tuple[str, ...] = METHODS
    wallet_sandbox_url: str = ""
    wallet_page_private_key: str = field(default="", repr=False)
    wallet_page_public_key: str = ""
    wallet_qr_api_key: str = field(default="", repr=False)
    wallet_query_after_seconds: float = 10.0

    @classmethod
    def from_env(cls, env: Env | None = None) -> Settings:
        env = env or Env()
        common = CommonSettings.from_env(SERVICE, env)
        provider = env.str("PAYMENT_PROVIDER", "sandbox")
        if provider not in PROVIDERS:
            raise InvalidSetting("PAYMENT_PROVIDER", f"must be one of {', '.join(PROVIDERS)}")
        orders_url = env.str("ORDERS_URL", "http://127.0.0.1:8002").rstrip("/")
        settings = cls(
            common=common,
            catalog_url=env.str("CATALOG_URL").rstrip("/"),
            orders_url=orders_url,
            payment_provider=provider,
            payment_webhook_secret=_webhook_secret(env, provider, common.internal_token_secret),
            payment_webhook_url=env.str("PAYMENT_WEBHOOK_URL", f"{orders_url}/webhooks/payments"),
            unpaid_expiry_minutes=env.float("ORDERS_UNPAID_EXPIRY_MINUTES", 30),
            draft_idle_days=env.float("ORDERS_DRAFT_IDLE_DAYS", 7),
            auto_confirm_days=env.float("ORDERS_AUTO_CONFIRM_DAYS", 7),
            service_timeout_seconds=env.float("SERVICE_TIMEOUT_SECONDS", 3.0),
            service_read_retries=env.int("SERVICE_READ_RETRIES", 2),
            catalog_cache_seconds=env.float("ORDERS_CATALOG_CACHE_SECONDS", 5.0),
            bus_check_timeout=env.float("ORDERS_BUS_CHECK_TIMEOUT", 3.0),
            timer_interval_seconds=env.float("ORDERS_TIMER_INTERVAL_SECONDS", 1.0),
            sandbox_webhook_interval_seconds=env.float("SANDBOX_WEBHOOK_INTERVAL_SECONDS", 0.5),
            sandbox_webhook_delay_seconds=env.float("SANDBOX_WEBHOOK_DELAY_SECONDS", 1.0),
            sandbox_webhook_max_attempts=env.int("SANDBOX_WEBHOOK_MAX_ATTEMPTS", 10),
            payment_methods=_methods(env.str("PAYMENT_METHODS", ",".join(METHODS))),
            wallet_sandbox_url=env.str("WALLET_SANDBOX_URL", orders_url).rstrip("/"),
            wallet_page_private_key=env.str("WALLET_PAGE_PRIVATE_KEY", ""),
            wallet_page_public_key=env.str("WALLET_PAGE_PUBLIC_KEY", ""),
            wallet_qr_api_key=_qr_api_key(env, common.internal_token_secret),
            wallet_query_after_seconds=env.float("WALLET_QUERY_AFTER_SECONDS", 10.0),
        )
        settings.check()
        return settings

    def check(self) -> None:
        # Fractions are fine (0.1 minutes = 6 s, for whole-system tests); zero is not.
        for name, value in (
            ("ORDERS_UNPAID_EXPIRY_MINUTES", self.unpaid_expiry_minutes),
            ("ORDERS_DRAFT_IDLE_DAYS", self.draft_idle_days),
            ("ORDERS_AUTO_CONFIRM_DAYS", self.auto_confirm_days),
            ("SANDBOX_WEBHOOK_MAX_ATTEMPTS", self.sandbox_webhook_max_attempts),
            ("WALLET_QUERY_AFTER_SECONDS", self.wallet_query_after_seconds),
        ):
            if value <= 0:
                raise InvalidSetting(name, "must be more than 0")

    @property
    def database_url(self) -> str:
        return self.common.database_url


def _webhook_secret(env: Env, provider: str, internal_secret: str) -> str:
    """A real provider's secret must be given. The sandbox is both the sender and,
    through this service, the receiver of its webhooks, so when none is given it
    derives one from the internal token secret every process of the deployment shares."""
    if provider != "sandbox":
        return env.str("PAYMENT_WEBHOOK_SECRET")
    derived = hmac.new(internal_secret.encode(), b"sandbox-payment-webhooks", hashlib.sha256)
    return env.str("PAYMENT_WEBHOOK_SECRET", derived.hexdigest())


def _methods(raw: str) -> tuple[str, ...]:
    chosen = tuple(name.strip() for name in raw.split(",") if name.strip())
    unknown = [name for name in chosen if name not in METHODS]
    if unknown or not chosen:
        raise InvalidSetting("PAYMENT_METHODS", f"a comma-separated list of {', '.join(METHODS)}")
    return chosen


def _qr_api_key(env: Env, internal_secret: str) -> str:
    """The QR wallet's API key: given, or (the sandbox being both sides) derived
    from the internal token secret every process of the deployment shares."""
    derived = hmac.new(internal_secret.encode(), b"sandbox-wallet-qr-api-key", hashlib.sha256)
    return env.str("WALLET_QR_API_KEY", derived.hexdigest()[:32])
