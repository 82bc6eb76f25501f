import pytest

from common.auth import issue_token, verify_token
from common.errors import Unauthorized

SECRET = "a-long-shared-secret"


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


def test_an_expired_token_is_refused():
    token = issue_token(SECRET, subject="a", roles=[], audience="catalog", ttl_seconds=60, now=1000)
    with pytest.raises(Unauthorized, match="expired"):
        verify_token(SECRET, token, audience="catalog", now=1061)


def test_a_token_signed_with_another_secret_is_refused():
    token = issue_token("other-secret", subject="a", roles=["supervisor"], audience="catalog")
    with pytest.raises(Unauthorized, match="signature"):
        verify_token(SECRET, token, audience="catalog")


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
