"""What notifications publishes and reads, and its settings' refusals."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
from notifications import events, handlers
from notifications.domain import QuietHours
from notifications.settings import Settings

from common.events.payloads import PayloadMismatch
from common.settings import Env, InvalidSetting

BASE = {
    "NOTIFICATIONS_DATABASE_URL": "sqlite://",
    "BUS_URL": "memory://",
    "INTERNAL_TOKEN_SECRET": "x" * 40,
}


def test_the_failure_event_example_fits_its_schema_and_carries_no_contact():
    example = events.EXAMPLES[events.MESSAGE_FAILED]
    assert events.MessageFailed().validate(example) == {}
    assert not {"phone", "email", "body", "to"} & set(example)


def test_a_failure_payload_missing_its_reason_is_the_producers_bug():
    values = {
        **events.EXAMPLES[events.MESSAGE_FAILED],
        "failed_at": datetime(2026, 3, 4, tzinfo=UTC),
    }
    del values["reason"]
    with pytest.raises(PayloadMismatch):
        events.payload(events.MESSAGE_FAILED, values)


def test_every_bound_event_has_a_schema_of_what_is_read():
    assert set(handlers.BINDINGS) == set(handlers.CONSUMED)
    assert "orders.resubmission_requested" not in handlers.BINDINGS  # verification's says it


def test_an_sms_link_base_too_long_for_one_segment_stops_start_up():
    env = Env({**BASE, "NOTIFICATIONS_SMS_LINK_BASE": "https://a-very-long-host.example.gov.cn"})
    with pytest.raises(InvalidSetting, match="NOTIFICATIONS_SMS_LINK_BASE"):
        Settings.from_env(env)


def test_an_unknown_provider_stops_start_up():
    with pytest.raises(InvalidSetting, match="SMS_PROVIDER"):
        Settings.from_env(Env({**BASE, "SMS_PROVIDER": "carrier-pigeon"}))


def test_the_defaults_start_with_the_sandbox_providers():
    settings = Settings.from_env(Env(BASE))
    assert (settings.sms_provider, settings.email_provider) == ("sandbox", "sandbox")
    assert settings.webhook_url("sms", "sandbox") == "http://127.0.0.1:8006/webhooks/sms/sandbox"


def test_quiet_hours_default_to_22_until_8_and_can_be_set_or_switched_off():
    assert Settings.from_env(Env(BASE)).quiet_hours == QuietHours(time(22), time(8))
    set_ = Settings.from_env(Env({**BASE, "NOTIFICATIONS_QUIET_HOURS": "21:30-07:00"}))
    assert set_.quiet_hours == QuietHours(time(21, 30), time(7))
    assert Settings.from_env(Env({**BASE, "NOTIFICATIONS_QUIET_HOURS": "off"})).quiet_hours is None


@pytest.mark.parametrize("value", ["22:00", "22-08", "25:00-08:00", "08:00-08:00", "22:00-8:0"])
def test_quiet_hours_that_are_not_a_window_of_two_times_stop_start_up(value):
    with pytest.raises(InvalidSetting, match="NOTIFICATIONS_QUIET_HOURS"):
        Settings.from_env(Env({**BASE, "NOTIFICATIONS_QUIET_HOURS": value}))
