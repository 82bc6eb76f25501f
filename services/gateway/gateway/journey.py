"""The applicant's journey, as rules with no I/O: which sections an item's
application has, how far each one is, what a refused answer is called, how a
repeated click finds the same idempotency key, and how times and the timeline
read. Pages and the API both use these; messages are keys of gateway.i18n.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from common.answer_patterns import PATTERN_NAMES
from gateway.clients.catalog import FormField, Item
from gateway.clients.orders import ADDRESS_FIELDS, Order, Payment, TimelineEntry
from gateway.clients.verification import Case
from gateway.i18n import translate

DETAILS, VEHICLE, DOCUMENTS, DELIVERY, CHECK = (
    "details",
    "vehicle",
    "documents",
    "delivery",
    "check",
)
NOT_STARTED, IN_PROGRESS, COMPLETED, CANNOT_START = (
    "not_started",
    "in_progress",
    "completed",
    "cannot_start",
)
# Who acted on an order, as orders says it (`actor_kind`), → the timeline's words.
ACTOR_KEYS = {
    "applicant": "timeline.by_you",
    "staff": "timeline.by_staff",
    "provider": "timeline.by_provider",
    "system": "timeline.by_system",
}
CARD_FIELDS = ("card_number", "expiry", "cvc")
_NONCE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


@dataclass(frozen=True)
class Task:
    section: str
    status: str

    @property
    def can_start(self) -> bool:
        return self.status != CANNOT_START


def section_of(question: FormField) -> str:
    """The task list's section of a question: the catalog says which (details or vehicle)."""
    return question.section


def questions_in(item: Item, section: str) -> list[FormField]:
    return [question for question in item.form_fields if section_of(question) == section]


def _answered(order: Order, question: FormField) -> bool:
    return bool(order.answers.get(question.name, "").strip())


def _questions_status(order: Order, questions: Sequence[FormField]) -> str:
    missing = set(order.missing_answers)
    unanswered = [
        q for q in questions if q.required and (q.name in missing or not _answered(order, q))
    ]
    if not unanswered:
        return COMPLETED
    return IN_PROGRESS if any(_answered(order, q) for q in questions) else NOT_STARTED


def _documents_status(order: Order, case: Case | None) -> str:
    if case is not None:
        uploaded = [doc for doc in case.documents if doc.uploaded]
        if case.complete or (case.documents and len(uploaded) == len(case.documents)):
            return COMPLETED
        return IN_PROGRESS if uploaded else NOT_STARTED
    if order.documents.complete:
        return COMPLETED
    required = len(order.required_documents)
    missing = len(order.documents.missing)
    return IN_PROGRESS if required > 0 and missing < required else NOT_STARTED


def tasks(item: Item, order: Order, case: Case | None) -> list[Task]:
    """The task list: each section with its status; check and pay waits for the rest."""
    found: list[Task] = []
    for section in (DETAILS, VEHICLE):
        questions = questions_in(item, section)
        if questions:
            found.append(Task(section, _questions_status(order, questions)))
    if item.required_documents or order.required_documents:
        found.append(Task(DOCUMENTS, _documents_status(order, case)))
    found.append(Task(DELIVERY, COMPLETED if order.delivery else NOT_STARTED))
    ready = all(task.status == COMPLETED for task in found)
    found.append(Task(CHECK, NOT_STARTED if ready else CANNOT_START))
    return found


def next_question(item: Item, name: str) -> FormField | None:
    """The question after `name` in the same section, if any."""
    current = next((q for q in item.form_fields if q.name == name), None)
    if current is None:
        return None
    section = questions_in(item, section_of(current))
    index = section.index(current)
    return section[index + 1] if index + 1 < len(section) else None


def previous_question(item: Item, name: str) -> FormField | None:
    current = next((q for q in item.form_fields if q.name == name), None)
    if current is None:
        return None
    section = questions_in(item, section_of(current))
    index = section.index(current)
    return section[index - 1] if index > 0 else None


# --- refusals in words ---------------------------------------------------------


def answer_error(question: FormField, value: str) -> str:
    """The message key for an answer the orders service refused (or that is missing)."""
    text = value.strip()
    if question.type == "choice":
        return "answer.choose"
    if not text:
        return "answer.enter"
    if question.type in {"id_number", "phone", "plate_number", "date"}:
        return f"answer.{question.type}"
    if question.max_length is not None and len(text) > question.max_length:
        return "answer.too_long"
    # A named format says what it wants (a VIN's 17 characters), not "follow the hint".
    named = getattr(question, "pattern", None)
    if named in PATTERN_NAMES:
        return f"answer.pattern.{named}"
    return "answer.format"


def address_errors(values: dict[str, str], refused: Iterable[str] = ()) -> dict[str, list[str]]:
    """Empty address fields, and those orders refused, with their message keys."""
    errors: dict[str, list[str]] = {}
    for name in ADDRESS_FIELDS:
        if not values.get(name, "").strip():
            errors[name] = [f"address.{name}.required"]
    for name in refused:
        key = name.removeprefix("address.")
        if key in ADDRESS_FIELDS and key not in errors:
            errors[key] = [f"address.{key}.invalid"]
    return errors


def card_errors(refused: Iterable[str]) -> dict[str, list[str]]:
    return {name: [f"card.{name}.invalid"] for name in CARD_FIELDS if name in set(refused)}


def clean_card_number(raw: str) -> str:
    """People type cards in groups of four; the provider wants the digits."""
    return re.sub(r"[\s-]", "", raw or "")


def decline_key(payment: Payment) -> str:
    reason = (payment.failure_reason or "").strip().lower()
    if reason in {"card_declined", "processing_error", "expired_card", "insufficient_funds"}:
        return f"payment.reason.{reason}"
    return "payment.reason.other"


def upload_error_key(reason: str) -> str:
    return f"upload.reason.{reason}"


def refusal_key(reason_code: str | None) -> str:
    """A reviewer's reason for refusing a photo (verification's code), as a message
    key; a code the gateway has no words for reads as "other" (the reviewer's note
    then says why)."""
    key = f"refusal.{reason_code or 'other'}"
    return key if translate(key, "en") != key else "refusal.other"


# --- idempotency -------------------------------------------------------------------


def new_attempt() -> str:
    """A token put in a form when it is shown: every click on that form sends the same one."""
    return secrets.token_urlsafe(18)


def idempotency_key(secret: str, account_id: str, action: str, attempt: str | None) -> str:
    """The same form shown once, sent twice (a double click), gives the same key; a form
    shown again gives a new one. Bound to the account so a copied token is worth nothing."""
    if not attempt or not _NONCE.match(attempt):
        attempt = new_attempt()
    message = f"{account_id}|{action}|{attempt}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:48]


# --- reading times and the timeline ------------------------------------------------


def actor_key(entry: TimelineEntry) -> str:
    """Who acted, in words: orders gives the actor's kind; anything else is the system."""
    return ACTOR_KEYS.get(entry.actor_kind or "", "timeline.by_system")
