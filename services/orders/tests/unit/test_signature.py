"""The sandbox's webhook signature: pure rules, no database (the sandbox's
state and webhooks are tests/service/test_sandbox.py; the redelivery
schedule is common.webhooks', tested there)."""

from __future__ import annotations

import pytest

from orders.payments import BadSignature, StaleWebhook
from orders.payments.signature import sign, verify

SECRET = "sandbox-test-secret"


@pytest.mark.parametrize("header", [None, "", "v1=abc", "t=abc,v1=abc", "t=1,t=2,v1=abc"])
def test_a_signature_header_without_one_timestamp_and_a_mac_is_bad(header):
    with pytest.raises(BadSignature):
        verify(SECRET, b"{}", header, 1.0)


def test_a_signature_within_five_minutes_either_way_is_fresh():
    verify(SECRET, b"{}", sign(SECRET, b"{}", 1000), 1300)
    verify(SECRET, b"{}", sign(SECRET, b"{}", 1300), 1000)
    with pytest.raises(StaleWebhook):
        verify(SECRET, b"{}", sign(SECRET, b"{}", 1000), 1301)


OLD_SECRET = "the-secret-before-the-rotation"


def _v1(secret: str) -> str:
    return sign(secret, b"{}", 1000).split(",v1=")[1]


@pytest.mark.parametrize("old_first", [True, False], ids=["old-first", "new-first"])
def test_a_webhook_signed_with_the_old_and_the_new_secret_during_a_rotation_is_accepted(
    old_first,
):
    # The provider signs with both secrets while it rotates: whichever comes
    # first, the one made with orders' secret must be found.
    signatures = [_v1(OLD_SECRET), _v1(SECRET)]
    if not old_first:
        signatures.reverse()
    header = "t=1000," + ",".join(f"v1={mac}" for mac in signatures)
    verify(SECRET, b"{}", header, 1000)


def test_a_webhook_signed_only_with_the_rotated_out_secret_is_refused():
    header = f"t=1000,v1={_v1(OLD_SECRET)}"
    with pytest.raises(BadSignature):
        verify(SECRET, b"{}", header, 1000)
