"""Browser sessions end after 8 hours and bearer tokens after 24, by the
gateway's own clock (moved forward here, never waited for)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask.testing import FlaskClient

from .conftest import ShiftedClock

SESSION_TTL = timedelta(hours=8)  # SESSION_TTL_SECONDS' default
TOKEN_TTL = timedelta(hours=24)  # API_TOKEN_TTL_SECONDS' default
A_SECOND = timedelta(seconds=1)


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _signed_in(client: FlaskClient) -> bool:
    answer = client.get("/account")
    if answer.status_code == 200:
        return True
    assert answer.status_code in (302, 303), answer.status_code
    assert "/sign-in" in answer.headers["Location"]
    return False


def test_a_browser_session_lasts_eight_hours_and_then_asks_to_sign_in_again(
    client: FlaskClient,
    make_applicant: Callable[..., Any],
    sign_in_page: Callable[..., Any],
    clock: ShiftedClock,
) -> None:
    applicant = make_applicant()
    assert sign_in_page(client, applicant.label).status_code == 303
    clock.advance(SESSION_TTL - A_SECOND)
    assert _signed_in(client)
    clock.advance(2 * A_SECOND)
    assert not _signed_in(client)


def test_a_staff_session_ends_after_eight_hours_too(
    client: FlaskClient,
    make_staff: Callable[..., Any],
    sign_in_page: Callable[..., Any],
    clock: ShiftedClock,
) -> None:
    member = make_staff("supervisor")
    assert sign_in_page(client, member.label, staff=True).status_code == 303
    assert client.get("/staff").status_code == 200
    clock.advance(SESSION_TTL + A_SECOND)
    answer = client.get("/staff")
    assert answer.status_code in (302, 303)
    assert "/staff/sign-in" in answer.headers["Location"]


def test_a_bearer_token_lasts_a_day_and_then_is_a_401(
    client: FlaskClient,
    make_applicant: Callable[..., Any],
    api_token: Callable[..., str],
    clock: ShiftedClock,
) -> None:
    token = api_token(make_applicant().label)
    # Past a browser session's lifetime, a token still works: it has its own.
    clock.advance(SESSION_TTL + A_SECOND)
    assert client.get("/api/v1/accounts/current", headers=_bearer(token)).status_code == 200
    clock.advance(TOKEN_TTL - SESSION_TTL - 2 * A_SECOND)
    assert client.get("/api/v1/accounts/current", headers=_bearer(token)).status_code == 200
    clock.advance(2 * A_SECOND)
    expired = client.get("/api/v1/accounts/current", headers=_bearer(token))
    assert expired.status_code == 401
    assert expired.mimetype == "application/problem+json"
