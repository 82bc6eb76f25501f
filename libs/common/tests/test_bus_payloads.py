"""An event's payload is dumped by its producer's schema and checked before the outbox."""

from __future__ import annotations

import pytest
from marshmallow import Schema, fields

from common.events.payloads import PayloadMismatch, Payloads


class _FeeChanged(Schema):
    code = fields.String(required=True)
    amount_fen = fields.Integer(required=True)


payload = Payloads({"catalog.fee_changed": _FeeChanged})


def test_a_payload_keeps_only_the_documented_fields():
    values = {"code": "plates", "amount_fen": 1000, "internal_note": "not for others"}
    assert payload("catalog.fee_changed", values) == {"code": "plates", "amount_fen": 1000}


def test_a_payload_missing_a_required_field_fails_loudly():
    with pytest.raises(PayloadMismatch, match="amount_fen"):
        payload("catalog.fee_changed", {"code": "plates"})


def test_an_event_type_the_service_does_not_publish_is_refused():
    with pytest.raises(PayloadMismatch, match="not an event of this service"):
        payload("catalog.unknown", {"code": "plates"})
