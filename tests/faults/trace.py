"""Where an application that did not end where it should stopped, read from each
service's database: the order and the tail of its timeline, the fulfillment job
and its parcel with the courier's webhooks, and every event each service wrote
for the order with whether it was sent. Printed by the fault run beside a
loss, so the next person starts from the evidence and not from a rerun."""

from __future__ import annotations

from typing import Any

from common.processes import Stack

from .oracle import rows

TIMELINE_TAIL = 8


def trace(stack: Stack, order_id: str) -> str:
    lines = [f"trace of order {order_id}"]
    lines += _section("orders", _safe(stack, "orders", """
        SELECT status, updated_at FROM orders WHERE id = %s""", order_id))  # fmt: skip
    lines += _section("orders timeline (newest first)", _safe(stack, "orders", """
        SELECT at, from_status, to_status, code, actor FROM order_timeline
         WHERE order_id = %s ORDER BY id DESC LIMIT %s""", order_id, TIMELINE_TAIL))  # fmt: skip
    lines += _section("fulfillment job", _safe(stack, "fulfillment", """
        SELECT status, delivery_kind, approved_at FROM jobs WHERE order_id = %s""", order_id))  # fmt: skip
    lines += _section("fulfillment parcels", _safe(stack, "fulfillment", """
        SELECT waybill, status, handed_over_at, heard_at FROM shipments
         WHERE order_id = %s ORDER BY created_at""", order_id))  # fmt: skip
    lines += _section("courier webhooks", _safe(stack, "fulfillment", """
        SELECT w.due_at, w.attempts, w.delivered_at, w.abandoned_at, w.last_status,
               left(w.last_error, 120)
          FROM sandbox_courier_webhooks w JOIN shipments s ON s.waybill = w.waybill
         WHERE s.order_id = %s ORDER BY w.occurred_at""", order_id))  # fmt: skip
    for service in stack.services or []:
        lines += _section(f"{service} events", _safe(stack, service, """
            SELECT event_type, created_at, sent_at, publish_attempts FROM outbox
             WHERE correlation_id = %s ORDER BY id""", order_id))  # fmt: skip
    return "\n".join(lines)


def _safe(stack: Stack, service: str, query: str, *args: Any) -> list[tuple[Any, ...]] | str:
    """The rows, or why they could not be read: a trace never hides the finding it explains."""
    try:
        return rows(stack, service, query, *args)
    except Exception as exc:  # any failure is part of the evidence
        return f"unreadable: {type(exc).__name__}: {exc}"


def _section(title: str, found: list[tuple[Any, ...]] | str) -> list[str]:
    if isinstance(found, str):
        return [f"  {title}: {found}"]
    if not found:
        return []
    return [f"  {title}:", *(f"    {' | '.join(map(str, row))}" for row in found)]
