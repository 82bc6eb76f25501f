"""Applicants register, sign in and sign out through the pages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import func, select

from gateway.models import accounts, sessions
from gateway.services import token_hash

from .conftest import PASSWORD, ShiftedClock, unique_email, unique_mobile

Submit = Callable[..., Any]


def _session_cookie(client: FlaskClient) -> str | None:
    cookie = client.get_cookie("gw_session")
    return cookie.value if cookie else None


def test_registers_with_an_email_and_is_signed_in_at_once(
    client: FlaskClient, submit: Submit
) -> None:
    email = unique_email()
    response = submit(
        client,
        "/register",
        {"identifier": email, "password": PASSWORD, "password_confirmation": PASSWORD},
    )
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert email in page


def test_registers_with_a_china_mainland_mobile_number(
    client: FlaskClient, submit: Submit, gateway_uow
) -> None:
    mobile = unique_mobile()
    response = submit(
        client,
        "/register",
        {"identifier": f"+86 {mobile}", "password": PASSWORD, "password_confirmation": PASSWORD},
    )
    assert response.status_code == 303
    with gateway_uow() as uow:
        stored = uow.session.execute(select(accounts).where(accounts.c.mobile == mobile)).one()
    assert stored.kind == "applicant"
    assert stored.password_hash.startswith("$argon2id$")
    assert PASSWORD not in stored.password_hash


def test_refuses_a_short_password_with_an_error_summary_linking_to_the_field(
    client: FlaskClient, submit: Submit
) -> None:
    client.set_cookie("lang", "en")
    response = submit(
        client,
        "/register",
        {"identifier": unique_email(), "password": "short", "password_confirmation": "short"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'class="error-summary"' in html
    assert '<a href="#password">The password needs at least 10 characters.</a>' in html
    assert 'aria-invalid="true"' in html
    assert "<title>Error:" in html


def test_refuses_an_eleven_digit_number_that_is_not_a_mainland_mobile(
    client: FlaskClient, submit: Submit
) -> None:
    client.set_cookie("lang", "en")
    response = submit(
        client,
        "/register",
        {"identifier": "23800138000", "password": PASSWORD, "password_confirmation": PASSWORD},
    )
    assert response.status_code == 422
    assert "11 digits and starts with 1" in response.get_data(as_text=True)


def test_refuses_a_second_registration_with_409_saying_no_more_than_needed(
    client: FlaskClient, submit: Submit, make_applicant: Callable[..., Any]
) -> None:
    email = unique_email()
    make_applicant(email)
    client.set_cookie("lang", "en")
    response = submit(
        client,
        "/register",
        {"identifier": email, "password": PASSWORD, "password_confirmation": PASSWORD},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "You cannot register with these details; if you have an account, sign in." in html
    assert "already registered" not in html.lower()
    assert "exists" not in html.lower()


def test_signs_in_with_the_right_password_and_gets_a_new_session_id(
    client: FlaskClient, sign_in_page: Submit, make_applicant: Callable[..., Any]
) -> None:
    applicant = make_applicant()
    client.get("/sign-in")
    before = _session_cookie(client)
    response = sign_in_page(client, applicant.label)
    after = _session_cookie(client)
    assert response.status_code == 303
    assert before and after and before != after
    assert after.startswith("s.") and before.removeprefix("a.") not in after
    assert applicant.label in client.get("/account").get_data(as_text=True)


def test_the_session_cookie_is_http_only_and_same_site_lax(
    client: FlaskClient, sign_in_page: Submit, make_applicant: Callable[..., Any]
) -> None:
    response = sign_in_page(client, make_applicant().label)
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("gw_session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_stores_only_a_hash_of_the_session_id(
    client: FlaskClient, sign_in_page: Submit, make_applicant: Callable[..., Any], gateway_uow
) -> None:
    sign_in_page(client, make_applicant().label)
    raw = (_session_cookie(client) or "").removeprefix("s.")
    with gateway_uow() as uow:
        stored = uow.session.execute(select(sessions.c.id_hash)).scalars().all()
    assert stored == [token_hash(raw)]


def test_refuses_a_wrong_password_without_saying_which_part_is_wrong(
    client: FlaskClient, sign_in_page: Submit, make_applicant: Callable[..., Any]
) -> None:
    applicant = make_applicant()
    client.set_cookie("lang", "en")
    response = sign_in_page(client, applicant.label, "not the password at all")
    assert response.status_code == 401
    assert "The email address, mobile number or password is not right." in response.get_data(
        as_text=True
    )
    assert _session_cookie(client).startswith("a.")


def test_refuses_the_sixth_attempt_with_429_even_with_the_right_password(
    client: FlaskClient,
    sign_in_page: Submit,
    make_applicant: Callable[..., Any],
    clock: ShiftedClock,
) -> None:
    applicant = make_applicant()
    client.set_cookie("lang", "en")
    for _ in range(5):
        assert sign_in_page(client, applicant.label, "wrong password!").status_code == 401
    refused = sign_in_page(client, applicant.label)
    assert refused.status_code == 429
    assert "Too many failed sign-in attempts. Try again in 15 minutes." in refused.get_data(
        as_text=True
    )
    clock.advance(timedelta(minutes=15, seconds=1))
    assert sign_in_page(client, applicant.label).status_code == 303


def test_counts_failures_per_account_and_address(
    app, sign_in_page: Submit, make_applicant: Callable[..., Any]
) -> None:
    applicant = make_applicant()
    here = app.test_client()
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    for _ in range(5):
        sign_in_page(here, applicant.label, "wrong password!")
    assert sign_in_page(here, applicant.label).status_code == 429
    assert sign_in_page(elsewhere, applicant.label).status_code == 303


def test_sign_out_deletes_the_server_session(
    client: FlaskClient,
    submit: Submit,
    sign_in_page: Submit,
    make_applicant: Callable[..., Any],
    gateway_uow,
) -> None:
    sign_in_page(client, make_applicant().label)
    signed_in = _session_cookie(client)
    response = submit(client, "/account", {}, action="/sign-out")
    assert response.status_code == 303
    with gateway_uow() as uow:
        assert uow.session.execute(select(func.count()).select_from(sessions)).scalar_one() == 0
    client.set_cookie("gw_session", signed_in or "")
    assert client.get("/account").status_code == 302


def test_a_form_posted_without_its_csrf_token_is_refused_with_a_clear_page(
    client: FlaskClient,
) -> None:
    client.set_cookie("lang", "en")
    client.get("/register")
    response = client.post("/register", data={"identifier": unique_email(), "password": PASSWORD})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "text/html" in response.content_type
    assert "The form has expired or is missing its security token." in html


def test_a_csrf_token_from_another_session_is_refused(
    app, make_applicant: Callable[..., Any]
) -> None:
    from .conftest import csrf_from

    mallory, victim = app.test_client(), app.test_client()
    token = csrf_from(mallory.get("/sign-in").get_data(as_text=True))
    victim.get("/sign-in")
    response = victim.post(
        "/sign-in",
        data={"identifier": make_applicant().label, "password": PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 400


def test_staff_cannot_use_the_applicant_sign_in(
    client: FlaskClient, sign_in_page: Submit, make_staff: Callable[..., Any]
) -> None:
    staff = make_staff("reviewer")
    assert sign_in_page(client, staff.label).status_code == 401
    assert sign_in_page(client, staff.label, staff=True).status_code == 303


def test_the_rate_limit_holds_across_gateway_processes(
    app, sign_in_page: Submit, make_applicant
) -> None:
    from gateway.app import create_app

    applicant = make_applicant()
    other_process = create_app(app.extensions["gateway"].settings)
    try:
        for _ in range(5):
            sign_in_page(app.test_client(), applicant.label, "wrong password!")
        assert sign_in_page(other_process.test_client(), applicant.label).status_code == 429
    finally:
        other_process.extensions["gateway.engine"].dispose()
