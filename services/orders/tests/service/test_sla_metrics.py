"""/metrics counts the orders still on their way past their expected completion day."""

from __future__ import annotations

from datetime import timedelta

from prometheus_client.parser import text_string_to_metric_families

NAME = "orders_past_expected_completion"


def _late(client) -> dict[str, float]:
    text = client.get("/metrics").get_data(as_text=True)
    return {
        sample.labels["item"]: sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == NAME
    }


def test_an_order_on_its_way_counts_once_its_day_has_passed(client, applicant, clock):
    order = applicant.paid()
    assert order["expected_completion"] is not None
    assert _late(client) == {}

    clock.advance(timedelta(days=30))

    assert _late(client) == {order["item_code"]: 1}


def test_a_draft_is_never_late(client, applicant, clock):
    applicant.draft()
    clock.advance(timedelta(days=30))
    assert _late(client) == {}
