"""What a card must look like, and what a payment may still do in each of its
own states (capture, void, refund)."""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum

from orders.domain.problems import Problems

_EXPIRY = re.compile(r"^(\d{2})/(\d{2})$")


def luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        digit = int(char)
        if index % 2 == 1:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def check_card(number: str, expiry: str, cvc: str, today: date) -> tuple[str, Problems]:
    """The card number without blanks, and what is wrong with the card's details."""
    problems: Problems = {}
    digits = re.sub(r"[\s-]", "", number)
    if not digits.isdigit() or not 12 <= len(digits) <= 19:
        problems["card_number"] = ["A card number has 12 to 19 digits."]
    elif not luhn_ok(digits):
        problems["card_number"] = ["This is not a valid card number: check it for a typo."]
    match = _EXPIRY.match(expiry.strip())
    if not match or not 1 <= int(match[1]) <= 12:
        problems["expiry"] = ["Give the expiry as MM/YY."]
    elif (2000 + int(match[2]), int(match[1])) < (today.year, today.month):
        problems["expiry"] = ["This card has expired."]
    if not re.fullmatch(r"\d{3,4}", cvc.strip()):
        problems["cvc"] = ["The security code is the 3 or 4 digits on the card."]
    return digits, problems


# --- the payment's own states -------------------------------------------------------------


class PaymentStatus(StrEnum):
    CREATED = "created"
    PROCESSING = "processing"
    AUTHORISED = "authorised"
    FAILED = "failed"
    VOIDED = "voided"
    CAPTURED = "captured"
    REFUNDED = "refunded"


P = PaymentStatus
CARD_ACCEPTED_FROM = frozenset({P.CREATED, P.FAILED})
VOIDABLE = frozenset({P.CREATED, P.PROCESSING, P.FAILED, P.AUTHORISED})
# The provider's answer to a card may arrive after a retry with another card
# was refused, or after the order closed: these states still take it.
AWAITING_ANSWER = frozenset({P.CREATED, P.PROCESSING, P.FAILED})


def takes_card(status: str) -> bool:
    return status in CARD_ACCEPTED_FROM


def capture_problem(status: str, amount_fen: int, authorised_fen: int) -> str | None:
    if status != P.AUTHORISED:
        return f"Only an authorised payment can be captured; this one is {status}."
    if not 0 < amount_fen <= authorised_fen:
        return f"Capture between 1 and {authorised_fen} fen."
    return None


def refund_problem(
    status: str, captured_fen: int, refunded_fen: int, amount_fen: int
) -> str | None:
    """Refunds never exceed what was captured; several partial ones are fine."""
    if status not in (P.CAPTURED, P.REFUNDED):
        return f"Only a captured payment can be refunded; this one is {status}."
    left = captured_fen - refunded_fen
    if amount_fen <= 0:
        return "Refund at least 1 fen."
    if amount_fen > left:
        return f"Only {left} fen of the {captured_fen} captured can still be refunded."
    return None


def status_after_refund(captured_fen: int, refunded_fen: int) -> PaymentStatus:
    return P.REFUNDED if refunded_fen >= captured_fen else P.CAPTURED


# --- how the applicant pays ---------------------------------------------------------------


class PaymentMethod(StrEnum):
    CARD = "card"  # authorised at payment, captured on approval
    WALLET_PAGE = "wallet_page"  # paid at once, refunded on rejection or cancellation
    WALLET_QR = "wallet_qr"  # held at payment, captured on approval


# The methods that take the money at once: a rejection refunds instead of releasing.
PAID_AT_ONCE = frozenset({PaymentMethod.WALLET_PAGE})


def method_problem(status: str, method: str, offered: tuple[str, ...]) -> str | None:
    """Why the payment cannot be (re)opened with `method` now, or None. The method
    may change only until the money moved (created, or failed)."""
    if method not in offered:
        return f"Pay with one of {', '.join(offered)}; {method!r} is not offered."
    if status not in CARD_ACCEPTED_FROM:
        return f"The payment is {status}: its method can change only before the money moved."
    return None


def paid_at_once(method: str) -> bool:
    return method in PAID_AT_ONCE
