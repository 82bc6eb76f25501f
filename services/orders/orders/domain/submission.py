"""What stops a submission, said per kind (answers, documents, delivery), and
which of verification's verdicts is newer."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from orders.domain.answers import answers_needing_attention
from orders.domain.delivery import delivery_still_offered


def submission_blockers(
    form_fields: Sequence[Mapping[str, Any]],
    answers: Mapping[str, str],
    delivery_options: Sequence[Mapping[str, Any]],
    delivery: Mapping[str, Any] | None,
    documents_missing: Sequence[str],
    today: date,
) -> dict[str, list[str]]:
    """Everything still missing, by part: answer names, document codes, delivery messages."""
    if delivery is None:
        delivery_problems = ["Choose courier delivery with an address, or a pickup office."]
    else:
        delivery_problems = delivery_still_offered(delivery_options, delivery)
    return {
        "answers": answers_needing_attention(form_fields, answers, today),
        "documents": list(documents_missing),
        "delivery": delivery_problems,
    }


def describe_blockers(blockers: Mapping[str, Sequence[str]]) -> str:
    parts = []
    if blockers.get("answers"):
        parts.append("answer " + ", ".join(blockers["answers"]))
    if blockers.get("documents"):
        parts.append("upload " + ", ".join(blockers["documents"]))
    if blockers.get("delivery"):
        parts.append("choose delivery")
    return "The order cannot be submitted yet: " + "; ".join(parts) + "."


def is_newer_revision(held: int, incoming: int) -> bool:
    """Verification's verdicts arrive in any order; only a later revision counts."""
    return incoming > held
