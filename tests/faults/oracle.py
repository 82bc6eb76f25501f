"""What must hold after the run settles, read from each service's own database
and from the broker: each application in its expected final state, each effect
exactly once, nothing left in a dead-letter queue, nothing unsent.

Every finding is one of three kinds, as Jepsen's queue checks count them:
lost (an effect that should be there and is not), duplicated (an effect there
more than once), unexpected (something that should never be: a wrong state, a
dead letter, a 500).
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pika
import psycopg

from common.events.topology import dead_queue, main_queue
from common.processes import Stack
from common.testing import RABBITMQ_URL

from .lifecycle import COMPLAINT, ITEM, REJECT, Application, Calls

KINDS = ("lost", "duplicated", "unexpected")
# Events a service may rightly publish more than once for one order.
REPEATABLE = {
    "verification.document_uploaded",
    "verification.document_set_incomplete",
    "verification.document_checked",
    "verification.document_verdict",
    "verification.in_review",
    "fulfillment.tracking_updated",
}


@dataclass
class Findings:
    items: dict[str, list[str]] = field(default_factory=lambda: {kind: [] for kind in KINDS})
    checked: Counter[str] = field(default_factory=Counter)
    stopped: list[str] = field(default_factory=list)  # orders not where they should be

    def add(self, kind: str, what: str) -> None:
        self.items[kind].append(what)

    def table(self) -> str:
        lines = [
            f"{'':<12}{'count':>7}",
            *(f"{kind:<12}{len(self.items[kind]):>7}" for kind in KINDS),
        ]
        lines.append("checked: " + ", ".join(f"{k} {v}" for k, v in sorted(self.checked.items())))
        for kind in KINDS:
            lines += [f"  {kind}: {what}" for what in self.items[kind][:30]]
        return "\n".join(lines)


def rows(stack: Stack, service: str, query: str, *args: Any) -> list[tuple[Any, ...]]:
    with psycopg.connect(stack.databases[service]) as connection:
        return list(connection.execute(query, args).fetchall())  # type: ignore[arg-type]


def settle(stack: Stack, timeout: float = 180.0) -> None:
    """Wait until every outbox is sent and every service's queue is drained, twice in a row."""
    deadline = time.monotonic() + timeout
    quiet = 0
    while time.monotonic() < deadline:
        quiet = quiet + 1 if _quiet(stack) else 0
        if quiet >= 3:
            return
        time.sleep(1.0)
    raise AssertionError("the system did not settle: unsent events or undrained queues remain")


def _quiet(stack: Stack) -> bool:
    for name in stack.services or []:
        if rows(stack, name, "SELECT count(*) FROM outbox WHERE sent_at IS NULL")[0][0]:
            return False
    return all(count == 0 for count in queue_depths(stack, main_queue).values())


def queue_depths(stack: Stack, naming: Any) -> dict[str, int]:
    connection = pika.BlockingConnection(pika.URLParameters(RABBITMQ_URL))
    try:
        channel = connection.channel()
        depths = {}
        for name in stack.services or []:
            try:
                declared = channel.queue_declare(naming(stack.prefix, name), passive=True)
            except pika.exceptions.ChannelClosedByBroker:
                channel = connection.channel()  # a service without a queue (the gateway)
                continue
            depths[name] = int(declared.method.message_count)
        return depths
    finally:
        connection.close()


def dead_letters(stack: Stack) -> list[str]:
    """Every dead letter of every service, with its reason (left in its queue)."""
    found = []
    connection = pika.BlockingConnection(pika.URLParameters(RABBITMQ_URL))
    try:
        channel = connection.channel()
        for name, depth in queue_depths(stack, dead_queue).items():
            for _ in range(depth):
                method, props, body = channel.basic_get(dead_queue(stack.prefix, name))
                if method is None:
                    break
                reason = (props.headers or {}).get("x-dead-reason", "no reason recorded")
                found.append(f"{name}: {reason}: {body[:160]!r}")
            channel.basic_recover(requeue=True)
    finally:
        connection.close()
    return found


@dataclass
class Before:
    """What the oracle measures its changes from, read as the run starts."""

    deals: int
    now: Any  # the ratings database's clock

    @classmethod
    def read(cls, stack: Stack) -> Before:
        deals = rows(stack, "catalog", "SELECT deal_count FROM items WHERE code = %s", ITEM)[0][0]
        return cls(deals, rows(stack, "ratings", "SELECT now()")[0][0])


def check(stack: Stack, applications: list[Application], calls: Calls, before: Before) -> Findings:
    findings = Findings()
    ids = [app.order_id for app in applications if app.order_id]
    by_id = {app.order_id: app for app in applications if app.order_id}
    for app in applications:
        if app.error:
            findings.add(
                "lost",
                f"application {app.number} ({app.path}, order {app.order_id}) stopped: {app.error}",
            )
            if app.order_id:
                findings.stopped.append(app.order_id)
    _orders(stack, ids, by_id, findings)
    completed = [app.order_id for app in applications if app.path != REJECT and not app.error]
    _deals(stack, ids, completed, before.deals, findings)
    _ratings(stack, ids, [app.order_id for app in applications if app.rated], before, findings)
    _complaints(stack, [app for app in applications if app.path == COMPLAINT], findings)
    _events(stack, ids, findings)
    _notifications(stack, ids, findings)
    for letter in dead_letters(stack):
        findings.add("unexpected", f"dead letter {letter}")
    for error in calls.server_errors:
        findings.add("unexpected", f"500 on {error}")
    return findings


def _orders(stack: Stack, ids: list[str], by_id: dict, findings: Findings) -> None:
    found = rows(stack, "orders", """
        SELECT o.id, o.status, p.status, p.amount_fen, p.captured_fen, p.refunded_fen,
               s.status, s.captured_fen, s.refunded_fen
          FROM orders o
          LEFT JOIN payments p ON p.order_id = o.id
          LEFT JOIN sandbox_payments s ON s.id = p.provider_payment_id
         WHERE o.id = ANY(%s)""", ids)  # fmt: skip
    for (
        order_id,
        status,
        paid,
        amount,
        captured,
        refunded,
        sb_status,
        sb_captured,
        sb_refunded,
    ) in found:
        app = by_id[order_id]
        findings.checked["orders"] += 1
        if app.error:
            continue
        if status != app.expected_status:
            findings.add(
                "lost", f"order {order_id} ({app.path}) is {status}, not {app.expected_status}"
            )
            findings.stopped.append(order_id)
        want = ("voided", 0) if app.path == REJECT else ("captured", amount)
        if (paid, captured, refunded) != (want[0], want[1], 0):
            findings.add(
                "unexpected",
                f"payment of {order_id} ({app.path}): {paid} {captured}/{amount} refunded {refunded}",
            )
        if (sb_status, sb_captured, sb_refunded) != (want[0], want[1], 0):
            findings.add(
                "unexpected",
                f"provider's payment of {order_id}: {sb_status} {sb_captured} refunded {sb_refunded}",
            )
    for order_id, kind, count in rows(stack, "orders", """
        SELECT p.order_id, e.type, count(*) FROM payment_events e
          JOIN payments p ON p.id = e.payment_id
         WHERE p.order_id = ANY(%s) GROUP BY 1, 2""", ids):  # fmt: skip
        findings.checked["payment webhooks"] += count
        if count > 1:
            findings.add("duplicated", f"payment of {order_id}: {count} webhooks {kind}")


def _deals(
    stack: Stack, ids: list[str], completed: list[str], before: int, findings: Findings
) -> None:
    counted = {row[0] for row in rows(stack, "catalog",
               "SELECT order_id FROM counted_deals WHERE order_id = ANY(%s)", ids)}  # fmt: skip
    findings.checked["deals"] += len(counted)
    for order_id in set(completed) - counted:
        findings.add("lost", f"deal of {order_id} not counted")
    for order_id in counted - set(completed):
        findings.add("unexpected", f"deal of {order_id} counted but the order did not complete")
    after = rows(stack, "catalog", "SELECT deal_count FROM items WHERE code = %s",
                 ITEM)[0][0]  # fmt: skip
    if after - before > len(counted):
        findings.add("duplicated", f"deal count rose by {after - before} for {len(counted)} deals")
    elif after - before < len(counted):
        findings.add("lost", f"deal count rose by {after - before} for {len(counted)} deals")


def _ratings(
    stack: Stack, ids: list[str], rated: list[str], before: Before, findings: Findings
) -> None:
    stored = Counter(row[0] for row in rows(stack, "ratings",
                     "SELECT order_id FROM ratings WHERE order_id = ANY(%s)", ids))  # fmt: skip
    findings.checked["ratings"] += sum(stored.values())
    for order_id in rated:
        if stored[order_id] == 0:
            findings.add("lost", f"rating of {order_id} not stored")
    total = rows(stack, "ratings", "SELECT count(*) FROM ratings WHERE item_code = %s",
                 ITEM)[0][0]  # fmt: skip
    shown = rows(stack, "catalog", "SELECT rating_count FROM items WHERE code = %s",
                 ITEM)[0][0]  # fmt: skip
    if shown != total:
        kind = "duplicated" if shown > total else "lost"
        findings.add(kind, f"the catalog shows {shown} ratings; ratings holds {total}")
    # One summary change per rating: rate() publishes one in the rating's transaction.
    new = rows(stack, "ratings", "SELECT count(*) FROM ratings WHERE created_at >= %s", before.now)
    changes = rows(stack, "ratings", "SELECT count(*) FROM outbox WHERE event_type = %s"
                   " AND created_at >= %s", "ratings.summary_changed", before.now)  # fmt: skip
    findings.checked["rating summary changes"] += changes[0][0]
    if changes[0][0] != new[0][0]:
        kind = "duplicated" if changes[0][0] > new[0][0] else "lost"
        findings.add(kind, f"{changes[0][0]} rating summary changes for {new[0][0]} ratings")


def _complaints(stack: Stack, apps: list[Application], findings: Findings) -> None:
    ids = [app.complaint_id for app in apps if app.complaint_id]
    closed = dict(rows(stack, "ratings", "SELECT id, status FROM cases WHERE id = ANY(%s)", ids))
    findings.checked["complaints"] += len(closed)
    for app in apps:
        if not app.error and closed.get(app.complaint_id) != "closed":
            findings.add("lost", f"complaint of {app.order_id}: {closed.get(app.complaint_id)}")


def _events(stack: Stack, ids: list[str], findings: Findings) -> None:
    for name in stack.services or []:
        for order_id, kind, count in rows(stack, name, """
            SELECT correlation_id, event_type, count(*) FROM outbox
             WHERE correlation_id = ANY(%s) GROUP BY 1, 2""", ids):  # fmt: skip
            findings.checked["events"] += count
            if count > 1 and kind not in REPEATABLE:
                findings.add("duplicated", f"{count} × {kind} for {order_id}")
        unsent = rows(stack, name, "SELECT count(*) FROM outbox WHERE sent_at IS NULL")[0][0]
        if unsent:
            findings.add("lost", f"{name}: {unsent} events never published")


def _notifications(stack: Stack, ids: list[str], findings: Findings) -> None:
    for order_id, template, channel, count in rows(stack, "notifications", """
        SELECT order_id, template, channel, count(*) FROM messages
         WHERE order_id = ANY(%s) GROUP BY 1, 2, 3""", ids):  # fmt: skip
        findings.checked["notifications"] += count
        if count > 1:
            findings.add("duplicated", f"{count} × {template} by {channel} for {order_id}")
