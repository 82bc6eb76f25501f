"""The timeline between orders and the gateway: orders writes each entry as a
code and its parameters; the gateway says every code orders can write, in
both languages, reading the fields orders answers. Neither service's own
tests can see the other's side."""

from __future__ import annotations

import re
from pathlib import Path

from gateway import timeline_text
from gateway.clients.orders import TimelineEntry
from gateway.i18n import LANGUAGES, translate
from orders.domain.timeline import Entry
from orders.schemas import TimelineEntryOut

API_MD = (Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text()


def test_the_gateway_has_words_for_every_code_orders_writes():
    written = {entry.value for entry in Entry} - {timeline_text.LEGACY}
    assert written == set(timeline_text.WORDS)


def test_every_code_is_documented_for_api_clients():
    documented = set(re.findall(r"`([a-z_]+)`", API_MD[API_MD.index("| `code` | `params` |") :]))
    assert {entry.value for entry in Entry} <= documented


def test_the_gateway_reads_the_fields_orders_answers():
    answered = set(TimelineEntryOut().fields)
    assert set(TimelineEntry.__dataclass_fields__) <= answered


def test_every_entry_reads_in_each_language_without_a_placeholder_left():
    names = timeline_text.Names(documents={}, offices={})
    params = {
        "total_fen": 2500, "fee_version": 1, "amount_fen": 2500, "captured_fen": 2500,
        "after_seconds": 1800, "idle_seconds": 86400, "reason_text": "x", "round": 1,
        "deadline": "2026-03-09T03:00:00+00:00", "reason_code": "other", "note": "x",
        "money": "refunded", "refunded_fen": 100, "batch_id": "B1", "credential_number": "1",
        "carrier": "EMS", "waybill": "EA1CN", "state": "signed", "city": "青岛", "attempt": 1,
        "reason": "no_answer", "what_to_do": {"zh": "请", "en": "Please"},
        "office_code": "x", "collect_by": "2026-03-09T03:00:00+00:00", "complaint_id": "c",
        "paused_left_seconds": 60, "resumed_left_seconds": 60, "provider_reason": "x",
        "rate_by": "2026-03-24T02:00:00+00:00",
        "documents": [{"code": "x", "reason_code": "blurred", "note": None}],
    }  # fmt: skip
    for code in timeline_text.WORDS:
        entry = TimelineEntry("2026-03-02T01:00:00+00:00", None, "shipped", "x", code, params)
        for lang in LANGUAGES:
            said = timeline_text.say_entry(entry, lang, names)
            assert said and "{" not in said and not said.startswith("timeline."), (code, lang)
    assert translate("timeline.entry.started", "zh-CN") != "timeline.entry.started"
