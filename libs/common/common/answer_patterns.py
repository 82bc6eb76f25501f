"""The named formats a text question can require: a fixed list the code knows.

A supervisor defining a question picks one of these names (the catalog refuses
any other); orders checks an answer against the named format; the gateway
names it in the console and says a refusal in words. A free regular
expression is never taken from an item definition: one mistyped by hand could
refuse every answer, or accept anything.

Each format says how an answer is tidied before it is checked (full-width
characters made half-width, spaces and hyphens dropped, letters upper-cased
where case means nothing), so a format is never stricter than its hint.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Vehicle identification numbers (GB 16735 / ISO 3779) never use I, O or Q.
_VIN_CHARACTER = "A-HJ-NPR-Z0-9"


@dataclass(frozen=True)
class AnswerPattern:
    name: str
    regex: re.Pattern[str]
    upper: bool = False  # letters are capitals whatever was typed

    def tidy(self, value: str) -> str:
        """The answer as it is kept: half-width, without spaces or hyphens."""
        text = re.sub(r"[\s\-·]", "", unicodedata.normalize("NFKC", value))
        return text.upper() if self.upper else text

    def matches(self, value: str) -> bool:
        return self.regex.fullmatch(value) is not None


def _pattern(name: str, regex: str, *, upper: bool = False) -> AnswerPattern:
    return AnswerPattern(name, re.compile(regex), upper)


ANSWER_PATTERNS: dict[str, AnswerPattern] = {
    pattern.name: pattern
    for pattern in (
        # The whole VIN (17 characters), e.g. LSVAU2180N2183294.
        _pattern("vin", rf"[{_VIN_CHARACTER}]{{17}}", upper=True),
        # Its last six characters, as the vehicle forms ask.
        _pattern("vin_last6", rf"[{_VIN_CHARACTER}]{{6}}", upper=True),
        # A driving licence's file number (档案编号): 12 digits.
        _pattern("licence_file_number", r"\d{12}"),
        # A motor vehicle registration certificate's number (登记证书编号): 12 digits.
        _pattern("registration_certificate_number", r"\d{12}"),
        # An engine number: 4 to 20 letters and digits.
        _pattern("engine_number", r"[A-Z0-9]{4,20}", upper=True),
        # A mainland postcode: 6 digits.
        _pattern("postcode", r"\d{6}"),
    )
}

PATTERN_NAMES: tuple[str, ...] = tuple(ANSWER_PATTERNS)


def answer_pattern(name: str | None) -> AnswerPattern | None:
    """The named format, or None for a name the code does not know."""
    return ANSWER_PATTERNS.get(name) if name else None
