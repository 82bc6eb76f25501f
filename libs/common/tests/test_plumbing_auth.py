import base64
import json

import jwt
import pytest

from common import auth
from common.auth import LEEWAY_SECONDS, VerifiedTokens, issue_token, verify_token
from common.errors import Unauthorized

SECRET = "a-long-shared-secret-of-at-least-32-bytes"


def test_a_token_signed_for_a_service_names_the_subject_and_roles():
    token = issue_token(SECRET, subject="acct-1", roles=["supervisor"], audience="catalog")
    identity = verify_token(SECRET, token, audience="catalog")
    assert identity.subject == "acct-1"
    assert identity.roles == ("supervisor",)
    assert identity.is_staff


def test_a_token_for_another_service_is_refused():
    token = issue_token(SECRET, subject="acct-1", roles=["public"], audience="orders")
    with pytest.raises(Unauthorized, match="another service"):
        verify_token(SECRET, token, audience="catalog")


def test_a_token_past_its_expiry_and_the_leeway_is_refused():
    token = issue_token(SECRET, subject="a", roles=[], audience="catalog", ttl_seconds=60, now=1000)
    with pytest.raises(Unauthorized, match="expired"):
        verify_token(SECRET, token, audience="catalog", now=1060 + LEEWAY_SECONDS + 1)


def test_a_token_a_few_seconds_past_its_expiry_is_taken_within_the_leeway():
    token = issue_token(SECRET, subject="a", roles=[], audience="catalog", ttl_seconds=60, now=1000)
    identity = verify_token(SECRET, token, audience="catalog", now=1060 + LEEWAY_SECONDS - 1)
    assert identity.subject == "a"


def test_a_fresh_token_is_taken_on_the_real_clock():
    token = issue_token(SECRET, subject="a", roles=["public"], audience="catalog")
    assert verify_token(SECRET, token, audience="catalog").roles == ("public",)


def test_a_token_that_expired_on_the_real_clock_is_refused():
    token = issue_token(SECRET, subject="a", roles=[], audience="catalog", ttl_seconds=-60)
    with pytest.raises(Unauthorized, match="expired"):
        verify_token(SECRET, token, audience="catalog")


def test_a_token_without_an_expiry_is_refused():
    token = jwt.encode({"sub": "a", "aud": "catalog", "iat": 1000, "roles": []}, SECRET, "HS256")
    with pytest.raises(Unauthorized, match="malformed"):
        verify_token(SECRET, token, audience="catalog")


def _unsigned(claims: dict) -> str:
    def part(value: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


def test_an_unsigned_token_naming_alg_none_is_refused():
    genuine = jwt.decode(
        issue_token(SECRET, subject="a", roles=["supervisor"], audience="catalog"),
        options={"verify_signature": False},
    )
    with pytest.raises(Unauthorized, match="HS256"):
        verify_token(SECRET, _unsigned(genuine), audience="catalog")


def test_a_token_signed_with_another_hmac_algorithm_is_refused():
    claims = {"sub": "a", "aud": "catalog", "iat": 1, "exp": 2**40, "roles": ["supervisor"]}
    with pytest.raises(Unauthorized, match="HS256"):
        verify_token(SECRET, jwt.encode(claims, SECRET, "HS512"), audience="catalog")


def test_a_token_signed_with_another_secret_is_refused():
    token = issue_token(
        "another-secret-of-at-least-32-bytes", subject="a", roles=["supervisor"], audience="catalog"
    )
    with pytest.raises(Unauthorized, match="signature"):
        verify_token(SECRET, token, audience="catalog")


NEW_SECRET = "the-next-shared-secret-of-at-least-32-bytes"


def test_while_rotating_the_new_secret_signs_and_both_verify():
    rotating = f"{NEW_SECRET},{SECRET}"
    by_an_updated_caller = issue_token(rotating, subject="a", roles=[], audience="catalog")
    by_a_caller_not_yet_updated = issue_token(SECRET, subject="b", roles=[], audience="catalog")

    assert verify_token(NEW_SECRET, by_an_updated_caller, audience="catalog").subject == "a"
    assert verify_token(rotating, by_a_caller_not_yet_updated, audience="catalog").subject == "b"


def test_once_the_old_secret_is_dropped_its_tokens_are_refused():
    old = issue_token(SECRET, subject="a", roles=[], audience="catalog")
    with pytest.raises(Unauthorized, match="signature"):
        verify_token(NEW_SECRET, old, audience="catalog")


def test_an_expired_token_is_refused_as_expired_whichever_secret_signed_it():
    old = issue_token(SECRET, subject="a", roles=[], audience="catalog", now=1_000)
    with pytest.raises(Unauthorized, match="expired"):
        verify_token(f"{NEW_SECRET},{SECRET}", old, audience="catalog")


def test_a_tampered_payload_is_refused():
    token = issue_token(SECRET, subject="a", roles=["applicant"], audience="catalog")
    header, _payload, signature = token.split(".")
    forged = issue_token(SECRET, subject="a", roles=["supervisor"], audience="catalog")
    with pytest.raises(Unauthorized):
        verify_token(SECRET, f"{header}.{forged.split('.')[1]}.{signature}", audience="catalog")


@pytest.mark.parametrize("garbage", ["", "abc", "a.b", "a.b.c.d"])
def test_garbage_is_refused_as_malformed(garbage):
    with pytest.raises(Unauthorized):
        verify_token(SECRET, garbage, audience="catalog")


def test_a_token_verified_once_is_taken_again_without_checking_its_signature_anew(monkeypatch):
    tokens = VerifiedTokens(SECRET, "catalog")
    token = issue_token(SECRET, subject="acct-1", roles=["applicant"], audience="catalog")
    assert tokens.identity(token).subject == "acct-1"

    def no_second_check(*args, **kwargs):
        raise AssertionError("the signature was checked a second time")

    monkeypatch.setattr(jwt, "decode", no_second_check)
    assert tokens.identity(token).roles == ("applicant",)


def test_a_remembered_token_is_refused_once_its_expiry_and_the_leeway_pass(monkeypatch):
    tokens = VerifiedTokens(SECRET, "catalog")
    token = issue_token(SECRET, subject="a", roles=[], audience="catalog", ttl_seconds=60)
    assert tokens.identity(token).subject == "a"
    later = auth.time.time() + 60 + LEEWAY_SECONDS + 1
    monkeypatch.setattr(auth.time, "time", lambda: later)
    with pytest.raises(Unauthorized, match="expired"):
        tokens.identity(token)


def test_a_refused_token_is_not_remembered_and_is_refused_again():
    tokens = VerifiedTokens(SECRET, "catalog")
    token = issue_token(
        "another-secret-of-at-least-32-bytes!!", subject="a", roles=[], audience="catalog"
    )
    for _ in range(2):
        with pytest.raises(Unauthorized, match="signature"):
            tokens.identity(token)


def test_a_token_for_another_service_is_refused_even_after_one_for_this_service_was_taken():
    tokens = VerifiedTokens(SECRET, "catalog")
    assert tokens.identity(issue_token(SECRET, subject="a", roles=[], audience="catalog"))
    with pytest.raises(Unauthorized, match="another service"):
        tokens.identity(issue_token(SECRET, subject="a", roles=[], audience="orders"))
