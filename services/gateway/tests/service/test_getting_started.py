"""Getting started: a visitor who presses start is told why they must sign in,
and comes back to the service after signing in or registering; a `next` that
leads off the site is ignored. And the supervisor's small pages: withdrawing
an item asks first; the fee form starts from the fee in force and names each
field it refuses."""

from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape
from typing import Any

import pytest
from flask.testing import FlaskClient

from .conftest import PASSWORD, unique_email

Submit = Callable[..., Any]
ITEM = "driving-licence-replacement"
OFF_SITE = ("//evil.example", "https://evil.example", "/\\evil.example", "/\t/evil.example",
            "javascript:alert(1)", "http:/evil.example")  # fmt: skip


def _text(response: Any) -> str:
    return unescape(re.sub(r"\s+", " ", response.get_data(as_text=True)))


def _start_signed_out(client: FlaskClient, submit: Submit) -> str:
    started = submit(client, f"/items/{ITEM}", {}, f"/items/{ITEM}/start")
    assert started.status_code == 303
    return str(started.headers["Location"])


def test_start_when_signed_out_says_why_and_registering_comes_back_to_the_item(
    client: FlaskClient, submit: Submit
) -> None:
    client.set_cookie("lang", "zh-CN")
    sign_in = _start_signed_out(client, submit)
    assert sign_in == f"/sign-in?next=/items/{ITEM}&reason=start"
    page = _text(client.get(sign_in))
    assert "开始申请前请先登录。" in page
    register = re.search(r'href="(/register\?[^"]+)"', page)
    assert register, "the sign-in page links to registration, keeping where the visitor was going"
    form = _text(client.get(register.group(1).replace("&amp;", "&")))
    assert "开始申请前请先登录。" in form
    assert f'name="next" value="/items/{ITEM}"' in form
    email = unique_email()
    registered = submit(
        client,
        register.group(1).replace("&amp;", "&"),
        {
            "identifier": email,
            "password": PASSWORD,
            "password_confirmation": PASSWORD,
            "next": f"/items/{ITEM}",
            "reason": "start",
        },
        "/register",
    )
    assert registered.status_code == 303
    assert registered.headers["Location"] == f"/items/{ITEM}"
    assert email in _text(client.get(registered.headers["Location"]))


def test_signing_in_from_start_comes_back_to_the_item(
    client: FlaskClient, submit: Submit, make_applicant
) -> None:
    applicant = make_applicant()
    sign_in = _start_signed_out(client, submit)
    signed_in = submit(
        client,
        sign_in,
        {"identifier": applicant.label, "password": PASSWORD, "next": f"/items/{ITEM}"},
        "/sign-in",
    )
    assert signed_in.status_code == 303
    assert signed_in.headers["Location"] == f"/items/{ITEM}"


def test_a_page_that_needs_sign_in_says_so_and_comes_back(
    client: FlaskClient, submit: Submit, make_applicant
) -> None:
    client.set_cookie("lang", "en")
    asked = client.get("/applications")
    assert asked.status_code == 302
    page = _text(client.get(asked.headers["Location"]))
    assert "Sign in to continue: you will come back to the page you opened." in page
    applicant = make_applicant()
    signed_in = submit(
        client,
        asked.headers["Location"],
        {"identifier": applicant.label, "password": PASSWORD, "next": "/applications"},
        "/sign-in",
    )
    assert signed_in.headers["Location"] == "/applications"


def test_the_header_s_sign_in_link_comes_back_to_the_page_without_a_warning(
    client: FlaskClient, submit: Submit, make_applicant
) -> None:
    client.set_cookie("lang", "zh-CN")
    store = _text(client.get(f"/items/{ITEM}"))
    link = re.search(r'<a href="(/sign-in\?[^"]+)">登录</a>', store)
    assert link, "the header's 登录 link carries the page the visitor is on"
    sign_in = link.group(1)
    page = _text(client.get(sign_in))
    assert "请先登录" not in page  # they chose to sign in: nothing to explain
    assert f'name="next" value="/items/{ITEM}"' in page
    applicant = make_applicant()
    signed_in = submit(
        client,
        sign_in,
        {"identifier": applicant.label, "password": PASSWORD, "next": f"/items/{ITEM}"},
        "/sign-in",
    )
    assert signed_in.headers["Location"] == f"/items/{ITEM}"


def test_the_sign_in_page_s_own_header_links_carry_no_next(client: FlaskClient) -> None:
    page = client.get("/sign-in").get_data(as_text=True)
    assert 'href="/sign-in"' in page and "next=/sign-in" not in page


@pytest.mark.parametrize("elsewhere", OFF_SITE)
def test_a_next_to_another_site_is_ignored_on_sign_in(
    client: FlaskClient, submit: Submit, make_applicant, elsewhere: str
) -> None:
    applicant = make_applicant()
    page = client.get("/sign-in", query_string={"next": elsewhere})
    assert 'name="next" value=""' in page.get_data(as_text=True)
    signed_in = submit(
        client,
        "/sign-in",
        {"identifier": applicant.label, "password": PASSWORD, "next": elsewhere},
    )
    assert signed_in.status_code == 303
    assert signed_in.headers["Location"] == "/account"


@pytest.mark.parametrize("elsewhere", OFF_SITE)
def test_a_next_to_another_site_is_ignored_on_registration(
    client: FlaskClient, submit: Submit, elsewhere: str
) -> None:
    registered = submit(
        client,
        "/register",
        {
            "identifier": unique_email(),
            "password": PASSWORD,
            "password_confirmation": PASSWORD,
            "next": elsewhere,
        },
    )
    assert registered.status_code == 303
    assert registered.headers["Location"].startswith("/account?")


# --- the supervisor's items and fees ------------------------------------------------


def _supervisor(client: FlaskClient, make_staff, sign_in_page) -> None:  # type: ignore[no-untyped-def]
    assert sign_in_page(client, make_staff("supervisor").label, staff=True).status_code == 303


def test_withdrawing_an_item_asks_first(
    client: FlaskClient, submit: Submit, sign_in_page: Submit, make_staff
) -> None:
    _supervisor(client, make_staff, sign_in_page)
    client.set_cookie("lang", "zh-CN")
    items = client.get("/staff/items").get_data(as_text=True)
    asking = f"/staff/items/{ITEM}/withdraw"
    # A link to a question, not a button that withdraws at once.
    assert f'href="{asking}"' in items and f'action="{asking}"' not in items
    question = _text(client.get(asking))
    assert "确定要下架“补领机动车驾驶证”吗？" in question
    assert 'name="confirmed" value="yes"' in question and "取消，返回列表" in question
    # A post without the answer withdraws nothing (the fake catalog would refuse a write).
    unanswered = submit(client, asking, {})
    assert unanswered.status_code == 303
    assert unanswered.headers["Location"] == asking


def test_the_fee_form_starts_from_the_fee_in_force(
    client: FlaskClient, sign_in_page: Submit, make_staff
) -> None:
    fee = client.get(f"/api/v1/items/{ITEM}").get_json()["fee"]
    _supervisor(client, make_staff, sign_in_page)
    page = client.get(f"/staff/items/{ITEM}/fee").get_data(as_text=True)
    assert f'value="{fee["production_yuan"]}"' in page
    assert f'value="{fee["delivery_yuan"]}"' in page
    assert f'value="{fee["approval_ref"]}"' in page


def test_an_empty_fee_form_names_each_field_it_refuses(
    client: FlaskClient, submit: Submit, sign_in_page: Submit, make_staff
) -> None:
    _supervisor(client, make_staff, sign_in_page)
    client.set_cookie("lang", "zh-CN")
    refused = submit(
        client,
        f"/staff/items/{ITEM}/fee",
        {"production_yuan": "", "delivery_yuan": "", "approval_ref": "", "effective_from": ""},
    )
    html = _text(refused)
    assert refused.status_code == 422
    assert '<a href="#production_yuan">请填写“制作费（元）”。</a>' in html
    assert '<a href="#delivery_yuan">请填写“快递费（元）”。</a>' in html
    assert '<a href="#approval_ref">请输入价格核准文号。</a>' in html
    assert html.count("请输入金额（元）。") == 0
