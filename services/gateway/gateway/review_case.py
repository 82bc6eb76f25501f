"""How the review console's case page reads, with no I/O: which photo goes
where, the sizes and turns a photo is shown in, an answer given as a code said
as its choice's words, the history in words, and a closed case's outcome and
how long it took. Messages are keys of gateway.i18n.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gateway.clients.catalog import FormField
from gateway.clients.reviews import AuditEntry, Review, ReviewDocument
from gateway.i18n import translate

# The photos a strict review compares side by side come first: the ID card
# beside the selfie holding it; the rest follow in the item's order.
FIRST_DOCUMENTS = ("id_card_front", "selfie_with_id_card")
SIZES = ("fit", "large", "full")
ROTATIONS = (0, 90, 180, 270)
ASSIGNEE_REASON = "assigned-reviewer"  # verification's reason for the assignee's own view
SYSTEM = "system"


def ordered_documents(documents: tuple[ReviewDocument, ...]) -> list[ReviewDocument]:
    first = [doc for code in FIRST_DOCUMENTS for doc in documents if doc.code == code]
    return first + [doc for doc in documents if doc.code not in FIRST_DOCUMENTS]


def rotation(raw: str | None) -> int:
    """A turn asked for in the page's address; anything else is no turn."""
    return int(raw) if raw and raw.isdigit() and int(raw) in ROTATIONS else 0


def rotations(args: Mapping[str, str], documents: tuple[ReviewDocument, ...]) -> dict[str, int]:
    """{document code: degrees clockwise} from `?turn-<code>=90` links."""
    return {doc.code: rotation(args.get(f"turn-{doc.code}")) for doc in documents}


def next_turn(degrees: int, by: int) -> int:
    return (degrees + by) % 360


def answer_text(name: str, value: str, fields: Mapping[str, FormField], lang: str) -> str:
    """An answer that is a choice's code ("c1", "lost") said as the choice's label."""
    field = fields.get(name)
    if field is None or not field.choices:
        return value
    chosen = next((choice for choice in field.choices if choice.value == value), None)
    return chosen.label.get(lang) or value if chosen else value


@dataclass(frozen=True)
class HistoryRow:
    at: str
    who: str
    action: str
    what: str


def history_rows(
    review: Review, names: Mapping[str, str], *, me: str, lang: str
) -> list[HistoryRow]:
    """The case's audit entries in the page's words: who by name, documents and
    checks by their titles, reasons by their names."""
    titles = {doc.code: doc.title.get(lang) for doc in review.documents}
    labels = {answer.name: answer.label.get(lang) or answer.name for answer in review.answers}
    return [
        HistoryRow(
            at=entry.at,
            who=actor_name(entry.actor_id, entry.actor_role, names, me=me, lang=lang),
            action=translate("audit_action." + entry.action, lang),
            what=_what(entry, titles, labels, lang),
        )
        for entry in review.history
    ]


def actor_name(
    actor_id: str | None, role: str, names: Mapping[str, str], *, me: str, lang: str
) -> str:
    if actor_id and actor_id == me:
        return translate("review.assignee_me", lang)
    if actor_id and actor_id in names:
        return names[actor_id]
    if actor_id == SYSTEM or role == SYSTEM:
        return translate("review.actor_system", lang)
    if role == "applicant":
        return translate("review.actor_applicant", lang)
    return translate("review.assignee_other", lang)


def _what(
    entry: AuditEntry, titles: Mapping[str, str], labels: Mapping[str, str], lang: str
) -> str:
    parts: list[str] = []
    if entry.document_code:
        parts.append(titles.get(entry.document_code) or entry.document_code)
    verdict = entry.details.get("verdict") if entry.action == "document.verdict" else None
    if verdict in ("accepted", "refused"):
        parts.append(translate("review.verdict." + verdict, lang))
    if entry.action == "check.recorded" and entry.field:
        parts.append(translate("check_name." + entry.field, lang))
        if entry.details.get("result") in ("match", "mismatch"):
            parts.append(translate("review.result." + entry.details["result"], lang))
    elif entry.field:
        parts.append(labels.get(entry.field) or entry.field)
    parts.extend(_reason(entry, lang))
    return translate("review.history_joiner", lang).join(part for part in parts if part)


def _reason(entry: AuditEntry, lang: str) -> list[str]:
    if not entry.reason:
        return []
    if entry.action == "document.verdict":
        return [translate("document_reason." + entry.reason, lang)]
    if entry.action == "case.rejected":
        return [translate("rejection_reason." + entry.reason, lang)]
    if entry.reason == ASSIGNEE_REASON:
        return [translate("review.shown_to_assignee", lang)]
    return [entry.reason]  # a reveal's reason, as the person typed it


@dataclass(frozen=True)
class Outcome:
    closed_because: str
    words: str
    days: int
    hours: int
    minutes: int


def outcome(review: Review, lang: str) -> Outcome | None:
    """How a closed case ended and how long it took, from entering the queue to closing."""
    if review.status != "closed" or not review.closed_because:
        return None
    words = outcome_words(review.closed_because, lang)
    took = _elapsed(review.queued_at, review.closed_at or _decided_at(review))
    minutes = max(0, int(took // 60)) if took is not None else 0
    hours = minutes // 60
    return Outcome(review.closed_because, words, hours // 24, hours % 24, minutes % 60)


def outcome_words(closed_because: str, lang: str) -> str:
    if closed_because == "approved":
        return translate("review.outcome.approved", lang)
    if closed_because == "rejected":
        return translate("review.outcome.rejected", lang)
    if closed_because == "cancelled":
        return translate("review.outcome.cancelled", lang)
    if closed_because == "closed_unpaid":
        return translate("review.outcome.closed_unpaid", lang)
    return translate("review.outcome.closed", lang)


def _decided_at(review: Review) -> str | None:
    return review.decision.at if review.decision else None


def _elapsed(start: str | None, end: str | None) -> float | None:
    try:
        began, ended = datetime.fromisoformat(start or ""), datetime.fromisoformat(end or "")
    except ValueError:
        return None
    if (began.tzinfo is None) != (ended.tzinfo is None):
        return None
    return (ended - began).total_seconds()


def staff_ids(review: Review) -> set[str]:
    """Every staff account the page may name: the assignee and the history's actors."""
    ids: set[str | None] = {review.assignee_id}
    ids.update(entry.actor_id for entry in review.history)
    return {value for value in ids if value and value != SYSTEM}


def answer_values(review: Review, fields: Mapping[str, FormField], lang: str) -> dict[str, Any]:
    """{answer name: what the page shows}: a choice's label, else the value as given."""
    return {a.name: answer_text(a.name, a.value, fields, lang) for a in review.answers}
