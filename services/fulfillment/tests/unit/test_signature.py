"""The courier webhooks' signature: the body and the time are signed together."""

from __future__ import annotations

import pytest

from fulfillment.couriers import BadSignature
from fulfillment.couriers.signature import sign, verify

BODY = b'{"waybill":"EA000000014CN"}'


def test_a_signature_made_with_the_secret_verifies() -> None:
    verify("secret", BODY, sign("secret", BODY, 1000), now=1000)


@pytest.mark.parametrize(
    "header",
    [None, "", "v1=abc", sign("other", BODY, 1000), sign("secret", BODY + b" ", 1000)],
)
def test_a_missing_forged_or_body_altered_signature_is_refused(header) -> None:
    with pytest.raises(BadSignature):
        verify("secret", BODY, header, now=1000)


def test_a_signature_older_than_the_tolerance_is_refused() -> None:
    with pytest.raises(BadSignature):
        verify("secret", BODY, sign("secret", BODY, 1000), now=1000 + 301)


def test_a_rotated_secret_is_accepted_as_a_second_v1() -> None:
    header = sign("old", BODY, 1000) + "," + sign("secret", BODY, 1000).split(",")[1]
    verify("secret", BODY, header, now=1000)
