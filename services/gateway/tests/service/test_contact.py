"""The applicant changes the mobile number and email of the account, on the page and
through /api/v1: checked field by field, with the current password, and told to
notifications (accounts.contact_changed in the outbox) only when something changed."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.engine import Engine

from .conftest import PASSWORD, csrf_from, unique_email, unique_mobile

Submit = Callable[..., Any]


def _contact_events(engine: Engine, account_id: str) -> list[dict[str, Any]]:
    with engine.connect() as connection:
        bodies = connection.execute(text("SELECT body FROM outbox ORDER BY id")).scalars()
        found = [json.loads(body) for body in bodies]
    return [e["data"] for e in found
            if e["type"] == "accounts.contact_changed" and e["data"]["account_id"] == account_id]  # fmt: skip


def _signed_in(client: FlaskClient, sign_in_page: Any, make_applicant: Any, identifier: str) -> Any:
    principal = make_applicant(identifier)
    assert sign_in_page(client, identifier).status_code == 303
    return principal


def test_the_page_changes_both_and_tells_notifications(
    client: FlaskClient, submit: Submit, sign_in_page, make_applicant, clean_database
) -> None:
    email = unique_email()
    principal = _signed_in(client, sign_in_page, make_applicant, email)
    mobile = unique_mobile()
    answer = submit(client, "/account/contact",
                    {"mobile": f"+86 {mobile}", "email": "New.Address@Example.cn", "password": PASSWORD})  # fmt: skip
    assert answer.status_code == 303
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert mobile in page and "new.address@example.cn" in page and "已保存" in page
    [registered, changed] = _contact_events(clean_database, principal.account_id)
    assert registered["email"] == email
    assert changed == {"account_id": principal.account_id, "language": None, "phone": mobile,
                       "email": "new.address@example.cn", "changed_at": changed["changed_at"]}  # fmt: skip
    # The new number signs in.
    client.post("/sign-out", data={"csrf_token": csrf_from(page)})
    assert sign_in_page(client, mobile).status_code == 303


def test_each_bad_field_is_named_and_nothing_is_told(
    client: FlaskClient, submit: Submit, sign_in_page, make_applicant, clean_database
) -> None:
    principal = _signed_in(client, sign_in_page, make_applicant, unique_email())
    client.set_cookie("lang", "en")
    answer = submit(client, "/account/contact",
                    {"mobile": "12345", "email": "not an address", "password": ""})  # fmt: skip
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert 'href="#mobile"' in page and 'href="#email"' in page and 'href="#password"' in page
    assert "11 digits starting with 1" in page
    wrong = submit(client, "/account/contact",
                   {"mobile": unique_mobile(), "email": "", "password": "not the password"})  # fmt: skip
    assert wrong.status_code == 422 and "The current password is not right." in wrong.get_data(
        as_text=True
    )
    empty = submit(client, "/account/contact", {"mobile": "", "email": "", "password": PASSWORD})
    assert empty.status_code == 422 and "Keep a mobile number or an email" in empty.get_data(
        as_text=True
    )
    assert len(_contact_events(clean_database, principal.account_id)) == 1  # registration only


def test_the_api_reads_and_changes_the_contact_and_refuses_by_field(
    client: FlaskClient, make_applicant, api_token, clean_database
) -> None:
    mobile, other = unique_mobile(), unique_mobile()
    principal = make_applicant(mobile)
    make_applicant(other)
    auth = {"Authorization": f"Bearer {api_token(mobile)}"}
    assert client.get("/api/v1/accounts/current/contact", headers=auth).get_json() == {
        "mobile": mobile, "email": None}  # fmt: skip

    bad = client.put("/api/v1/accounts/current/contact", headers=auth,
                     json={"mobile": mobile, "email": "nope", "password": PASSWORD})  # fmt: skip
    assert bad.status_code == 422 and list(bad.get_json()["errors"]) == ["email"]
    taken = client.put("/api/v1/accounts/current/contact", headers=auth,
                       json={"mobile": other, "email": None, "password": PASSWORD})  # fmt: skip
    assert taken.status_code == 409 and list(taken.get_json()["errors"]) == ["mobile"]
    email = unique_email()
    same = {"mobile": mobile, "email": email, "password": PASSWORD}
    changed = client.put("/api/v1/accounts/current/contact", headers=auth, json=same)
    assert changed.status_code == 200 and changed.get_json() == {"mobile": mobile, "email": email}
    again = client.put("/api/v1/accounts/current/contact", headers=auth, json=same)
    assert again.status_code == 200
    told = _contact_events(clean_database, principal.account_id)
    assert [(e["phone"], e["email"]) for e in told] == [(mobile, None), (mobile, email)]


def test_staff_and_strangers_cannot_use_it(client: FlaskClient, make_staff, api_token) -> None:
    assert client.get("/api/v1/accounts/current/contact").status_code == 401
    staff_email = unique_email("staff")
    make_staff("reviewer", email=staff_email)
    auth = {"Authorization": f"Bearer {api_token(staff_email)}"}
    answer = client.put("/api/v1/accounts/current/contact", headers=auth,
                        json={"mobile": unique_mobile(), "password": PASSWORD})  # fmt: skip
    assert answer.status_code == 403
    assert client.get("/account/contact").status_code == 302
