"""The SQL a tracking webhook costs fulfillment's database: each statement is a
round trip on the courier's request path, so the count is held here and cannot
creep back unnoticed."""

from __future__ import annotations

import json
from contextlib import AbstractContextManager as ContextManager
from datetime import timedelta

from flask import Flask

from common.testing import statements_on

# What a webhook costs today; lower it when a change saves one.
# A new event: the parcel (shipment and job, locked), the event's insert (nothing
# if it is stored already), the parcel's events, the shipment's update, the outbox
# event (one per event published).
NEW_EVENT_STATEMENTS = 5
# A copy of a stored event: the parcel, the insert that stores nothing, the
# shipment's "heard from the courier" time.
DUPLICATE_STATEMENTS = 3
PATH = "/webhooks/couriers/sandbox"


def counted(app: Flask) -> ContextManager[list[str]]:
    return statements_on(app.extensions["fulfillment.engine"])


def _notice(waybill: str, event_id: str, state: str, at: str) -> bytes:
    notice = {"event_id": event_id, "waybill": waybill, "state": state, "occurred_at": at}
    return json.dumps({"waybill": waybill, "events": [notice]}).encode()


def test_a_tracking_webhook_costs_a_fixed_number_of_statements(
    app, client, flow, signed, clock
) -> None:
    _order, waybill = flow.shipped()
    first = _notice(waybill, "trk_1", "collected", "2026-03-02T02:00:00+00:00")
    assert client.post(PATH, data=first, headers=signed(first)).status_code == 200
    clock.advance(timedelta(minutes=30))
    body = _notice(waybill, "trk_2", "in_transit", "2026-03-02T02:30:00+00:00")
    with counted(app) as seen:
        assert client.post(PATH, data=body, headers=signed(body)).json["stored"] == 1
    assert len(seen) == NEW_EVENT_STATEMENTS, seen
    clock.advance(timedelta(minutes=1))
    with counted(app) as seen:
        assert client.post(PATH, data=body, headers=signed(body)).json["duplicates"] == 1
    assert len(seen) == DUPLICATE_STATEMENTS, seen
