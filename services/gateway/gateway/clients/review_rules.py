"""What verification says a review form may hold, read from `GET /review/rules`.

Verification owns the review's rules (the reason codes, the limits of a note,
a reveal's reason, a deadline and a chat message); it decides every form and
refuses with 422 field errors. The gateway reads the rules only to draw its
pages (the reason dropdowns, `maxlength`, the hints' numbers) and to say a
refusal in words. They change only with a release of verification, so each
process keeps them for a short while rather than ask on every page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from common.cache import TTLCache
from common.service_client import Caller, ServiceClient

# Long enough that a busy console asks about once a minute, short enough that a
# release of verification shows without restarting the gateway.
RULES_CACHE_SECONDS = 60.0
_KEY = "review-rules"


@dataclass(frozen=True)
class Limits:
    note_max: int
    reveal_reason_min: int
    reveal_reason_max: int
    deadline_days_min: int
    deadline_days_max: int
    max_rounds: int
    chat_message_max: int


@dataclass(frozen=True)
class ReviewRules:
    document_reasons: tuple[str, ...]
    rejection_reasons: tuple[str, ...]
    check_results: tuple[str, ...]
    decisions: tuple[str, ...]
    limits: Limits


class ReviewRulesClient:
    def __init__(self, verification: ServiceClient, cache: TTLCache | None = None) -> None:
        self._verification = verification
        self._cache = cache if cache is not None else TTLCache(RULES_CACHE_SECONDS)

    def rules(self, caller: Caller) -> ReviewRules:
        """The same for every caller, so one cached copy serves them all."""
        return self._cache.get_or_load(
            _KEY, lambda: parse_rules(self._verification.get("/review/rules", caller=caller))
        )


def parse_rules(raw: Any) -> ReviewRules:
    raw = raw if isinstance(raw, dict) else {}
    limits = raw.get("limits") if isinstance(raw.get("limits"), dict) else {}
    return ReviewRules(
        document_reasons=_codes(raw.get("document_reasons")),
        rejection_reasons=_codes(raw.get("rejection_reasons")),
        check_results=_codes(raw.get("check_results")),
        decisions=_codes(raw.get("decisions")),
        limits=Limits(**{name: _int(limits.get(name)) for name in Limits.__dataclass_fields__}),
    )


def _codes(raw: Any) -> tuple[str, ...]:
    return tuple(str(code) for code in raw or () if isinstance(code, str) and code)


def _int(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0
