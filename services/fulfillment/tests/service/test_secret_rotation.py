"""COURIER_WEBHOOK_SECRET lists the courier's secrets newest first: while a
rotation is under way a webhook signed with the old secret is still accepted,
and one signed with a secret not listed is refused with 401, storing nothing."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from common.webhooks import sign
from fulfillment.api import CONTEXT
from fulfillment.app import create_app
from fulfillment.couriers.sandbox import HEADER
from services.fulfillment.tests.service.conftest import WEBHOOK_SECRET, Flow, make_settings

NEW_SECRET = "courier-webhook-new-secret"
PATH = "/webhooks/couriers/sandbox"


@pytest.fixture
def rotating(db, database_url, clock):
    """The app holding the new secret and, until the courier has switched, the old one."""
    settings = replace(
        make_settings(database_url), courier_webhook_secrets=(NEW_SECRET, WEBHOOK_SECRET)
    )
    app = create_app(settings, clock=clock)
    yield app
    app.extensions["fulfillment.engine"].dispose()


def _notice(waybill: str, event_id: str, state: str, at: str) -> bytes:
    event = {"event_id": event_id, "waybill": waybill, "state": state, "occurred_at": at}
    return json.dumps({"waybill": waybill, "events": [event]}).encode()


def test_the_old_and_the_new_secret_are_accepted_during_a_rotation(
    rotating, dispatch_event, clock, snapshot
) -> None:
    client = rotating.test_client()
    flow = Flow(client, dispatch_event, rotating.extensions[CONTEXT])
    _order, waybill = flow.shipped()
    now = int(clock.now().timestamp())
    old = _notice(waybill, "trk_old", "collected", "2026-03-02T02:00:00+00:00")
    new = _notice(waybill, "trk_new", "in_transit", "2026-03-02T03:00:00+00:00")
    assert client.post(PATH, data=old, headers={HEADER: sign(WEBHOOK_SECRET, old, now)}).json == {
        "stored": 1, "duplicates": 0,
    }  # fmt: skip
    assert client.post(PATH, data=new, headers={HEADER: sign(NEW_SECRET, new, now)}).json == {
        "stored": 1, "duplicates": 0,
    }  # fmt: skip
    unknown = _notice(waybill, "trk_unknown", "out_for_delivery", "2026-03-02T04:00:00+00:00")
    before = snapshot()
    refused = client.post(
        PATH, data=unknown, headers={HEADER: sign("retired-secret", unknown, now)}
    )
    assert refused.status_code == 401
    assert snapshot() == before
