"""The wallet-style providers' signatures: RSA2 (SHA256withRSA) for the page
payment, HMAC-SHA256 for the QR payment, each over the sorted key=value string;
anything altered, missing or signed with another key is refused."""

from __future__ import annotations

import pytest

from orders.payments import BadSignature
from orders.payments.wallet_signing import (
    canonical,
    hmac_sign,
    hmac_verify,
    load_private_key,
    load_public_key,
    new_rsa_key,
    private_key_pem,
    public_key_pem,
    rsa2_sign,
    rsa2_verify,
)

NOTIFY = {
    "out_trade_no": "LT20261204000001",
    "trade_no": "wpg_0001",
    "trade_status": "TRADE_SUCCESS",
    "total_amount": "25.00",
    "notify_id": "n_1",
    "sign_type": "RSA2",
}


@pytest.fixture(scope="module")
def key():
    return new_rsa_key()


def test_the_canonical_string_is_sorted_without_the_signature_or_empty_values():
    params = {"b": "2", "a": "1", "sign": "xyz", "empty": "", "none": None, "c": 3}
    assert canonical(params) == "a=1&b=2&c=3"
    assert canonical({**params, "sign_type": "RSA2"}, leave_out=("sign", "sign_type")) == (
        "a=1&b=2&c=3"
    )


def test_an_rsa2_signature_made_with_the_private_key_verifies_with_the_public_key(key):
    public = load_public_key(public_key_pem(key))
    signed = {**NOTIFY, "sign": rsa2_sign(NOTIFY, load_private_key(private_key_pem(key)))}
    rsa2_verify(signed, public)  # no exception
    reordered = dict(reversed(list(signed.items())))
    rsa2_verify(reordered, public)


@pytest.mark.parametrize(
    "change",
    [
        {"total_amount": "0.01"},  # an amount altered on the way
        {"trade_status": "TRADE_CLOSED"},
        {"sign": "bm90IGEgc2lnbmF0dXJl"},  # base64, but not a signature
        {"sign": "%%% not base64"},
        {"sign": ""},
        {"sign_type": "RSA"},  # the old SHA1 variant is not accepted
    ],
)
def test_an_altered_or_missing_rsa2_signature_is_refused(key, change):
    signed = {**NOTIFY, "sign": rsa2_sign(NOTIFY, key)}
    with pytest.raises(BadSignature):
        rsa2_verify({**signed, **change}, key.public_key())


def test_an_rsa2_signature_by_another_key_is_refused(key):
    signed = {**NOTIFY, "sign": rsa2_sign(NOTIFY, new_rsa_key())}
    with pytest.raises(BadSignature):
        rsa2_verify(signed, key.public_key())


QR_NOTIFY = {
    "out_trade_no": "LT20261204000002",
    "transaction_id": "wqr_0001",
    "result_code": "SUCCESS",
    "total_fee": "2500",
    "nonce_str": "5K8264ILTKCH16CQ",
}


def test_an_hmac_sha256_signature_verifies_with_the_same_api_key_only():
    signed = {**QR_NOTIFY, "sign": hmac_sign(QR_NOTIFY, "api-key-1")}
    assert signed["sign"] == signed["sign"].upper() and len(signed["sign"]) == 64
    hmac_verify(signed, "api-key-1")
    hmac_verify({**signed, "sign": signed["sign"].lower()}, "api-key-1")
    with pytest.raises(BadSignature):
        hmac_verify(signed, "api-key-2")


@pytest.mark.parametrize("change", [{"total_fee": "1"}, {"sign": ""}, {"sign": "签名"}])
def test_an_altered_hmac_sha256_notification_is_refused(change):
    signed = {**QR_NOTIFY, "sign": hmac_sign(QR_NOTIFY, "api-key-1")}
    with pytest.raises(BadSignature):
        hmac_verify({**signed, **change}, "api-key-1")
