"""The webhook signature: the body and the time are signed together, checked
within a tolerance, and several secrets hold during a key rotation."""

from __future__ import annotations

import pytest

from common.webhooks import BadSignature, SignatureRejected, StaleSignature, sign, verify

BODY = b'{"id":"evt_1"}'
SECRET = "the-secret-after-the-rotation"
OLD_SECRET = "the-secret-before-the-rotation"


def _v1(secret: str, body: bytes = BODY, timestamp: int = 1000) -> str:
    return sign(secret, body, timestamp).split(",v1=")[1]


def test_a_signature_made_with_the_secret_verifies_and_gives_its_time() -> None:
    assert verify(SECRET, BODY, sign(SECRET, BODY, 1000), now=1000) == 1000


@pytest.mark.parametrize(
    "header",
    [None, "", "v1=abc", "t=abc,v1=abc", "t=1,t=2,v1=abc", "t=1000", "t=1000,v1="],
)
def test_a_header_without_one_timestamp_and_a_mac_is_bad(header) -> None:
    with pytest.raises(BadSignature):
        verify(SECRET, BODY, header, now=1000)


def test_a_signature_made_with_another_secret_is_bad() -> None:
    with pytest.raises(BadSignature, match="does not match"):
        verify(SECRET, BODY, sign("another-secret", BODY, 1000), now=1000)


def test_a_body_changed_after_signing_is_bad() -> None:
    with pytest.raises(BadSignature, match="does not match"):
        verify(SECRET, BODY + b" ", sign(SECRET, BODY, 1000), now=1000)


def test_a_time_changed_after_signing_is_bad() -> None:
    replayed = f"t=1300,v1={_v1(SECRET)}"  # an old webhook sent again with a fresh time
    with pytest.raises(BadSignature, match="does not match"):
        verify(SECRET, BODY, replayed, now=1300)


def test_a_signature_within_the_tolerance_either_way_is_fresh() -> None:
    verify(SECRET, BODY, sign(SECRET, BODY, 1000), now=1300)
    verify(SECRET, BODY, sign(SECRET, BODY, 1300), now=1000)
    verify(SECRET, BODY, sign(SECRET, BODY, 1000), now=1010, tolerance_seconds=10)


@pytest.mark.parametrize(("signed", "now"), [(1000, 1301), (1301, 1000)], ids=["old", "future"])
def test_a_signature_further_than_the_tolerance_from_now_is_stale(signed, now) -> None:
    with pytest.raises(StaleSignature, match="only 300 s either way"):
        verify(SECRET, BODY, sign(SECRET, BODY, signed), now=now)


def test_a_stale_signature_is_a_rejection_but_not_a_bad_one() -> None:
    # Services answer the two differently (orders: 400 stale, 401 bad).
    assert issubclass(StaleSignature, SignatureRejected)
    assert not issubclass(StaleSignature, BadSignature)


@pytest.mark.parametrize("old_first", [True, False], ids=["old-first", "new-first"])
def test_during_a_rotation_the_receiver_finds_the_mac_of_its_secret_wherever_it_is(
    old_first,
) -> None:
    macs = [_v1(OLD_SECRET), _v1(SECRET)] if old_first else [_v1(SECRET), _v1(OLD_SECRET)]
    verify(SECRET, BODY, "t=1000," + ",".join(f"v1={mac}" for mac in macs), now=1000)


def test_the_sender_signs_with_every_secret_it_holds_during_a_rotation() -> None:
    header = sign([OLD_SECRET, SECRET], BODY, 1000)
    assert header == f"t=1000,v1={_v1(OLD_SECRET)},v1={_v1(SECRET)}"
    verify(OLD_SECRET, BODY, header, now=1000)  # a receiver not yet rotated
    verify(SECRET, BODY, header, now=1000)  # and one already rotated


@pytest.mark.parametrize("position", [0, 1], ids=["new-listed-first", "new-listed-second"])
def test_a_receiver_holding_two_secrets_accepts_a_signature_made_with_either(position) -> None:
    held = [SECRET, OLD_SECRET] if position == 0 else [OLD_SECRET, SECRET]
    verify(held, BODY, sign(OLD_SECRET, BODY, 1000), now=1000)
    verify(held, BODY, sign(SECRET, BODY, 1000), now=1000)


def test_a_signature_made_only_with_a_secret_no_longer_held_is_bad() -> None:
    with pytest.raises(BadSignature):
        verify([SECRET, "the-next-secret"], BODY, sign(OLD_SECRET, BODY, 1000), now=1000)


def test_the_refusal_names_the_services_header() -> None:
    with pytest.raises(BadSignature, match="X-Courier-Signature header is missing"):
        verify(SECRET, BODY, None, now=1000, header="X-Courier-Signature")


@pytest.mark.parametrize("secrets", ["", [], ["ok", ""]])
def test_signing_or_verifying_without_a_secret_is_a_configuration_error(secrets) -> None:
    with pytest.raises(ValueError, match="non-empty secret"):
        sign(secrets, BODY, 1000)
