"""How the web app and the worker build what the use cases need, from settings:
the Context of the use cases (catalog client, payment provider, clock,
durations), the sandbox's webhook sender and the worker's timers."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy.engine import Engine

from common.cache import TTLCache
from common.clock import Clock
from common.db import make_session_factory, unit_of_work_factory
from common.webhooks import WebhookSender
from common.worker import Timer
from orders import timers
from orders.clients.catalog import CatalogClient
from orders.payments import PaymentProvider
from orders.payments import wallet_signing as signing
from orders.payments.sandbox import SandboxProvider, SandboxWebhook
from orders.payments.signature import HEADER
from orders.payments.wallet_page import WalletPage
from orders.payments.wallet_qr import WalletQr
from orders.payments.wallet_sandbox import WalletNotificationSender, WalletSandbox, shared_rsa_key
from orders.payments.wallets import WalletProvider
from orders.services.context import Context
from orders.settings import SERVICE, Settings


def build_provider(settings: Settings, engine: Engine, clock: Clock) -> PaymentProvider:
    """The configured payment provider (PAYMENT_PROVIDER; only `sandbox` exists)."""
    return SandboxProvider(
        make_session_factory(engine),
        settings.payment_webhook_secret,
        clock=clock,
        webhook_delay=timedelta(seconds=settings.sandbox_webhook_delay_seconds),
    )


def build_wallet_sandbox(settings: Settings, engine: Engine, clock: Clock) -> WalletSandbox:
    """The wallet sandbox, both faces; its RSA key configured or kept in its own table."""
    sessions = make_session_factory(engine)
    return WalletSandbox(
        sessions,
        rsa_private_key=lambda: shared_rsa_key(sessions, settings.wallet_page_private_key or None),
        qr_api_key=settings.wallet_qr_api_key,
        public_url=settings.wallet_sandbox_url or settings.orders_url,
        clock=clock,
        notify_delay=timedelta(seconds=settings.sandbox_webhook_delay_seconds),
    )


def build_wallets(sandbox: WalletSandbox, settings: Settings) -> dict[str, WalletProvider]:
    """The wallet adapters by method: the page wallet checks RSA2 with the public
    key configured (WALLET_PAGE_PUBLIC_KEY) or, when none is, the sandbox's."""
    notify = settings.payment_webhook_url

    def public_key() -> rsa.RSAPublicKey:
        return signing.load_public_key(
            settings.wallet_page_public_key or sandbox.rsa_public_key_pem
        )

    return {
        "wallet_page": WalletPage(sandbox, public_key, f"{notify}/wallet_page"),
        "wallet_qr": WalletQr(sandbox, settings.wallet_qr_api_key, f"{notify}/wallet_qr"),
    }


def build_notification_sender(settings: Settings, engine: Engine) -> WalletNotificationSender:
    """The wallet sandbox's notification system (each row to its own notify URL)."""
    return WalletNotificationSender(
        make_session_factory(engine), max_attempts=settings.sandbox_webhook_max_attempts
    )


def build_webhook_sender(settings: Settings, engine: Engine) -> WebhookSender:
    """The sandbox's notification system: common's sender over `sandbox_webhooks`,
    oldest first among those due together."""
    return WebhookSender(
        make_session_factory(engine),
        SandboxWebhook,
        settings.payment_webhook_secret,
        HEADER,
        url=settings.payment_webhook_url,
        order_by=[SandboxWebhook.created_at],
        max_attempts=settings.sandbox_webhook_max_attempts,
    )


def build_context(
    settings: Settings,
    engine: Engine,
    clock: Clock,
    *,
    provider: PaymentProvider | None = None,
    catalog: CatalogClient | None = None,
    wallet_sandbox: WalletSandbox | None = None,
) -> Context:
    secret = settings.common.internal_token_secret.encode()
    return Context(
        uow=unit_of_work_factory(engine, SERVICE, clock),
        catalog=catalog
        or CatalogClient(
            settings.catalog_url,
            settings.common.internal_token_secret,
            timeout_seconds=settings.service_timeout_seconds,
            read_retries=settings.service_read_retries,
            cache=TTLCache(settings.catalog_cache_seconds),
        ),
        provider=provider or build_provider(settings, engine, clock),
        clock=clock,
        unpaid_expiry=timedelta(minutes=settings.unpaid_expiry_minutes),
        draft_idle=timedelta(days=settings.draft_idle_days),
        auto_confirm=timedelta(days=settings.auto_confirm_days),
        fingerprint_secret=hmac.new(secret, b"idempotency-keys", hashlib.sha256).digest(),
        wallets=build_wallets(
            wallet_sandbox or build_wallet_sandbox(settings, engine, clock), settings
        ),
        methods=settings.payment_methods,
        wallet_query_after=timedelta(seconds=settings.wallet_query_after_seconds),
    )


def worker_timers(settings: Settings, engine: Engine, clock: Clock) -> list[Timer]:
    """The worker's sweeps (orders.timers), each with its interval; some call
    the payment provider, so they share one Context."""
    context = build_context(settings, engine, clock)
    sender = build_webhook_sender(settings, engine)
    notifications = build_notification_sender(settings, engine)

    def expire_unpaid(now: datetime) -> int:
        return timers.expire_unpaid_orders(context, now)

    def discard_idle_drafts(now: datetime) -> int:
        return timers.discard_idle_drafts(context, now)

    def move_the_money(now: datetime) -> int:
        return timers.move_the_money(context, now)

    def auto_confirm_receipts(now: datetime) -> int:
        return timers.auto_confirm_receipts(context, now)

    def deliver_sandbox_webhooks(now: datetime) -> int:
        return len(sender.deliver_due(now))

    def deliver_wallet_notifications(now: datetime) -> int:
        return len(notifications.deliver_due(now))

    def query_late_wallet_trades(now: datetime) -> int:
        return timers.query_late_wallet_trades(context, now)

    def purge_idempotency_keys(now: datetime) -> int:
        return timers.purge_idempotency_keys(context, now)

    every = settings.timer_interval_seconds
    return [
        ("expire_unpaid", expire_unpaid, every),
        ("discard_idle_drafts", discard_idle_drafts, every),
        ("move_the_money", move_the_money, every),
        ("auto_confirm_receipts", auto_confirm_receipts, every),
        (
            "deliver_sandbox_webhooks",
            deliver_sandbox_webhooks,
            settings.sandbox_webhook_interval_seconds,
        ),
        (
            "deliver_wallet_notifications",
            deliver_wallet_notifications,
            settings.sandbox_webhook_interval_seconds,
        ),
        ("query_late_wallet_trades", query_late_wallet_trades, every),
        ("purge_idempotency_keys", purge_idempotency_keys, every),
    ]
