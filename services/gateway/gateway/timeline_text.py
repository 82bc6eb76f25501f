"""An order's timeline in the page's words: orders gives each entry as data
(a code and its parameters: fen, ISO UTC times, document, reason, carrier and
office codes); this says it in the language asked for: money in yuan, times
in Beijing time, documents by their titles, reasons, couriers' states and
offices by their names. The order gives its documents' titles and its
office; the catalog is asked for the item's offices only when an entry names
another (a courier order switched to pickup).

An entry orders wrote before entries were data (`legacy`) is shown as it was
written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from babel.dates import format_timedelta

from common.service_client import Caller, ServiceNotFound
from gateway import delivering, formatting
from gateway.clients.catalog import PickupOffice, Text
from gateway.clients.orders import Order, TimelineEntry
from gateway.context import gateway
from gateway.i18n import N_, babel_locale, translate
from gateway.journey import actor_key, refusal_key

LEGACY = "legacy"
RATING_INVITED = "rating_invited"
# Carriers the gateway has a name for (carrier.*); any other is shown as it is called.
NAMED_CARRIERS = frozenset({"EMS"})


@dataclass(frozen=True)
class ShownEntry:
    """One line of the timeline as a page or the API shows it."""

    at: str
    to_status: str
    code: str
    text: str
    actor_key: str
    legacy: bool  # orders' own English sentence, shown as written


@dataclass(frozen=True)
class Names:
    """What the words need beyond the entry: the order's document titles and the
    pickup offices by code."""

    documents: Mapping[str, Text]
    offices: Mapping[str, Text]

    @classmethod
    def of(cls, order: Order, offices: Iterable[PickupOffice] = ()) -> Names:
        known = {office.code: office.name for office in offices}
        delivery = order.delivery
        if delivery and delivery.office_code and delivery.office:
            known.setdefault(delivery.office_code, delivery.office.name)
        return cls({doc.code: doc.title for doc in order.required_documents}, known)


class _Say:
    """The words of one language."""

    def __init__(self, lang: str, names: Names) -> None:
        self.lang, self.names = lang, names

    def __call__(self, key: str, **values: Any) -> str:
        return translate(key, self.lang, **values)

    def money(self, fen: Any) -> str:
        return formatting.money(_int(fen), self.lang)

    def moment(self, value: Any) -> str:
        return formatting.moment(str(value or ""), self.lang)

    def day(self, value: Any) -> str:
        return formatting.day(str(value or ""), self.lang)

    def span(self, seconds: Any) -> str:
        return format_timedelta(
            timedelta(seconds=_int(seconds)), threshold=1.0, locale=babel_locale(self.lang)
        )

    def document(self, code: Any) -> str:
        title = self.names.documents.get(str(code))
        return title.get(self.lang) if title else self("timeline.a_document")

    def office(self, code: Any) -> str:
        name = self.names.offices.get(str(code))
        return name.get(self.lang) if name else self("timeline.an_office")

    def carrier(self, code: Any) -> str:
        return self(f"carrier.{code}") if code in NAMED_CARRIERS else str(code or "")

    def rejection(self, code: Any) -> str:
        key = f"rejection_reason.{code}"
        return self(key if translate(key, "en") != key else "rejection_reason.other")

    def joined(self, parts: list[str]) -> str:
        return self("timeline.list_separator").join(parts)


def _int(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def _refused(say: _Say, documents: Any) -> str:
    said = []
    for document in documents if isinstance(documents, list) else []:
        if not isinstance(document, dict):
            continue
        name, reason = (
            say.document(document.get("code")),
            say(refusal_key(document.get("reason_code"))),
        )
        note = document.get("note")
        key = "timeline.refused_with_note" if note else "timeline.refused"
        said.append(say(key, document=name, reason=reason, note=note or ""))
    return say.joined(said)


def _with(key: str, optional: str, extra: str) -> Callable[[_Say, dict[str, Any]], str]:
    """An entry with a longer form when an optional parameter is there."""

    def words(say: _Say, p: dict[str, Any]) -> str:
        if p.get(optional):
            return say(key + "_" + extra, **_values(say, p))
        return say(key, **_values(say, p))

    return words


def _values(say: _Say, p: dict[str, Any]) -> dict[str, str]:
    """Every parameter an entry's words may name, in the page's language."""
    return {
        "total": say.money(p.get("total_fen")),
        "amount": say.money(p.get("amount_fen") or p.get("captured_fen") or p.get("refunded_fen")),
        "version": str(p.get("fee_version") or ""),
        "span": say.span(p.get("after_seconds") or p.get("idle_seconds")
                         or p.get("paused_left_seconds") or p.get("resumed_left_seconds")),
        "text": str(p.get("reason_text") or ""),
        "round": str(p.get("round") or ""),
        "batch": str(p.get("batch_id") or ""),
        "number": str(p.get("credential_number") or ""),
        "carrier": say.carrier(p.get("carrier")),
        "waybill": str(p.get("waybill") or ""),
        "city": str(p.get("city") or ""),
        "office": say.office(p.get("office_code")),
        "day": say.day(p.get("collect_by") or p.get("rate_by")),
        "note": str(p.get("note") or ""),
    }  # fmt: skip


def _key(key: str) -> Callable[[_Say, dict[str, Any]], str]:
    return lambda say, p: say(key, **_values(say, p))


WORDS: dict[str, Callable[[_Say, dict[str, Any]], str]] = {
    "started": _key(N_("timeline.entry.started")),
    "submitted": _key(N_("timeline.entry.submitted")),
    "nothing_to_pay": _key(N_("timeline.entry.nothing_to_pay")),
    "paid_authorised": _key(N_("timeline.entry.paid_authorised")),
    "paid": _key(N_("timeline.entry.paid")),
    "expired_unpaid": _key(N_("timeline.entry.expired_unpaid")),
    "draft_discarded": _key(N_("timeline.entry.draft_discarded")),
    "cancelled_by_applicant": _with(N_("timeline.entry.cancelled_by_applicant"), "reason_text",
                                    "with_reason"),
    "cancelled_by_supervisor": _key(N_("timeline.entry.cancelled_by_supervisor")),
    "review_started": _key(N_("timeline.entry.review_started")),
    "approved": _with(N_("timeline.entry.approved"), "captured_fen", "and_taken"),
    "capture_failed": _key(N_("timeline.entry.capture_failed")),
    "capture_retried": _key(N_("timeline.entry.capture_retried")),
    "resubmission_requested": lambda say, p: say(
        "timeline.entry.resubmission_requested", round=str(p.get("round") or ""),
        deadline=say.moment(p.get("deadline")), documents=_refused(say, p.get("documents")),
    ),
    "resubmitted": _key(N_("timeline.entry.resubmitted")),
    "rejected": lambda say, p: say(
        "timeline.entry.rejected_with_note" if p.get("note") else "timeline.entry.rejected",
        reason=say.rejection(p.get("reason_code")), note=str(p.get("note") or ""),
    ),
    "closed_after_rejection": lambda say, p: say(
        f"timeline.entry.closed_after_rejection.{p.get('money')}"
        if p.get("money") in ("voided", "refunded") else "timeline.entry.closed_after_rejection.none",
        amount=say.money(p.get("refunded_fen")),
    ),
    "production_started": _key(N_("timeline.entry.production_started")),
    "produced": _with(N_("timeline.entry.produced"), "credential_number", "with_number"),
    "shipped": _key(N_("timeline.entry.shipped")),
    "reshipped": _key(N_("timeline.entry.reshipped")),
    "shipment_status": lambda say, p: say(
        "timeline.entry.shipment_status_in" if p.get("city") else "timeline.entry.shipment_status",
        state=say(delivering.tracking_key(str(p.get("state") or ""))), **_values(say, p),
    ),
    "delivery_attempt_failed": lambda say, p: say(
        "timeline.entry.delivery_attempt_failed", attempt=str(p.get("attempt") or ""),
        reason=say(delivering.failure_reason_key(p.get("reason"))),
        what_to_do=_local(p.get("what_to_do"), say.lang),
    ),
    "ready_for_pickup": _key(N_("timeline.entry.ready_for_pickup")),
    "switched_to_pickup": _key(N_("timeline.entry.switched_to_pickup")),
    "pickup_reminder": _key(N_("timeline.entry.pickup_reminder")),
    "reported_late": _key(N_("timeline.entry.reported_late")),
    "signed_for": _key(N_("timeline.entry.signed_for")),
    "collected": _key(N_("timeline.entry.collected")),
    "delivery_exception": lambda say, p: say(
        "timeline.entry.delivery_exception",
        # The panel's sentence, used here inside another: without its full stop.
        reason=say(delivering.exception_key(p.get("reason_code"))).rstrip("。."),
        **_values(say, p),
    ),
    "uncollected": _key(N_("timeline.entry.uncollected")),
    "receipt_confirmed": _key(N_("timeline.entry.receipt_confirmed")),
    "receipt_auto_confirmed": _key(N_("timeline.entry.receipt_auto_confirmed")),
    "auto_confirm_paused": _key(N_("timeline.entry.auto_confirm_paused")),
    "complaint_opened": _with(N_("timeline.entry.complaint_opened"), "paused_left_seconds",
                              "paused"),
    "complaint_closed": _with(N_("timeline.entry.complaint_closed"), "resumed_left_seconds",
                              "resumed"),
    "rating_invited": _key(N_("timeline.entry.rating_invited")),
}  # fmt: skip

# The longer forms _with() and the lambdas above name by suffix, listed for the catalogs.
VARIANT_KEYS = (
    N_("timeline.entry.cancelled_by_applicant_with_reason"),
    N_("timeline.entry.approved_and_taken"),
    N_("timeline.entry.produced_with_number"),
    N_("timeline.entry.complaint_opened_paused"),
    N_("timeline.entry.complaint_closed_resumed"),
    N_("timeline.entry.resubmission_requested"),
    N_("timeline.entry.rejected"),
    N_("timeline.entry.rejected_with_note"),
    N_("timeline.entry.closed_after_rejection.voided"),
    N_("timeline.entry.closed_after_rejection.refunded"),
    N_("timeline.entry.closed_after_rejection.none"),
    N_("timeline.entry.shipment_status"),
    N_("timeline.entry.shipment_status_in"),
    N_("timeline.entry.delivery_attempt_failed"),
    N_("timeline.entry.delivery_exception"),
    N_("timeline.refused"),
    N_("timeline.refused_with_note"),
    N_("timeline.list_separator"),
    N_("timeline.a_document"),
    N_("timeline.an_office"),
)


def _local(raw: Any, lang: str) -> str:
    if not isinstance(raw, dict):
        return ""
    return str((raw.get("en") if lang == "en" else raw.get("zh")) or raw.get("zh") or "")


def item_offices(order: Order, caller: Caller) -> tuple[PickupOffice, ...]:
    """The item's pickup offices from the catalog (none once the item is withdrawn)."""
    try:
        return gateway().catalog.item(order.item_code, caller).delivery.pickup_offices
    except ServiceNotFound:
        return ()


def say_entry(entry: TimelineEntry, lang: str, names: Names) -> str:
    """The entry in the language; a legacy sentence (or a code this gateway does not
    know yet) as orders wrote it, or the state it reached."""
    words = WORDS.get(entry.code)
    if words is None:
        text = entry.params.get("text") if entry.code == LEGACY else None
        return str(text or translate(f"timeline.to.{entry.to_status}", lang))
    return words(_Say(lang, names), entry.params)


# The courier's steps are the provider kind, as the payment provider's are: named apart.
COURIER = "courier"


def _who(entry: TimelineEntry) -> str:
    return N_("timeline.by_courier") if entry.actor == COURIER else actor_key(entry)


def shown(entries: Iterable[TimelineEntry], lang: str, names: Names) -> list[ShownEntry]:
    """The timeline, oldest first, each entry in the language."""
    return [
        ShownEntry(
            at=entry.at,
            to_status=entry.to_status,
            code=entry.code,
            text=say_entry(entry, lang, names),
            actor_key=_who(entry),
            legacy=entry.code not in WORDS,
        )
        for entry in sorted(entries, key=lambda entry: entry.at)
    ]


def names_for(
    order: Order,
    entries: Iterable[TimelineEntry],
    item_offices: Callable[[], Iterable[PickupOffice]],
) -> Names:
    """The names the entries need: the order's documents and office, and the item's
    pickup offices (asked for only when an entry names an office the order does not
    keep: a courier order switched to pickup)."""
    own = order.delivery.office_code if order.delivery and order.delivery.office else None
    needed = any(entry.params.get("office_code") not in (None, own) for entry in entries)
    return Names.of(order, item_offices() if needed else ())
