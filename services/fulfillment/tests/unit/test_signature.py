"""The sandbox courier's webhooks are checked with common.webhooks' signature
(its own tests are libs/common/tests/test_webhooks_signature.py); what is the
courier's own is the header and that every refusal is a BadSignature (401)."""

from __future__ import annotations

import json

import pytest

from common.clock import FrozenClock
from common.pytest_plugin import FROZEN_AT
from common.settings import Env, InvalidSetting
from common.webhooks import sign
from fulfillment.couriers import BadSignature, MalformedWebhook
from fulfillment.couriers.sandbox import HEADER, SandboxCourier
from fulfillment.settings import Settings

SECRET = "courier-webhook-unit-secret"
BODY = json.dumps({"waybill": "EA000000014CN", "events": [
    {"event_id": "trk_1", "waybill": "EA000000014CN", "state": "collected",
     "occurred_at": "2026-03-02T01:00:00+00:00", "city": "青岛"},
]}).encode()  # fmt: skip
NOW = int(FROZEN_AT.timestamp())


def no_database() -> None:
    raise AssertionError("checking a webhook needs no database")


@pytest.fixture
def courier() -> SandboxCourier:
    return SandboxCourier(no_database, SECRET, clock=FrozenClock(FROZEN_AT))  # type: ignore[arg-type]


def test_a_webhook_signed_with_the_secret_is_read(courier) -> None:
    [event] = courier.parse_webhook(BODY, {HEADER: sign(SECRET, BODY, NOW)}, FROZEN_AT)
    assert (event.event_id, event.state, event.city) == ("trk_1", "collected", "青岛")


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {HEADER: sign("not-the-secret", BODY, NOW)},
        {HEADER: sign(SECRET, BODY + b" ", NOW)},
        {"X-Sandbox-Signature": sign(SECRET, BODY, NOW)},  # the payment sandbox's header
    ],
    ids=["missing", "forged", "another-body", "another-header"],
)
def test_a_missing_or_forged_signature_is_a_bad_signature(courier, headers) -> None:
    with pytest.raises(BadSignature):
        courier.parse_webhook(BODY, headers, FROZEN_AT)


def test_a_stale_signature_is_a_bad_signature_too(courier) -> None:
    with pytest.raises(BadSignature, match="only 300 s either way"):
        courier.parse_webhook(BODY, {HEADER: sign(SECRET, BODY, NOW - 301)}, FROZEN_AT)


def test_a_signed_body_that_is_no_tracking_notice_is_malformed(courier) -> None:
    body = b'{"waybill": "EA000000014CN"}'
    with pytest.raises(MalformedWebhook):
        courier.parse_webhook(body, {HEADER: sign(SECRET, body, NOW)}, FROZEN_AT)


def _settings(secret: str, provider: str = "sandbox") -> Settings:
    return Settings.from_env(Env({
        "FULFILLMENT_DATABASE_URL": "sqlite://", "BUS_URL": "memory://",
        "INTERNAL_TOKEN_SECRET": "x" * 64, "COURIER_PROVIDER": provider,
        "COURIER_WEBHOOK_SECRET": secret,
    }))  # fmt: skip


def test_the_courier_secret_is_a_comma_separated_list_newest_first() -> None:
    assert _settings("new-secret, old-secret").courier_webhook_secrets == (
        "new-secret",
        "old-secret",
    )
    assert _settings("only").courier_webhook_secrets == ("only",)


def test_a_list_of_no_secrets_is_refused() -> None:
    with pytest.raises(InvalidSetting):
        _settings(" , ")
