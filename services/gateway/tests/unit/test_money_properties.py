"""Properties of money as the pages show it and as staff type it (hypothesis).

Fees are integer fen everywhere; the gateway alone turns them into yuan for a
person and back from what a person types. For any amount a fee may be: the
yuan text and the formatted price on either page read back to the same fen,
exactly, and a typed amount with more than two decimals is refused, never
rounded. Derandomized, so `make test` runs the same examples every time.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway import domain, formatting

PROPERTIES = settings(derandomize=True, database=None, deadline=None, max_examples=200)
FEES = st.integers(min_value=0, max_value=domain.MAX_FEE_FEN)


@PROPERTIES
@given(fen=FEES)
def test_a_fee_in_yuan_reads_back_to_the_same_fen(fen: int) -> None:
    yuan = domain.fen_to_yuan(fen)
    whole, _, cents = yuan.partition(".")
    assert len(cents) == 2 and int(whole) * 100 + int(cents) == fen
    assert domain.yuan_to_fen(yuan, "fee") == fen


@PROPERTIES
@given(fen=FEES, locale=st.sampled_from(["zh_CN", "en"]))
def test_the_price_a_page_shows_reads_back_to_the_same_fen(fen: int, locale: str) -> None:
    shown = formatting.money(fen, locale)
    assert shown.startswith(formatting.YUAN)
    assert domain.yuan_to_fen(shown, "fee") == fen


@PROPERTIES
@given(fen=FEES, extra=st.integers(min_value=1, max_value=9))
def test_a_typed_amount_finer_than_a_fen_is_refused_not_rounded(fen: int, extra: int) -> None:
    with pytest.raises(domain.FieldErrors) as refused:
        domain.yuan_to_fen(f"{domain.fen_to_yuan(fen)}{extra}", "fee")
    assert refused.value.errors == {"fee": ["money.too_many_decimals"]}
