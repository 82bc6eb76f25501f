"""Ratings' events keep their documented shapes; its settings refuse what cannot work."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from common.events.payloads import PayloadMismatch
from common.settings import Env, InvalidSetting
from ratings import events
from ratings.settings import Settings

BASE = {"RATINGS_DATABASE_URL": "sqlite://", "BUS_URL": "memory://",
        "INTERNAL_TOKEN_SECRET": "x" * 40}  # fmt: skip


def test_every_example_fits_its_own_schema() -> None:
    for event_type, schema in events.SCHEMAS.items():
        assert schema().validate(events.EXAMPLES[event_type]) == {}, event_type


def test_a_summary_with_ratings_but_no_average_is_refused_as_the_catalog_would() -> None:
    bad = {**events.EXAMPLES[events.SUMMARY_CHANGED], "average_milli": None,
           "as_of": datetime(2026, 3, 10, tzinfo=UTC)}  # fmt: skip
    with pytest.raises(PayloadMismatch):
        events.payload(events.SUMMARY_CHANGED, bad)


def test_the_settings_default_to_the_national_schemes_periods() -> None:
    settings = Settings.from_env(Env(BASE))
    assert (settings.window_days, settings.contact_working_days, settings.rectify_working_days) == (
        15,
        1,
        15,
    )


def test_an_invitation_after_the_window_closes_stops_start_up() -> None:
    with pytest.raises(InvalidSetting, match="RATINGS_INVITE_AFTER_DAYS"):
        Settings.from_env(Env({**BASE, "RATINGS_INVITE_AFTER_DAYS": "20"}))
