"""An answer as a person types it, made into the form orders checks, before it is
sent: what can be normalised is normalised, so a check is never stricter than
its hint.

A phone keyboard in Chinese mode types full-width characters (２０２１／５／１８,
ＡＢＣ１２３); people add spaces, write a VIN in lower case and a date as
2021/5/18, 2021.5.18 or 2021年5月18日. Orders keeps dates as ISO 2021-05-18 and
upper-cases ID and plate numbers itself; the gateway folds width (NFKC), tidies
an answer with a named format the way that format says (common.answer_patterns,
the list orders checks by), and reads the date forms above. Whether the result is
right is still orders' decision, except a date that is no real day
(2021-02-30), which the gateway refuses itself: it cannot be sent as a date.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from common.answer_patterns import answer_pattern
from gateway.clients.catalog import FormField

# 2021-05-18, 2021/5/18, 2021.5.18, 2021年5月18日 (spaces allowed between the parts).
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_SPACES = re.compile(r"\s+")


class NotADate(ValueError):
    """The answer has a date's shape but names no real day (2021-02-30)."""


def folded(raw: str) -> str:
    """Full-width letters, digits and punctuation as their ordinary forms, trimmed."""
    return unicodedata.normalize("NFKC", raw or "").strip()


def read_date(raw: str) -> str | None:
    """The ISO date a hand-typed date means; None when it has no date's shape;
    NotADate when it has one but names no real day."""
    found = _DATE.match(folded(raw))
    if found is None:
        return None
    year, month, day = (int(part) for part in found.groups())
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        raise NotADate(raw) from None


def normalised(question: FormField, raw: str) -> str:
    """The answer as orders should see it (NotADate for a date that is no day)."""
    if question.type == "choice":
        return (raw or "").strip()
    text = folded(raw)
    if question.type == "date":
        return read_date(text) or text
    if question.type in {"id_number", "plate_number", "phone"}:
        return _SPACES.sub("", text).upper()
    named = answer_pattern(question.pattern)
    if named is not None:
        return named.tidy(text)
    if question.pattern:
        return _fitted_to_pattern(question.pattern, text)
    return text


def _fitted_to_pattern(pattern: str, text: str) -> str:
    """An answer to an item defined before formats were named, whose pattern is still
    an expression: without the spaces and in the capitals it wants, when that is all
    that kept it from matching."""
    try:
        shape = re.compile(pattern)
    except re.error:
        return text
    if shape.fullmatch(text):
        return text
    for candidate in (_SPACES.sub("", text), _SPACES.sub("", text).upper()):
        if shape.fullmatch(candidate):
            return candidate
    return text
