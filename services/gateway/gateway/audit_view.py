"""The audit log in words: who by name (the gateway keeps the staff accounts),
their role, the action, documents and questions by their titles, and an
application found by its reference (LT…) as well as by its internal id."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from gateway.clients.catalog import Item
from gateway.clients.reviews import AuditEntry
from gateway.i18n import translate
from gateway.review_case import _what, actor_name

# An application's reference as people type it: LT and 14 digits, any case, any width.
REFERENCE = re.compile(r"^LT\d{14}$")
STAFF_ROLES = ("supervisor", "reviewer", "production", "dispatcher")


@dataclass(frozen=True)
class AuditRow:
    entry: AuditEntry
    who: str
    role: str
    action: str
    what: str


def as_reference(typed: str) -> str | None:
    """The reference a supervisor typed (lt20260302000001, full-width), or None."""
    folded = unicodedata.normalize("NFKC", typed or "").strip().upper()
    return folded if REFERENCE.match(folded) else None


def titles_and_labels(items: Iterable[Item], lang: str) -> tuple[dict[str, str], dict[str, str]]:
    """Every item's document titles and question labels, by code and name."""
    titles: dict[str, str] = {}
    labels: dict[str, str] = {}
    for item in items:
        for document in item.required_documents:
            titles.setdefault(document.code, document.title.get(lang))
        for question in item.form_fields:
            labels.setdefault(question.name, question.label.get(lang))
    return titles, labels


def role_words(role: str, lang: str) -> str:
    if role in STAFF_ROLES:
        return translate("staff.role." + role, lang)
    if role == "applicant":
        return translate("review.actor_applicant", lang)
    return translate("review.actor_system", lang)


def audit_rows(
    entries: Iterable[AuditEntry],
    names: Mapping[str, str],
    vocabulary: tuple[Mapping[str, str], Mapping[str, str]],
    *,
    me: str,
    lang: str,
) -> list[AuditRow]:
    titles, labels = vocabulary
    return [
        AuditRow(
            entry=entry,
            who=actor_name(entry.actor_id, entry.actor_role, names, me=me, lang=lang),
            role=role_words(entry.actor_role, lang),
            action=translate("audit_action." + entry.action, lang),
            what=_what(entry, titles, labels, lang),
        )
        for entry in entries
    ]
